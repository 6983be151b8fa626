/**
 * The request journal: what each call asked and what it was answered, newest last.
 * Bounded (a ring of the last `limit` entries) so a long-running server never grows it
 * without limit. Tokens and passwords are redacted before anything is kept.
 */

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
const SECRET_KEYS = new Set(['token', 'password', 'pass_code'])
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
    Object.defineProperty(out, k, { value: SECRET_KEYS.has(k) ? '[REDACTED]' : redact(v, depth + 1), enumerable: true, writable: true, configurable: true })
  }
  return out
}

// Parameters are kept as they arrived and redacted when the journal is read, so an answer
// costs no deep copy; a body over this size is redacted (and its long strings cut) at once,
// so a thousand entries never hold a thousand huge bodies.
const LAZY_BYTES = 16 * 1024

interface Kept {
  readonly operation: string
  readonly method: string
  readonly path: string
  readonly params: Record<string, unknown>
  /** False while params are the request's own (redacted when read). */
  readonly redacted: boolean
  readonly code: string
  readonly at: number
  readonly organisation: string | undefined
}

function entryOf (k: Kept): JournalEntry {
  return {
    operation: k.operation,
    method: k.method,
    path: k.path,
    params: k.redacted ? k.params : redact(k.params) as Record<string, unknown>,
    code: k.code,
    at: new Date(k.at).toISOString(),
    ...(k.organisation === undefined ? {} : { organisation: k.organisation })
  }
}

export class RequestJournal {
  readonly #limit: number
  #entries: Kept[] = []
  #start = 0

  constructor (limit = DEFAULT_JOURNAL_LIMIT) {
    if (!Number.isInteger(limit) || limit < 0) throw new TypeError(`journal limit must be a whole number, got ${limit}`)
    this.#limit = limit
  }

  /**
   * Keeps a call as it arrived: `params` must not change afterwards (they are redacted when
   * read); `bodyBytes` is the request's size, past which they are redacted now.
   */
  recordCall (operation: string, method: string, path: string, params: Record<string, unknown>, bodyBytes: number, code: string, at: number, organisation: string | undefined): void {
    const lazy = bodyBytes <= LAZY_BYTES
    this.#keep({ operation, method, path, params: lazy ? params : redact(params) as Record<string, unknown>, redacted: !lazy, code, at, organisation })
  }

  #keep (kept: Kept): void {
    if (this.#limit === 0) return
    if (this.#entries.length < this.#limit) { this.#entries.push(kept); return }
    this.#entries[this.#start] = kept
    this.#start = (this.#start + 1) % this.#limit
  }

  /** Entries oldest first, optionally only one operation and/or one code. */
  list (filter: JournalFilter = {}): JournalEntry[] {
    const ordered = [...this.#entries.slice(this.#start), ...this.#entries.slice(0, this.#start)]
    return ordered.filter(e => (filter.operation === undefined || e.operation === filter.operation) && (filter.code === undefined || e.code === filter.code)).map(entryOf)
  }

  clear (): void { this.#entries = []; this.#start = 0 }

  get size (): number { return this.#entries.length }
}
