/**
 * Graceful shutdown of the CLI: SIGTERM under load lets the requests in flight finish,
 * flushes what they wrote and exits 0; a second signal exits at once, and the store file
 * still loads with everything that was answered OK.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { createMockServer } from '../../src/index.js'
import { ACCOUNT, type CliProcess, createBody, envelopeProblem, FA, killCli, loginOver, postOver, startCli } from '../helper.js'

const HELD = 12

/** Resolves once `count` lines of the CLI's log match `pattern`. */
async function logged (cli: CliProcess, pattern: RegExp, count: number): Promise<void> {
  while ((cli.output().stdout.match(new RegExp(pattern.source, 'g')) ?? []).length < count) {
    if (cli.child.exitCode !== null) throw new Error('the CLI exited')
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}

/** Keeps creating until told to stop; returns the ids answered OK. Failures after the signal are expected. */
function load (url: string, token: string, workers: number): { stop: () => Promise<string[]>, failedBeforeSignal: () => number, signalled: () => void } {
  const ok: string[] = []
  let running = true
  let signalled = false
  let failedBefore = 0
  const loops = Array.from({ length: workers }, async () => {
    while (running) {
      try {
        const answer = await postOver(url, FA + 'create', createBody(token, { fields_set: 'id' }))
        if (answer.status.code === 'OK') ok.push((answer.data as { id: string }).id)
        else if (envelopeProblem(JSON.stringify(answer)) !== undefined) failedBefore++
      } catch {
        if (!signalled) failedBefore++
        return
      }
    }
  })
  return {
    stop: async () => { running = false; await Promise.all(loops); return ok },
    failedBeforeSignal: () => failedBefore,
    signalled: () => { signalled = true }
  }
}

/** The ids of the account's events in a store file, opened the way the CLI opens it. */
async function idsIn (file: string): Promise<Set<string>> {
  const server = await createMockServer({ store: { file } })
  try {
    return new Set((await server.events()).map(e => e.id as string))
  } finally {
    await server.stop()
  }
}

t.test('SIGTERM under load: requests in flight finish OK, writes are flushed, exit code 0', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'crmcom-shutdown-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'db.json')
  const cli = await startCli(['--db', file, '--admin', '--log'])
  t.teardown(() => killCli(cli))
  const token = await loginOver(cli.url)
  const admin = cli.url.replace(/\/crmapi\/rest\/v2\/$/, '/__admin/')
  // Held requests: the server has them (it logged each) and is mid-way through them when the signal comes.
  const fault = await fetch(admin + 'faults', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ operation: 'customer_events/financial_achievements/create', delayMs: 1500, times: HELD }) })
  t.equal(((await fault.json()) as { status: { code: string } }).status.code, 'OK', 'delay fault injected')
  const held = Array.from({ length: HELD }, async () => {
    const res = await fetch(cli.url + FA + 'create', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(createBody(token, { fields_set: 'id' })) })
    return { connection: res.headers.get('connection'), ...(await res.json() as { data: { id: string }, status: { code: string } }) }
  })
  await logged(cli, /"url":"\/crmapi\/rest\/v2\/customer_events\/financial_achievements\/create"[^\n]*"msg":"incoming request"/, HELD)
  const background = load(cli.url, token, 4)
  await new Promise(resolve => setTimeout(resolve, 100))

  cli.child.kill('SIGTERM')
  background.signalled()
  const answers = await Promise.all(held.map(async p => await p.catch((err: Error) => ({ error: err.message }))))
  const { code, signal } = await cli.exited
  const more = await background.stop()

  t.same(answers.filter(a => !('status' in a) || a.status.code !== 'OK'), [], `all ${HELD} requests in flight were answered OK`)
  // So the stop waits for requests, not for clients' idle keep-alive connections.
  t.same(answers.filter(a => !('connection' in a) || a.connection !== 'close'), [], 'answers sent while stopping close their connection')
  t.equal(background.failedBeforeSignal(), 0, 'no request failed before the signal')
  t.same({ code, signal }, { code: 0, signal: null }, 'exit code 0')
  const stored = await idsIn(file)
  const acknowledged = [...answers.map(a => ((a as { data: { id: string } }).data).id), ...more]
  t.same(acknowledged.filter(id => !stored.has(id)), [], `every create answered OK (${acknowledged.length}) is in the store after the restart`)
})

t.test('a second signal exits at once; the store still loads with everything answered OK', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'crmcom-shutdown-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'db.json')
  const cli = await startCli(['--db', file, '--admin'])
  t.teardown(() => killCli(cli))
  const token = await loginOver(cli.url)
  const admin = cli.url.replace(/\/crmapi\/rest\/v2\/$/, '/__admin/')
  // One request held for ten minutes: a graceful stop would wait for it, so only the second signal can end the process.
  await fetch(admin + 'faults', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ operation: 'customer_events/financial_achievements/list', delayMs: 600_000 }) })
  const stuck = postOver(cli.url, FA + 'list', { token, accounts_receivable_identifier: ACCOUNT }).catch(() => 'cut off')
  const background = load(cli.url, token, 4)
  await new Promise(resolve => setTimeout(resolve, 400))

  cli.child.kill('SIGTERM')
  background.signalled()
  await new Promise(resolve => setTimeout(resolve, 100))
  t.equal(cli.child.exitCode, null, 'the first signal waits for the request in flight')
  cli.child.kill('SIGTERM')
  const { code } = await cli.exited
  t.equal(code, 130, 'the second signal exits at once (130)')
  t.equal(await stuck, 'cut off', 'the held request was cut off')
  const acknowledged = await background.stop()
  t.equal(background.failedBeforeSignal(), 0, 'no request failed before the signal')
  const stored = await idsIn(file)
  t.same(acknowledged.filter(id => !stored.has(id)), [], `the file loads, with every create answered OK (${acknowledged.length})`)
})
