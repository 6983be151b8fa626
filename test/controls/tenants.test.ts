import { existsSync, readdirSync } from 'node:fs'
import t from 'tap'
import { createMockServer } from '../../src/index.js'
import { tenantFile } from '../../src/server.js'
import { build, call, FA, VENDOR_CREATE } from '../helper.js'
import { CODES } from '../../src/contract/errors.js'

const login = async (server: Awaited<ReturnType<typeof build>>, organisation: string): Promise<string> => {
  const answer = await call(server, 'authentication/token', { username: 'MPAdministrator', password: '1234', organisation })
  t.equal(answer.body.status.code, 'OK', `login to ${organisation}`)
  return answer.body.data.token
}

t.test('per-organisation tenants: each organisation named at login gets its own copy of the fixtures', async t => {
  const server = await build(t, { tenants: 'per-organisation' })
  const acme = await login(server, 'ACME')
  const globex = await login(server, 'GLOBEX')
  const created = await call(server, FA + 'create', { token: acme, ...VENDOR_CREATE })
  t.equal(created.body.status.code, 'OK')
  const inGlobex = await call(server, FA + 'show', { token: globex, customer_event_identifier: `id=${created.body.data.id}` })
  t.equal(inGlobex.body.status.code, CODES.ENTITY_NOT_FOUND, 'GLOBEX does not see ACME\'s event')
  t.equal((await server.events('ACME')).length, (await server.events('GLOBEX')).length + 1)
  const cancelled = await call(server, FA + 'cancel', { token: globex, customer_event_identifier: { number: '92' } })
  t.equal(cancelled.body.status.code, 'OK')
  const stillPosted = await call(server, FA + 'show', { token: acme, customer_event_identifier: 'number=92' })
  t.equal(stillPosted.body.data.life_cycle_state, 'POSTED', 'a cancel in GLOBEX changes nothing in ACME')
})

t.test('per-organisation tenants: journal, faults, reset and snapshot take an organisation', async t => {
  const server = await build(t, { tenants: 'per-organisation' })
  const acme = await login(server, 'ACME')
  const globex = await login(server, 'GLOBEX')
  await server.faults.inject({ operation: 'customer_events/financial_achievements/create', error: CODES.UNEXPECTED, organisation: 'ACME' })
  t.equal((await call(server, FA + 'create', { token: globex, ...VENDOR_CREATE })).body.status.code, 'OK', 'GLOBEX has no fault')
  t.equal((await call(server, FA + 'create', { token: acme, ...VENDOR_CREATE })).body.status.code, CODES.UNEXPECTED)
  t.same((await server.requests({ organisation: 'ACME', operation: 'customer_events/financial_achievements/create' })).map(e => e.code), [CODES.UNEXPECTED])
  t.same((await server.requests({ organisation: 'GLOBEX', operation: 'customer_events/financial_achievements/create' })).map(e => e.code), ['OK'])
  t.ok((await server.requests()).length >= 4, 'without an organisation: every tenant\'s calls')
  const globexSnapshot = await server.snapshot('GLOBEX')
  const fixtureCount = (await server.snapshot('ACME')).customer_events.length
  t.equal(globexSnapshot.customer_events.length, fixtureCount + 1)
  await server.reset('GLOBEX')
  t.equal((await server.snapshot('GLOBEX')).customer_events.length, fixtureCount)
  await server.restore(globexSnapshot, 'ACME')
  t.equal((await server.snapshot('ACME')).customer_events.length, fixtureCount + 1)
  await server.clearRequests('ACME')
  t.same(await server.requests({ organisation: 'ACME' }), [])
})

t.test('organisation names are case-insensitive and shared mode keeps checking the user\'s organisation', async t => {
  const perOrg = await build(t, { tenants: 'per-organisation' })
  const a = await login(perOrg, 'acme')
  const created = await call(perOrg, FA + 'create', { token: a, ...VENDOR_CREATE })
  const b = await login(perOrg, 'ACME')
  t.equal((await call(perOrg, FA + 'show', { token: b, customer_event_identifier: `id=${created.body.data.id}` })).body.status.code, 'OK')
  const shared = await build(t)
  const refused = await call(shared, 'authentication/token', { username: 'MPAdministrator', password: '1234', organisation: 'ACME' })
  t.equal(refused.body.status.code, CODES.INVALID_CREDENTIALS)
})

t.test('per-organisation tenants on a file store keep one file per organisation beside the --db file', async t => {
  const dir = t.testdir()
  const server = await createMockServer({ tenants: 'per-organisation', store: { file: `${dir}/db.json` } })
  t.teardown(() => server.stop())
  const token = await login(server as never, 'ACME')
  t.ok(token)
  t.ok(existsSync(`${dir}/db.ACME.json`))
  t.ok(existsSync(`${dir}/db.CRMDEMO.json`), 'the default organisation opens at start, so a bad file stops start-up')
})

t.test('per-organisation tenants: JOB.A and JOB_A have files of their own, across a restart', async t => {
  const dir = t.testdir()
  const file = `${dir}/db.json`
  const created: Record<string, string> = {}
  const first = await createMockServer({ tenants: 'per-organisation', store: { file } })
  for (const organisation of ['JOB.A', 'JOB_A']) {
    const token = await login(first as never, organisation)
    const answer = await call(first, FA + 'create', { token, ...VENDOR_CREATE, description: `made by ${organisation}` })
    created[organisation] = answer.body.data.id
  }
  await first.stop()
  t.ok(existsSync(`${dir}/db.JOB_2e_A.json`) && existsSync(`${dir}/db.JOB_5f_A.json`), 'two files, each name readable')
  t.not(tenantFile(file, 'JOB.A'), tenantFile(file, 'JOB_A'), 'the mapping is one-to-one')
  const second = await createMockServer({ tenants: 'per-organisation', store: { file } })
  t.teardown(() => second.stop())
  for (const organisation of ['JOB.A', 'JOB_A']) {
    const events = (await second.snapshot(organisation)).customer_events
    const own = events.find(e => e.id === created[organisation])
    t.equal(own?.description, `made by ${organisation}`, `${organisation}'s event survived the restart in its own file`)
    const other = Object.entries(created).find(([o]) => o !== organisation)![1]
    t.notOk(events.some(e => e.id === other), `and ${organisation} does not hold the other organisation's event`)
  }
})

t.test('per-organisation tenants: a failed login makes no tenant; reading one never made is a clear error; "" is refused; the number is bounded', async t => {
  const dir = t.testdir()
  const server = await createMockServer({ tenants: 'per-organisation', store: { file: `${dir}/db.json` }, maxTenants: 3 })
  t.teardown(() => server.stop())
  const files = (): string[] => readdirSync(dir).filter(f => f.endsWith('.json')).sort()
  const before = files()
  const refused = await call(server, 'authentication/token', { username: 'MPAdministrator', password: 'wrong', organisation: 'NEWCO' })
  t.equal(refused.body.status.code, CODES.INVALID_CREDENTIALS)
  t.same(files(), before, 'a failed login leaves no file')
  await t.rejects(server.snapshot('NEWCO'), { code: CODES.INVALID_PARAMETER_VALUE, message: /"NEWCO" has no data yet/ }, 'reading it is a clear error')
  await t.rejects(server.requests({ organisation: 'NEWCO' }), { message: /has no data yet/ })
  t.same(files(), before, 'and makes no tenant either')
  const empty = await call(server, 'authentication/token', { username: 'MPAdministrator', password: '1234', organisation: '' })
  t.equal(empty.body.status.code, CODES.INVALID_PARAMETER_VALUE, 'organisation "" is refused')
  t.match(empty.body.status.message, 'organisation')
  t.same(files(), before, 'before any store is opened')
  await login(server as never, 'NEWCO')
  t.ok(files().includes('db.NEWCO.json'), 'a login that succeeds makes the tenant')
  t.equal((await server.snapshot('NEWCO')).format, 'crmcom-mock/1')
  await login(server as never, 'THIRD')
  const fourth = await call(server, 'authentication/token', { username: 'MPAdministrator', password: '1234', organisation: 'FOURTH' })
  t.equal(fourth.body.status.code, CODES.INVALID_PARAMETER_VALUE, 'past maxTenants (CRMDEMO, NEWCO, THIRD) a new organisation is refused')
  t.match(fourth.body.status.message, /at most 3/)
})
