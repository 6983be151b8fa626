/**
 * Builds the Fastify instance (never listens: the CLI and the library do), assembled in this
 * one place from its parts: the vendor's error envelope, the request log, the methods behind
 * their pipeline, the documentation page, and the admin API when asked for.
 */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import { BASE_PATH } from './contract/operations.js'
import { lazySerializerFor, lazyValidatorFor } from './contract/schemas.js'
import type { TestControls } from './controls/test-controls.js'
import docsRoutes from './docs/page.js'
import adminRoutes from './http/admin.js'
import authenticationRoutes from './http/authentication.js'
import type { MockContext } from './http/context.js'
import financialAchievementRoutes from './http/financial-achievements.js'
import { recordCalls } from './http/record-calls.js'
import { clientErrorHandler, closeConnectionsWhenClosing, closingResponses, redactingLogger, timeoutOptions } from './http/transport.js'
import { DEFAULT_BODY_LIMIT, sendError, toVendorError, vendorErrors } from './http/vendor-errors.js'

export type { MockContext } from './http/context.js'
export { DEFAULT_BODY_LIMIT, toVendorError } from './http/vendor-errors.js'

export interface AppOptions {
  /** Answer errors with REST statuses (400, 401, 404, 409, 413, 422, 500) instead of the vendor's 200. */
  restStatus?: boolean
  /** Largest accepted request body in bytes (1 MiB by default). */
  bodyLimit?: number
  /** Fastify/pino logger options, or false for none. */
  logger?: FastifyServerOptions['logger']
  /** Milliseconds a client may take to send a whole request (default 30,000; 0: no limit). */
  requestTimeout?: number
  /** Serve the admin API under `/__admin/` over these controls; with a token, every call must present it. */
  admin?: { controls: TestControls, token?: string | undefined } | undefined
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
  app.decorateRequest('crmSentParams', null)
  app.decorateReply('crmCode', undefined)
  // Compiled on first use, once per process (contract/schemas.ts).
  app.setValidatorCompiler(({ schema }) => lazyValidatorFor(schema as Record<string, unknown>))
  app.setSerializerCompiler(({ schema }) => lazySerializerFor(schema as Record<string, unknown>))

  vendorErrors(app, { restStatus, bodyLimit })
  recordCalls(app, ctx)
  void app.register(authenticationRoutes, { prefix: BASE_PATH.slice(0, -1) })
  void app.register(financialAchievementRoutes, { prefix: BASE_PATH.slice(0, -1) })
  // GET /documentation (the interactive page) and /documentation/json (OpenAPI 3.1), describing what this instance emulates.
  void app.register(docsRoutes, { release: ctx.release, strict: ctx.strict, restStatus })
  if (options.admin !== undefined) void app.register(adminRoutes, { controls: options.admin.controls, adminToken: options.admin.token })
  return app
}
