/**
 * Checks recorded calls against the contract, one call at a time, keeping what the calls
 * so far have shown (tokens, events and their states) for the rules that span a sequence.
 * The request rules are the server's own: the same schemas, the same ajv and the same
 * error mapper, so an expected code here is the code the mock would answer.
 */
import type { ErrorObject, ValidateFunction } from 'ajv'
import { CODES, REST_STATUS, isCrmErrorCode, type CrmErrorCode } from '../contract/errors.js'
import { parseFieldsSet } from '../contract/fields-set.js'
import { BASE_PATH, OPERATIONS, operationOf, type OperationName } from '../contract/operations.js'
import { DEFAULT_RELEASE, hasArrived, parametersOf, parseRelease, type Release } from '../contract/releases.js'
import { queryValue } from '../contract/query.js'
import { createAjv, schemas, validatorFor } from '../contract/schemas.js'
import { toCrmError } from '../contract/validation.js'
import type { Exchange } from './traffic.js'

/** One way a call breaks the contract. */
export interface Mismatch {
  /** Where the call was recorded: `traffic.har entry 3`. */
  source: string
  /** `POST customer_events/financial_achievements/cancel`. */
  call: string
  /**
   * JSON pointer into the call as `{ request: { method, url, query, body }, response: { status, body } }`,
   * bodies parsed; for GET methods `/request/query/NAME` is the query parameter NAME.
   */
  pointer: string
  /** The rule broken (`response-schema`, `cancel-twice`, ...): see docs/contract-testing.md. */
  rule: string
  message: string
}

export interface CheckOptions {
  /** The release the server is expected to emulate (default R14.0.0). */
  release?: string | Release
  /** The server is expected to refuse unknown parameters. */
  strict?: boolean
  /** The server is expected to answer errors with REST statuses instead of HTTP 200. */
  restStatus?: boolean
}

type Json = Record<string, unknown>
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v)
const escape = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1')

// Responses are checked with every error reported; requests with the server's own validators.
const reporting = createAjv({ allErrors: true })
const responseValidators = new Map<string, ValidateFunction>()
function responseValidator (id: string): ValidateFunction {
  let fn = responseValidators.get(id)
  if (fn === undefined) { fn = reporting.getSchema(id)!; responseValidators.set(id, fn) }
  return fn
}

/** The pointer of an ajv error under `base`. */
function pointerOf (base: string, e: ErrorObject): string {
  const params = e.params as { missingProperty?: string, additionalProperty?: string }
  const extra = e.keyword === 'required' ? `/${escape(params.missingProperty!)}` : e.keyword === 'additionalProperties' ? `/${escape(params.additionalProperty!)}` : ''
  return base + e.instancePath + extra
}

/** The methods whose answers are events. */
const EVENT_METHODS = new Set((Object.keys(OPERATIONS) as OperationName[]).filter(name => name.startsWith('customer_events/financial_achievements/')))
const ECHOED_TEXT = ['description', 'external_system', 'external_system_reference_number', 'payment_medium_identifier', ...[1, 2, 3, 4, 5, 6, 7, 8].map(i => `udf_string_${i}`)]
const ECHOED_NUMBERS = ['amount', 'udf_float_1', 'udf_float_2', 'udf_float_3', 'udf_float_4']
const CRM_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/

interface Expected { code: CrmErrorCode, pointer: string, message: string, tokenFirst: boolean }
interface EventState { id?: string, number?: string, state?: string, seen: string, cancelledAt?: string }

/**
 * Checks calls against the contract: the envelope, the HTTP status, the answer's schema by
 * `status.code`, the request's parameter rules, and the rules across calls (tokens, event
 * states, numbering). One checker per sequence of calls, fed in the order they were made.
 */
export class ContractChecker {
  readonly #release: Release
  readonly #strict: boolean
  readonly #restStatus: boolean
  readonly #tokens = new Map<string, { organisation: string, releasedAt?: string }>()
  /** Events by organisation, each under `id:X` and `number:N`. */
  readonly #events = new Map<string, Map<string, EventState>>()
  readonly #highest = new Map<string, { number: bigint, seen: string }>()

  constructor (options: CheckOptions = {}) {
    this.#release = typeof options.release === 'object' ? options.release : parseRelease(options.release ?? DEFAULT_RELEASE)
    this.#strict = options.strict ?? false
    this.#restStatus = options.restStatus ?? false
  }

  /** Every mismatch of one call; the calls must be checked in the order they were made. */
  check (exchange: Exchange): Mismatch[] {
    const out: Mismatch[] = []
    let url: URL
    try { url = new URL(exchange.request.url, 'http://recorded.invalid') } catch { url = new URL('http://recorded.invalid/') }
    const at = url.pathname.indexOf(BASE_PATH)
    const name = at < 0 ? undefined : operationOf(url.pathname.slice(at))
    const method = exchange.request.method
    const call = `${method} ${name ?? url.pathname}`
    const add = (pointer: string, rule: string, message: string): void => { out.push({ source: exchange.source, call, pointer, rule, message }) }

    const code = this.#envelope(exchange, add)
    if (code !== undefined) this.#httpStatus(exchange.response.status, code, add)

    if (name === undefined || OPERATIONS[name].method !== method) {
      const why = name === undefined ? `${url.pathname} is not a method of the API` : `${name} is called with ${OPERATIONS[name].method}`
      if (code !== undefined && code !== CODES.METHOD_NOT_FOUND) add('/response/body/status/code', 'method-not-found', `${why}: the answer must be ${CODES.METHOD_NOT_FOUND}, not ${code}`)
      if (code === CODES.METHOD_NOT_FOUND) this.#schema('error-response.json', exchange.response.body, '/response/body', 'response-schema', add)
      return out
    }

    const part = OPERATIONS[name].part === 'querystring' ? '/request/query' : '/request/body'
    const params = this.#params(exchange, url, name)
    const token = isObject(params) ? params.token : undefined
    const organisation = name === 'authentication/token'
      ? (isObject(params) && typeof params.organisation === 'string' ? params.organisation.toUpperCase() : '')
      : (typeof token === 'string' ? this.#tokens.get(token)?.organisation ?? '' : '')

    if (code === 'OK') this.#okResponse(name, params, exchange.response.body as Json, add)
    else if (code !== undefined) this.#schema('error-response.json', exchange.response.body, '/response/body', 'response-schema', add)

    const expected = this.#expected(name, params, part)
    if (code !== undefined) this.#compare(expected, code, add)
    if (code === 'OK' && expected === undefined && isObject(params)) this.#state(name, params, (exchange.response.body as Json).data, organisation, exchange.source, part, add)
    return out
  }

  /** The envelope: `{ data, status: { code, description, message } }`. Returns the status code when there is one. */
  #envelope (exchange: Exchange, add: (p: string, r: string, m: string) => void): string | undefined {
    const body = exchange.response.body
    if (!isObject(body)) {
      add('/response/body', 'envelope', `the answer must be a JSON object {"data", "status"}, not ${typeof body === 'string' ? `the text ${JSON.stringify(body.slice(0, 80))}` : JSON.stringify(body)}`)
      return undefined
    }
    if (!('data' in body)) add('/response/body/data', 'envelope', 'the envelope has no "data"')
    for (const key of Object.keys(body)) if (key !== 'data' && key !== 'status') add(`/response/body/${escape(key)}`, 'envelope', `the envelope has an extra member "${key}"`)
    if (!isObject(body.status)) { add('/response/body/status', 'envelope', 'the envelope has no "status" object'); return undefined }
    this.#schema('status.json', body.status, '/response/body/status', 'envelope', add)
    return typeof body.status.code === 'string' ? body.status.code : undefined
  }

  #httpStatus (status: number, code: string, add: (p: string, r: string, m: string) => void): void {
    const expected = code === 'OK' || !this.#restStatus ? 200 : isCrmErrorCode(code) ? REST_STATUS[code] : undefined
    if (expected !== undefined && status !== expected) {
      add('/response/status', 'http-status', `HTTP ${status} with status.code ${code}: expected ${expected}${this.#restStatus ? ' (REST statuses)' : ' (the vendor answers every call with 200; use --rest-status if the server runs with it)'}`)
    }
  }

  #schema (id: string, value: unknown, base: string, rule: string, add: (p: string, r: string, m: string) => void, only?: (e: ErrorObject) => boolean): boolean {
    const validate = responseValidator(id)
    if (validate(value)) return true
    for (const e of validate.errors ?? []) {
      if (only !== undefined && !only(e)) continue
      if (e.keyword === 'if' || e.keyword === 'allOf') continue
      add(pointerOf(base, e), rule, `${e.message ?? 'is not valid'} (${id}${e.schemaPath.startsWith('#') ? e.schemaPath : ` ${e.schemaPath}`})`)
    }
    return false
  }

  /** The parameters as the server reads them: the JSON body, or the query string with identifiers parsed. */
  #params (exchange: Exchange, url: URL, name: OperationName): unknown {
    if (OPERATIONS[name].part === 'body') return exchange.request.body === undefined ? {} : structuredClone(exchange.request.body)
    const query: Json = {}
    for (const key of new Set(url.searchParams.keys())) {
      const values = url.searchParams.getAll(key)
      query[key] = queryValue(key, values.length === 1 ? values[0] : values)
    }
    return query
  }

  /** The error the request itself calls for, in the server's order: body shape, token, release and strict gates, schema. */
  #expected (name: OperationName, params: unknown, part: string): Expected | undefined {
    // The body is read (and refused) before the token is looked at.
    if (!isObject(params)) {
      const what = typeof params === 'string' ? 'is not valid JSON' : 'must be a JSON object'
      return { code: CODES.INVALID_PARAMETER_VALUE, pointer: part, message: `the request body ${what}`, tokenFirst: false }
    }
    const op = OPERATIONS[name]
    if (op.authenticated) {
      const token = params.token
      if (typeof token !== 'string' || token === '') return { code: CODES.INVALID_TOKEN, pointer: `${part}/token`, message: 'the token is missing or not a string', tokenFirst: false }
      const released = this.#tokens.get(token)?.releasedAt
      if (released !== undefined) return { code: CODES.INVALID_TOKEN, pointer: `${part}/token`, message: `the token was released (${released})`, tokenFirst: false }
    }
    const known = parametersOf(name)
    const unknown: string[] = []
    for (const key of Object.keys(params)) {
      const from = known.get(key)
      if (from === undefined) unknown.push(key)
      else if (!hasArrived(this.#release, from)) {
        if (this.#strict) return { code: CODES.PARAMETER_NOT_AVAILABLE_IN_RELEASE, pointer: `${part}/${escape(key)}`, message: `${key} arrived in ${from}, after ${this.#release.label}`, tokenFirst: true }
        delete params[key]
      }
    }
    if (this.#strict && unknown.length > 0) return { code: CODES.INVALID_PARAMETER_VALUE, pointer: `${part}/${escape(unknown[0]!)}`, message: `${unknown.join(', ')} ${unknown.length === 1 ? 'is not a parameter' : 'are not parameters'} of ${name} (strict)`, tokenFirst: true }
    const validate = validatorFor(op.request)
    if (validate(params)) return undefined
    const error = toCrmError(validate.errors, op.part === 'body' ? 'the request body' : 'the query string')
    const first = validate.errors?.[0]
    const pointer = first === undefined ? part : (first.keyword === 'anyOf' || first.keyword === 'oneOf') && first.instancePath === '' ? part : pointerOf(part, first)
    return { code: error.code, pointer, message: error.message, tokenFirst: true }
  }

  #compare (expected: Expected | undefined, code: string, add: (p: string, r: string, m: string) => void): void {
    if (expected === undefined) {
      // The request passes every request rule, so it cannot be refused by one.
      const requestRule: string[] = [CODES.MANDATORY_PARAMETER, CODES.SEMI_OPTIONAL, CODES.PARAMETER_NOT_AVAILABLE_IN_RELEASE]
      if (requestRule.includes(code)) add('/response/body/status/code', 'error-code', `the request passes every parameter rule of its schema${code === CODES.PARAMETER_NOT_AVAILABLE_IN_RELEASE ? ` for ${this.#release.label}` : ''}, yet was answered ${code}`)
      return
    }
    if (code === 'OK') { add(expected.pointer, 'request-rule', `${expected.message}: the answer must be ${expected.code}, not OK`); return }
    // The token is checked before the parameters, so a bad token may be what the server saw first.
    if (code !== expected.code && !(expected.tokenFirst && code === CODES.INVALID_TOKEN)) {
      add('/response/body/status/code', 'error-code', `expected ${expected.code} (${expected.message} at ${expected.pointer}), got ${code}`)
    }
  }

  /** An OK answer: its method's schema, complete events unless fields_set, only the fields asked for. */
  #okResponse (name: OperationName, params: unknown, body: Json, add: (p: string, r: string, m: string) => void): void {
    const op = OPERATIONS[name]
    this.#schema(op.response, body, '/response/body', 'response-schema', add)
    if (!EVENT_METHODS.has(name)) return
    const fieldsSet = isObject(params) && typeof params.fields_set === 'string' && params.fields_set.trim() !== ''
      ? parseFieldsSet(params.fields_set)
      : undefined
    const events: Array<[unknown, string]> = Array.isArray(body.data) ? body.data.map((e, i) => [e, `/response/body/data/${i}`]) : [[body.data, '/response/body/data']]
    for (const [event, pointer] of events) {
      if (!isObject(event)) continue
      if (fieldsSet === undefined) {
        this.#schema('financial-achievement-event-complete.json', event, pointer, 'complete-event', add, e => e.keyword === 'required' && e.instancePath === '')
      } else {
        for (const key of Object.keys(event)) if (!fieldsSet.includes(key)) add(`${pointer}/${escape(key)}`, 'fields-set', `"${key}" was not asked for in fields_set (${fieldsSet.join(',')})`)
        for (const key of fieldsSet) if (!(key in event)) add(`${pointer}/${escape(key)}`, 'fields-set', `"${key}" was asked for in fields_set but is missing`)
      }
    }
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
  #observe (organisation: string, event: Json, pointer: string, source: string, add: (p: string, r: string, m: string) => void): EventState | undefined {
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
  #state (name: OperationName, params: Json, data: unknown, organisation: string, source: string, part: string, add: (p: string, r: string, m: string) => void): void {
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
  #identifies (identifier: Json, data: Json, pointer: string, add: (p: string, r: string, m: string) => void): void {
    for (const field of ['id', 'number']) {
      if (typeof identifier[field] === 'string' && typeof data[field] === 'string' && identifier[field] !== data[field]) {
        add(`/response/body/data/${field}`, 'identifies', `the request names ${field} ${String(identifier[field])} (${pointer}), the answer is event ${field} ${String(data[field])}`)
      }
    }
  }

  /** create answers the event it was asked to make: texts, numbers, date and named records as sent. */
  #echo (params: Json, data: Json, add: (p: string, r: string, m: string) => void): void {
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
