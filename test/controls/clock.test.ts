import t from 'tap'
import { build, call, FA, VENDOR_CREATE } from '../helper.js'
import { CODES } from '../../src/contract/errors.js'

t.test('clock.set freezes time: created events are stamped with it', async t => {
  const server = await build(t, { clock: new Date('2030-05-06T07:08:09Z') })
  const token = await server.login()
  const created = await call(server, FA + 'create', { token, ...VENDOR_CREATE })
  t.equal(created.body.data.log_information.created_date, '2030-05-06T07:08:09')
  server.clock.advance(61_000)
  const cancelled = await call(server, FA + 'cancel', { token, customer_event_identifier: { id: created.body.data.id } })
  t.equal(cancelled.body.data.log_information.updated_date, '2030-05-06T07:09:10')
  t.equal(server.clock.now().toISOString(), '2030-05-06T07:09:10.000Z')
  t.equal(server.clock.frozen, true)
})

t.test('token expiry follows the clock: a JWT dies 2 hours after issue', async t => {
  const server = await build(t, { clock: new Date('2030-01-01T00:00:00Z') })
  const token = await server.login()
  server.clock.advance(2 * 3_600_000 - 1000)
  t.equal((await call(server, FA + 'show', { token, customer_event_identifier: 'number=92' })).body.status.code, 'OK')
  server.clock.advance(1000)
  const expired = await call(server, FA + 'show', { token, customer_event_identifier: 'number=92' })
  t.equal(expired.body.status.code, CODES.INVALID_TOKEN)
  t.match(expired.body.status.message, /token has expired/)
})

t.test('submitted-date filters see events stamped by the mock clock', async t => {
  const server = await build(t, { clock: new Date('2031-03-01T12:00:00Z') })
  const token = await server.login()
  const early = await call(server, FA + 'create', { token, ...VENDOR_CREATE })
  server.clock.set('2031-03-01T13:00:00Z')
  const late = await call(server, FA + 'create', { token, ...VENDOR_CREATE })
  const listed = await call(server, FA + 'list', {
    token, accounts_receivable_identifier: { number: 'ACR0000000069' }, submitted_after_date: '2031-03-01T12:30:00', fields_set: 'id'
  })
  t.same(listed.body.data, [{ id: late.body.data.id }])
  t.not(early.body.data.id, late.body.data.id)
})

t.test('useRealTime() follows the system clock again; set() refuses a non-date', async t => {
  const server = await build(t, { clock: new Date('2000-01-01T00:00:00Z') })
  server.clock.useRealTime()
  t.equal(server.clock.frozen, false)
  t.ok(Math.abs(server.clock.now().getTime() - Date.now()) < 60_000)
  t.throws(() => server.clock.set('not a date'), TypeError)
  t.throws(() => server.clock.advance(Number.NaN), TypeError)
  server.clock.advance(3_600_000)
  t.ok(server.clock.now().getTime() - Date.now() > 3_500_000, 'advance moves real time forward too')
})
