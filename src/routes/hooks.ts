/** Request hooks shared by the method routes: body shape, query identifiers, the token. */
import type { FastifyRequest } from 'fastify'
import { InvalidParameterValueError, describe } from '../errors.js'

/** A POST body must be a JSON object (a missing body counts as empty). */
export async function requireObjectBody (request: FastifyRequest): Promise<void> {
  if (request.body === undefined || request.body === null) { request.body = {}; return }
  if (typeof request.body !== 'object' || Array.isArray(request.body)) {
    throw describe(new InvalidParameterValueError('request body', 'must be a JSON object'), `Got ${Array.isArray(request.body) ? 'an array' : typeof request.body}`)
  }
}

/**
 * Query-string identifiers arrive as text: `customer_event_identifier=number=92` (the
 * vendor's form) or `customer_event_identifier={"number":"92"}`. Both become objects here;
 * anything else is left as text for the schema to refuse.
 */
export async function parseQueryIdentifiers (request: FastifyRequest): Promise<void> {
  const query = request.query as Record<string, unknown>
  for (const [key, value] of Object.entries(query)) {
    if (!key.endsWith('_identifier') || typeof value !== 'string') continue
    const text = value.trim()
    if (text.startsWith('{')) {
      try { query[key] = JSON.parse(text) } catch { /* left as text: the schema names the parameter */ }
      continue
    }
    const at = text.indexOf('=')
    // Object.fromEntries defines own properties, so a "__proto__" field is just an unknown field.
    if (at > 0) query[key] = Object.fromEntries([[text.slice(0, at), text.slice(at + 1)]])
  }
}

/** Where a request's parameters are. */
export function paramsOf (request: FastifyRequest): Record<string, unknown> {
  return (request.method === 'GET' ? request.query : request.body) as Record<string, unknown>
}

/** Checks the token (query for GET, body for POST) and records the session on the request. */
export async function authenticate (request: FastifyRequest): Promise<void> {
  request.crmSession = request.server.crm.sessions.authenticate(paramsOf(request).token)
}
