import t from 'tap'
import { Faults } from '../../src/controls/faults.js'
import { build, call, FA, VENDOR_CREATE } from '../helper.js'
import { CODES } from '../../src/contract/errors.js'

const CREATE = 'customer_events/financial_achievements/create'

t.test('faults.inject with error: the next `times` calls answer that vendor error, then calls work again', async t => {
  const server = await build(t)
  const token = await server.login()
  await server.faults.inject({ operation: CREATE, times: 2, error: CODES.UNEXPECTED })
  const codes = []
  for (let i = 0; i < 3; i++) codes.push((await call(server, FA + 'create', { token, ...VENDOR_CREATE })).body.status.code)
  t.same(codes, [CODES.UNEXPECTED, CODES.UNEXPECTED, 'OK'])
  t.equal((await server.requests({ code: CODES.UNEXPECTED })).length, 2, 'the journal shows the injected answers')
})

t.test('a fault on one operation leaves the others alone, and a failed create stores nothing', async t => {
  const server = await build(t)
  const token = await server.login()
  const before = (await server.events()).length
  await server.faults.inject({ operation: CREATE, error: CODES.ENTITY_NOT_FOUND })
  t.equal((await call(server, FA + 'show', { token, customer_event_identifier: 'number=92' })).body.status.code, 'OK')
  t.equal((await call(server, FA + 'create', { token, ...VENDOR_CREATE })).body.status.code, CODES.ENTITY_NOT_FOUND)
  t.equal((await server.events()).length, before)
})

t.test('faults.inject on login works too (authentication/token)', async t => {
  const server = await build(t)
  await server.faults.inject({ operation: 'authentication/token', error: CODES.INVALID_CREDENTIALS })
  const answer = await call(server, 'authentication/token', { username: 'MPAdministrator', password: '1234', organisation: 'CRMDEMO' })
  t.equal(answer.body.status.code, CODES.INVALID_CREDENTIALS)
  t.match(answer.body.status.message, /Injected fault/)
})

t.test('faults.inject with delayMs delays the answer, which is then normal', async t => {
  const server = await build(t)
  const token = await server.login()
  await server.faults.inject({ operation: 'customer_events/financial_achievements/show', delayMs: 50 })
  const pending = call(server, FA + 'show', { token, customer_event_identifier: 'number=92' })
  let done = false
  void pending.then(() => { done = true })
  await new Promise(resolve => setImmediate(resolve))
  t.equal(done, false, 'not answered before the delay')
  t.equal((await pending).body.status.code, 'OK')
})

t.test('faults.inject with drop destroys the connection without an answer', async t => {
  const server = await build(t)
  await server.start()
  const token = await server.login()
  await server.faults.inject({ operation: 'customer_events/financial_achievements/list', drop: true })
  await t.rejects(fetch(server.urlFor('customer_events/financial_achievements/list'), {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, classification_identifier: { alternative_code: 'FA' } })
  }), 'the client sees a broken connection')
  t.match(await server.requests({ operation: 'customer_events/financial_achievements/list' }), [{ code: 'DROPPED' }])
  const again = await fetch(server.urlFor('customer_events/financial_achievements/list'), {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, classification_identifier: { alternative_code: 'FA' } })
  })
  t.equal(((await again.json()) as { status: { code: string } }).status.code, 'OK', 'the next call is answered')
})

t.test('faults.clear() removes pending faults; bad specs are refused with a reason', async t => {
  const server = await build(t)
  const token = await server.login()
  await server.faults.inject({ operation: CREATE, error: CODES.UNEXPECTED })
  await server.faults.clear()
  t.equal((await call(server, FA + 'create', { token, ...VENDOR_CREATE })).body.status.code, 'OK')
  const faults = new Faults()
  t.throws(() => faults.inject({ operation: 'nope', error: CODES.UNEXPECTED }), /operation must be one of/)
  t.throws(() => faults.inject({ operation: CREATE }), /needs error, delayMs or drop/)
  t.throws(() => faults.inject({ operation: CREATE, error: 'NOPE' as never }), /vendor error code/)
  t.throws(() => faults.inject({ operation: CREATE, drop: true, times: 0 }), /times/)
  t.throws(() => faults.inject({ operation: CREATE, delayMs: -1 }), /delayMs/)
  faults.inject({ operation: CREATE, drop: true })
  t.equal(faults.list().length, 1)
})
