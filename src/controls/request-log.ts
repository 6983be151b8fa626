/**
 * The request journal: what each call asked and what it was answered, newest last.
 * Bounded (a ring of the last `limit` entries) so a long-running server never grows it
 * without limit. Tokens and passwords are redacted before anything is kept.
 */
import { STATE_MARKERS } from '../contract/operations.js'

export interface JournalEntry {
  /** The method path (`customer_events/financial_achievements/create`), or the path for unknown URLs. */
  readonly operation: string
  /** The HTTP method. */
  readonly method: string
  /** The URL path, without the query string. */
  readonly path: string
  /** The parameters (query for GET, body for POST) with `token` and `password` redacted. */
  readonly params: Record<string, unknown>
  /** The vendor `status.code` answered (`OK` or an error code), or `DROPPED` when a fault cut the connection. */
  readonly code: string
  /** When the call was answered, by the mock's clock (ISO-8601). */
  readonly at: string
  /** The organisation (per-organisation tenants), when known. */
  readonly organisation?: string
}

export interface JournalFilter {
  operation?: string
  code?: string
}

export const DEFAULT_JOURNAL_LIMIT = 1000

// Calls in order of arrival, across every log of the process: the mock's clock can be set
// back, so its time cannot order calls; this count can.
let arrivals = 0
const SECRET_KEYS = new Set(['token', 'password', 'pass_code'])
const REDACTED = '[REDACTED]'
const MAX_STRING = 1000

/** A copy of `value` with secrets replaced by `[REDACTED]` at any depth. */
export function redact (value: unknown, depth = 0): unknown {
  // Long strings are cut so a thousand entries of huge bodies still fit in little memory.
  if (typeof value === 'string') return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}… (${value.length} characters)` : value
  if (value === null || typeof value !== 'object') return value
  if (depth > 8) return '[too deep]'
  if (Array.isArray(value)) return value.slice(0, 100).map(v => redact(v, depth + 1))
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) {
    Object.defineProperty(out, k, { value: SECRET_KEYS.has(k) ? REDACTED : redact(v, depth + 1), enumerable: true, writable: true, configurable: true })
  }
  return out
}

// Each call's parameters are kept as one JSON string, with secrets replaced as it is made,
// and parsed (and long strings cut) when the journal is read. A string is one object and
// holds no slice of the request: the request's own objects, kept for the calls the journal
// holds, would outlive the young generation and be promoted, which makes V8's scavenges
// costly under load. Secrets never reach the journal.
// A body over this size is redacted and cut before it is kept, so a thousand entries never
// hold a thousand huge bodies.
const LAZY_BYTES = 16 * 1024
const hideSecrets = (key: string, value: unknown): unknown => SECRET_KEYS.has(key) ? REDACTED : value

/** Whether a secret key sits anywhere inside `value`; past a few levels it says yes, to be safe. */
function holdsSecret (value: object, depth: number): boolean {
  if (depth > 8) return true
  if (Array.isArray(value)) {
    for (const item of value) if (typeof item === 'object' && item !== null && holdsSecret(item as object, depth + 1)) return true
    return false
  }
  for (const key in value) {
    if (SECRET_KEYS.has(key)) return true
    const item = (value as Record<string, unknown>)[key]
    if (typeof item === 'object' && item !== null && holdsSecret(item, depth + 1)) return true
  }
  return false
}

/**
 * The parameters' JSON with secrets replaced, as `JSON.stringify(params, hideSecrets)`
 * writes it. A call's secrets are almost always top-level (its token): those are replaced
 * in a shallow copy, which JSON.stringify writes on its fast path; a replacer function
 * costs a call into JavaScript for every value.
 * Only a parameter that holds a secret inside it (an access token's pass code) takes the
 * replacer.
 */
export function paramsJson (params: Record<string, unknown>): string {
  let copy: Record<string, unknown> | undefined
  for (const key in params) {
    if (!Object.hasOwn(params, key)) continue
    const value = params[key]
    if (SECRET_KEYS.has(key)) {
      copy ??= { ...params }
      copy[key] = REDACTED
    } else if (typeof value === 'object' && value !== null && holdsSecret(value, 0)) {
      return JSON.stringify(params, hideSecrets)
    }
  }
  return JSON.stringify(copy ?? params)
}

/**
 * A ring of the last `limit` calls, held in one array per field: keeping a call allocates
 * nothing but its parameters' JSON (an object per entry, or a boxed number for its time,
 * would be promoted like the rest).
 */
export class RequestLog {
  readonly #limit: number
  #operation: string[] = []
  #method: string[] = []
  #path: string[] = []
  /** The parameters as JSON, secrets already replaced. */
  #params: string[] = []
  #code: string[] = []
  #at: number[] = []
  #organisation: Array<string | undefined> = []
  #arrival: number[] = []
  /** The slot of the oldest call once the ring is full (0 until then). */
  #start = 0

  constructor (limit = DEFAULT_JOURNAL_LIMIT) {
    if (!Number.isInteger(limit) || limit < 0) throw new TypeError(`journal limit must be a whole number, got ${limit}`)
    this.#limit = limit
  }

  /** Keeps a call; `bodyBytes` is the request's size, past which its long strings are cut now. */
  recordCall (operation: string, method: string, path: string, params: Record<string, unknown>, bodyBytes: number, code: string, at: number, organisation: string | undefined): void {
    if (this.#limit === 0) return
    const json = bodyBytes <= LAZY_BYTES ? paramsJson(params) : JSON.stringify(redact(params))
    let slot = this.#operation.length
    if (slot === this.#limit) {
      slot = this.#start
      this.#start = (slot + 1) % this.#limit
    }
    this.#operation[slot] = operation
    this.#method[slot] = method
    this.#path[slot] = path
    this.#params[slot] = json
    this.#code[slot] = code
    this.#at[slot] = at
    this.#organisation[slot] = organisation
    this.#arrival[slot] = ++arrivals
  }

  /**
   * Marks a reset or a restore of the state, as the admin call that does it would be logged
   * (operation `reset` or `restore`): a recording made from the log then tells `verify` where
   * what earlier calls showed stops holding.
   */
  recordMarker (kind: 'reset' | 'restore', at: number, organisation: string | undefined): void {
    this.recordCall(kind, STATE_MARKERS[kind].method, STATE_MARKERS[kind].path, {}, 0, 'OK', at, organisation)
  }

  /** Entries oldest first, optionally only one operation and/or one code. */
  list (filter: JournalFilter = {}): JournalEntry[] {
    return this.listInArrivalOrder(filter).map(([, entry]) => entry)
  }

  /** Entries oldest first, each with its place in the process's order of arrival (to merge logs by). */
  listInArrivalOrder (filter: JournalFilter = {}): Array<[number, JournalEntry]> {
    const out: Array<[number, JournalEntry]> = []
    const size = this.size
    for (let i = 0; i < size; i++) {
      const slot = (this.#start + i) % size
      if (filter.operation !== undefined && this.#operation[slot] !== filter.operation) continue
      if (filter.code !== undefined && this.#code[slot] !== filter.code) continue
      const organisation = this.#organisation[slot]
      out.push([this.#arrival[slot]!, {
        operation: this.#operation[slot]!,
        method: this.#method[slot]!,
        path: this.#path[slot]!,
        params: redact(JSON.parse(this.#params[slot]!)) as Record<string, unknown>,
        code: this.#code[slot]!,
        at: new Date(this.#at[slot]!).toISOString(),
        ...(organisation === undefined ? {} : { organisation })
      }])
    }
    return out
  }

  clear (): void {
    this.#operation = []; this.#method = []; this.#path = []; this.#params = []; this.#code = []; this.#at = []; this.#organisation = []; this.#arrival = []
    this.#start = 0
  }

  get size (): number { return this.#operation.length }
}
