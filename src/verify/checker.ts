/**
 * Checks recorded calls against the contract, one call at a time: the envelope, the HTTP
 * status, the answer's schema and the error the request itself calls for. What the calls so
 * far have shown, and the rules that span a sequence, are kept by `sequence-rules.ts`.
 * The request rules are the server's own: the same schemas, the same ajv and the same
 * error mapper, so an expected code here is the code the mock would answer.
 */
import { CODES, REST_STATUS, isCrmErrorCode, type CrmErrorCode } from '../contract/errors.js'
import { parseFieldsSet } from '../contract/fields-set.js'
import { BASE_PATH, OPERATIONS, operationOf, type OperationName } from '../contract/operations.js'
import { DEFAULT_RELEASE, hasArrived, parametersOf, parseRelease, type Release } from '../contract/releases.js'
import { queryValue } from '../contract/query.js'
import { validatorFor } from '../contract/schemas.js'
import { toCrmError } from '../contract/validation.js'
import { checkSchema, escape, isObject, pointerOf, type Json, type Report } from './check-helpers.js'
import { SequenceRules } from './sequence-rules.js'
import { markerOf, type Exchange } from './traffic.js'

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
  /**
   * Apply the rules that span calls (numbers rise, a cancelled event stays cancelled, ...):
   * true by default. Off for recordings of a suite that reset the mock between tests without
   * a reset marker in the recording (a browser's HAR, say).
   */
  spanning?: boolean
}

/** The methods whose answers are events. */
const EVENT_METHODS = new Set((Object.keys(OPERATIONS) as OperationName[]).filter(name => name.startsWith('customer_events/financial_achievements/')))

interface Expected { code: CrmErrorCode, pointer: string, message: string, tokenFirst: boolean }

/**
 * Checks calls against the contract: the envelope, the HTTP status, the answer's schema by
 * `status.code`, the request's parameter rules, and the rules across calls (tokens, event
 * states, numbering). One checker per sequence of calls, fed in the order they were made.
 */
export class ContractChecker {
  readonly #release: Release
  readonly #strict: boolean
  readonly #restStatus: boolean
  readonly #sequence: SequenceRules

  constructor (options: CheckOptions = {}) {
    this.#release = typeof options.release === 'object' ? options.release : parseRelease(options.release ?? DEFAULT_RELEASE)
    this.#strict = options.strict ?? false
    this.#restStatus = options.restStatus ?? false
    this.#sequence = new SequenceRules({ spanning: options.spanning ?? true })
  }

  /** Every mismatch of one call; the calls must be checked in the order they were made. */
  check (exchange: Exchange): Mismatch[] {
    // A reset or restore: what earlier calls showed about events no longer holds.
    if (markerOf(exchange) !== undefined) { this.#sequence.newState(); return [] }
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
      if (code === CODES.METHOD_NOT_FOUND) checkSchema('error-response.json', exchange.response.body, '/response/body', 'response-schema', add)
      return out
    }

    const part = OPERATIONS[name].part === 'querystring' ? '/request/query' : '/request/body'
    const params = this.#params(exchange, url, name)
    const token = isObject(params) ? params.token : undefined
    const organisation = name === 'authentication/token'
      ? (isObject(params) && typeof params.organisation === 'string' ? params.organisation.toUpperCase() : '')
      : (typeof token === 'string' ? this.#sequence.token(token)?.organisation ?? '' : '')

    if (code === 'OK') this.#okResponse(name, params, exchange.response.body as Json, add)
    else if (code !== undefined) checkSchema('error-response.json', exchange.response.body, '/response/body', 'response-schema', add)

    const expected = this.#expected(name, params, part)
    if (code !== undefined) this.#compare(expected, code, add)
    if (code === 'OK' && expected === undefined && isObject(params)) this.#sequence.record(name, params, (exchange.response.body as Json).data, organisation, exchange.source, part, add)
    return out
  }

  /** The envelope: `{ data, status: { code, description, message } }`. Returns the status code when there is one. */
  #envelope (exchange: Exchange, add: Report): string | undefined {
    const body = exchange.response.body
    if (!isObject(body)) {
      add('/response/body', 'envelope', `the answer must be a JSON object {"data", "status"}, not ${typeof body === 'string' ? `the text ${JSON.stringify(body.slice(0, 80))}` : JSON.stringify(body)}`)
      return undefined
    }
    if (!('data' in body)) add('/response/body/data', 'envelope', 'the envelope has no "data"')
    for (const key of Object.keys(body)) if (key !== 'data' && key !== 'status') add(`/response/body/${escape(key)}`, 'envelope', `the envelope has an extra member "${key}"`)
    if (!isObject(body.status)) { add('/response/body/status', 'envelope', 'the envelope has no "status" object'); return undefined }
    checkSchema('status.json', body.status, '/response/body/status', 'envelope', add)
    return typeof body.status.code === 'string' ? body.status.code : undefined
  }

  #httpStatus (status: number, code: string, add: Report): void {
    const expected = code === 'OK' || !this.#restStatus ? 200 : isCrmErrorCode(code) ? REST_STATUS[code] : undefined
    if (expected !== undefined && status !== expected) {
      add('/response/status', 'http-status', `HTTP ${status} with status.code ${code}: expected ${expected}${this.#restStatus ? ' (REST statuses)' : ' (the vendor answers every call with 200; use --rest-status if the server runs with it)'}`)
    }
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
      const released = this.#sequence.token(token)?.releasedAt
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

  #compare (expected: Expected | undefined, code: string, add: Report): void {
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
  #okResponse (name: OperationName, params: unknown, body: Json, add: Report): void {
    const op = OPERATIONS[name]
    checkSchema(op.response, body, '/response/body', 'response-schema', add)
    if (!EVENT_METHODS.has(name)) return
    const fieldsSet = isObject(params) && typeof params.fields_set === 'string' && params.fields_set.trim() !== ''
      ? parseFieldsSet(params.fields_set)
      : undefined
    const events: Array<[unknown, string]> = Array.isArray(body.data) ? body.data.map((e, i) => [e, `/response/body/data/${i}`]) : [[body.data, '/response/body/data']]
    for (const [event, pointer] of events) {
      if (!isObject(event)) continue
      if (fieldsSet === undefined) {
        checkSchema('financial-achievement-event-complete.json', event, pointer, 'complete-event', add, e => e.keyword === 'required' && e.instancePath === '')
      } else {
        for (const key of Object.keys(event)) if (!fieldsSet.includes(key)) add(`${pointer}/${escape(key)}`, 'fields-set', `"${key}" was not asked for in fields_set (${fieldsSet.join(',')})`)
        for (const key of fieldsSet) if (!(key in event)) add(`${pointer}/${escape(key)}`, 'fields-set', `"${key}" was asked for in fields_set but is missing`)
      }
    }
  }
}
