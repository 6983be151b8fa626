/** Request hooks shared by the method routes: body shape, query identifiers, the token. */
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { crmError, InvalidParameterValueError, describe } from '../errors.js'
import { operationOf } from '../operations.js'
import type { Tenant } from '../tenants.js'

/** A POST body must be a JSON object (a missing body counts as empty; a JSON `null` is not an object). */
export async function requireObjectBody (request: FastifyRequest): Promise<void> {
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
export async function parseQueryIdentifiers (request: FastifyRequest): Promise<void> {
  const query = request.query as Record<string, unknown>
  for (const [key, value] of Object.entries(query)) query[key] = queryValue(key, value)
}

/** One query parameter as the server reads it (`crmcom-mock verify` reads recorded queries the same way). */
export function queryValue (key: string, value: unknown): unknown {
  if (!key.endsWith('_identifier') || typeof value !== 'string') return value
  const text = value.trim()
  if (text.startsWith('{')) {
    try { return JSON.parse(text) } catch { return value /* left as text: the schema names the parameter */ }
  }
  const at = text.indexOf('=')
  // Object.fromEntries defines own properties, so a "__proto__" field is just an unknown field.
  return at > 0 ? Object.fromEntries([[text.slice(0, at), text.slice(at + 1)]]) : value
}

/** Where a request's parameters are. */
export function paramsOf (request: FastifyRequest): Record<string, unknown> {
  return (request.method === 'GET' ? request.query : request.body) as Record<string, unknown>
}

/** Checks the token (query for GET, body for POST); records the session and its tenant on the request. */
export async function authenticate (request: FastifyRequest): Promise<void> {
  const { sessions, tenants } = request.server.crm
  const session = sessions.authenticate(paramsOf(request).token)
  request.crmSession = session
  request.tenant = await tenants.get(session.organisation)
}

/** Login works on the tenant of the organisation it names. */
export async function loginTenant (request: FastifyRequest): Promise<void> {
  const organisation = (request.body as { organisation?: unknown }).organisation
  request.tenant = await request.server.crm.tenants.get(typeof organisation === 'string' ? organisation : undefined)
}

/**
 * Applies an injected fault, if one is pending for this operation: a delay, a vendor
 * error, or a destroyed connection (recorded in the journal as DROPPED).
 */
export async function applyFaults (request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const tenant = request.tenant
  const operation = operationOf(request.url.split('?')[0] ?? '')
  const fault = tenant === null || operation === undefined ? undefined : tenant.faults.take(operation)
  if (fault === undefined) return
  if (fault.delayMs !== undefined && fault.delayMs > 0) await sleep(fault.delayMs)
  if (fault.drop === true) {
    recordCall(request, tenant!, 'DROPPED', {})
    request.tenant = null
    reply.hijack()
    request.raw.socket?.destroy()
    reply.raw.destroy()
    return
  }
  if (fault.error !== undefined) throw crmError(fault.error, `Injected fault: ${operation} answers ${fault.error}`, 'A test injected this failure with faults.inject')
}

/** Journals one call of a tenant: its operation, the parameters given (redacted) and the vendor code answered. */
export function recordCall (request: FastifyRequest, tenant: Tenant, code: string, params: Record<string, unknown>): void {
  const path = request.url.split('?')[0] ?? ''
  tenant.journal.record({
    operation: operationOf(path) ?? path,
    method: request.method,
    path,
    params,
    code,
    at: request.server.crm.clock.now().toISOString(),
    ...(tenant.organisation === undefined ? {} : { organisation: tenant.organisation })
  })
}
