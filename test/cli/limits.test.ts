/**
 * Safe by default: the CLI binds loopback and keeps the admin API off unless asked; bodies
 * are limited (REQUESTTOOLARGEEXCEPTION); slow requests (slowloris) are cut off after the
 * request timeout and huge ones refused before they are read, always with the envelope,
 * while the server goes on answering everybody else.
 */
import { connect, type Socket } from 'node:net'
import { Memory } from 'lowdb'
import t, { type Test } from 'tap'
import { buildApp, type AppOptions } from '../../src/app.js'
import { Sessions } from '../../src/domain/sessions.js'
import { createClock } from '../../src/controls/clock.js'
import { CODES } from '../../src/contract/errors.js'
import { loadFixtures, type Dataset } from '../../src/index.js'
import { Store } from '../../src/store/store.js'
import { Tenants } from '../../src/controls/tenants.js'
import { createBody, envelopeProblem, FA, getOver, killCli, loginOver, postOver, runCli, startCli } from '../helper.js'

const BASE = '/crmapi/rest/v2/'

/** An app over the fixtures, listening on loopback, with the given options. */
async function listening (t: Test, options: AppOptions): Promise<{ port: number, url: string }> {
  const clock = createClock()
  const tenants = new Tenants({ mode: 'shared', openStore: async () => await Store.open(new Memory<Dataset>(), loadFixtures, 'memory store') })
  const app = buildApp({ clock, sessions: new Sessions({ clock, kind: 'jwt' }), tenants }, options)
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  return { port, url: `http://127.0.0.1:${port}${BASE}` }
}

interface Raw { answer: string, sent: number, total: number }

/**
 * Sends `head` at once, then `trickle` one character every `everyMs`, until the server
 * closes the connection or everything is sent. Bounded: at most trickle.length ticks.
 */
async function slowly (port: number, head: string | Buffer, trickle: string, everyMs: number): Promise<Raw> {
  const socket: Socket = connect(port, '127.0.0.1')
  let answer = ''
  let sent = 0
  socket.on('data', (d: Buffer) => { answer += d.toString() })
  socket.on('error', () => undefined)
  await new Promise(resolve => socket.once('connect', resolve))
  socket.write(head)
  const closed = new Promise(resolve => socket.once('close', resolve))
  let open = true
  void closed.then(() => { open = false })
  while (open && sent < trickle.length) {
    await new Promise(resolve => setTimeout(resolve, everyMs))
    if (open && !socket.destroyed && socket.writable) { socket.write(trickle[sent]!); sent++ }
  }
  if (open) { socket.end(); await closed }
  return { answer, sent, total: trickle.length }
}

/** The envelope of a raw HTTP answer. */
function envelopeOf (raw: string): { status: { code: string, message: string } } | undefined {
  const body = raw.slice(raw.indexOf('\r\n\r\n') + 4)
  return envelopeProblem(body) === undefined || /UNEXPECTED/.test(body) ? JSON.parse(body) : undefined
}

t.test('the CLI by default: binds 127.0.0.1, no admin API, the body limit it is given, no secret in its log', async t => {
  const cli = await startCli(['--in-memory', '--body-limit', '2048', '--log'])
  t.teardown(() => killCli(cli))
  t.match(cli.url, /^http:\/\/127\.0\.0\.1:\d+\//, 'bound to 127.0.0.1')
  const admin = await fetch(cli.url.replace(/\/crmapi\/rest\/v2\/$/, '/__admin/snapshot'))
  t.equal(((await admin.json()) as { status: { code: string } }).status.code, CODES.METHOD_NOT_FOUND, 'the admin API is off')
  const token = await loginOver(cli.url)
  t.equal((await postOver(cli.url, FA + 'create', createBody(token, { description: 'x'.repeat(500) }))).status.code, 'OK', 'a body under the limit is taken')
  const big = await postOver(cli.url, FA + 'create', createBody(token, { description: 'x'.repeat(4000) }))
  t.equal(big.status.code, CODES.REQUEST_TOO_LARGE, 'a body over --body-limit is REQUESTTOOLARGEEXCEPTION')
  t.match(big.status.message, /2048/, 'naming the limit')
  t.equal((await getOver(cli.url, FA + 'show', { token, customer_event_identifier: 'number=92' })).status.code, 'OK', 'a show with the token in its URL')
  await killCli(cli, 'SIGTERM')
  const { stdout } = cli.output()
  t.match(stdout, /incoming request/, 'it logged the requests')
  t.notOk(stdout.includes(token), 'the token is not in its log')
  t.notOk(stdout.includes(token.split('.')[2]!), 'nor its signature')
})

t.test('the CLI refuses --admin beyond loopback without --admin-token, before it listens', async t => {
  // (0.0.0.0 is covered by test/embedding/cli-admin.test.ts.)
  for (const host of ['::']) {
    const { code, stdout, stderr } = await runCli(['--in-memory', '--admin', '--host', host, '--port', '0'])
    t.equal(code, 1, `${host}: exit 1`)
    t.equal(stdout, '', `${host}: never listened`)
    t.match(stderr, /needs --admin-token/, `${host}: says why`)
  }
})

t.test('the default body limit is 1 MiB', async t => {
  const { url } = await listening(t, {})
  const token = await (async () => {
    const answer = await postOver(url, 'authentication/token', { username: 'MPAdministrator', password: '1234', organisation: 'CRMDEMO' })
    return (answer.data as { token: string }).token
  })()
  const sized = (bytes: number): Record<string, unknown> => {
    const base = createBody(token, { description: '' })
    return createBody(token, { description: 'x'.repeat(bytes - JSON.stringify(base).length) })
  }
  t.equal((await postOver(url, FA + 'create', sized(1024 * 1024 - 1000))).status.code, CODES.INVALID_PARAMETER_VALUE, 'just under 1 MiB is read (and then refused as too long a description)')
  t.equal((await postOver(url, FA + 'create', sized(1024 * 1024 + 1))).status.code, CODES.REQUEST_TOO_LARGE, 'one byte over is REQUESTTOOLARGEEXCEPTION')
})

t.test('slow requests (slowloris) are cut off with the envelope; everybody else is still served', async t => {
  const { port, url } = await listening(t, { requestTimeout: 1000 })
  const token = (await postOver(url, 'authentication/token', { username: 'MPAdministrator', password: '1234', organisation: 'CRMDEMO' }) as { data: { token: string } }).data.token
  const body = JSON.stringify(createBody(token))
  const slowBody = slowly(port, `POST ${BASE}${FA}create HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`, body, 50)
  const slowHeaders = slowly(port, `GET ${BASE}${FA}show?customer_event_identifier=number=92 HTTP/1.1\r\nHost: x\r\n`, `X-Slow: ${'a'.repeat(400)}`, 50)
  const many = Array.from({ length: 40 }, async () => await slowly(port, `POST ${BASE}${FA}list HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{`, ' '.repeat(999), 50))
  // Meanwhile the server answers normally.
  t.equal((await postOver(url, FA + 'create', createBody(token))).status.code, 'OK', 'a normal request is answered while 42 slow ones are open')

  for (const [name, raw] of [['a body sent a byte at a time', await slowBody], ['headers sent a byte at a time', await slowHeaders]] as const) {
    t.ok(raw.sent < raw.total, `${name}: cut off after ${raw.sent} of ${raw.total} bytes`)
    const envelope = envelopeOf(raw.answer)
    t.equal(envelope?.status.code, CODES.INVALID_PARAMETER_VALUE, `${name}: answered with the envelope`)
    t.match(envelope?.status.message, /not received in time/, `${name}: saying why`)
  }
  const cut = await Promise.all(many)
  t.equal(cut.filter(r => r.sent < r.total).length, many.length, `all ${many.length} slow connections were cut off`)
  t.equal((await postOver(url, FA + 'create', createBody(token))).status.code, 'OK', 'and the server still answers')
})

t.test('huge requests are refused before they are read, with the envelope', async t => {
  const { port, url } = await listening(t, {})
  const declared = await slowly(port, `POST ${BASE}${FA}create HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${50 * 1024 * 1024}\r\n\r\n{"a":"`, 'x'.repeat(200), 5)
  t.equal(envelopeOf(declared.answer)?.status.code, CODES.REQUEST_TOO_LARGE, 'a declared 50 MB body: REQUESTTOOLARGEEXCEPTION without reading it')
  const chunk = `${(64 * 1024).toString(16)}\r\n${'x'.repeat(64 * 1024)}\r\n`
  const chunked = await slowly(port, `POST ${BASE}${FA}create HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${chunk.repeat(20)}`, chunk.repeat(80).slice(0, 2000), 5)
  t.equal(envelopeOf(chunked.answer)?.status.code, CODES.REQUEST_TOO_LARGE, 'a chunked body over the limit: REQUESTTOOLARGEEXCEPTION')
  const headers = await slowly(port, `GET ${BASE}${FA}show HTTP/1.1\r\nHost: x\r\nX-Big: ${'h'.repeat(64 * 1024)}\r\n\r\n`, '', 5)
  t.equal(envelopeOf(headers.answer)?.status.code, CODES.REQUEST_TOO_LARGE, 'headers over 16 KiB: REQUESTTOOLARGEEXCEPTION')
  const garbage = await slowly(port, 'NOT HTTP AT ALL\r\n\r\n', '', 5)
  t.equal(envelopeOf(garbage.answer)?.status.code, CODES.INVALID_PARAMETER_VALUE, 'a malformed request line: INVALIDPARAMETERVALUEEXCEPTION')
  t.equal((await postOver(url, 'authentication/token', { username: 'MPAdministrator', password: '1234', organisation: 'CRMDEMO' })).status.code, 'OK', 'the server still answers')
})
