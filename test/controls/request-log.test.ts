import fc from 'fast-check'
import t from 'tap'
import { RequestLog, paramsJson, redact } from '../../src/controls/request-log.js'
import { BASE, build, call, FA, VENDOR_CREATE } from '../helper.js'
import { CODES } from '../../src/contract/errors.js'

t.test('requests() journals every call: operation, method, path, params (token redacted), vendor code, time', async t => {
  const server = await build(t, { clock: new Date('2030-01-01T00:00:00Z') })
  const token = await server.login()
  await call(server, FA + 'create', { token, ...VENDOR_CREATE })
  await call(server, FA + 'show', { token, customer_event_identifier: 'number=999999' })
  await server.app.inject({ method: 'POST', url: BASE + 'authentication/token', payload: { username: 'MPAdministrator', password: '1234', organisation: 'CRMDEMO' } })
  const all = await server.requests()
  t.equal(all.length, 3)
  t.match(all[0], {
    operation: 'customer_events/financial_achievements/create', method: 'POST', path: BASE + 'customer_events/financial_achievements/create',
    params: { token: '[REDACTED]', performed_on: '2016-10-07T15:00:00' }, code: 'OK', at: '2030-01-01T00:00:00.000Z'
  })
  t.match(all[1], { operation: 'customer_events/financial_achievements/show', method: 'GET', code: CODES.ENTITY_NOT_FOUND, params: { customer_event_identifier: { number: '999999' } } })
  t.match(all[2], { operation: 'authentication/token', params: { password: '[REDACTED]', username: 'MPAdministrator' } })
  t.notOk(JSON.stringify(all).includes(token), 'no token anywhere in the journal')
  t.notOk(JSON.stringify(all).includes('"1234"'), 'no password anywhere in the journal')
})

t.test('parameters are copied, secrets replaced, when a call is kept; a body over 16 KiB also has its long strings cut', async t => {
  const server = await build(t)
  const token = await server.login()
  const huge = 'x'.repeat(20_000)
  await call(server, FA + 'create', { token, ...VENDOR_CREATE, description: huge })
  await call(server, FA + 'create', { token, ...VENDOR_CREATE, description: 'short' })
  const [big, small] = await server.requests()
  t.equal(big!.params.token, '[REDACTED]', 'a big body: token redacted')
  t.ok((big!.params.description as string).length < 1100, 'a big body: its long string cut to about 1,000 characters')
  t.equal(small!.params.token, '[REDACTED]', 'a small body: token redacted')
  const again = await server.requests()
  t.not(again[1]!.params, small!.params, 'each read is a copy: changing what requests() returned changes nothing kept')
  ;(small!.params as Record<string, unknown>).description = 'changed'
  t.equal((await server.requests())[1]!.params.description, 'short')
})

t.test('the journal keeps a copy of the parameters as they were when the call was kept, with no secret in it', async t => {
  const journal = new RequestLog(2)
  const params: Record<string, unknown> = { token: 'T0KEN', nested: { password: 'pw', pass_code: '1' }, list: [1, 'two', { token: 'x' }], n: 1.5, none: null }
  journal.recordCall('op', 'POST', '/op', params, 100, 'OK', Date.UTC(2030, 0, 1), 'ORG')
  params.n = 99
  ;(params.nested as Record<string, unknown>).password = 'changed'
  t.same(journal.list(), [{
    operation: 'op', method: 'POST', path: '/op', code: 'OK', at: '2030-01-01T00:00:00.000Z', organisation: 'ORG',
    params: { token: '[REDACTED]', nested: { password: '[REDACTED]', pass_code: '[REDACTED]' }, list: [1, 'two', { token: '[REDACTED]' }], n: 1.5, none: null }
  }])
  for (const code of ['A', 'B', 'C']) journal.recordCall('op', 'GET', '/op', {}, 0, code, 0, undefined)
  t.same(journal.list().map(e => e.code), ['B', 'C'], 'a full ring keeps the newest, oldest first')
  t.same(journal.list({ code: 'C' }).map(e => e.code), ['C'])
  journal.clear()
  t.equal(journal.size, 0)
})

t.test('requests(filter) filters by operation and by code; clearRequests() empties the journal', async t => {
  const server = await build(t)
  const token = await server.login()
  await call(server, FA + 'cancel', { token, customer_event_identifier: { number: '92' } })
  await call(server, FA + 'cancel', { token, customer_event_identifier: { number: '92' } })
  await call(server, FA + 'list', { token })
  t.equal((await server.requests({ operation: 'customer_events/financial_achievements/cancel' })).length, 2)
  t.equal((await server.requests({ code: 'OK' })).length, 1)
  t.equal((await server.requests({ operation: 'customer_events/financial_achievements/cancel', code: CODES.INVALID_LIFE_CYCLE_STATE_TRANSITION })).length, 1)
  t.equal((await server.requests({ code: CODES.SEMI_OPTIONAL })).length, 1)
  await server.clearRequests()
  t.same(await server.requests(), [])
})

t.test('a call is journaled under the path it was sent to', async t => {
  const server = await build(t)
  const token = await server.login()
  for (const path of [`${BASE}${FA}show`, `${BASE}${FA}show/`]) await server.app.inject({ url: `${path}?token=${token}&customer_event_identifier=number=92` })
  await server.app.inject({ url: `${BASE}${FA}show` })
  t.same((await server.requests({ operation: `${FA}show` })).map(e => e.path), [`${BASE}${FA}show`, `${BASE}${FA}show/`, `${BASE}${FA}show`])
})

t.test('unknown paths are journaled under their path with METHODNOTFOUND', async t => {
  const server = await build(t)
  await server.app.inject({ method: 'POST', url: BASE + 'no/such/method', payload: {} })
  t.match(await server.requests(), [{ operation: BASE + 'no/such/method', code: CODES.METHOD_NOT_FOUND }])
})

t.test('the journal is bounded: it keeps the last journalLimit calls, oldest dropped first', async t => {
  const server = await build(t, { journalLimit: 3 })
  const token = await server.login()
  for (const n of ['57', '92', '93', '94', '108']) await call(server, FA + 'show', { token, customer_event_identifier: `number=${n}` })
  const kept = await server.requests()
  t.same(kept.map(e => (e.params.customer_event_identifier as { number: string }).number), ['93', '94', '108'])
  const journal = new RequestLog(0)
  journal.recordCall('show', 'GET', '/x', {}, 0, 'OK', Date.now(), undefined)
  t.equal(journal.size, 0, 'a limit of 0 keeps nothing')
  t.throws(() => new RequestLog(-1), TypeError)
})

t.test('redact() hides token, password and pass_code at any depth and cuts huge strings', async t => {
  const out = redact({ token: 'T', a: { password: 'p', list: [{ pass_code: '1' }] }, long: 'x'.repeat(5000) }) as Record<string, any>
  t.equal(out.token, '[REDACTED]')
  t.equal(out.a.password, '[REDACTED]')
  t.equal(out.a.list[0].pass_code, '[REDACTED]')
  t.ok(out.long.length < 1100)
  const polluted = redact(JSON.parse('{"__proto__": {"polluted": true}}')) as Record<string, unknown>
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'a __proto__ key pollutes nothing')
  t.ok(Object.hasOwn(polluted, '__proto__'))
})

t.test('paramsJson writes exactly what JSON.stringify writes with every token, password and pass_code replaced, for any parsed JSON', async t => {
  const secretsReplaced = (params: unknown): string => JSON.stringify(params, (key, value: unknown) => ['token', 'password', 'pass_code'].includes(key) ? '[REDACTED]' : value)
  const key = fc.oneof(fc.constantFrom('token', 'password', 'pass_code', '__proto__', 'constructor', 'id', 'number'), fc.string({ maxLength: 8 }))
  // Objects as JSON.parse makes them, so "__proto__" is an own key as in a parsed body.
  const json = fc.letrec<{ value: unknown }>(tie => ({
    value: fc.oneof({ depthSize: 'small', withCrossShrink: true },
      fc.oneof(fc.string({ maxLength: 12 }), fc.double(), fc.boolean(), fc.constant(null)),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(key, tie('value'), { maxKeys: 5 }))
  })).value
  const params = fc.dictionary(key, json, { maxKeys: 6 }).map(p => JSON.parse(JSON.stringify(p)) as Record<string, unknown>)
  fc.assert(fc.property(params, p => paramsJson(p) === secretsReplaced(p)), { numRuns: 2000 })
  const deep = JSON.parse(`${'{"a":'.repeat(40)}{"pass_code":"1"}${'}'.repeat(40)}`) as Record<string, unknown>
  t.equal(paramsJson(deep), secretsReplaced(deep), 'a secret deeper than the quick check looks is still replaced')
  t.equal(paramsJson({ id: 1, token: 'T', n: { password: 'p' } }), '{"id":1,"token":"[REDACTED]","n":{"password":"[REDACTED]"}}', 'key order is kept')
})

t.test('requests() lists calls in order of arrival, even after the clock is set back; at stays the mock clock\'s time', async t => {
  const server = await build(t)
  const token = await server.login()
  await call(server, FA + 'list', { token, accounts_receivable_identifier: { number: 'ACR0000000069' } })
  server.clock.set(new Date('2016-10-07T09:00:00Z'))
  await call(server, FA + 'create', { token, ...VENDOR_CREATE })
  const calls = await server.requests()
  t.same(calls.map(c => c.operation), [FA + 'list', FA + 'create'], 'the list came first, so it is listed first')
  t.equal(calls[1]!.at, '2016-10-07T09:00:00.000Z', 'the create is stamped by the mock clock')
  t.ok(calls[0]!.at > calls[1]!.at, 'although the clock says the create came before the list')
  const [first] = await server.requests({ operation: FA + 'create' })
  t.equal(first!.code, 'OK', 'the README\'s `const [call] = await mock.requests(...)` picks the create')
})

t.test('the request log holds the parameters as the client sent them, those the release gate removed and nulls included, secrets redacted', async t => {
  const server = await build(t, { release: 'R10.0.0' })
  const token = await server.login()
  const answer = await call(server, FA + 'create', { token, ...VENDOR_CREATE, amount: '5', description: null })
  t.equal(answer.body.status.code, 'OK', 'R10.0.0 has no amount: it is ignored')
  const [logged] = await server.requests({ operation: FA + 'create' })
  t.equal(logged!.params.amount, '5', 'the log still has amount as sent')
  t.equal(logged!.params.description, null, 'and the null as sent')
  t.equal(logged!.params.token, '[REDACTED]')
})
