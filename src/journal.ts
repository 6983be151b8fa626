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

export class RequestJournal {
  readonly #limit: number
  #entries: JournalEntry[] = []
  #start = 0

  constructor (limit = DEFAULT_JOURNAL_LIMIT) {
    if (!Number.isInteger(limit) || limit < 0) throw new TypeError(`journal limit must be a whole number, got ${limit}`)
    this.#limit = limit
  }

  /** Keeps an entry, dropping the oldest past the limit. */
  record (entry: JournalEntry): void {
    if (this.#limit === 0) return
    if (this.#entries.length < this.#limit) { this.#entries.push(entry); return }
    this.#entries[this.#start] = entry
    this.#start = (this.#start + 1) % this.#limit
  }

  /** Entries oldest first, optionally only one operation and/or one code. */
  list (filter: JournalFilter = {}): JournalEntry[] {
    const ordered = [...this.#entries.slice(this.#start), ...this.#entries.slice(0, this.#start)]
    return ordered.filter(e => (filter.operation === undefined || e.operation === filter.operation) && (filter.code === undefined || e.code === filter.code))
  }

  clear (): void { this.#entries = []; this.#start = 0 }

  get size (): number { return this.#entries.length }
}
