/**
 * A scenario suite run against a live server (the real CRM.COM, or this mock): it logs in,
 * creates one financial achievement event, shows, lists and cancels it, then provokes one
 * error of each request rule, and checks every answer with the same {@link ContractChecker}
 * as recorded traffic, plus what each step expects. It writes to the target: one event is
 * created and cancelled, so point it at a test organisation.
 */
import { CODES, type CrmErrorCode } from '../contract/errors.js'
import { BASE_PATH, type OperationName } from '../contract/operations.js'
import { DEFAULT_RELEASE, hasArrived, parametersOf, parseRelease } from '../contract/releases.js'
import { ContractChecker, type CheckOptions, type Mismatch } from './checker.js'
import type { Exchange } from './traffic.js'

export interface ScenarioOptions extends CheckOptions {
  /** The server's root (`http://127.0.0.1:8080`); `/crmapi/rest/v2/` is appended unless already there. */
  target: string
  username: string
  password: string
  organisation: string
  /** Reference data the scenario names; the defaults are the vendor's example data, which the mock's fixtures hold. */
  accountsReceivable?: string
  classification?: string
  unit?: string
  /** Per-call timeout in milliseconds (default 30 s). */
  timeoutMs?: number
}

export interface ScenarioResult {
  /** Every call made, in order, as recorded traffic (`verify` can re-check them). */
  exchanges: Exchange[]
  mismatches: Mismatch[]
}

/** The target could not be reached at all. */
export class TargetUnreachableError extends Error {
  override name = 'TargetUnreachableError'
}

/** `http://host:8080` → `http://host:8080/crmapi/rest/v2/`; a URL already holding the base path is cut after it. */
export function apiBase (target: string): string {
  const url = new URL(target)
  const base = BASE_PATH.slice(0, -1)
  const path = url.pathname.replace(/\/+$/, '')
  url.pathname = (path.includes(base) ? path.slice(0, path.indexOf(base)) : path) + BASE_PATH
  url.search = ''
  url.hash = ''
  return url.toString()
}

type Params = Record<string, unknown>
interface Step {
  title: string
  /** An operation, or any path under the base (for the unknown-method step). */
  path: OperationName | string
  method: 'GET' | 'POST'
  params: Params
  expect: 'OK' | CrmErrorCode
  /** What else the answer must show; returns a problem, or undefined. */
  then?: (data: any) => string | undefined
}

async function send (base: string, step: Step, timeoutMs: number, source: string): Promise<Exchange> {
  const query = step.method === 'GET' ? `?${new URLSearchParams(Object.entries(step.params).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)])).toString()}` : ''
  const url = base + step.path + query
  let res: Response
  try {
    res = await fetch(url, {
      method: step.method,
      headers: { accept: 'application/json', ...(step.method === 'POST' ? { 'content-type': 'application/json' } : {}) },
      ...(step.method === 'POST' ? { body: JSON.stringify(step.params) } : {}),
      signal: AbortSignal.timeout(timeoutMs)
    })
  } catch (err) {
    throw new TargetUnreachableError(`${step.method} ${url}: ${(err as Error).message}${(err as { cause?: Error }).cause === undefined ? '' : ` (${(err as { cause: Error }).cause.message})`}`)
  }
  const text = await res.text()
  let body: unknown = text
  try { body = JSON.parse(text) } catch { /* kept as text: the checker reports it */ }
  return {
    request: { method: step.method, url, ...(step.method === 'POST' ? { body: step.params } : {}) },
    response: { status: res.status, body, headers: Object.fromEntries(res.headers.entries()) },
    source
  }
}

/** Runs the scenario; resolves with every call and every mismatch (rejects only when the target cannot be reached). */
export async function runScenario (options: ScenarioOptions): Promise<ScenarioResult> {
  const base = apiBase(options.target)
  const release = typeof options.release === 'object' ? options.release : parseRelease(options.release ?? DEFAULT_RELEASE)
  const checker = new ContractChecker({ ...options, release })
  const has = (operation: OperationName, param: string): boolean => hasArrived(release, parametersOf(operation).get(param)!)
  const result: ScenarioResult = { exchanges: [], mismatches: [] }
  const account = { number: options.accountsReceivable ?? 'ACR0000000069' }
  const classification = { name: options.classification ?? 'Financial Achievement 1' }
  const unit = { name: options.unit ?? 'Admin Unit' }
  const credentials = { username: options.username, password: options.password, organisation: options.organisation }
  let stepNo = 0

  const run = async (step: Step): Promise<any> => {
    const source = `scenario step ${++stepNo} (${step.title})`
    const exchange = await send(base, step, options.timeoutMs ?? 30_000, source)
    result.exchanges.push(exchange)
    result.mismatches.push(...checker.check(exchange))
    const body = exchange.response.body as { data?: unknown, status?: { code?: unknown, message?: unknown } } | undefined
    const code = body?.status?.code
    const call = `${step.method} ${step.path}`
    if (code !== step.expect) {
      result.mismatches.push({ source, call, pointer: '/response/body/status/code', rule: 'scenario', message: `${step.title}: expected ${step.expect}, got ${String(code)}${typeof body?.status?.message === 'string' && body.status.message !== '' ? ` (${body.status.message})` : ''}` })
      return undefined
    }
    const problem = step.then?.(body?.data)
    if (problem !== undefined) result.mismatches.push({ source, call, pointer: '/response/body/data', rule: 'scenario', message: `${step.title}: ${problem}` })
    return body?.data ?? null
  }

  const FA = 'customer_events/financial_achievements/'
  await run({ title: 'login with a wrong password is refused', path: 'authentication/token', method: 'POST', params: { ...credentials, password: `${options.password}-wrong` }, expect: CODES.INVALID_CREDENTIALS })
  const login = await run({ title: 'login', path: 'authentication/token', method: 'POST', params: credentials, expect: 'OK' })
  const token = (login as { token?: unknown } | undefined)?.token
  if (typeof token !== 'string') return result

  const stamp = new Date().toISOString()
  const created = await run({
    title: 'create',
    path: `${FA}create`,
    method: 'POST',
    params: {
      token,
      accounts_receivable_identifier: account,
      classification_identifier: classification,
      performed_by_unit_identifier: unit,
      performed_on: '2016-10-07T15:00:00',
      description: `crmcom-mock verify scenario ${stamp}`,
      udf_string_1: 'crmcom-mock verify',
      ...(has(`${FA}create` as OperationName, 'amount') ? { amount: '12.50' } : {}),
      ...(has(`${FA}create` as OperationName, 'external_system_reference_number') ? { external_system_reference_number: `VERIFY-${stamp}` } : {})
    },
    expect: 'OK',
    then: data => data?.life_cycle_state === 'POSTED' ? undefined : `the new event is ${String(data?.life_cycle_state)}, not POSTED`
  })
  const number = (created as { number?: unknown } | undefined)?.number
  const id = (created as { id?: unknown } | undefined)?.id
  const event = typeof number === 'string' ? { number } : undefined
  const holds = (data: unknown): string | undefined => Array.isArray(data) && data.some(e => (e as { number?: unknown }).number === number) ? undefined : `the list does not hold the new event ${String(number)}`

  if (event !== undefined) {
    await run({ title: 'show by number (name=field=value)', path: `${FA}show`, method: 'GET', params: { token, customer_event_identifier: `number=${event.number}` }, expect: 'OK' })
    if (typeof id === 'string') {
      await run({ title: 'show by id (JSON form) with fields_set', path: `${FA}show`, method: 'GET', params: { token, customer_event_identifier: JSON.stringify({ id }), fields_set: 'number,life_cycle_state' }, expect: 'OK' })
    }
    await run({ title: 'list by accounts receivable and classification', path: `${FA}list`, method: 'POST', params: { token, accounts_receivable_identifier: account, classification_identifier: classification }, expect: 'OK', then: holds })
    if (has(`${FA}list` as OperationName, 'submitted_after_date')) {
      await run({ title: 'list submitted after a date', path: `${FA}list`, method: 'POST', params: { token, accounts_receivable_identifier: account, submitted_after_date: '2000-01-01T00:00:00' }, expect: 'OK', then: holds })
    }
    if (has(`${FA}list` as OperationName, 'number_of_results')) {
      await run({ title: 'list one page', path: `${FA}list`, method: 'POST', params: { token, accounts_receivable_identifier: account, number_of_results: 1, offset: 0 }, expect: 'OK' })
    }
    await run({ title: 'cancel', path: `${FA}cancel`, method: 'POST', params: { token, customer_event_identifier: event }, expect: 'OK' })
    await run({ title: 'cancel again is refused', path: `${FA}cancel`, method: 'POST', params: { token, customer_event_identifier: event }, expect: CODES.INVALID_LIFE_CYCLE_STATE_TRANSITION })
    await run({ title: 'show after cancel', path: `${FA}show`, method: 'GET', params: { token, customer_event_identifier: `number=${event.number}` }, expect: 'OK', then: data => data?.life_cycle_state === 'CANCELLED' ? undefined : `the event is ${String(data?.life_cycle_state)} after cancel` })
  }

  const minimal = { token, accounts_receivable_identifier: account, classification_identifier: classification, performed_by_unit_identifier: unit, performed_on: '2016-10-07T15:00:00' }
  await run({ title: 'show without customer_event_identifier', path: `${FA}show`, method: 'GET', params: { token }, expect: CODES.MANDATORY_PARAMETER })
  await run({ title: 'list without any semi-optional parameter', path: `${FA}list`, method: 'POST', params: { token }, expect: CODES.SEMI_OPTIONAL })
  await run({ title: 'create naming both an account and a participant', path: `${FA}create`, method: 'POST', params: { ...minimal, rewards_participant_identifier: { number: 'VERIFY-NO-SUCH-PARTICIPANT' } }, expect: CODES.SEMI_OPTIONAL })
  await run({ title: 'show an event that does not exist', path: `${FA}show`, method: 'GET', params: { token, customer_event_identifier: `id=${'0'.repeat(32)}` }, expect: CODES.ENTITY_NOT_FOUND })
  await run({ title: 'create with a malformed date', path: `${FA}create`, method: 'POST', params: { ...minimal, performed_on: 'yesterday' }, expect: CODES.INVALID_PARAMETER_VALUE })
  await run({ title: 'a token the server never issued', path: `${FA}list`, method: 'POST', params: { token: 'not-a-token', accounts_receivable_identifier: account }, expect: CODES.INVALID_TOKEN })
  await run({ title: 'a method that does not exist', path: `${FA}delete`, method: 'POST', params: { token }, expect: CODES.METHOD_NOT_FOUND })
  await run({ title: options.strict === true ? 'an unknown parameter is refused (strict)' : 'an unknown parameter is ignored', path: `${FA}list`, method: 'POST', params: { token, accounts_receivable_identifier: account, udf_float_5: 50 }, expect: options.strict === true ? CODES.INVALID_PARAMETER_VALUE : 'OK' })
  if (!has(`${FA}list` as OperationName, 'number_of_results')) {
    await run({ title: `number_of_results is newer than ${release.label}`, path: `${FA}list`, method: 'POST', params: { token, accounts_receivable_identifier: account, number_of_results: 1 }, expect: options.strict === true ? CODES.PARAMETER_NOT_AVAILABLE_IN_RELEASE : 'OK' })
  }
  await run({ title: 'logout', path: 'authentication/token/release', method: 'POST', params: { token }, expect: 'OK' })
  await run({ title: 'a released token is refused', path: `${FA}list`, method: 'POST', params: { token, accounts_receivable_identifier: account }, expect: CODES.INVALID_TOKEN })
  return result
}
