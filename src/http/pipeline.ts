/**
 * What every vendor method does before its schema sees the request, in the vendor's order:
 * the body must be an object, the token is checked (login instead picks its tenant), an
 * injected fault applies, query identifiers become objects, and parameters are gated by
 * release. It runs as one synchronous hook per route (a promise only when a tenant must be
 * opened or a fault delays), because each async hook costs every request a promise and a
 * turn of the microtask queue.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import { crmError, InvalidParameterValueError, describe } from '../contract/errors.js'
import type { MockContext } from './context.js'
import { BASE_PATH, OPERATIONS, operationOf, type OperationName } from '../contract/operations.js'
import { schemas } from '../contract/schemas.js'
import { queryValue } from '../contract/query.js'
import type { Tenant } from '../controls/tenants.js'
import { deprecationHeaders, parameterGate } from './release-gate.js'

/** The journal's code for a call whose connection a fault destroyed. */
export const DROPPED = 'DROPPED'

/** The operation of a request: set when its route's hook ran, else (unknown routes, say) read from its path. */
export function operationOfRequest (request: FastifyRequest): OperationName | undefined {
  return request.crmOperation ?? operationOf(pathOf(request))
}

/** The URL path of a request, without the query string. */
export function pathOf (request: FastifyRequest): string {
  const url = request.url
  const q = url.indexOf('?')
  return q < 0 ? url : url.slice(0, q)
}

/** A POST body must be a JSON object (a missing body counts as empty; a JSON `null` is not an object). */
export function requireObjectBody (request: FastifyRequest): void {
  if (request.body === undefined) { request.body = {}; return }
  if (request.body === null || typeof request.body !== 'object' || Array.isArray(request.body)) {
    throw describe(new InvalidParameterValueError('request body', 'must be a JSON object'), `Got ${request.body === null ? 'null' : Array.isArray(request.body) ? 'an array' : typeof request.body}`)
  }
}

/**
 * Query-string identifiers arrive as text: `customer_event_identifier=number=92` (the
 * vendor's form) or `customer_event_identifier={"number":"92"}`. Both become objects here;
 * anything else is left as text for the schema to refuse.
 */
export function parseQueryIdentifiers (request: FastifyRequest): void {
  const query = request.query as Record<string, unknown>
  for (const key in query) {
    if (Object.hasOwn(query, key)) query[key] = queryValue(key, query[key])
  }
}

/** Where a request's parameters are: the body of a POST, the query string of a GET (and of a HEAD, which answers as GET does). */
export function paramsOf (request: FastifyRequest): Record<string, unknown> {
  return (request.method === 'POST' ? request.body : request.query) as Record<string, unknown>
}

/** The parameters as the client sent them, for the request log: kept aside before anything below drops one. */
export function sentParamsOf (request: FastifyRequest): Record<string, unknown> {
  return request.crmSentParams ?? paramsOf(request)
}

/**
 * `null` for an optional or semi-optional parameter means it was not given: clients that
 * serialise every field (Jackson by default, many generated ones) send null for what they
 * leave out. Dropped here, before the semi-optional and release rules see the parameters; a
 * mandatory parameter sent as null is left for its schema to refuse.
 */
function dropNulls (request: FastifyRequest, params: Record<string, unknown>, mandatory: ReadonlySet<string>): void {
  for (const key in params) {
    if (Object.hasOwn(params, key) && params[key] === null && !mandatory.has(key)) {
      request.crmSentParams ??= { ...params }
      delete params[key]
    }
  }
}

/** Sets the request's tenant: at once when it is open (always, but for a first login), else once it opens. */
function useTenant (request: FastifyRequest, organisation: string | undefined): Promise<void> | undefined {
  const tenants = request.server.crm.tenants
  const open = tenants.opened(organisation)
  if (open !== undefined) { request.tenant = open; return undefined }
  return tenants.get(organisation).then(tenant => { request.tenant = tenant })
}

/** Checks the token (query for GET, body for POST); records the session and its tenant on the request. */
function authenticate (request: FastifyRequest): Promise<void> | undefined {
  const session = request.server.crm.sessions.authenticate(paramsOf(request).token)
  request.crmSession = session
  return useTenant(request, session.organisation)
}

/**
 * Login works on the tenant of the organisation it names. Per organisation, an organisation
 * not made yet is not made here: only a login that succeeds makes it (the login route), so
 * failed logins cannot fill the disk or the memory one name at a time.
 */
function loginTenant (request: FastifyRequest): Promise<void> | undefined {
  const body = request.body as { organisation?: unknown }
  const organisation = typeof body.organisation === 'string' ? body.organisation : undefined
  const tenants = request.server.crm.tenants
  if (tenants.mode === 'per-organisation' && tenants.existing(organisation) === undefined) return undefined
  return useTenant(request, organisation)
}

/**
 * Applies an injected fault, if one is pending for this operation: a delay, a vendor
 * error, or a destroyed connection (recorded in the journal as DROPPED). Returns false
 * when the connection was dropped (nothing more may run).
 */
async function applyFault (request: FastifyRequest, reply: FastifyReply, operation: OperationName, fault: NonNullable<ReturnType<Tenant['faults']['take']>>): Promise<boolean> {
  if (fault.delayMs !== undefined && fault.delayMs > 0) await sleep(fault.delayMs)
  if (fault.drop === true) {
    recordCall(request, request.tenant!, DROPPED, {})
    reply.crmCode = DROPPED
    reply.hijack()
    request.raw.socket?.destroy()
    reply.raw.destroy()
    return false
  }
  if (fault.error !== undefined) throw crmError(fault.error, `Injected fault: ${operation} answers ${fault.error}`, 'A test injected this failure with faults.inject')
  return true
}

/** The preValidation hook of a vendor method (see the top of this file). */
export function prepare (ctx: MockContext, operation: OperationName): (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void {
  const op = OPERATIONS[operation]
  const isLogin = !op.authenticated
  const gate = parameterGate(ctx, operation)
  const mandatory = new Set((schemas[op.request]!.required ?? []) as string[])
  const rest = (request: FastifyRequest, reply: FastifyReply): Promise<void> | undefined => {
    const fault = request.tenant?.faults.take(operation)
    if (fault !== undefined) {
      return applyFault(request, reply, operation, fault).then(go => { if (go) after(request) })
    }
    after(request)
    return undefined
  }
  const after = (request: FastifyRequest): void => {
    if (op.method === 'GET') parseQueryIdentifiers(request)
    const params = paramsOf(request)
    dropNulls(request, params, mandatory)
    // The gate drops parameters the emulated release does not have; the log keeps them as sent.
    gate?.(params, () => { request.crmSentParams ??= { ...params } })
  }
  return function prepareRequest (request, reply, done) {
    request.crmOperation = operation
    let pending: Promise<void> | undefined
    try {
      if (op.method === 'POST') requireObjectBody(request)
      const tenant = isLogin ? loginTenant(request) : authenticate(request)
      pending = tenant === undefined ? rest(request, reply) : tenant.then(() => rest(request, reply))
    } catch (err) {
      done(err as Error)
      return
    }
    if (pending === undefined) done()
    else pending.then(() => { done() }, (err: Error) => { done(err) })
  }
}

/** A vendor method's route options: its request and response schemas, {@link prepare}, and the deprecation headers when the release has them. */
export function routeOptions (ctx: MockContext, operation: OperationName): object {
  const op = OPERATIONS[operation]
  const onSend = deprecationHeaders(ctx, operation)
  return {
    schema: { [op.part]: schemas[op.request], response: { 200: schemas[op.response] } },
    preValidation: prepare(ctx, operation),
    ...(onSend === undefined ? {} : { onSend })
  }
}

const OPERATION_PATHS = new Map(Object.keys(OPERATIONS).map(name => [name, `${BASE_PATH}${name}`]))

/**
 * The path a call is journaled under: its operation's own path (one shared string) when it
 * was called by exactly that path, as it almost always is; else the path as sent. A slice
 * of the URL would keep the whole URL, token included, alive as long as the journal entry.
 */
function journalPath (request: FastifyRequest): string {
  const own = request.crmOperation === null ? undefined : OPERATION_PATHS.get(request.crmOperation)
  const url = request.url
  if (own !== undefined && url.startsWith(own) && (url.length === own.length || url.charCodeAt(own.length) === 63 /* ? */)) return own
  return pathOf(request)
}

/** Journals one call of a tenant: its operation, the parameters given and the vendor code answered. */
export function recordCall (request: FastifyRequest, tenant: Tenant, code: string, params: Record<string, unknown>): void {
  const path = journalPath(request)
  // A body of unknown length (chunked) counts as large: it is redacted at once.
  const length = request.method === 'POST' ? Number(request.headers['content-length'] ?? Infinity) : 0
  tenant.requestLog.recordCall(operationOfRequest(request) ?? path, request.method, path, params, length, code, request.server.crm.clock.nowMs(), tenant.organisation)
}
