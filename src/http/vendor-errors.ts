/**
 * Every failure (validation, parsing, size, unknown path, bugs) becomes the vendor's
 * envelope; nothing else ever reaches the client.
 */
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify'
import {
  type CrmError, CODES, InvalidParameterValueError, MethodNotFoundError, RequestTooLargeError, UnexpectedError, describe, errorEnvelope, isCrmError
} from '../contract/errors.js'
import { BASE_PATH, OPERATIONS, operationOf } from '../contract/operations.js'
import { toCrmError } from '../contract/validation.js'
import { pathOf } from './pipeline.js'

export const DEFAULT_BODY_LIMIT = 1024 * 1024

export interface VendorErrorOptions {
  /** Answer errors with their REST status instead of the vendor's HTTP 200. */
  restStatus: boolean
  /** The body limit a too-large request is told about. */
  bodyLimit: number
}

// Framework and parser messages quote what was sent (a URL with its token, a body with its
// password), and clients log error envelopes: only these fixed texts, and a position, go out.
const positionIn = (message: string): string => { const m = /position (\d+)/.exec(message); return m === null ? '' : ` (at position ${m[1]!})` }

/** Maps any failure to the vendor error it means. Never echoes the request: see above. */
export function toVendorError (err: FastifyError | Error, bodyLimit: number): CrmError {
  if (isCrmError(err)) return err
  const e = err as FastifyError & { validation?: Parameters<typeof toCrmError>[0], validationContext?: string }
  if (e.validation !== undefined) return toCrmError(e.validation, e.validationContext === 'querystring' ? 'the query string' : 'the request body')
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return describe(new RequestTooLargeError(String(bodyLimit)), 'Send a smaller body')
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': return describe(new InvalidParameterValueError('request body', 'must be JSON sent with Content-Type: application/json'), 'Send the parameters as a JSON object')
    case 'FST_ERR_CTP_EMPTY_JSON_BODY': return describe(new InvalidParameterValueError('request body', 'must not be empty when Content-Type is application/json'), 'Send {} for no parameters')
    case 'FST_ERR_CTP_INVALID_JSON_BODY': return describe(new InvalidParameterValueError('request body', 'is not valid JSON'), `The body could not be parsed${positionIn(e.message)}`)
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH': return describe(new InvalidParameterValueError('request body', 'does not match its Content-Length'), 'Send the body with its own length')
    case 'FST_ERR_BAD_URL': return describe(new InvalidParameterValueError('URL', 'is not a valid URL'), 'The path could not be decoded (a malformed %-escape?)')
  }
  if (err instanceof SyntaxError || (e.statusCode === 400 && /JSON/i.test(e.message))) {
    return describe(new InvalidParameterValueError('request body', 'is not valid JSON'), `The body could not be parsed${positionIn(e.message)}`)
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return describe(new InvalidParameterValueError('request', 'could not be read'), `Refused by the HTTP layer (${typeof e.code === 'string' ? e.code : e.statusCode})`)
  }
  return describe(new UnexpectedError('the server failed; the failure is in its log') as CrmError, e.name)
}

/** Sends a vendor error, as a ready string so no route's response serializer touches it. */
export function sendError (reply: FastifyReply, error: CrmError, restStatus: boolean): FastifyReply {
  reply.crmCode = error.code
  return reply.code(restStatus ? error.statusCode : 200).type('application/json; charset=utf-8').send(JSON.stringify(errorEnvelope(error)))
}

/** The error and not-found handlers. Registered on the root instance (not encapsulated). */
export function vendorErrors (app: FastifyInstance, { restStatus, bodyLimit }: VendorErrorOptions): void {
  app.setErrorHandler((err, request, reply) => {
    const error = toVendorError(err instanceof Error ? err : new Error(String(err)), bodyLimit)
    if (error.code === CODES.UNEXPECTED) request.log.error({ err }, 'unexpected failure')
    return sendError(reply, error, restStatus)
  })

  app.setNotFoundHandler((request, reply) => {
    const path = pathOf(request)
    const name = operationOf(path)
    const error = name !== undefined
      ? describe(new MethodNotFoundError(`${request.method} ${name}`), `${name} is called with ${OPERATIONS[name].method}`)
      : describe(new MethodNotFoundError(`at ${path}`), `Methods live under ${BASE_PATH}: ${Object.keys(OPERATIONS).join(', ')}`)
    return sendError(reply, error, restStatus)
  })
}
