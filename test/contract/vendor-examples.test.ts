/**
 * Replays every example of the vendor's page (schemas/examples/vendor-page.txt, a verbatim copy of the
 * seed) against a fresh mock with the default fixtures: each request is sent as written,
 * with a real token in place of {{token}}, and must be answered OK with the example's
 * structure (the same keys at every depth, the same JSON type wherever the example's value
 * is not null). The reference entities the examples name must carry the example's values.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { OPERATIONS } from '../../src/contract/operations.js'
import { validatorFor } from '../../src/contract/schemas.js'
import type { MockServer } from '../../src/index.js'
import { loadExamples } from '../../src/docs/openapi.js'
import { type Answer, BASE, build, ROOT } from '../helper.js'

type Json = null | boolean | number | string | Json[] | { [k: string]: Json }
type Method = 'show' | 'list' | 'create' | 'cancel'

interface Example {
  method: Method
  /** 1-based, within the method's section. */
  index: number
  http: 'GET' | 'POST'
  /** The request body exactly as the page writes it (POST), or undefined (the show example has none). */
  requestText?: string
  request?: Record<string, Json>
  response: { data: Json, status: Json }
}

/**
 * The JSON values of a messy text: every `{` that opens a line starts a candidate, which
 * ends at its balancing `}` (strings and escapes respected); candidates that parse are kept.
 */
function jsonBlocks (text: string): Array<{ at: number, text: string, value: Json }> {
  const out: Array<{ at: number, text: string, value: Json }> = []
  let i = 0
  while (i < text.length) {
    const open = text.indexOf('{', i)
    if (open < 0) break
    const lineStart = text.lastIndexOf('\n', open - 1) + 1
    if (text.slice(lineStart, open).trim() !== '') { i = open + 1; continue }
    let depth = 0; let inString = false; let end = -1
    for (let j = open; j < text.length; j++) {
      const c = text[j]
      if (inString) {
        if (c === '\\') j++
        else if (c === '"') inString = false
      } else if (c === '"') inString = true
      else if (c === '{' || c === '[') depth++
      else if (c === '}' || c === ']') { depth--; if (depth === 0) { end = j; break } }
    }
    if (end < 0) { i = open + 1; continue }
    const candidate = text.slice(open, end + 1)
    try {
      out.push({ at: open, text: candidate, value: JSON.parse(candidate) as Json })
      i = end + 1
    } catch {
      i = open + 1
    }
  }
  return out
}

/** The examples of the page, by method section ("This method ... create/cancel/returns ..."). */
function parseVendorPage (page: string): Example[] {
  const sections = [...page.matchAll(/^This method (.*)$/gm)].map(m => {
    const sentence = m[1]!
    const method: Method = /\bcancel\b/.test(sentence) ? 'cancel' : /\bcreate\b/.test(sentence) ? 'create' : /\bMultiple\b/.test(sentence) ? 'list' : 'show'
    return { at: m.index, method }
  })
  const starts = [...page.matchAll(/^titleExample (\d+)\s*$/gm)].map(m => m.index)
  const blocks = jsonBlocks(page)
  return starts.map((start, k) => {
    const end = starts[k + 1] ?? page.length
    const section = sections.filter(s => s.at < start).at(-1)
    if (section === undefined) throw new Error(`example at ${start} is in no method section`)
    const chunk = page.slice(start, end)
    const http = /HTTP Method:\s*(GET|POST)/.exec(chunk)?.[1] as 'GET' | 'POST' | undefined
    if (http === undefined) throw new Error(`example at ${start} names no HTTP method`)
    const mine = blocks.filter(b => b.at > start && b.at < end)
    const responses = mine.filter(b => typeof b.value === 'object' && b.value !== null && 'status' in b.value)
    const requests = mine.filter(b => !responses.includes(b))
    if (responses.length !== 1 || requests.length > 1) throw new Error(`example at ${start}: ${responses.length} responses, ${requests.length} requests`)
    return {
      method: section.method,
      index: 0,
      http,
      requestText: requests[0]?.text,
      request: requests[0]?.value as Record<string, Json> | undefined,
      response: responses[0]!.value as Example['response']
    }
  }).map((e, k, all) => ({ ...e, index: all.slice(0, k + 1).filter(x => x.method === e.method).length }))
}

const kind = (v: unknown): string => v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v

/**
 * The structure of example values: for each position, the JSON types seen there (null
 * excluded), and for objects the keys. Array items merge into one structure, so an item
 * may be null where any example item is.
 */
interface Shape { types: Set<string>, nullable: boolean, keys?: Map<string, Shape>, keySets: Set<string>, items?: Shape }

function shapeOf (values: unknown[]): Shape {
  const shape: Shape = { types: new Set(), nullable: false, keySets: new Set() }
  const objects: Array<Record<string, unknown>> = []
  const items: unknown[] = []
  for (const v of values) {
    if (v === null) { shape.nullable = true; continue }
    shape.types.add(kind(v))
    if (kind(v) === 'object') objects.push(v as Record<string, unknown>)
    if (Array.isArray(v)) items.push(...v)
  }
  if (objects.length > 0) {
    const names = new Set(objects.flatMap(o => Object.keys(o)))
    for (const o of objects) shape.keySets.add(Object.keys(o).sort().join(','))
    shape.keys = new Map([...names].map(n => [n, shapeOf(objects.map(o => o[n]))]))
  }
  if (items.length > 0) shape.items = shapeOf(items)
  return shape
}

/** Where `actual` departs from the example's structure: a list of "path: problem". */
function structureDiff (actual: unknown, shape: Shape, path = 'data'): string[] {
  if (shape.types.size === 0) return [] // every example value here is null: any value goes
  if (actual === null) return shape.nullable ? [] : [`${path}: null where the example has ${[...shape.types].join('/')}`]
  if (!shape.types.has(kind(actual))) return [`${path}: ${kind(actual)} where the example has ${[...shape.types].join('/')}`]
  const out: string[] = []
  if (kind(actual) === 'object' && shape.keys !== undefined) {
    if (shape.keySets.size !== 1) out.push(`${path}: the example's objects here disagree on their keys`)
    const want = [...shape.keys.keys()].sort()
    const got = Object.keys(actual as object).sort()
    const missing = want.filter(k => !got.includes(k))
    const extra = got.filter(k => !want.includes(k))
    if (missing.length > 0) out.push(`${path}: missing keys ${missing.join(', ')}`)
    if (extra.length > 0) out.push(`${path}: extra keys ${extra.join(', ')}`)
    for (const k of want) if (got.includes(k)) out.push(...structureDiff((actual as Record<string, unknown>)[k], shape.keys.get(k)!, `${path}.${k}`))
  }
  if (Array.isArray(actual) && shape.items !== undefined) {
    if (actual.length === 0) out.push(`${path}: empty where the example has items`)
    actual.forEach((item, i) => out.push(...structureDiff(item, shape.items!, `${path}[${i}]`)))
  }
  return out
}

const page = readFileSync(join(ROOT, 'schemas', 'examples', 'vendor-page.txt'), 'utf8')
const examples = parseVendorPage(page)
const byName = (method: Method, index = 1): Example => {
  const e = examples.find(x => x.method === method && x.index === index)
  if (e === undefined) throw new Error(`no ${method} example ${index}`)
  return e
}

/** The answer schema of an example's method, from the contract's table of operations. */
const responseSchemaOf = (method: Method): string => OPERATIONS[`customer_events/financial_achievements/${method}`].response

/** The show example has no request in the page; API.md gives it. */
const SHOW_REQUEST = 'customer_events/financial_achievements/show?token={{token}}&customer_event_identifier=id=328B8B0AF30041169B889F4A39D774B7'

/** Logs in over HTTP as the vendor's example user does (usernames compare case-insensitively). */
async function loginOverHttp (server: MockServer): Promise<string> {
  const res = await server.app.inject({
    method: 'POST', url: BASE + 'authentication/token', payload: { username: 'mpadministrator', password: '1234', organisation: 'CRMDEMO' }
  })
  const token = res.json().data?.token as string | undefined
  if (token === undefined) throw new Error(`login failed: ${res.body}`)
  return token
}

/** Sends an example's request as written, {{token}} replaced by a real token. */
async function replay (server: MockServer, example: Example): Promise<Answer> {
  const token = await loginOverHttp(server)
  const res = example.http === 'GET'
    ? await server.app.inject({ method: 'GET', url: BASE + (example.method === 'show' ? SHOW_REQUEST : '').replace('{{token}}', encodeURIComponent(token)) })
    : await server.app.inject({
      method: 'POST',
      url: BASE + 'customer_events/financial_achievements/' + example.method,
      headers: { 'content-type': 'application/json' },
      payload: example.requestText!.replace('{{token}}', token)
    })
  return { statusCode: res.statusCode, body: res.json(), headers: res.headers }
}

/** Checks what every replayed example must satisfy: OK, valid against the schema, the example's structure. */
function expectExampleAnswer (t: Test, example: Example, answer: Answer): void {
  t.equal(answer.statusCode, 200)
  t.same(answer.body.status, example.response.status, 'status as in the example (OK)')
  const validate = validatorFor(responseSchemaOf(example.method))
  t.ok(validate(answer.body), `valid against ${responseSchemaOf(example.method)}: ${JSON.stringify(validate.errors)}`)
  t.same(structureDiff(answer.body.data, shapeOf([example.response.data])), [], 'the structure of the example: same keys at every depth, same types where the example is not null')
  t.same(Object.keys(answer.body).sort(), Object.keys(example.response).sort(), 'the envelope has the example\'s keys')
}

// The vendor's examples disagree about user 1's person_name ("MPAdministrator" in show and
// list, "CRM COM" in create and cancel); the fixtures follow show and list.
const FIXTURE_PERSON_NAME = 'MPAdministrator'
function withFixturePersonNames (data: Json): Record<string, any> {
  const copy = structuredClone(data) as Record<string, any>
  copy.log_information.created_by_user.person_name = FIXTURE_PERSON_NAME
  copy.log_information.updated_by_user.person_name = FIXTURE_PERSON_NAME
  return copy
}

t.test('the vendor page parses into its five examples (show, list 1 and 2, create, cancel)', async t => {
  t.same(examples.map(e => `${e.http} ${e.method} ${e.index} ${e.requestText === undefined ? 'no request' : 'request'}`), [
    'GET show 1 no request',
    'POST list 1 request',
    'POST list 2 request',
    'POST create 1 request',
    'POST cancel 1 request'
  ])
  for (const e of examples) t.equal(kind(e.response.data), e.method === 'list' ? 'array' : 'object', `${e.method} ${e.index} answers ${e.method === 'list' ? 'an array' : 'an object'}`)
  t.match(byName('create').requestText, /"amount":"11\.50"/, 'the create request is kept as written (amount as a string)')
})

t.test('structure comparison catches a missing key, an extra key and a changed type', async t => {
  const shape = shapeOf([{ a: 1, b: { c: 'x' }, d: null, e: [{ f: true }] }])
  t.same(structureDiff({ a: 2, b: { c: 'y' }, d: { any: 'thing' }, e: [{ f: false }] }, shape), [])
  t.not(structureDiff({ a: 2, b: { c: 'y' }, e: [{ f: false }] }, shape).length, 0, 'missing d')
  t.not(structureDiff({ a: 2, b: { c: 'y', z: 1 }, d: null, e: [] }, shape).length, 0, 'extra z, empty array')
  t.not(structureDiff({ a: '2', b: { c: 'y' }, d: null, e: [{ f: 1 }] }, shape).length, 0, 'a and f change type')
  t.not(structureDiff({ a: 2, b: null, d: null, e: [{ f: true }] }, shape).length, 0, 'b is null where the example has an object')
})

t.test('show example 1: GET show?customer_event_identifier=id=328B8B0A... answers event 92 exactly as the example', async t => {
  const example = byName('show')
  const server = await build(t)
  const answer = await replay(server, example)
  expectExampleAnswer(t, example, answer)
  t.same(answer.body.data, example.response.data, 'event 92 value for value')
})

t.test('list example 1: account ACR0000000069 + classification FA answers events 57, 92 and 93 exactly as the example', async t => {
  const example = byName('list', 1)
  const server = await build(t)
  const answer = await replay(server, example)
  expectExampleAnswer(t, example, answer)
  const got = answer.body.data as Array<Record<string, Json>>
  for (const want of example.response.data as Array<Record<string, Json>>) {
    t.same(got.find(e => e.number === want.number), want, `event ${String(want.number)} value for value`)
  }
  // Event 94 is the one the cancel example cancels; the vendor's list example predates it.
  t.same(got.map(e => e.number), ['57', '92', '93', '94'], 'the account\'s FA events, oldest first, with 94 (the cancel example\'s event) after the example\'s three')
})

t.test('list example 2: account ACR0000000659, fields_set number,performed_on, between the two dates answers exactly 108-120 and 137', async t => {
  const example = byName('list', 2)
  const server = await build(t)
  const answer = await replay(server, example)
  expectExampleAnswer(t, example, answer)
  const want = example.response.data as Array<{ number: string, performed_on: string }>
  const got = answer.body.data as Array<{ number: string, performed_on: string }>
  t.same(got.map(e => e.number).sort(), want.map(e => e.number).sort(), 'the same events')
  t.same(want.map(e => e.number).sort(), [...Array.from({ length: 13 }, (_, i) => String(108 + i)), '137'].sort(), 'which are 108-120 and 137')
  for (const e of got) t.same(e, want.find(w => w.number === e.number), `event ${e.number}: only number and performed_on, with the example's value`)
})

t.test('create example 1: the vendor\'s create request is answered with the example\'s event (new id and number)', async t => {
  const example = byName('create')
  // The example was answered at 2016-10-07T09:20:12: freeze the mock's clock there.
  const server = await build(t, { clock: new Date('2016-10-07T09:20:12Z') })
  const highest = Math.max(...(await server.snapshot()).customer_events.map(e => Number(e.number)))
  const answer = await replay(server, example)
  expectExampleAnswer(t, example, answer)
  const data = answer.body.data as Record<string, Json>
  t.match(data.id, /^[0-9A-F]{32}$/, 'a new 32-character upper-case hex id')
  t.not(data.id, (example.response.data as Record<string, Json>).id, 'not the example\'s id (that is event 94, already stored)')
  t.equal(data.number, String(highest + 1), 'the next sequential number')
  t.same(data, { ...withFixturePersonNames(example.response.data), id: data.id, number: data.number }, 'every other value as in the example')
})

t.test('cancel example 1: cancelling 79845A8F... (event 94) answers the example\'s cancelled event', async t => {
  const example = byName('cancel')
  // The example was answered at 2016-10-07T09:23:24: freeze the mock's clock there.
  const server = await build(t, { clock: new Date('2016-10-07T09:23:24Z') })
  const answer = await replay(server, example)
  expectExampleAnswer(t, example, answer)
  t.same(answer.body.data, withFixturePersonNames(example.response.data), 'value for value (product without product_type, as the example)')
})

t.test('the reference entities the examples name carry the examples\' values wherever they appear', async t => {
  const server = await build(t)
  const show = (byName('show').response.data as Record<string, Json>)
  const create = (byName('create').response.data as Record<string, Json>)
  const events = await server.events()
  const e57 = events.find(e => e.number === '57')!
  const e94 = events.find(e => e.number === '94')!
  t.same(e94.accounts_receivable, show.accounts_receivable, 'account ACR0000000069, its owner Polina Kestora and her demographics')
  t.same(e94.classification, show.classification, 'classification Financial Achievement 1 / FA')
  t.same(e94.performed_by_unit, show.performed_by_unit, 'unit Admin Unit / adminunit / 1')
  t.same(e94.product, create.product, 'product Bronze / B with product type Main Packages')
  t.same(e57.payment_medium_brand, create.payment_medium_brand, 'brand VISA / V')
  t.same(e57.payment_medium_type, create.payment_medium_type, 'type CREDIT CARD / CC')
  t.same((e57.log_information as Record<string, unknown>).created_by_user, (show.log_information as Record<string, Json>).created_by_user, 'user MPAdministrator')
})

t.test('schemas/examples/ holds the page\'s examples: each stored response is the page\'s, value for value, in the page\'s order', async t => {
  const stored = loadExamples()
  t.same(Object.keys(stored).map(o => o.split('/').at(-1)).sort(), ['cancel', 'create', 'list', 'show'], 'a file for each method the page documents')
  for (const [operation, list] of Object.entries(stored)) {
    const method = operation.split('/').at(-1) as Method
    t.equal(list.length, examples.filter(e => e.method === method).length, `${operation}: as many examples as the page has`)
    list.forEach((example, i) => {
      const onPage = byName(method, i + 1)
      t.same(example.response, onPage.response, `${operation} ${example.name}: the response`)
      if (onPage.request !== undefined) t.same(example.request.body, onPage.request, `${operation} ${example.name}: the request`)
    })
  }
})
