/**
 * Property-based fuzzing of every method: whatever arrives (arbitrary parameters, broken
 * JSON, wrong content types, huge or deeply nested bodies, hostile query strings), the
 * answer is the vendor envelope with a code of API.md's table, never a 5xx, never
 * UNEXPECTEDEXCEPTION, nothing is polluted, and the server still answers normally after.
 * `npm run fuzz` runs FUZZ_RUNS=10000 cases per method; CI runs a few hundred. FUZZ_SEED replays.
 */
import fc from 'fast-check'
import t, { type Test } from 'tap'
import { REST_STATUS, type CrmErrorCode } from '../../src/errors.js'
import { createMockServer, OPERATIONS, type MockServer, type OperationName } from '../../src/index.js'
import { validatorFor } from '../../src/schemas.js'
import { IDENTIFIERS, count, date, encode, encoding, fieldsSet, junk, number, params, queryString, token } from './arbitraries.js'
import { budget, createBody, envelopeProblem, seedFrom } from './lib.js'

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
