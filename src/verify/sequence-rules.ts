/**
 * The rules that span a sequence of calls: what the calls so far have shown (tokens and their
 * release, events with their numbers and states) and what a later OK answer must agree with
 * (a cancelled event stays cancelled, numbers rise, create and show answer what was asked).
 * Kept apart from the per-call checks, which only read the tokens recorded here.
 */
import { CODES } from '../contract/errors.js'
import type { OperationName } from '../contract/operations.js'
import { escape, isObject, type Json, type Report } from './check-helpers.js'

const ECHOED_TEXT = ['description', 'external_system', 'external_system_reference_number', 'payment_medium_identifier', ...[1, 2, 3, 4, 5, 6, 7, 8].map(i => `udf_string_${i}`)]
const ECHOED_NUMBERS = ['amount', 'udf_float_1', 'udf_float_2', 'udf_float_3', 'udf_float_4']
const CRM_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/

interface EventState { id?: string, number?: string, state?: string, seen: string, cancelledAt?: string }

/** What one sequence of calls has shown, and the rules that span its calls. */
export class SequenceRules {
  readonly #tokens = new Map<string, { organisation: string, releasedAt?: string }>()
  /** Events by organisation, each under `id:X` and `number:N`. */
  readonly #events = new Map<string, Map<string, EventState>>()
  readonly #highest = new Map<string, { number: bigint, seen: string }>()
  readonly #spanning: boolean

  /** `spanning: false` keeps only the tokens (which per-call checks read) and applies no rule that spans calls. */
  constructor ({ spanning = true }: { spanning?: boolean } = {}) { this.#spanning = spanning }

  /** A reset or a restore: events, numbers and states seen so far no longer hold; tokens stay valid, as the mock keeps them. */
  newState (): void {
    this.#events.clear()
    this.#highest.clear()
  }

  /** What a login recorded about a token: its organisation, and where it was released. */
  token (token: string): { organisation: string, releasedAt?: string } | undefined {
    return this.#tokens.get(token)
  }

  #eventsOf (organisation: string): Map<string, EventState> {
    let map = this.#events.get(organisation)
    if (map === undefined) { map = new Map(); this.#events.set(organisation, map) }
    return map
  }

  #find (organisation: string, by: { id?: unknown, number?: unknown }): EventState | undefined {
    const events = this.#eventsOf(organisation)
    return (typeof by.id === 'string' ? events.get(`id:${by.id}`) : undefined) ?? (typeof by.number === 'string' ? events.get(`number:${by.number}`) : undefined)
  }

  /** Records an event seen in an answer; CANCELLED is final, so a POSTED after it is a mismatch. */
  #observe (organisation: string, event: Json, pointer: string, source: string, add: Report): EventState | undefined {
    const id = typeof event.id === 'string' ? event.id : undefined
    const number = typeof event.number === 'string' ? event.number : undefined
    if (id === undefined && number === undefined) return undefined
    const known = this.#find(organisation, { id, number })
    const state = typeof event.life_cycle_state === 'string' ? event.life_cycle_state : undefined
    if (known?.cancelledAt !== undefined && state !== undefined && state !== 'CANCELLED') {
      add(`${pointer}/life_cycle_state`, 'cancelled-is-final', `event ${number ?? id} was CANCELLED (${known.cancelledAt}); CANCELLED is final, yet it is answered ${state}`)
    }
    const entry: EventState = known ?? { seen: source }
    if (id !== undefined) entry.id = id
    if (number !== undefined) entry.number = number
    if (state !== undefined && entry.cancelledAt === undefined) entry.state = state
    if (state === 'CANCELLED') entry.cancelledAt ??= source
    const events = this.#eventsOf(organisation)
    if (entry.id !== undefined) events.set(`id:${entry.id}`, entry)
    if (entry.number !== undefined) events.set(`number:${entry.number}`, entry)
    if (number !== undefined && /^\d+$/.test(number)) {
      const highest = this.#highest.get(organisation)
      if (highest === undefined || BigInt(number) > highest.number) this.#highest.set(organisation, { number: BigInt(number), seen: source })
    }
    return entry
  }

  /** The rules that span calls, and what an OK answer must say about its own request. */
  record (name: OperationName, params: Json, data: unknown, organisation: string, source: string, part: string, add: Report): void {
    switch (name) {
      case 'authentication/token': {
        const token = isObject(data) ? data.token : undefined
        if (typeof token === 'string') this.#tokens.set(token, { organisation })
        return
      }
      case 'authentication/token/release': {
        const token = params.token as string
        this.#tokens.set(token, { organisation, releasedAt: source })
        return
      }
    }
    if (!this.#spanning) return
    switch (name) {
      case 'customer_events/financial_achievements/create': {
        if (!isObject(data)) return
        const number = typeof data.number === 'string' ? data.number : undefined
        const highest = this.#highest.get(organisation)
        if (number !== undefined && /^\d+$/.test(number) && highest !== undefined && BigInt(number) <= highest.number) {
          add('/response/body/data/number', 'number-sequence', `a new event got number ${number}, not above ${highest.number} already seen (${highest.seen}): numbers are sequential`)
        }
        const reused = typeof data.id === 'string' ? this.#find(organisation, { id: data.id }) : undefined
        if (reused !== undefined) add('/response/body/data/id', 'event-id-reused', `a new event got id ${String(data.id)}, already seen (${reused.seen})`)
        if (data.life_cycle_state !== undefined && data.life_cycle_state !== 'POSTED') add('/response/body/data/life_cycle_state', 'create-result', `a created event must be POSTED, not ${String(data.life_cycle_state)}`)
        this.#echo(params, data, add)
        this.#observe(organisation, data, '/response/body/data', source, add)
        return
      }
      case 'customer_events/financial_achievements/cancel': {
        const identifier = isObject(params.customer_event_identifier) ? params.customer_event_identifier : {}
        const target = this.#find(organisation, identifier) ?? (isObject(data) ? this.#find(organisation, data) : undefined)
        if (target?.cancelledAt !== undefined) {
          add('/response/body/status/code', 'cancel-twice', `event ${target.number ?? target.id} was already cancelled (${target.cancelledAt}): cancelling it again must fail with ${CODES.INVALID_LIFE_CYCLE_STATE_TRANSITION}`)
        }
        if (isObject(data)) {
          this.#identifies(identifier, data, `${part}/customer_event_identifier`, add)
          if (data.life_cycle_state !== undefined && data.life_cycle_state !== 'CANCELLED') add('/response/body/data/life_cycle_state', 'cancel-result', `a cancelled event must be answered CANCELLED, not ${String(data.life_cycle_state)}`)
          const entry = this.#observe(organisation, { ...data, life_cycle_state: 'CANCELLED' }, '/response/body/data', source, () => {})
          if (entry !== undefined) entry.cancelledAt ??= source
        }
        return
      }
      case 'customer_events/financial_achievements/show':
        if (isObject(data)) {
          this.#identifies(isObject(params.customer_event_identifier) ? params.customer_event_identifier : {}, data, `${part}/customer_event_identifier`, add)
          this.#observe(organisation, data, '/response/body/data', source, add)
        }
        return
      case 'customer_events/financial_achievements/list':
        if (!Array.isArray(data)) return
        if (params.number_of_results !== undefined && data.length > Number(params.number_of_results)) {
          add('/response/body/data', 'paging', `${data.length} events for number_of_results ${String(params.number_of_results)}`)
        }
        data.forEach((event, i) => {
          if (!isObject(event)) return
          for (const key of ['accounts_receivable_identifier', 'classification_identifier']) {
            const identifier = params[key]
            const record = event[key.replace(/_identifier$/, '')]
            if (!isObject(identifier) || !isObject(record)) continue
            const [field, value] = Object.entries(identifier)[0] ?? []
            if (field !== undefined && field in record && record[field] !== value) {
              add(`/response/body/data/${i}/${key.replace(/_identifier$/, '')}/${escape(field)}`, 'list-filter', `${key} asks for ${field} ${JSON.stringify(value)}; this event has ${JSON.stringify(record[field])}`)
            }
          }
          this.#observe(organisation, event, `/response/body/data/${i}`, source, add)
        })
    }
  }

  /** show and cancel answer the event their identifier names. */
  #identifies (identifier: Json, data: Json, pointer: string, add: Report): void {
    for (const field of ['id', 'number']) {
      if (typeof identifier[field] === 'string' && typeof data[field] === 'string' && identifier[field] !== data[field]) {
        add(`/response/body/data/${field}`, 'identifies', `the request names ${field} ${String(identifier[field])} (${pointer}), the answer is event ${field} ${String(data[field])}`)
      }
    }
  }

  /** create answers the event it was asked to make: texts, numbers, date and named records as sent. */
  #echo (params: Json, data: Json, add: Report): void {
    const differs = (key: string, sent: unknown, got: unknown): void => add(`/response/body/data/${key}`, 'echo', `create was sent ${key} ${JSON.stringify(sent)}, the event has ${JSON.stringify(got)}`)
    for (const key of ECHOED_TEXT) {
      if (key in params && key in data && (typeof params[key] === 'string' || params[key] === null) && data[key] !== params[key]) differs(key, params[key], data[key])
    }
    for (const key of ECHOED_NUMBERS) {
      if (!(key in params) || !(key in data) || params[key] === undefined) continue
      const sent = params[key] === null ? null : Number(params[key])
      if (data[key] !== sent) differs(key, params[key], data[key])
    }
    if (typeof params.performed_on === 'string' && CRM_DATE.test(params.performed_on) && 'performed_on' in data && data.performed_on !== params.performed_on) differs('performed_on', params.performed_on, data.performed_on)
    for (const [key, identifier] of Object.entries(params)) {
      if (!key.endsWith('_identifier') || !isObject(identifier)) continue
      const record = data[key.replace(/_identifier$/, '')]
      const [field, value] = Object.entries(identifier)[0] ?? []
      if (isObject(record) && field !== undefined && typeof value === 'string' && field in record && record[field] !== value) {
        add(`/response/body/data/${key.replace(/_identifier$/, '')}/${escape(field)}`, 'echo', `create was sent ${key} {"${field}": ${JSON.stringify(value)}}, the event has ${field} ${JSON.stringify(record[field])}`)
      }
    }
  }
}
