/**
 * Concurrency over real HTTP: numbers are taken inside the serialised write, so 500
 * concurrent creates get 500 distinct consecutive numbers; the life cycle is checked there
 * too, so of 50 concurrent cancels of one event exactly one wins. And in process (inject,
 * so that the logins all arrive at once), a storm of logins never keeps a create from being
 * written.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { CONCURRENT_HASHES, passwordChecksInFlight } from '../../src/domain/passwords.js'
import { CODES } from '../../src/contract/errors.js'
import { createMockServer, type MockServer } from '../../src/index.js'
import { ACCOUNT, call, createBody, envelopeProblem, FA, postOver } from '../helper.js'

const CREATES = 500
const CANCELS = 50

async function started (t: Test, file: string): Promise<{ server: MockServer, url: string, token: string }> {
  const server = await createMockServer({ store: { file } })
  t.teardown(() => server.stop())
  const url = await server.start()
  return { server, url, token: await server.login() }
}

// On a file store: group commit is where concurrent writes meet (a memory store takes the same path, minus the disk).
t.test(`${CREATES} concurrent creates on one account get ${CREATES} distinct consecutive numbers, all listed afterwards`, async t => {
  const dir = mkdtempSync(join(tmpdir(), 'crmcom-concurrency-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'db.json')
  const { server, url, token } = await started(t, file)
  const highest = Math.max(...(await server.snapshot()).customer_events.map(e => Number(e.number)))

  const answers = await Promise.all(Array.from({ length: CREATES }, async () =>
    await fetch(url + FA + 'create', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(createBody(token)) })
      .then(async res => await res.text())))
  const problems = answers.map(a => envelopeProblem(a)).filter(p => p !== undefined)
  t.same(problems, [], 'every answer is a vendor envelope')
  const created = answers.map(a => JSON.parse(a) as { data: { id: string, number: string } | null, status: { code: string } })
  t.equal(created.filter(a => a.status.code === 'OK').length, CREATES, 'every create answers OK')
  const numbers = created.map(a => Number(a.data?.number)).sort((a, b) => a - b)
  t.same(numbers, Array.from({ length: CREATES }, (_, i) => highest + 1 + i), `numbers ${highest + 1}..${highest + CREATES}, each once`)

  const listed = await postOver(url, FA + 'list', { token, accounts_receivable_identifier: ACCOUNT, fields_set: 'id,number' })
  const ids = new Set((listed.data as Array<{ id: string }>).map(e => e.id))
  t.equal(created.filter(a => ids.has(a.data!.id)).length, CREATES, 'list shows all of them')

  // What was acknowledged is on disk: a second instance over the same file sees it all.
  await server.stop()
  const again = await createMockServer({ store: { file } })
  t.teardown(() => again.stop())
  const stored = new Set((await again.events()).map(e => e.id as string))
  t.equal(created.filter(a => stored.has(a.data!.id)).length, CREATES, 'all of them are in the file')
})

t.test(`${CANCELS} concurrent cancels of one event: one OK, ${CANCELS - 1} INVALIDLIFECYCLESTATETRANSITIONEXCEPTION, cancelled once`, async t => {
  const dir = mkdtempSync(join(tmpdir(), 'crmcom-concurrency-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const { server, url, token } = await started(t, join(dir, 'db.json'))
  const made = await postOver(url, FA + 'create', createBody(token))
  const { id } = made.data as { id: string }
  await server.clearRequests()

  const answers = await Promise.all(Array.from({ length: CANCELS }, async () =>
    await fetch(url + FA + 'cancel', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, customer_event_identifier: { id } }) })
      .then(async res => await res.text())))
  t.same(answers.map(a => envelopeProblem(a)).filter(p => p !== undefined), [], 'every answer is a vendor envelope')
  const codes = answers.map(a => (JSON.parse(a) as { status: { code: string } }).status.code)
  t.equal(codes.filter(c => c === 'OK').length, 1, 'exactly one OK')
  t.equal(codes.filter(c => c === CODES.INVALID_LIFE_CYCLE_STATE_TRANSITION).length, CANCELS - 1, `${CANCELS - 1} INVALIDLIFECYCLESTATETRANSITIONEXCEPTION`)

  const event = (await server.snapshot()).customer_events.find(e => e.id === id)!
  t.equal(event.life_cycle_state, 'CANCELLED', 'the event is cancelled')
  t.equal((await server.requests({ operation: 'customer_events/financial_achievements/cancel', code: 'OK' })).length, 1, 'the journal holds one successful cancel')
  // Cancelled once: the one OK answer carries the stored update, and nothing changed it since.
  const ok = answers.map(a => JSON.parse(a) as { data: { log_information: { updated_date: string } } | null }).find(a => a.data !== null)!
  t.equal(ok.data!.log_information.updated_date, event.log_information.updated_date, 'its last update is that one cancel')
})

const LOGINS = 200
t.test(`a create on a file store is written and answered while ${LOGINS} logins wait for their password checks`, async t => {
  t.ok(CONCURRENT_HASHES < Number(process.env.UV_THREADPOOL_SIZE ?? 4), `at most ${CONCURRENT_HASHES} password hashes at once: fewer than libuv's threads, which the file store writes on`)
  const dir = mkdtempSync(join(tmpdir(), 'crmcom-concurrency-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const { server, token } = await started(t, join(dir, 'db.json'))
  const code = async (method: string, params: Record<string, unknown>): Promise<string> => (await call(server, method, params)).body.status.code
  let answered = 0
  const logins = Array.from({ length: LOGINS }, async () => {
    const answer = await code('authentication/token', { username: 'MPAdministrator', password: '1234', organisation: 'CRMDEMO' })
    answered++
    return answer
  })
  // Once half of them are checking or waiting to, a create: its journal write needs one of libuv's threads.
  const until = Date.now() + 10_000
  while (passwordChecksInFlight() < LOGINS / 2 && Date.now() < until) await new Promise(resolve => setTimeout(resolve, 1))
  t.ok(passwordChecksInFlight() >= LOGINS / 2, `${LOGINS / 2} logins are in their password check`)
  const created = await code(FA + 'create', createBody(token))
  const waiting = LOGINS - answered
  t.equal(created, 'OK', 'the create is answered OK')
  // Hashes filling every thread put the write behind all the queued ones: it was answered with a handful of logins left.
  t.ok(waiting >= LOGINS / 10, `the create was answered with ${waiting} of ${LOGINS} logins still waiting (at least ${LOGINS / 10})`)
  t.same(new Set(await Promise.all(logins)), new Set(['OK']), 'every login is answered OK')
})
