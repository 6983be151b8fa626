/**
 * JSON Schema is the rulebook: every answer validates against its response schema
 * in schemas/, and the schemas that serialise the answers drop nothing the mock rendered.
 */
import t from 'tap'
import { OPERATIONS } from '../../src/index.js'
import { validatorFor } from '../../src/contract/schemas.js'
import { call, expectOk, FA, session, VENDOR_CREATE } from '../helper.js'

t.test('responses: every method\'s answer is valid against its schema in schemas/ (complete events without fields_set)', async t => {
  const { server, api } = await session(t)
  const checked = new Set<string>()
  const ok: typeof expectOk = (t, answer, method, options) => { expectOk(t, answer, method, options); checked.add(method) }
  const login = await call(server, 'authentication/token', { username: 'MPAdministrator', password: '1234', organisation: 'CRMDEMO' })
  ok(t, login, 'authentication/token')
  ok(t, await api(FA + 'show', { customer_event_identifier: 'number=57' }), FA + 'show', { complete: true })
  ok(t, await api(FA + 'list', { classification_identifier: { alternative_code: 'FA' } }), FA + 'list', { complete: true })
  ok(t, await api(FA + 'create', { ...VENDOR_CREATE, product_identifier: { code: 'Bronze' }, amount: '11.50' }), FA + 'create', { complete: true })
  ok(t, await api(FA + 'cancel', { customer_event_identifier: { number: '94' } }), FA + 'cancel', { complete: true })
  ok(t, await call(server, 'authentication/token/release', { token: login.body.data.token }), 'authentication/token/release')
  t.same([...checked].sort(), Object.keys(OPERATIONS).sort(), 'every operation the server serves was answered and checked against its schema')
})

t.test('responses: the serialising schemas keep every field the mock renders (list of every FA event equals the rendered events)', async t => {
  const { server, api } = await session(t)
  const rendered = await server.events()
  const d = await server.snapshot()
  const classifications = d.classifications.filter(c => c.event_type === 'FINANCIAL_ACHIEVEMENT')
  const listed = []
  for (const c of classifications) listed.push(...(await api(FA + 'list', { classification_identifier: { id: c.id } })).body.data)
  const byId = (events: Array<Record<string, unknown>>): Array<Record<string, unknown>> => [...events].sort((a, b) => String(a.id) < String(b.id) ? -1 : 1)
  t.equal(listed.length, rendered.length, 'every FA event listed once')
  t.same(byId(listed), byId(rendered), 'exactly as rendered: nothing dropped, nothing added, no type changed')
})

t.test('responses: a reduced event (fields_set) is valid against the event schema, which forbids unknown fields', async t => {
  const { api } = await session(t)
  const answer = await api(FA + 'show', { customer_event_identifier: 'number=57', fields_set: 'number,amount' })
  expectOk(t, answer, FA + 'show')
  const event = validatorFor('financial-achievement-event.json')
  t.ok(event(answer.body.data))
  t.notOk(event({ ...answer.body.data, unexpected: 1 }), 'an unknown field would not be valid')
  t.notOk(validatorFor('financial-achievement-event-complete.json')(answer.body.data), 'a reduced event is not complete')
})
