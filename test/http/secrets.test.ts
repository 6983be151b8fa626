/**
 * Nothing leaks: passwords are stored hashed (fixtures and store files), tokens only work
 * where they were issued and as issued, unknown users cost the same password check as known
 * ones, and tokens and passwords never reach the logs or the request journal.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { CompactSign } from 'jose'
import t, { type Test } from 'tap'
import * as passwords from '../../src/domain/passwords.js'
import { FIXTURES_FILE } from '../../src/server.js'
import { createMockServer, type MockServer } from '../../src/index.js'
import { redactUrl } from '../../src/http/transport.js'
import { BASE, build, createBody, FA, here } from '../helper.js'
import { CODES } from '../../src/contract/errors.js'

const INVALID_TOKEN = CODES.INVALID_TOKEN

/** Every user of a stored dataset holds a scrypt hash and nothing that looks like a password. */
async function checkHashed (t: Test, text: string, where: string): Promise<void> {
  const data = JSON.parse(text) as { users: Array<Record<string, unknown>> }
  t.ok(data.users.length > 0, `${where}: has users`)
  for (const user of data.users) {
    t.match(user.password_hash, /^scrypt\$\d+\$\d+\$\d+\$[0-9a-f]+\$[0-9a-f]{64}$/, `${where}: ${String(user.username)} has a scrypt hash`)
    t.notOk('password' in user, `${where}: ${String(user.username)} has no password field`)
  }
  const hash = data.users.find(u => u.username === 'MPAdministrator')!.password_hash as string
  t.equal(await passwords.verifyPassword('1234', hash), true, `${where}: the hash is of the default password`)
  t.equal(await passwords.verifyPassword('12345', hash), false, `${where}: and of no other`)
  t.notOk(/"password"\s*:/.test(text), `${where}: no "password" key anywhere`)
}

t.test('passwords are hashed with scrypt in the fixtures and in the store files the server writes', async t => {
  await checkHashed(t, readFileSync(FIXTURES_FILE, 'utf8'), 'fixtures')
  const dir = mkdtempSync(join(tmpdir(), 'crmcom-secrets-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'db.json')
  const server = await createMockServer({ store: { file }, size: 20 })
  await server.stop()
  await checkHashed(t, readFileSync(file, 'utf8'), 'store file')
})

t.test('tokens are refused when forged, altered, released, expired or from another instance', async t => {
  const server = await build(t)
  const other = await build(t)
  const token = await server.login()
  const show = async (s: MockServer, tok: string): Promise<string> =>
    (await s.app.inject({ method: 'GET', url: `${BASE}${FA}show?token=${encodeURIComponent(tok)}&customer_event_identifier=number=92` })).json().status.code
  t.equal(await show(server, token), 'OK', 'the token works where it was issued')

  const [header, payload, signature] = token.split('.') as [string, string, string]
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, string>
  const sign = async (body: object, key: Uint8Array): Promise<string> =>
    await new CompactSign(new TextEncoder().encode(JSON.stringify(body))).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(key)
  const flip = (s: string, at: number): string => s.slice(0, at) + (s[at] === 'A' ? 'B' : 'A') + s.slice(at + 1)
  const forged: Array<[string, string]> = [
    ['the same claims signed with another key', await sign(claims, new Uint8Array(32).fill(7))],
    ['a later expiry signed with another key', await sign({ ...claims, exp: String(Number(claims.exp) + 86_400) }, new Uint8Array(32))],
    ['alg none', `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`],
    ['an altered payload', `${header}.${Buffer.from(JSON.stringify({ ...claims, usr: 'someone' })).toString('base64url')}.${signature}`],
    ['an altered signature', `${header}.${payload}.${flip(signature, 5)}`],
    ['a truncated token', token.slice(0, -1)],
    ['the token with a suffix', `${token}x`],
    ['a different case', token.toUpperCase()],
    ['an opaque token of the right shape', 'A'.repeat(32)]
  ]
  for (const [name, tok] of forged) t.equal(await show(server, tok), INVALID_TOKEN, name)
  t.equal(await show(other, token), INVALID_TOKEN, "another instance's token")

  const released = await server.login()
  await server.app.inject({ method: 'POST', url: `${BASE}authentication/token/release`, payload: { token: released } })
  t.equal(await show(server, released), INVALID_TOKEN, 'a released token')
  const expiring = await server.login()
  server.clock.advance(2 * 3_600_000 + 1000)
  t.equal(await show(server, expiring), INVALID_TOKEN, 'an expired token')
})

t.test('an unknown user costs the same password check as a known one (no timing tell)', async t => {
  let checks = 0
  const { authenticateUser } = await t.mockImport<typeof import('../../src/domain/authentication.js')>(here('../../src/domain/authentication.js', import.meta.url), {
    [here('../../src/domain/passwords.js', import.meta.url)]: { ...passwords, verifyPassword: async (password: string, hash: string) => { checks++; return await passwords.verifyPassword(password, hash) } }
  })
  const server = await build(t)
  const { lookup } = (await server.app.crm.tenants.get()).store
  for (const username of ['MPAdministrator', 'nobody']) {
    checks = 0
    await t.rejects(authenticateUser(lookup, { username, password: 'wrong', organisation: 'CRMDEMO' }), { code: CODES.INVALID_CREDENTIALS })
    t.equal(checks, 1, `${username}: one scrypt check`)
  }
})

t.test('redactUrl hides secret query parameters however they are written', async t => {
  const cases: Array<[string, string]> = [
    ['/x?token=abc&a=1', '/x?token=[REDACTED]&a=1'],
    ['/x?a=1&token=abc', '/x?a=1&token=[REDACTED]'],
    ['/x?%74oken=abc', '/x?%74oken=[REDACTED]'],
    ['/x?token[]=abc&token[x]=d', '/x?token[]=[REDACTED]&token[x]=[REDACTED]'],
    ['/x?password=1234&pass_code=9', '/x?password=[REDACTED]&pass_code=[REDACTED]'],
    ['/x?%zz=1&token', '/x?%zz=1&token=[REDACTED]'],
    ['/x', '/x'],
    ['/x?tokens=1', '/x?tokens=1']
  ]
  for (const [url, expected] of cases) t.equal(redactUrl(url), expected, url)
})

t.test('tokens and passwords never reach the logs or the request journal', async t => {
  let logged = ''
  const stream = new Writable({ write (chunk: Buffer, _enc, done) { logged += chunk.toString(); done() } })
  const server = await build(t, { logger: { level: 'trace', stream } })
  const url = await server.start()
  const secret = 'Wr0ng-pa55word-xyz'
  const login = async (password: string): Promise<{ data: { token: string } | null }> =>
    await (await fetch(url + 'authentication/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'MPAdministrator', password, organisation: 'CRMDEMO' }) })).json() as { data: { token: string } | null }
  t.equal((await login(secret)).data, null, 'a wrong password is refused')
  const token = (await login('1234')).data!.token
  const send = async (path: string, init?: RequestInit): Promise<void> => { await (await fetch(url + path, init)).text() }
  await send(`${FA}show?token=${encodeURIComponent(token)}&customer_event_identifier=number=92`)
  await send(`${FA}show?customer_event_identifier=number=92&%74oken=${encodeURIComponent(token)}`)
  await send(`${FA}nowhere?token=${encodeURIComponent(token)}`)
  await send(`${FA}create`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(createBody(token)) })
  await send(`${FA}create`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"token":"${token}", broken` })
  await send(`${FA}list`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, rewards_participant_identifier: { access_token_identifier: { identifier: '4455409647587', pass_code: '3494' } } }) })
  await send('authentication/token/release', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) })

  t.ok(logged.includes('incoming request'), 'requests were logged')
  t.ok(logged.includes(`${FA}show?`) && logged.includes('token=[REDACTED]'), 'logged URLs keep their shape, with the token redacted')
  for (const [name, text] of [['the log', logged], ['the journal', JSON.stringify(await server.requests())]] as const) {
    t.notOk(text.includes(token), `${name}: no token`)
    t.notOk(text.includes(token.split('.')[2]!), `${name}: not even the token's signature`)
    t.notOk(text.includes(secret), `${name}: no password`)
    t.notOk(/"password":"1234"|password=1234/.test(text), `${name}: not the right password either`)
    t.notOk(text.includes('"pass_code":"3494"'), `${name}: no pass code`)
  }
})

t.test("a caller's own request serializer still runs, and its URL is redacted after it", async t => {
  let logged = ''
  const stream = new Writable({ write (chunk: Buffer, _enc, done) { logged += chunk.toString(); done() } })
  const server = await build(t, { logger: { level: 'info', stream, serializers: { req: (req: { url: string }) => ({ url: req.url, mine: true }) } } })
  const token = await server.login()
  await server.app.inject({ method: 'GET', url: `${BASE}${FA}show?token=${encodeURIComponent(token)}&customer_event_identifier=number=92` })
  t.match(logged, /"req":\{"url":"[^"]*token=\[REDACTED\][^"]*","mine":true\}/, 'their serializer ran; the token is redacted')
  t.notOk(logged.includes(token), 'no token')
})
