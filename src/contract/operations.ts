/**
 * The vendor methods the mock answers, by method path. The same names are used for the
 * routes, the request journal and fault injection.
 */
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
}

/** The six methods by method path: HTTP method, where parameters go, request and response schema ids. */
export const OPERATIONS = {
  'authentication/token': { method: 'POST', part: 'body', request: 'authentication-token-request.json', response: 'authentication-token-response.json', authenticated: false },
  'authentication/token/release': { method: 'POST', part: 'body', request: 'authentication-token-release-request.json', response: 'authentication-token-release-response.json', authenticated: true },
  'customer_events/financial_achievements/show': { method: 'GET', part: 'querystring', request: 'financial-achievements-show-request.json', response: 'financial-achievements-show-response.json', authenticated: true },
  'customer_events/financial_achievements/list': { method: 'POST', part: 'body', request: 'financial-achievements-list-request.json', response: 'financial-achievements-list-response.json', authenticated: true },
  'customer_events/financial_achievements/create': { method: 'POST', part: 'body', request: 'financial-achievements-create-request.json', response: 'financial-achievements-create-response.json', authenticated: true },
  'customer_events/financial_achievements/cancel': { method: 'POST', part: 'body', request: 'financial-achievements-cancel-request.json', response: 'financial-achievements-cancel-response.json', authenticated: true }
} as const satisfies Record<string, Operation>

/** A method path such as `customer_events/financial_achievements/create`. */
export type OperationName = keyof typeof OPERATIONS

/** The operation a URL path names, if any (`/crmapi/rest/v2/authentication/token` → `authentication/token`). */
export function operationOf (path: string): OperationName | undefined {
  if (!path.startsWith(BASE_PATH)) return undefined
  const name = path.slice(BASE_PATH.length).replace(/\/+$/, '')
  return Object.hasOwn(OPERATIONS, name) ? name as OperationName : undefined
}
