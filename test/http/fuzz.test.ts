/**
 * Property-based fuzzing of every method: whatever arrives (arbitrary parameters, broken
 * JSON, wrong content types, huge or deeply nested bodies, hostile query strings), the
 * answer is the vendor envelope with a code of API.md's table, never a 5xx, never
 * UNEXPECTEDEXCEPTION, nothing is polluted, and the server still answers normally after.
 * `npm run fuzz` runs FUZZ_RUNS=10000 cases per method; CI runs a few hundred. FUZZ_SEED replays.
 *
 * The hostile inputs: every parameter of every method is either a
 * value that works (so cases get past the first check and reach the rules behind it) or
 * something hostile (wrong types, prototype keys, odd dates and numbers, huge strings, deep
 * nesting); bodies are then sent well-formed, broken, or with the wrong content type.
 */
import fc from 'fast-check'
import t, { type Test } from 'tap'
import { createMockServer, loadFixtures, type MockServer, type OperationName, OPERATIONS } from '../../src/index.js'
import { REST_STATUS, type CrmErrorCode } from '../../src/contract/errors.js'
import { validatorFor } from '../../src/contract/schemas.js'
import { budget, createBody, envelopeProblem, seedFrom } from '../helper.js'
import { EVENT_FIELDS } from '../../src/contract/fields-set.js'

// --- hostile inputs ---

const fixtures = loadFixtures()

/** Keys that have broken parsers and mergers before. */
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'] as const

const hostileString = fc.constantFrom(
  '', ' ', '\u0000', '\t\n', '%', '%%', '%zz', '%E0%A4%A', '\ud800', '\uffff', '☃', '😀', '\u202e',
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf',
  'null', 'undefined', 'true', '[]', '{}', '[object Object]', 'NaN', 'Infinity', '-Infinity', '-0',
  '1e309', '-1e309', '0x10', '0b1', '1_000', '١٢', '１２', '.5', '5.', '+1', '--1', ' 12 ', '1,5', '9'.repeat(400),
  '2016-02-30', '2016-13-01T00:00:00', '2016-10-07T24:00:00', '0000-00-00', '9999-12-31T23:59:59+99:99',
  '2016-10-07T15:00:00.123456789Z', '2016-10-07 15:00', '20161007', '2016-W40', '2016-10-07T15:00:00+0530',
  'id=1', 'number=92', 'id=', '=x', '==', '{"number":"92"}', '{"__proto__":{"polluted":1}}', '{"id":', 'a'.repeat(5000)
)

/** A hostile scalar or small structure. */
const junk: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: hostileString, weight: 4 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 2 },
  { arbitrary: fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -0, 1e308, -1e308, 2 ** 53 + 1, 5e-324)), weight: 2 },
  { arbitrary: fc.constantFrom(null, true, false, [], {}), weight: 1 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 2 },
  { arbitrary: fc.dictionary(fc.constantFrom(...PROTO_KEYS, 'polluted', 'x'), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }), weight: 1 }
)

/** An identifier key: a real field, a prototype key, or anything. */
const identifierKey = fc.oneof(
  fc.constantFrom('id', 'number', 'name', 'alternative_code', 'code', 'access_token_identifier', 'authentication_code', ...PROTO_KEYS),
  fc.string({ maxLength: 12 })
)

type Records = Array<Record<string, unknown>>
/** An identifier that names a real record by one of its fields. */
const naming = (records: Records, fields: string[]): fc.Arbitrary<Record<string, unknown>> =>
  fc.tuple(fc.constantFrom(...records), fc.constantFrom(...fields))
    .filter(([r, f]) => typeof r[f] === 'string')
    .map(([r, f]) => ({ [f]: r[f] }))

/** A working identifier most of the time; otherwise a broken shape. */
const identifier = (records: Records, fields: string[]): fc.Arbitrary<unknown> => fc.oneof(
  { arbitrary: naming(records, fields), weight: 6 },
  { arbitrary: fc.dictionary(identifierKey, junk, { maxKeys: 3 }), weight: 2 },
  { arbitrary: fc.tuple(naming(records, fields), naming(records, fields)).map(([a, b]) => ({ ...a, ...b })), weight: 1 },
  { arbitrary: junk, weight: 1 }
)

const participantIdentifier = fc.oneof(
  { arbitrary: identifier(fixtures.rewards_participants as unknown as Records, ['id', 'number']), weight: 3 },
  {
    arbitrary: fc.constantFrom(...fixtures.rewards_participants.flatMap(p => p.access_tokens)).chain(token => fc.constantFrom<unknown>(
      { access_token_identifier: { identifier: token.identifier, pass_code: token.pass_code } },
      { access_token_identifier: { identifier: token.identifier, pass_code: 'wrong' } },
      { access_token_identifier: { identifier: token.identifier } },
      { access_token_identifier: { authentication_code: token.authentication_code } },
      { access_token_identifier: { authentication_code: token.authentication_code, pass_code: token.pass_code } },
      { access_token_identifier: { __proto__: null, constructor: { prototype: { polluted: 1 } } } }
    )),
    weight: 2
  }
)

const IDENTIFIERS = {
  accounts_receivable_identifier: identifier(fixtures.accounts_receivable as unknown as Records, ['id', 'number', 'name']),
  rewards_participant_identifier: participantIdentifier,
  classification_identifier: identifier(fixtures.classifications as unknown as Records, ['id', 'name', 'alternative_code']),
  performed_by_unit_identifier: identifier(fixtures.units as unknown as Records, ['id', 'name', 'alternative_code']),
  product_identifier: identifier(fixtures.products as unknown as Records, ['id', 'code', 'alternative_code']),
  payment_medium_type_identifier: identifier(fixtures.payment_medium_types as unknown as Records, ['id', 'name', 'alternative_code']),
  payment_medium_brand_identifier: identifier(fixtures.payment_medium_brands as unknown as Records, ['id', 'name', 'alternative_code']),
  customer_event_identifier: identifier(fixtures.customer_events as unknown as Records, ['id', 'number'])
}

/** Dates in every accepted form, near misses, and junk. */
const date: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map(d => d.toISOString().slice(0, 19)), weight: 3 },
  { arbitrary: fc.date({ noInvalidDate: true }).map(d => d.toISOString()), weight: 1 },
  { arbitrary: fc.date({ noInvalidDate: true }).map(d => d.toISOString().slice(0, 10)), weight: 1 },
  { arbitrary: fc.tuple(fc.integer({ min: -1, max: 10000 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 61 })).map(([y, mo, d, h, mi]) => `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}T${String(h).padStart(2, '0')}:${String(mi).padStart(2, '0')}:00`), weight: 2 },
  { arbitrary: junk, weight: 2 }
)

/** Numbers, numeric strings, near misses, and junk. */
const number: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }), weight: 2 },
  { arbitrary: fc.integer(), weight: 1 },
  { arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }).map(n => String(n)), weight: 2 },
  { arbitrary: fc.stringMatching(/^\s?[-+]?\d{0,400}(\.\d{0,5})?([eE][-+]?\d{1,4})?\s?$/), weight: 2 },
  { arbitrary: junk, weight: 2 }
)

/** fields_set: real names, internal names that must stay hidden, prototype keys, separators. */
const fieldsSet: fc.Arbitrary<unknown> = fc.oneof(
  {
    arbitrary: fc.array(fc.oneof(
      fc.constantFrom(...EVENT_FIELDS),
      fc.constantFrom('password_hash', 'accounts_receivable_id', 'classification_id', 'account_owner_id', 'access_tokens', 'pass_code', 'event_type', ...PROTO_KEYS),
      fc.string({ maxLength: 10 })
    ), { maxLength: 8 }).chain(names => fc.constantFrom(',', ', ', ' ,', ';', ',,').map(sep => names.join(sep))),
    weight: 4
  },
  { arbitrary: junk, weight: 1 }
)

/** A count (number_of_results, offset) as numbers, strings and junk. */
const count: fc.Arbitrary<unknown> = fc.oneof(fc.nat({ max: 50 }), fc.nat({ max: 50 }).map(String), fc.integer({ min: -5, max: 2 ** 40 }), junk)

/** Extra keys the vendor ignores, prototype keys among them. */
const extras = fc.dictionary(fc.oneof(fc.constantFrom(...PROTO_KEYS, 'udf_float_5', 'udf_string_9', 'id', 'number', 'life_cycle_state', 'type'), fc.string({ maxLength: 10 })), junk, { maxKeys: 3 })

/** A token: the good one most of the time, otherwise missing, malformed or made up. */
const token = (good: string): fc.Arbitrary<unknown> => fc.oneof(
  { arbitrary: fc.constant(good), weight: 8 },
  { arbitrary: fc.constant(undefined), weight: 1 },
  { arbitrary: fc.constantFrom(good.slice(0, -1), `${good}x`, good.toLowerCase(), `${good.split('.').slice(0, 2).join('.')}.`, 'eyJhbGciOiJub25lIn0.eyJqdGkiOiJ4In0.'), weight: 1 },
  { arbitrary: junk, weight: 1 }
)

const defineAll = (entries: Array<[string, unknown]>): Record<string, unknown> => {
  // Defined as own properties, so "__proto__" stays a key rather than setting the prototype.
  const out: Record<string, unknown> = {}
  for (const [k, v] of entries) if (v !== undefined) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true })
  return out
}

/**
 * Parameters: mostly a working request (`base`) with up to three fields replaced by
 * hostile values and maybe one left out, so cases reach the rules behind the first check;
 * sometimes every field drawn at random.
 */
const params = (base: Record<string, unknown>, fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Record<string, unknown>> => {
  const names = Object.keys(fields)
  const mutated = fc.tuple(
    fc.uniqueArray(fc.constantFrom(...names), { maxLength: 3 }).chain(keys => fc.record(Object.fromEntries(keys.map(k => [k, fields[k]!])))),
    fc.option(fc.constantFrom(...Object.keys(base)), { nil: undefined, freq: 4 }),
    fc.option(extras, { nil: undefined, freq: 2 })
  ).map(([changed, dropped, extra]) => defineAll([
    ...Object.entries(extra ?? {}),
    ...Object.entries(base).filter(([k]) => k !== dropped),
    ...Object.entries(changed)
  ]))
  const wild = fc.tuple(fc.record(fields, { requiredKeys: [] }), extras).map(([known, extra]) => defineAll([...Object.entries(extra), ...Object.entries(known)]))
  return fc.oneof({ arbitrary: mutated, weight: 3 }, { arbitrary: wild, weight: 1 })
}

/** How a body is sent: mostly well-formed JSON, sometimes broken, huge, deeply nested or mislabelled. */
export type Encoding =
  | { kind: 'json', contentType: string }
  | { kind: 'truncated', at: number }
  | { kind: 'garbage', bytes: Uint8Array, contentType: string }
  | { kind: 'huge', bytes: number, field: string }
  | { kind: 'deep', depth: number, field: string }
  | { kind: 'prototype-text', key: string }

const encoding: fc.Arbitrary<Encoding> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'json', contentType: 'application/json' } as Encoding), weight: 30 },
  {
    arbitrary: fc.constantFrom('application/json; charset=utf-8', 'APPLICATION/JSON', 'application/json; charset=latin1', 'text/plain', 'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x', 'application/vnd.api+json', 'application/json, text/plain', '', 'application/json; charset="utf-8"; x=1')
      .map(contentType => ({ kind: 'json', contentType }) as Encoding),
    weight: 4
  },
  { arbitrary: fc.nat().map(at => ({ kind: 'truncated', at }) as Encoding), weight: 3 },
  { arbitrary: fc.tuple(fc.uint8Array({ maxLength: 64 }), fc.constantFrom('application/json', 'text/plain', 'application/octet-stream')).map(([bytes, contentType]) => ({ kind: 'garbage', bytes, contentType }) as Encoding), weight: 2 },
  { arbitrary: fc.tuple(fc.constantFrom(200_000, 1024 * 1024 - 200, 1024 * 1024 + 1, 3 * 1024 * 1024), fc.constantFrom('description', 'token', 'fields_set', 'zzz', 'performed_on')).map(([bytes, field]) => ({ kind: 'huge', bytes, field }) as Encoding), weight: 1 },
  { arbitrary: fc.tuple(fc.constantFrom(100, 10_000, 200_000), fc.constantFrom('accounts_receivable_identifier', 'customer_event_identifier', 'amount', 'zzz', 'udf_float_1')).map(([depth, field]) => ({ kind: 'deep', depth, field }) as Encoding), weight: 1 },
  { arbitrary: fc.constantFrom(...PROTO_KEYS).map(key => ({ kind: 'prototype-text', key }) as Encoding), weight: 2 }
)

/** The body text (or bytes) and content type of a request. */
function encode (body: Record<string, unknown>, how: Encoding): { payload: string | Buffer, contentType: string } {
  const text = JSON.stringify(body)
  // Splices raw JSON text in as a field, which JSON.stringify could not write (or not quickly).
  const withRaw = (field: string, raw: string): string => text === '{}' ? `{${JSON.stringify(field)}:${raw}}` : `{${JSON.stringify(field)}:${raw},${text.slice(1)}`
  switch (how.kind) {
    case 'json': return { payload: text, contentType: how.contentType }
    case 'truncated': return { payload: text.slice(0, how.at % Math.max(1, text.length)), contentType: 'application/json' }
    case 'garbage': return { payload: Buffer.from(how.bytes), contentType: how.contentType }
    case 'huge': return { payload: withRaw(how.field, JSON.stringify('x'.repeat(how.bytes))), contentType: 'application/json' }
    case 'deep': return { payload: withRaw(how.field, '['.repeat(how.depth) + ']'.repeat(how.depth)), contentType: 'application/json' }
    // A prototype key written in the JSON text itself, where a parser might take it for the real thing.
    case 'prototype-text': return { payload: withRaw(how.key, how.key === 'constructor' ? '{"prototype":{"polluted":"yes"}}' : '{"polluted":"yes","life_cycle_state":"CANCELLED"}'), contentType: 'application/json' }
  }
}

/**
 * A raw query string from parameters: escaped or written raw (broken escapes and all),
 * with hostile extra pairs (prototype keys, bracket syntax, repeats) mixed in.
 */
const queryString = (parameters: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<string> => {
  const extra = fc.oneof(
    fc.tuple(fc.constantFrom('__proto__', 'constructor', 'prototype', '__proto__[polluted]', 'constructor[prototype][polluted]', 'a[b][c]', 'customer_event_identifier[id]', 'token[]', 'token', 'fields_set', ''), junk),
    fc.tuple(fc.string({ maxLength: 10 }), junk)
  )
  const text = (value: unknown): string => typeof value === 'string' ? value : JSON.stringify(value) ?? ''
  // encodeURIComponent refuses lone surrogates; send those raw instead.
  const escaped = (value: string): string => { try { return encodeURIComponent(value) } catch { return value } }
  return fc.tuple(parameters, fc.array(extra, { maxLength: 3 }), fc.boolean(), fc.constantFrom('&', '&', '&', '&&', ';')).map(([known, extras, escape, sep]) =>
    [...Object.entries(known), ...extras].map(([k, v]) => escape ? `${escaped(k)}=${escaped(text(v))}` : `${k}=${text(v).replace(/[#\s]/g, '')}`).join(sep))
}

// --- the properties ---

const RUNS = budget('FUZZ_RUNS', 200)
const seed = seedFrom('FUZZ_SEED')
const BASE = '/crmapi/rest/v2/'

const prototypeKeys = (): string => Object.getOwnPropertyNames(Object.prototype).sort().join(',')
const PROTOTYPE = prototypeKeys()

/** Everything an answer must be; returns why it is not, or undefined. */
function answerProblem (operation: OperationName | undefined, statusCode: number, text: string, restStatus: boolean): string | undefined {
  const problem = envelopeProblem(text)
  if (problem !== undefined) return `HTTP ${statusCode}: ${problem}`
  const body = JSON.parse(text) as { status: { code: string } }
  const expected = body.status.code === 'OK' ? 200 : restStatus ? REST_STATUS[body.status.code as CrmErrorCode] : 200
  if (statusCode !== expected) return `HTTP ${statusCode} for ${body.status.code} (expected ${expected})`
  if (body.status.code === 'OK' && operation !== undefined) {
    const valid = validatorFor(OPERATIONS[operation].response)
    if (!valid(body)) return `OK but not the response schema: ${JSON.stringify(valid.errors?.[0])}`
  }
  return undefined
}

/** A create and a show still work, and nothing reached Object.prototype. */
async function stillHealthy (t: Test, server: MockServer): Promise<void> {
  t.equal(prototypeKeys(), PROTOTYPE, 'Object.prototype has no new keys')
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'a fresh {} is not polluted')
  const good = await server.login()
  const made = await server.app.inject({ method: 'POST', url: BASE + 'customer_events/financial_achievements/create', payload: createBody(good) })
  t.equal(made.json().status.code, 'OK', 'a normal create still works')
  const shown = await server.app.inject({ method: 'GET', url: `${BASE}customer_events/financial_achievements/show?token=${encodeURIComponent(good)}&customer_event_identifier=id=${made.json().data.id as string}` })
  t.equal(shown.json().data.number, made.json().data.number, 'a normal show still works')
}

/** Stands for a token logged in just for the case (release ends the token it is sent). */
const FRESH = 'FRESH-TOKEN-PLACEHOLDER'

interface Sent { method: string, url: string, payload?: string | Buffer, contentType?: string }

/** Runs a property over requests built from `arbitrary`, on a fresh server. */
async function fuzz (t: Test, name: string, build: (good: string) => fc.Arbitrary<Sent>, options: { restStatus?: boolean, runs?: number } = {}): Promise<void> {
  const server = await createMockServer({ restStatus: options.restStatus })
  t.teardown(() => server.stop())
  const good = await server.login()
  let cases = 0
  const codes = new Map<string, number>()
  await fc.assert(fc.asyncProperty(build(good), async sent => {
    cases++
    if (typeof sent.payload === 'string' && sent.payload.includes(FRESH)) sent = { ...sent, payload: sent.payload.replaceAll(FRESH, await server.login()) }
    const res = await server.app.inject({
      method: sent.method as 'GET',
      url: sent.url,
      ...(sent.payload === undefined ? {} : { payload: sent.payload }),
      headers: sent.contentType === undefined ? {} : sent.contentType === '' ? { 'content-type': '' } : { 'content-type': sent.contentType }
    })
    const operation = Object.hasOwn(OPERATIONS, sent.url.slice(BASE.length).split('?')[0]!) ? sent.url.slice(BASE.length).split('?')[0] as OperationName : undefined
    const problem = sent.method === 'HEAD' ? (res.statusCode >= 500 ? `HTTP ${res.statusCode}` : undefined) : answerProblem(operation, res.statusCode, res.body, options.restStatus === true)
    if (problem !== undefined) throw new Error(`${problem}\nrequest: ${sent.method} ${sent.url.slice(0, 300)} ${String(sent.payload ?? '').slice(0, 300)}`)
    if (sent.method !== 'HEAD') { const code = (JSON.parse(res.body) as { status: { code: string } }).status.code; codes.set(code, (codes.get(code) ?? 0) + 1) }
    if (prototypeKeys() !== PROTOTYPE) throw new Error(`Object.prototype changed: ${prototypeKeys()}`)
  }), { numRuns: options.runs ?? RUNS, seed, endOnFailure: false })
  t.comment(`${name}: ${cases} cases; codes ${JSON.stringify(Object.fromEntries([...codes].map(([c, n]) => [c.replace('COM.CRM.EXCEPTION.', ''), n])))}`)
  t.equal(cases, options.runs ?? RUNS, `${cases} cases ran`)
  await stillHealthy(t, server)
}

/** A POST method's body, sent in any encoding. */
const postOf = (method: string, base: (good: string) => Record<string, unknown>, fields: (good: string) => Record<string, fc.Arbitrary<unknown>>) => (good: string): fc.Arbitrary<Sent> =>
  fc.tuple(params(base(good), fields(good)), encoding).map(([body, how]) => ({ method: 'POST', url: BASE + method, ...encode(body, how) }))

const FA = 'customer_events/financial_achievements/'
const UDFS: Record<string, fc.Arbitrary<unknown>> = Object.fromEntries([
  ...[1, 2, 3, 4, 5, 6, 7, 8].map(i => [`udf_string_${i}`, fc.oneof(fc.string(), junk)]),
  ...[1, 2, 3, 4].map(i => [`udf_float_${i}`, number]),
  ...[1, 2, 3, 4].map(i => [`udf_date_${i}`, date])
])

// The vendor's way of writing an identifier in a query (`number=92`), or JSON, or as generated.
const queryIdentifier = IDENTIFIERS.customer_event_identifier.chain(id => fc.constantFrom<unknown>(
  id !== null && typeof id === 'object' && Object.keys(id).length === 1 ? `${Object.keys(id)[0]!}=${typeof Object.values(id)[0] === 'string' ? Object.values(id)[0] as string : JSON.stringify(Object.values(id)[0])}` : id,
  JSON.stringify(id) ?? '',
  id
))

const METHODS: Record<string, (good: string) => fc.Arbitrary<Sent>> = {
  'authentication/token': postOf('authentication/token', () => ({ username: 'MPAdministrator', password: '1234', organisation: 'CRMDEMO' }), () => ({
    username: fc.oneof(fc.constantFrom('MPAdministrator', 'mpadministrator', 'MPADMINISTRATOR', 'nobody'), junk),
    password: fc.oneof(fc.constantFrom('1234', '12345', ''), junk),
    organisation: fc.oneof(fc.constantFrom('CRMDEMO', 'crmdemo', 'OTHER'), junk),
    unit: fc.oneof(fc.constantFrom('Admin Unit', 'adminunit', '1', '2', 'nope'), junk)
  })),
  // Releasing the shared good token would turn every later case into INVALIDTOKEN: each case releases a fresh one.
  'authentication/token/release': postOf('authentication/token/release', () => ({ token: FRESH }), () => ({ token: token(FRESH) })),
  [FA + 'show']: good => queryString(params({ token: good, customer_event_identifier: 'number=92' }, {
    token: token(good), customer_event_identifier: queryIdentifier, fields_set: fieldsSet
  })).map(query => ({ method: 'GET', url: `${BASE}${FA}show?${query}` })),
  [FA + 'list']: postOf(FA + 'list', good => ({ token: good, accounts_receivable_identifier: { number: 'ACR0000000659' } }), good => ({
    token: token(good),
    rewards_participant_identifier: IDENTIFIERS.rewards_participant_identifier,
    accounts_receivable_identifier: IDENTIFIERS.accounts_receivable_identifier,
    classification_identifier: IDENTIFIERS.classification_identifier,
    submitted_after_date: date,
    submitted_before_date: date,
    number_of_results: count,
    offset: count,
    fields_set: fieldsSet
  })),
  [FA + 'create']: postOf(FA + 'create', good => createBody(good), good => ({
    token: token(good),
    accounts_receivable_identifier: IDENTIFIERS.accounts_receivable_identifier,
    rewards_participant_identifier: IDENTIFIERS.rewards_participant_identifier,
    classification_identifier: IDENTIFIERS.classification_identifier,
    performed_by_unit_identifier: IDENTIFIERS.performed_by_unit_identifier,
    performed_on: date,
    product_identifier: IDENTIFIERS.product_identifier,
    payment_medium_type_identifier: IDENTIFIERS.payment_medium_type_identifier,
    payment_medium_brand_identifier: IDENTIFIERS.payment_medium_brand_identifier,
    payment_medium_identifier: fc.oneof(fc.string(), junk),
    amount: number,
    description: fc.oneof(fc.string(), junk),
    external_system: fc.oneof(fc.string(), junk),
    external_system_reference_number: fc.oneof(fc.string(), junk),
    fields_set: fieldsSet,
    ...UDFS
  })),
  [FA + 'cancel']: postOf(FA + 'cancel', good => ({ token: good, customer_event_identifier: { number: '92' } }), good => ({
    token: token(good),
    customer_event_identifier: IDENTIFIERS.customer_event_identifier,
    fields_set: fieldsSet
  }))
}

for (const [method, build] of Object.entries(METHODS)) {
  t.test(`${method}: every hostile request is answered with the vendor envelope and a code of API.md's table`, async t => {
    await fuzz(t, method, build)
  })
}

t.test('unknown paths and wrong HTTP methods are answered with the envelope (METHODNOTFOUND)', async t => {
  await fuzz(t, 'paths', () => fc.tuple(
    fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'),
    fc.oneof(
      fc.constantFrom(...Object.keys(OPERATIONS)).map(op => BASE + op),
      fc.constantFrom('/', '/crmapi', BASE, `${BASE}..%2f..%2fetc%2fpasswd`, `${BASE}${FA}show/`, `${BASE}__proto__`, `${BASE}constructor/prototype`, '/__admin/reset', '//x', '/%', '/%zz', `${BASE}${FA}SHOW`),
      fc.webPath().map(p => `${BASE}${p}`)
    ),
    fc.option(fc.constantFrom('{}', '{"token":1}', 'null', '[]', 'x'), { nil: undefined })
  ).map(([method, url, payload]) => ({ method, url, payload, contentType: payload === undefined ? undefined : 'application/json' })),
  { runs: Math.ceil(RUNS / 2) })
})

t.test('with REST statuses, no hostile request gets a 5xx and each error has its table status', async t => {
  const all = Object.values(METHODS)
  await fuzz(t, 'rest-status', good => fc.nat({ max: all.length - 1 }).chain(i => all[i]!(good)), { restStatus: true, runs: Math.ceil(RUNS / 2) })
})

t.test('a message that echoes the input stays one line (cases the fuzzer found)', async t => {
  const server = await createMockServer()
  t.teardown(() => server.stop())
  const good = await server.login()
  const cases: Array<[string, string, Record<string, unknown>]> = [
    ['an organisation with a line break', 'authentication/token', { username: 'MPAdministrator', password: '1234', organisation: '\t\n' }],
    ['a unit with a line break', 'authentication/token', { username: 'MPAdministrator', password: '1234', organisation: 'CRMDEMO', unit: 'a\r\nb' }],
    ['an identifier field with a line break', FA + 'list', { token: good, accounts_receivable_identifier: { 'x\ny': '1' } }]
  ]
  for (const [name, method, payload] of cases) {
    const res = await server.app.inject({ method: 'POST', url: BASE + method, payload })
    t.equal(answerProblem(method as OperationName, res.statusCode, res.body, false), undefined, name)
  }
})
