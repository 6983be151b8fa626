/**
 * Builds the Fastify instance (never listens: the CLI and the library do). One error
 * handler turns every failure (validation, parsing, size, unknown path, bugs) into the
 * vendor's envelope; nothing else ever reaches the client.
 */
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify'
import type { Session, Sessions } from './auth/sessions.js'
import type { Clock } from './clock.js'
import {
  type CrmError, InvalidParameterValueError, MethodNotFoundError, RequestTooLargeError, UnexpectedError, describe, errorEnvelope, isCrmError
} from './errors.js'
import { BASE_PATH, OPERATIONS, operationOf, type OperationName } from './operations.js'
import docsRoutes from './docs.js'
import authenticationRoutes from './routes/authentication.js'
import financialAchievementRoutes from './routes/financial-achievements.js'
import { lazySerializerFor, lazyValidatorFor } from './schemas.js'
import { DROPPED, paramsOf, pathOf, recordCall } from './routes/hooks.js'
import type { Tenant, Tenants } from './tenants.js'
import type { Release } from './release.js'
import { clientErrorHandler, closeConnectionsWhenClosing, closingResponses, redactingLogger, timeoutOptions } from './transport.js'
import { toCrmError } from './validation.js'

/** What the routes work on. */
export interface MockContext {
  readonly clock: Clock
  readonly sessions: Sessions
  readonly tenants: Tenants
  /** The CRM.COM release emulated (R14.0.0 when absent): newer parameters are unknown, R15+ adds deprecation headers. */
  readonly release?: Release
  /** Refuse unknown (and, per release, not yet available) parameters instead of ignoring them. */
  readonly strict?: boolean
}

export interface AppOptions {
  /** Answer errors with REST statuses (400, 401, 404, 409, 413, 422, 500) instead of the vendor's 200. */
  restStatus?: boolean
  /** Largest accepted request body in bytes (1 MiB by default). */
  bodyLimit?: number
  /** Fastify/pino logger options, or false for none. */
  logger?: FastifyServerOptions['logger']
  /** Milliseconds a client may take to send a whole request (default 30,000; 0: no limit). */
  requestTimeout?: number
}

declare module 'fastify' {
  interface FastifyInstance {
    crm: MockContext
  }
  interface FastifyRequest {
    crmSession: Session | null
    /** The dataset, journal and faults this request works on (set at login or from the token). */
    tenant: Tenant | null
    /** The vendor method, once its route's first hook has run. */
    crmOperation: OperationName | null
  }
  interface FastifyReply {
    /** The vendor status code answered, for the journal (OK unless an error was sent). */
    crmCode: string | undefined
  }
}

export const DEFAULT_BODY_LIMIT = 1024 * 1024

/** Maps any failure to the vendor error it means. */
export function toVendorError (err: FastifyError | Error, bodyLimit: number): CrmError {
  if (isCrmError(err)) return err
  const e = err as FastifyError & { validation?: Parameters<typeof toCrmError>[0], validationContext?: string }
  if (e.validation !== undefined) return toCrmError(e.validation, e.validationContext === 'querystring' ? 'the query string' : 'the request body')
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return describe(new RequestTooLargeError(String(bodyLimit)), 'Send a smaller body')
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': return describe(new InvalidParameterValueError('request body', 'must be JSON sent with Content-Type: application/json'), e.message)
    case 'FST_ERR_CTP_EMPTY_JSON_BODY': return describe(new InvalidParameterValueError('request body', 'must not be empty when Content-Type is application/json'), e.message)
    case 'FST_ERR_CTP_INVALID_JSON_BODY': return describe(new InvalidParameterValueError('request body', 'is not valid JSON'), e.message)
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH': return describe(new InvalidParameterValueError('request body', 'does not match its Content-Length'), e.message)
    case 'FST_ERR_BAD_URL': return describe(new InvalidParameterValueError('URL', 'is not a valid URL'), e.message)
  }
  if (err instanceof SyntaxError || (e.statusCode === 400 && /JSON/i.test(e.message))) {
    return describe(new InvalidParameterValueError('request body', 'is not valid JSON'), e.message)
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return describe(new InvalidParameterValueError('request', 'could not be read'), e.message)
  }
  return describe(new UnexpectedError('the server failed; the failure is in its log') as CrmError, e.name)
}

function sendError (reply: FastifyReply, error: CrmError, restStatus: boolean): FastifyReply {
  reply.crmCode = error.code
  // Sent as a ready string so no route's response serializer touches an error.
  return reply.code(restStatus ? error.statusCode : 200).type('application/json; charset=utf-8').send(JSON.stringify(errorEnvelope(error)))
}

/** Builds the app over a context. */
export function buildApp (ctx: MockContext, options: AppOptions = {}): FastifyInstance {
  const restStatus = options.restStatus ?? false
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT
  const timeouts = timeoutOptions(options.requestTimeout)
  const responses = closingResponses()
  const app = Fastify({
    // Tokens and passwords in logged URLs are redacted.
    logger: redactingLogger(options.logger),
    // A slow client (slowloris) is cut off; what Node's parser refuses still gets the envelope.
    requestTimeout: timeouts.requestTimeout,
    http: { ...timeouts.http, ServerResponse: responses.ServerResponse },
    clientErrorHandler: clientErrorHandler(restStatus),
    // While closing, requests on open connections are still answered (with the envelope, not a bare 503).
    return503OnClosing: false,
    bodyLimit,
    // A __proto__ or constructor key is dropped like any unknown parameter, so it can pollute nothing.
    onProtoPoisoning: 'remove',
    onConstructorPoisoning: 'remove',
    routerOptions: { ignoreTrailingSlash: true },
    frameworkErrors: (err, _request, reply) => { void sendError(reply, toVendorError(err, bodyLimit), restStatus) }
  })
  app.decorate('crm', ctx)
  closeConnectionsWhenClosing(app, responses)
  app.decorateRequest('crmSession', null)
  app.decorateRequest('tenant', null)
  app.decorateRequest('crmOperation', null)
  app.decorateReply('crmCode', undefined)
  // Compiled on first use, once per process (schemas.ts).
  app.setValidatorCompiler(({ schema }) => lazyValidatorFor(schema as Record<string, unknown>))
  app.setSerializerCompiler(({ schema }) => lazySerializerFor(schema as Record<string, unknown>))

  app.setErrorHandler((err, request, reply) => {
    const error = toVendorError(err instanceof Error ? err : new Error(String(err)), bodyLimit)
    if (error.code === 'COM.CRM.EXCEPTION.GENERAL.UNEXPECTEDEXCEPTION') request.log.error({ err }, 'unexpected failure')
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

  // The journal: every answered call of the tenant it belongs to (in shared mode, every call).
  // In per-organisation mode a call that never reached a tenant (a bad token, say) belongs to
  // nobody and is not kept. A dropped connection was journaled when it was dropped.
  const shared = ctx.tenants.mode === 'shared'
  app.addHook('onResponse', (request, reply, done) => {
    const tenant = request.tenant ?? (shared ? ctx.tenants.opened() : undefined)
    if (tenant !== undefined && reply.crmCode !== DROPPED && !request.url.startsWith('/__admin/') && !request.url.startsWith('/documentation')) {
      recordCall(request, tenant, reply.crmCode ?? 'OK', paramsOf(request) ?? {})
    }
    done()
  })

  void app.register(authenticationRoutes, { prefix: BASE_PATH.slice(0, -1) })
  void app.register(financialAchievementRoutes, { prefix: BASE_PATH.slice(0, -1) })
  // GET /documentation (the interactive page) and /documentation/json (OpenAPI 3.1), describing what this instance emulates.
  void app.register(docsRoutes, { release: ctx.release, strict: ctx.strict, restStatus })
  return app
}
