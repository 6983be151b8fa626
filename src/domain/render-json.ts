/**
 * The JSON of whole rendered events, for show and list without fields_set. Serialising a
 * 3 KB event anew is most of what show costs beyond Fastify itself, and twenty of them are
 * most of list; but most of an event is its rendered references (account, product, units,
 * users), which never change. Their JSON is made once per reference by the schema's own
 * serializer and kept (bounded by the reference data, never by the events); only each
 * event's own fields are serialised per answer, in the order the response serializer
 * uses (required properties first, then schema order). test/store/render-json.test.ts
 * checks the output is byte for byte the response serializer's on every fixture event.
 *
 * The show answer of a whole stored event is also kept, as one flat string, in the
 * dataset's bounded cache (answers.ts, dropped when the event changes): show and
 * list of an event already answered cost no rendering, and list only copies characters.
 */
import type { CustomerEvent } from '../store/model.js'
import { schemas, serializerFor } from '../contract/schemas.js'
import type { Lookup } from '../store/lookup.js'
import { answersFor } from './answers.js'
import { isSharedRender, renderEvent, type RenderedEvent } from './render.js'

interface Field {
  key: string
  /** `"key":` */
  prefix: string
  /** The schema file of an object-valued property (`{ "$ref": "unit.json" }`). */
  ref?: string
  /** The property's own schema, for the rare value neither primitive nor a reference. */
  schema: Record<string, unknown>
}

type Writer = (value: Record<string, unknown>) => string

const writers = new Map<string, Writer>()
const sharedJson = new WeakMap<object, string>()

function fieldsOf (id: string): Field[] {
  const schema = schemas[id] as { properties: Record<string, Record<string, unknown>>, required?: string[] }
  const required = new Set(schema.required ?? [])
  // As fast-json-stringify does: required properties first, each group in schema order.
  const keys = Object.keys(schema.properties).sort((a, b) => Number(required.has(b)) - Number(required.has(a)))
  return keys.map(key => {
    const property = schema.properties[key]!
    const ref = typeof property.$ref === 'string' && !property.$ref.includes('#') ? property.$ref : undefined
    return { key, prefix: `${JSON.stringify(key)}:`, schema: property, ...(ref === undefined ? {} : { ref }) }
  })
}

// Characters JSON.stringify would escape (and lone surrogates, which it writes as \u escapes).
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/

function valueJson (value: unknown, field: Field): string {
  if (value === null) return 'null'
  if (typeof value === 'string') return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : `"${value}"`
  if (typeof value !== 'object') return JSON.stringify(value)
  if (field.ref === undefined) {
    // Not a reference (an array, say): the property's own serializer, wrapped and unwrapped.
    const wrapped = serializerFor(wrapperOf(field))({ [field.key]: value })
    return wrapped.slice(field.prefix.length + 1, -1)
  }
  if (!isSharedRender(value)) return writerOf(field.ref)(value as Record<string, unknown>)
  let out = sharedJson.get(value)
  if (out === undefined) { out = serializerFor(field.ref)(value); sharedJson.set(value, out) }
  return out
}

const wrappers = new WeakMap<Field, Record<string, unknown>>()
function wrapperOf (field: Field): Record<string, unknown> {
  let wrapper = wrappers.get(field)
  if (wrapper === undefined) { wrapper = { type: 'object', properties: { [field.key]: field.schema } }; wrappers.set(field, wrapper) }
  return wrapper
}

function writerOf (id: string): Writer {
  let writer = writers.get(id)
  if (writer === undefined) {
    const fields = fieldsOf(id)
    writer = value => {
      let out = ''
      for (const field of fields) {
        const v = value[field.key]
        if (v !== undefined) out += (out === '' ? '' : ',') + field.prefix + valueJson(v, field)
      }
      return `{${out}}`
    }
    writers.set(id, writer)
  }
  return writer
}

const HEAD = '{"data":'
const OK = ',"status":{"code":"OK","description":"","message":""}}'
const EVENT = 'financial-achievement-event.json'

/** The show answer of a whole rendered event, as the show response schema serialises it. */
export const showJson = (event: RenderedEvent): string => `${HEAD}${writerOf(EVENT)(event)}${OK}`

// Answers are made as flat strings: a rope of strings is slow for Node to measure and encode,
// and a new Buffer per list answer is external memory, whose growth makes V8 collect the whole heap.
// A list page that is kept is turned into bytes once, when it is kept (answers.ts).

/**
 * The show answer of a stored event, whole: from the dataset's cache, or rendered (and
 * kept, for a financial achievement: only those can be shown, so a kept answer is always
 * one show may give, see {@link keptShowAnswer}).
 */
export function showAnswer (lookup: Lookup, event: CustomerEvent): string {
  const { rendered } = answersFor(lookup)
  const kept = rendered.get(event.id)
  if (kept?.event === event) return kept.json
  // join flattens the rendered rope into one string.
  const json = [showJson(renderEvent(lookup, event))].join('')
  // Keyed by a copy of the id made now, beside the answer: the event's own id string lies
  // wherever the store put it, and each show by id reads its key; a scattered key costs
  // cache and TLB misses.
  if (event.type === 'FINANCIAL_ACHIEVEMENT') rendered.set(event.id.split('').join(''), { event, json })
  return json
}

/**
 * The kept show answer of the event with this id, if there is one: what show answers for
 * `{ "id": id }` without `fields_set`, found without the id index or the event itself,
 * whose memory a big store scatters, making those lookups slow. Only financial
 * achievements' answers are kept, and a changed or forgotten event's is dropped, so it is
 * exactly what the full path (resolve, check the type, render) would give.
 */
export function keptShowAnswer (lookup: Lookup, id: string): string | undefined {
  return answersFor(lookup).rendered.get(id)?.json
}

/** The list answer of stored events, whole: the cached answers' events, joined. */
export function listAnswer (lookup: Lookup, events: readonly CustomerEvent[]): string {
  const n = events.length
  if (n === 0) return `${HEAD}[]${OK}`
  const parts = new Array<string>(n)
  for (let i = 0; i < n; i++) {
    const answer = showAnswer(lookup, events[i]!)
    parts[i] = answer.slice(HEAD.length, answer.length - OK.length)
  }
  // The envelope goes on the first and last parts, so one join makes the whole answer as
  // one flat string: a join wrapped in a template is a rope, which Node copies again
  // to flatten it before it can measure and write it.
  parts[0] = `${HEAD}[${parts[0]!}`
  parts[n - 1] = `${parts[n - 1]!}]${OK}`
  return parts.join(',')
}
