import t from 'tap'
import { build, call, FA, VENDOR_CREATE } from '../helper.js'
import { CODES } from '../../src/contract/errors.js'

const json = (payload: string): any => JSON.parse(payload)

t.test('the admin API is off unless enabled', async t => {
  const server = await build(t)
  const res = await server.app.inject({ method: 'POST', url: '/__admin/reset' })
  t.equal(json(res.body).status.code, CODES.METHOD_NOT_FOUND)
})

t.test('admin: reset, snapshot (GET and PUT), events', async t => {
  const server = await build(t, { admin: true })
  const token = await server.login()
  const snap = json((await server.app.inject({ method: 'GET', url: '/__admin/snapshot' })).body).data
  t.equal(snap.format, 'crmcom-mock/1')
  await call(server, FA + 'create', { token, ...VENDOR_CREATE })
  const events = json((await server.app.inject({ method: 'GET', url: '/__admin/events' })).body).data
  t.equal(events.length, (await server.events()).length)
  const put = await server.app.inject({ method: 'PUT', url: '/__admin/snapshot', payload: snap })
  t.equal(json(put.body).status.code, 'OK')
  t.equal((await server.events()).length, events.length - 1, 'PUT restored the snapshot')
  await call(server, FA + 'create', { token, ...VENDOR_CREATE })
  t.equal(json((await server.app.inject({ method: 'POST', url: '/__admin/reset' })).body).status.code, 'OK')
  t.equal((await server.events()).length, events.length - 1, 'reset went back to the fixtures')
  const bad = json((await server.app.inject({ method: 'PUT', url: '/__admin/snapshot', payload: { nope: 1 } })).body)
  t.equal(bad.status.code, CODES.INVALID_PARAMETER_VALUE)
  t.match(bad.status.message, /snapshot/)
})

t.test('admin: requests (GET with filters, DELETE)', async t => {
  const server = await build(t, { admin: true })
  const token = await server.login()
  await call(server, FA + 'show', { token, customer_event_identifier: 'number=92' })
  await call(server, FA + 'list', { token })
  const all = json((await server.app.inject({ method: 'GET', url: '/__admin/requests' })).body).data
  t.equal(all.length, 2, 'admin calls themselves are not journaled')
  const failed = json((await server.app.inject({ method: 'GET', url: '/__admin/requests?code=COM.CRM.EXCEPTION.GENERAL.SEMIOPTIONALPARAMETERSEXCEPTION' })).body).data
  t.equal(failed.length, 1)
  const shows = json((await server.app.inject({ method: 'GET', url: '/__admin/requests?operation=customer_events/financial_achievements/show' })).body).data
  t.equal(shows.length, 1)
  await server.app.inject({ method: 'DELETE', url: '/__admin/requests' })
  t.same(json((await server.app.inject({ method: 'GET', url: '/__admin/requests' })).body).data, [])
})

t.test('admin: clock (GET, PUT now / advanceMs / real)', async t => {
  const server = await build(t, { admin: true })
  const set = json((await server.app.inject({ method: 'PUT', url: '/__admin/clock', payload: { now: '2030-01-01T00:00:00Z' } })).body).data
  t.same(set, { now: '2030-01-01T00:00:00.000Z', frozen: true })
  const moved = json((await server.app.inject({ method: 'PUT', url: '/__admin/clock', payload: { advanceMs: 1000 } })).body).data
  t.equal(moved.now, '2030-01-01T00:00:01.000Z')
  t.same(json((await server.app.inject({ method: 'GET', url: '/__admin/clock' })).body).data, moved)
  const real = json((await server.app.inject({ method: 'PUT', url: '/__admin/clock', payload: { real: true } })).body).data
  t.equal(real.frozen, false)
  const bad = json((await server.app.inject({ method: 'PUT', url: '/__admin/clock', payload: { now: 'yesterday' } })).body)
  t.equal(bad.status.code, CODES.INVALID_PARAMETER_VALUE)
  t.match(bad.status.message, /now/)
  const bad2 = json((await server.app.inject({ method: 'PUT', url: '/__admin/clock', payload: { advanceMs: 'x' } })).body)
  t.match(bad2.status.message, /advanceMs/)
})

t.test('admin: faults (POST, DELETE)', async t => {
  const server = await build(t, { admin: true })
  const token = await server.login()
  const ok = await server.app.inject({ method: 'POST', url: '/__admin/faults', payload: { operation: 'customer_events/financial_achievements/create', error: CODES.UNEXPECTED, times: 1 } })
  t.equal(json(ok.body).status.code, 'OK')
  t.equal((await call(server, FA + 'create', { token, ...VENDOR_CREATE })).body.status.code, CODES.UNEXPECTED)
  await server.app.inject({ method: 'POST', url: '/__admin/faults', payload: { operation: 'customer_events/financial_achievements/create', error: CODES.UNEXPECTED } })
  await server.app.inject({ method: 'DELETE', url: '/__admin/faults' })
  t.equal((await call(server, FA + 'create', { token, ...VENDOR_CREATE })).body.status.code, 'OK')
  const bad = json((await server.app.inject({ method: 'POST', url: '/__admin/faults', payload: { operation: 'nope' } })).body)
  t.equal(bad.status.code, CODES.INVALID_PARAMETER_VALUE)
  t.match(bad.status.message, /fault/)
})

t.test('admin with an admin token refuses calls without it (compared in constant time)', async t => {
  const server = await build(t, { admin: true, adminToken: 's3cret' })
  for (const headers of [{}, { authorization: 'Bearer wrong' }, { 'x-admin-token': 's3cre' }]) {
    const res = await server.app.inject({ method: 'GET', url: '/__admin/clock', headers })
    t.equal(json(res.body).status.code, CODES.INVALID_TOKEN)
  }
  t.equal(json((await server.app.inject({ method: 'GET', url: '/__admin/clock', headers: { authorization: 'Bearer s3cret' } })).body).status.code, 'OK')
  t.equal(json((await server.app.inject({ method: 'GET', url: '/__admin/clock', headers: { 'x-admin-token': 's3cret' } })).body).status.code, 'OK')
})

t.test('admin calls take an organisation with per-organisation tenants', async t => {
  const server = await build(t, { admin: true, tenants: 'per-organisation' })
  const token = await server.login({ organisation: 'ACME' })
  await call(server, FA + 'create', { token, ...VENDOR_CREATE })
  const acme = json((await server.app.inject({ method: 'GET', url: '/__admin/events?organisation=ACME' })).body).data
  const crmdemo = json((await server.app.inject({ method: 'GET', url: '/__admin/events' })).body).data
  t.equal(acme.length, crmdemo.length + 1)
  await server.app.inject({ method: 'POST', url: '/__admin/reset', payload: { organisation: 'ACME' } })
  t.equal((await server.events('ACME')).length, crmdemo.length)
})
