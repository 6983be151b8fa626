/**
 * The vendor methods the mock answers, by method path, each stated once: its HTTP method,
 * where its parameters go, its request and answer schemas, and the errors its rules on stored
 * records can raise (which no request schema shows). The same names are used for the routes,
 * the request log, fault injection, the OpenAPI document and `verify`.
 */
import type { CrmErrorName } from './errors.js'

/** Where every vendor method lives. */
export const BASE_PATH = '/crmapi/rest/v2/'

export interface Operation {
  readonly method: 'GET' | 'POST'
  /** Where the parameters are: the query string (GET) or the JSON body (POST). */
  readonly part: 'querystring' | 'body'
  readonly request: string
  readonly response: string
  /** False only for login, which is how a token is obtained. */
  readonly authenticated: boolean
  /** The errors of rules on stored records (an event's type or state, what an account allows). */
  readonly recordErrors: readonly CrmErrorName[]
}

/** The six methods by method path. */
export const OPERATIONS = {
  'authentication/token': { method: 'POST', part: 'body', request: 'authentication-token-request.json', response: 'authentication-token-response.json', authenticated: false, recordErrors: [] },
  'authentication/token/release': { method: 'POST', part: 'body', request: 'authentication-token-release-request.json', response: 'authentication-token-release-response.json', authenticated: true, recordErrors: [] },
  'customer_events/financial_achievements/show': { method: 'GET', part: 'querystring', request: 'financial-achievements-show-request.json', response: 'financial-achievements-show-response.json', authenticated: true, recordErrors: ['INVALID_CUSTOMER_EVENT_TYPE'] },
  'customer_events/financial_achievements/list': { method: 'POST', part: 'body', request: 'financial-achievements-list-request.json', response: 'financial-achievements-list-response.json', authenticated: true, recordErrors: ['INVALID_CUSTOMER_EVENT_TYPE'] },
  'customer_events/financial_achievements/create': { method: 'POST', part: 'body', request: 'financial-achievements-create-request.json', response: 'financial-achievements-create-response.json', authenticated: true, recordErrors: ['INVALID_CUSTOMER_EVENT_TYPE', 'PAYMENT_MEDIUM_NOT_ALLOWED'] },
  'customer_events/financial_achievements/cancel': { method: 'POST', part: 'body', request: 'financial-achievements-cancel-request.json', response: 'financial-achievements-cancel-response.json', authenticated: true, recordErrors: ['INVALID_CUSTOMER_EVENT_TYPE', 'INVALID_LIFE_CYCLE_STATE_TRANSITION'] }
} as const satisfies Record<string, Operation>

/**
 * The admin calls that replace a tenant's whole state: after one, what earlier calls showed
 * no longer holds. The request log marks them, and verify starts its rules that span calls
 * afresh at them.
 */
export const STATE_MARKERS = {
  reset: { method: 'POST', path: '/__admin/reset' },
  restore: { method: 'PUT', path: '/__admin/snapshot' }
} as const

/** A method path such as `customer_events/financial_achievements/create`. */
export type OperationName = keyof typeof OPERATIONS

/** The operation a URL path names, if any (`/crmapi/rest/v2/authentication/token` → `authentication/token`). */
export function operationOf (path: string): OperationName | undefined {
  if (!path.startsWith(BASE_PATH)) return undefined
  const name = path.slice(BASE_PATH.length).replace(/\/+$/, '')
  return Object.hasOwn(OPERATIONS, name) ? name as OperationName : undefined
}
