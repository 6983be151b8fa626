import t from 'tap'
import { createMockServer } from '../src/index.js'
import { build, call, FA, VENDOR_CREATE } from './helper.js'
import { CODES } from '../src/contract/errors.js'

t.test('start() listens on 127.0.0.1 on a free port; url and urlFor name the methods; stop() closes it', async t => {
  const server = await build(t)
  t.throws(() => server.url, /call start\(\) first/, 'url throws before start')
  const url = await server.start()
  t.match(url, /^http:\/\/127\.0\.0\.1:\d+\/crmapi\/rest\/v2\/$/)
  t.equal(server.urlFor('customer_events/financial_achievements/list'), url + 'customer_events/financial_achievements/list')
  const res = await fetch(server.urlFor('authentication/token'), {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'MPAdministrator', password: '1234', organisation: 'CRMDEMO' })
  })
  t.equal((await res.json() as { status: { code: string } }).status.code, 'OK')
  await server.stop()
  await t.rejects(fetch(server.urlFor('authentication/token'), { method: 'POST' }), 'nothing listens after stop()')
})

t.test('login() gives a working token without an HTTP round trip, for the default or given credentials', async t => {
  const server = await build(t)
  const token = await server.login()
  const answer = await call(server, FA + 'show', { token, customer_event_identifier: 'number=92' })
  t.equal(answer.body.status.code, 'OK')
  const operator = await server.login({ username: 'POSOperator', password: '5678' })
  const created = await call(server, FA + 'create', { token: operator, ...VENDOR_CREATE })
  t.equal(created.body.data.log_information.created_by_user.username, 'POSOperator')
  await t.rejects(server.login({ password: 'wrong' }), { code: CODES.INVALID_CREDENTIALS })
})

t.test('reset() goes back to the fixtures; tokens stay valid', async t => {
  const server = await build(t)
  const token = await server.login()
  const before = (await server.events()).length
  await call(server, FA + 'create', { token, ...VENDOR_CREATE })
  t.equal((await server.events()).length, before + 1)
  await server.reset()
  t.equal((await server.events()).length, before)
  t.equal((await call(server, FA + 'list', { token, accounts_receivable_identifier: { number: 'ACR0000000069' } })).body.status.code, 'OK')
})

t.test('snapshot() returns plain JSON of the whole state and restore() puts it back', async t => {
  const server = await build(t)
  const token = await server.login()
  const snap = await server.snapshot()
  t.same(JSON.parse(JSON.stringify(snap)), snap, 'plain JSON')
  const created = await call(server, FA + 'create', { token, ...VENDOR_CREATE })
  await call(server, FA + 'cancel', { token, customer_event_identifier: { number: '92' } })
  await server.restore(snap)
  const gone = await call(server, FA + 'show', { token, customer_event_identifier: `id=${created.body.data.id}` })
  t.equal(gone.body.status.code, CODES.ENTITY_NOT_FOUND)
  const back = await call(server, FA + 'show', { token, customer_event_identifier: 'number=92' })
  t.equal(back.body.data.life_cycle_state, 'POSTED')
  snap.customer_events.length = 0
  t.ok((await server.events()).length > 0, 'mutating a snapshot after restore changes nothing stored')
})

t.test('events() lists the stored financial achievement events as the API renders them', async t => {
  const server = await build(t)
  const events = await server.events()
  t.ok(events.every(e => e.type === 'FINANCIAL_ACHIEVEMENT'))
  t.match(events.find(e => e.number === '92'), { id: '328B8B0AF30041169B889F4A39D774B7', amount: 10, accounts_receivable: { number: 'ACR0000000069' } })
})

t.test('two servers side by side share no data, journal, clock or faults', async t => {
  const a = await build(t, { clock: new Date('2020-01-01T00:00:00Z') })
  const b = await build(t)
  const ta = await a.login(); const tb = await b.login()
  await call(a, FA + 'create', { token: ta, ...VENDOR_CREATE })
  t.equal((await a.events()).length, (await b.events()).length + 1, 'data')
  t.equal((await b.requests({ operation: 'customer_events/financial_achievements/create' })).length, 0, 'journal')
  t.not(b.clock.now().getUTCFullYear(), 2020, 'clock')
  await a.faults.inject({ operation: 'customer_events/financial_achievements/list', error: CODES.UNEXPECTED })
  t.equal((await call(b, FA + 'list', { token: tb, classification_identifier: { alternative_code: 'FA' } })).body.status.code, 'OK', 'faults')
  t.equal((await call(a, FA + 'list', { token: tb, classification_identifier: { alternative_code: 'FA' } })).body.status.code,
    CODES.INVALID_TOKEN, 'tokens: one server does not accept the other\'s')
})

t.test('createMockServer works with a file store and the default memory store alike', async t => {
  const dir = t.testdir()
  const server = await createMockServer({ store: { file: `${dir}/db.json` } })
  t.teardown(() => server.stop())
  t.equal(server.storeFile, `${dir}/db.json`)
  t.equal(server.created, true)
})

t.test('restore() validates like PUT /__admin/snapshot: a dangling reference or a malformed snapshot is refused with a clear error, and the state is left untouched', async t => {
  const server = await build(t)
  const before = await server.snapshot()
  const dangling = structuredClone(before)
  dangling.customer_events[0]!.accounts_receivable_id = 'NO-SUCH-ACCOUNT'
  await t.rejects(server.restore(dangling), { code: CODES.INVALID_PARAMETER_VALUE, message: /snapshot is not a valid store: \/customer_events\/0\/accounts_receivable_id/ })
  await t.rejects(server.restore({ format: 'crmcom-mock/1', customer_events: 'nope' } as never), { code: CODES.INVALID_PARAMETER_VALUE, message: /must be a snapshot as snapshot\(\)/ })
  t.same(await server.snapshot(), before, 'nothing changed')
  const token = await server.login()
  t.equal((await call(server, FA + 'show', { token, customer_event_identifier: 'number=57' })).body.data.accounts_receivable.number, 'ACR0000000069', 'show still answers the account')
})
