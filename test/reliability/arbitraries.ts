/**
 * fast-check arbitraries of hostile requests: every parameter of every method is either a
 * value that works (so cases get past the first check and reach the rules behind it) or
 * something hostile (wrong types, prototype keys, odd dates and numbers, huge strings, deep
 * nesting); bodies are then sent well-formed, broken, or with the wrong content type.
 */
import fc from 'fast-check'
import { EVENT_FIELDS } from '../../src/domain/render.js'
import { loadFixtures } from '../../src/index.js'

const fixtures = loadFixtures()

/** Keys that have broken parsers and mergers before. */
export const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'] as const

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
export const junk: fc.Arbitrary<unknown> = fc.oneof(
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
export const identifier = (records: Records, fields: string[]): fc.Arbitrary<unknown> => fc.oneof(
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

export const IDENTIFIERS = {
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
export const date: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map(d => d.toISOString().slice(0, 19)), weight: 3 },
  { arbitrary: fc.date({ noInvalidDate: true }).map(d => d.toISOString()), weight: 1 },
  { arbitrary: fc.date({ noInvalidDate: true }).map(d => d.toISOString().slice(0, 10)), weight: 1 },
  { arbitrary: fc.tuple(fc.integer({ min: -1, max: 10000 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 61 })).map(([y, mo, d, h, mi]) => `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}T${String(h).padStart(2, '0')}:${String(mi).padStart(2, '0')}:00`), weight: 2 },
  { arbitrary: junk, weight: 2 }
)

/** Numbers, numeric strings, near misses, and junk. */
export const number: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }), weight: 2 },
  { arbitrary: fc.integer(), weight: 1 },
  { arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }).map(n => String(n)), weight: 2 },
  { arbitrary: fc.stringMatching(/^\s?[-+]?\d{0,400}(\.\d{0,5})?([eE][-+]?\d{1,4})?\s?$/), weight: 2 },
  { arbitrary: junk, weight: 2 }
)

/** fields_set: real names, internal names that must stay hidden, prototype keys, separators. */
export const fieldsSet: fc.Arbitrary<unknown> = fc.oneof(
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
export const count: fc.Arbitrary<unknown> = fc.oneof(fc.nat({ max: 50 }), fc.nat({ max: 50 }).map(String), fc.integer({ min: -5, max: 2 ** 40 }), junk)

/** Extra keys the vendor ignores, prototype keys among them. */
export const extras = fc.dictionary(fc.oneof(fc.constantFrom(...PROTO_KEYS, 'udf_float_5', 'udf_string_9', 'id', 'number', 'life_cycle_state', 'type'), fc.string({ maxLength: 10 })), junk, { maxKeys: 3 })

/** A token: the good one most of the time, otherwise missing, malformed or made up. */
export const token = (good: string): fc.Arbitrary<unknown> => fc.oneof(
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
export const params = (base: Record<string, unknown>, fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Record<string, unknown>> => {
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

export const encoding: fc.Arbitrary<Encoding> = fc.oneof(
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
export function encode (body: Record<string, unknown>, how: Encoding): { payload: string | Buffer, contentType: string } {
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
export const queryString = (parameters: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<string> => {
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
