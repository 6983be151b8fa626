/**
 * GET /documentation (Swagger UI, every asset served from this package, nothing from a
 * CDN) and GET /documentation/json (the OpenAPI document of `openapi.ts`). The vendor's
 * POST methods want the token inside the JSON body, which Swagger UI's "Authorize" cannot
 * do, so the page keeps the token of the last login made on it and puts it wherever a
 * request says `{{token}}`: every example does, so log in, then Execute anything.
 *
 * The page is built on its first request, in an app of its own that the server's routes
 * forward to (one per kind of document, shared by every instance in the process): Swagger
 * UI and its static files cost a server nothing until somebody opens the page.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { buildOpenApi, type OpenApiOptions } from './openapi.js'
import { parseRelease } from '../contract/releases.js'

export const DOCS_PREFIX = '/documentation'

// The document depends only on these options, so instances (one per test, often) share it.
const documents = new Map<string, Record<string, unknown>>()
function documentFor (options: OpenApiOptions): Record<string, unknown> {
  const release = options.release === undefined ? undefined : typeof options.release === 'string' ? parseRelease(options.release) : options.release
  const key = `${release?.label ?? ''}|${options.strict === true}|${options.restStatus === true}`
  let doc = documents.get(key)
  if (doc === undefined) {
    doc = buildOpenApi({ ...options, release })
    documents.set(key, doc)
  }
  return doc
}

/** Where the page keeps the token (the browser's localStorage, this origin only). */
export const TOKEN_KEY = 'crmcom-mock-token'

interface BrowserGlobals { localStorage: { getItem: (k: string) => string | null, setItem: (k: string, v: string) => void } }
interface UiRequest { url: string, body?: unknown }
interface UiResponse { url: string, body?: { data?: { token?: unknown } }, text?: string }

// These two run in the browser: Swagger UI's initializer embeds their source text, so they
// must not refer to anything outside themselves (the key is repeated for that reason). Node's
// coverage cannot see them run; test/browser/ drives them in Chromium.
/* c8 ignore start */
const requestInterceptor = (request: UiRequest): UiRequest => {
  const token = (globalThis as unknown as BrowserGlobals).localStorage.getItem('crmcom-mock-token')
  if (token !== null && token !== '') {
    if (typeof request.body === 'string') request.body = request.body.split('{{token}}').join(token)
    request.url = request.url.split('%7B%7Btoken%7D%7D').join(encodeURIComponent(token)).split('{{token}}').join(encodeURIComponent(token))
  }
  return request
}
const responseInterceptor = (response: UiResponse): UiResponse => {
  if (/\/authentication\/token\/?$/.test(response.url.split('?')[0] ?? '')) {
    let body = response.body
    try { if (body === undefined && typeof response.text === 'string') body = JSON.parse(response.text) } catch { /* not JSON: nothing to keep */ }
    const token = body?.data?.token
    if (typeof token === 'string' && token !== '') (globalThis as unknown as BrowserGlobals).localStorage.setItem('crmcom-mock-token', token)
  }
  return response
}
/* c8 ignore stop */

// Headers that belong to the inner app's (virtual) connection, not to the answer forwarded.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'date'])

const pages = new Map<object, Promise<FastifyInstance>>()
/** The app serving the page and the document for these options, built on first use. */
function pageFor (options: OpenApiOptions): Promise<FastifyInstance> {
  const document = documentFor(options)
  let page = pages.get(document)
  if (page === undefined) {
    page = (async () => {
      const [{ default: Fastify }, { default: swagger }, { default: swaggerUi }] = await Promise.all([import('fastify'), import('@fastify/swagger'), import('@fastify/swagger-ui')])
      const app = Fastify({ logger: false })
      await app.register(swagger, { mode: 'static', specification: { document: document as never } })
      await app.register(swaggerUi, {
        routePrefix: DOCS_PREFIX,
        uiConfig: {
          docExpansion: 'list',
          tryItOutEnabled: true,
          displayRequestDuration: true,
          defaultModelsExpandDepth: 0,
          requestInterceptor,
          responseInterceptor
        } as Record<string, unknown>,
        theme: { title: 'crmcom-mock: CRM.COM financial achievements API' }
      })
      await app.ready()
      return app
    })()
    // A page that failed to build is not kept, so the next request tries again.
    page.catch(() => pages.delete(document))
    pages.set(document, page)
  }
  return page
}

/** Registers the page and the document; `options` say what the server emulates, for the document's text. */
export default async function docsRoutes (app: FastifyInstance, options: OpenApiOptions): Promise<void> {
  const forward = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const page = await pageFor(options)
    const answer = await page.inject({ method: request.method as 'GET' | 'HEAD', url: request.url, headers: request.headers })
    // Not a file of the page: the server's own not-found answer (the vendor envelope), not the inner app's.
    if (answer.statusCode === 404) { reply.callNotFound(); return reply }
    void reply.code(answer.statusCode)
    for (const [name, value] of Object.entries(answer.headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) void reply.header(name, value)
    return await reply.send(answer.rawPayload)
  }
  app.get(DOCS_PREFIX, forward)
  app.get(`${DOCS_PREFIX}/*`, forward)
}
