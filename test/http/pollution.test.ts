/**
 * `__proto__`, `constructor` and `prototype` anywhere (body, identifiers, fields_set, query)
 * change no prototype and no stored record beyond the fields the vendor allows; fields_set
 * cannot reveal internal fields.
 */
import t from 'tap'
import { loadFixtures, type Dataset } from '../../src/index.js'
import { storeProblem } from '../../src/store/validate.js'
import { BASE, createBody, FA, session } from '../helper.js'
import { CODES } from '../../src/contract/errors.js'

const prototypes = (): string => [Object.prototype, Array.prototype, Function.prototype, String.prototype]
  .map(p => Object.getOwnPropertyNames(p).sort().join(',')).join('|')

/** Every key of a JSON value, at any depth. */
function keysOf (value: unknown, into = new Set<string>()): Set<string> {
  if (value === null || typeof value !== 'object') return into
  for (const [k, v] of Object.entries(value)) { into.add(k); keysOf(v, into) }
  return into
}

/** Every object of a JSON value whose prototype is not Object.prototype (or that has an own __proto__). */
function oddObjects (value: unknown, path = ''): string[] {
  if (value === null || typeof value !== 'object') return []
  const odd = !Array.isArray(value) && (Object.getPrototypeOf(value) !== Object.prototype || Object.hasOwn(value, '__proto__')) ? [path || '/'] : []
  return [...odd, ...Object.entries(value).flatMap(([k, v]) => oddObjects(v, `${path}/${k}`))]
}

const HOSTILE_BODIES = (token: string): Array<[string, string]> => {
  const base = JSON.stringify(createBody(token)).slice(1, -1)
  return [
    ['__proto__ at the top', `{"__proto__":{"polluted":"yes","life_cycle_state":"CANCELLED","type":"PURCHASE"},${base}}`],
    ['constructor.prototype at the top', `{"constructor":{"prototype":{"polluted":"yes"}},${base}}`],
    ['prototype at the top', `{"prototype":{"polluted":"yes"},${base}}`],
    ['__proto__ inside an identifier', `{${base},"accounts_receivable_identifier":{"number":"ACR0000000069","__proto__":{"polluted":"yes"}}}`],
    ['__proto__ as the identifier field', `{${base},"classification_identifier":{"__proto__":{"name":"Financial Achievement 1"}}}`],
    ['constructor as the identifier field', `{${base},"performed_by_unit_identifier":{"constructor":{"prototype":{"polluted":"yes"}}}}`],
    ['prototype as the identifier field', `{${base},"product_identifier":{"prototype":"Bronze"}}`],
    ['__proto__ inside access_token_identifier', `{${base.replace(/"accounts_receivable_identifier":\{[^}]*\},/, '')},"rewards_participant_identifier":{"access_token_identifier":{"__proto__":{"authentication_code":"x"},"identifier":"4455409647587","pass_code":"3494"}}}`],
    ['fields_set naming prototype keys and internal fields', `{${base},"fields_set":"__proto__,constructor,prototype,toString,accounts_receivable_id,classification_id,password_hash,id"}`],
    ['stored fields sent as parameters', `{${base},"id":"AAAA","number":"1","life_cycle_state":"CANCELLED","type":"PURCHASE","accounts_receivable_id":"x","password_hash":"x","log_information":{"created_by_user_id":"2"}}`],
    ['__proto__ nested deep in an ignored parameter', `{${base},"udf_float_9":{"a":[{"__proto__":{"polluted":"yes"}},{"constructor":{"prototype":{"polluted":"yes"}}}]}}`]
  ]
}

t.test('prototype keys in bodies, identifiers and fields_set pollute nothing and store nothing but allowed fields', async t => {
  const { server, token } = await session(t)
  const before = prototypes()
  const fixtures = loadFixtures()
  for (const [name, payload] of HOSTILE_BODIES(token)) {
    const res = await server.app.inject({ method: 'POST', url: `${BASE}${FA}create`, headers: { 'content-type': 'application/json' }, payload })
    const body = res.json()
    t.equal(res.statusCode, 200, name)
    t.not(body.status.code, CODES.UNEXPECTED, `${name}: answered ${String(body.status.code)}`)
    if (body.status.code === 'OK') {
      t.equal(body.data.life_cycle_state ?? 'POSTED', 'POSTED', `${name}: created POSTED whatever was sent`)
      t.notOk([...keysOf(body.data)].some(k => /_ids?$|password|pass_code|access_tokens|__proto__|^constructor$|^prototype$/.test(k)), `${name}: no internal or prototype key answered`)
    }
    t.equal(prototypes(), before, `${name}: no prototype changed`)
    t.equal(({} as Record<string, unknown>).polluted, undefined, `${name}: a fresh {} is clean`)
  }
  const fields = await server.app.inject({ method: 'POST', url: `${BASE}${FA}create`, headers: { 'content-type': 'application/json' }, payload: HOSTILE_BODIES(token)[8]![1] })
  t.same(Object.keys(fields.json().data), ['id'], 'fields_set keeps only real event fields')

  const after: Dataset = await server.snapshot()
  t.equal(storeProblem(after, 'store'), undefined, 'every stored record has only the fields schemas/store.json allows')
  t.same(oddObjects(after), [], 'no stored object has another prototype or an own __proto__')
  const { customer_events: events, ...reference } = after
  const { customer_events: fixtureEvents, ...fixtureReference } = fixtures
  t.same(reference, fixtureReference, 'reference data is untouched')
  const created = events.filter(e => !fixtureEvents.some(f => f.id === e.id))
  t.ok(created.length > 0, `${created.length} events were created`)
  t.ok(created.every(e => e.type === 'FINANCIAL_ACHIEVEMENT' && e.life_cycle_state === 'POSTED' && e.id !== 'AAAA' && e.number !== '1'), 'created events hold only what create sets')
  t.same(events.slice(0, fixtureEvents.length), fixtureEvents, 'earlier events are untouched')
})

t.test('prototype keys in the query string of show pollute nothing', async t => {
  const { server, token } = await session(t)
  const before = prototypes()
  const queries = [
    '__proto__[polluted]=yes&customer_event_identifier=number=92',
    'constructor[prototype][polluted]=yes&customer_event_identifier=number=92',
    '__proto__=x&constructor=y&prototype=z&customer_event_identifier=number=92',
    'customer_event_identifier=__proto__=x',
    'customer_event_identifier=constructor=x',
    'customer_event_identifier=prototype=x',
    `customer_event_identifier=${encodeURIComponent('{"__proto__":{"polluted":"yes"}}')}`,
    `customer_event_identifier=${encodeURIComponent('{"number":"92","__proto__":{"polluted":"yes"}}')}`,
    `customer_event_identifier=${encodeURIComponent('{"constructor":{"prototype":{"polluted":"yes"}}}')}`,
    'customer_event_identifier[__proto__][polluted]=yes',
    'customer_event_identifier=number=92&fields_set=__proto__,constructor,prototype,accounts_receivable_id,classification_id,number'
  ]
  for (const query of queries) {
    const res = await server.app.inject({ method: 'GET', url: `${BASE}${FA}show?token=${encodeURIComponent(token)}&${query}` })
    const body = res.json()
    t.not(body.status.code, CODES.UNEXPECTED, `${query}: ${String(body.status.code)}`)
    if (body.status.code === 'OK') t.notOk([...keysOf(body.data)].some(k => /_ids?$|__proto__|^constructor$|^prototype$/.test(k)), `${query}: no internal or prototype key answered`)
    t.equal(prototypes(), before, `${query}: no prototype changed`)
    t.equal(({} as Record<string, unknown>).polluted, undefined)
  }
  const last = await server.app.inject({ method: 'GET', url: `${BASE}${FA}show?token=${encodeURIComponent(token)}&${queries.at(-1)!}` })
  t.same(last.json().data, { number: '92' }, 'fields_set keeps only real event fields')
})

t.test('fields_set cannot reveal internal fields on any method', async t => {
  const { api } = await session(t)
  const internal = 'accounts_receivable_id,classification_id,product_id,payment_medium_type_id,payment_medium_brand_id,performed_by_unit_id,password_hash,account_owner_id,access_tokens,pass_code,event_type,unit_ids'
  const { token: _unused, ...create } = createBody('')
  const made = await api(FA + 'create', { ...create, fields_set: `${internal},id` })
  t.same(made.body.data && Object.keys(made.body.data), ['id'])
  const id = made.body.data.id as string
  const shown = await api(FA + 'show', { customer_event_identifier: `id=${id}`, fields_set: internal })
  t.same(shown.body.data, {}, 'show: nothing but real fields (here none)')
  const listed = await api(FA + 'list', { accounts_receivable_identifier: { number: 'ACR0000000069' }, fields_set: internal })
  t.ok(listed.body.data.length > 0 && listed.body.data.every((e: object) => Object.keys(e).length === 0), 'list: nothing but real fields')
  const cancelled = await api(FA + 'cancel', { customer_event_identifier: { id }, fields_set: internal })
  t.same(cancelled.body.data, {}, 'cancel: nothing but real fields')
  // With every field: the rendered user and account still carry no stored-only field.
  const full = await api(FA + 'show', { customer_event_identifier: `id=${id}` })
  t.same([...keysOf(full.body.data)].filter(k => /_ids?$|password|pass_code|access_tokens|event_type/.test(k)), [], 'a whole event shows no internal field')
})
