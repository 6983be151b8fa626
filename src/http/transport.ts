/**
 * What the HTTP server accepts and what it logs, so a slow, huge or malformed request
 * cannot tie it up and a log never holds a secret: request timeouts, the vendor envelope
 * for errors Node's HTTP parser meets before Fastify sees a request, and a request
 * serializer that redacts tokens and passwords in logged URLs.
 */
import { maxHeaderSize, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyInstance, FastifyServerOptions } from 'fastify'
import { CODES, InvalidParameterValueError, crmError, describe, errorEnvelope, type CrmError } from '../contract/errors.js'

/** How long a client may take to send a whole request (headers and body), by default. */
export const DEFAULT_REQUEST_TIMEOUT = 30_000

const SECRETS = new Set(['token', 'password', 'pass_code'])

/** A URL with the values of secret query parameters (`token=...`, however escaped) replaced by `[REDACTED]`. */
export function redactUrl (url: string): string {
  const at = url.indexOf('?')
  if (at < 0) return url
  const query = url.slice(at + 1).split('&').map(pair => {
    const eq = pair.indexOf('=')
    const raw = eq < 0 ? pair : pair.slice(0, eq)
    let key = raw
    try { key = decodeURIComponent(raw.replace(/\+/g, ' ')) } catch { /* a broken escape: compare it as written */ }
    // Bracket forms (token[]=, token[x]=) name the same parameter.
    return SECRETS.has(key.replace(/\[.*$/, '').trim()) ? `${raw}=[REDACTED]` : pair
  })
  return `${url.slice(0, at)}?${query.join('&')}`
}

type Serializer = (value: never) => unknown
type LoggerOptions = FastifyServerOptions['logger']

/** Fastify's own request serializer, with the URL redacted. */
function serializeRequest (req: { method?: string, url?: string, headers?: Record<string, unknown>, host?: string, ip?: string, socket?: Socket }): Record<string, unknown> {
  return {
    method: req.method,
    url: typeof req.url === 'string' ? redactUrl(req.url) : req.url,
    version: req.headers?.['accept-version'],
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort
  }
}

/**
 * Logger options whose request serializer keeps secrets out of logged URLs. A caller's own
 * `req` serializer still runs; its `url` is redacted after it.
 */
export function redactingLogger (logger: LoggerOptions): LoggerOptions {
  if (logger === undefined || logger === false) return false
  const options = (logger === true ? {} : logger) as Exclude<LoggerOptions, boolean | undefined> & { serializers?: Record<string, Serializer> }
  const theirs = options.serializers?.req as ((req: unknown) => Record<string, unknown>) | undefined
  const req = (request: never): unknown => {
    if (theirs === undefined) return serializeRequest(request)
    const out = theirs(request)
    return out !== null && typeof out === 'object' && typeof out.url === 'string' ? { ...out, url: redactUrl(out.url) } : out
  }
  return { ...options, serializers: { ...options.serializers, req } } as LoggerOptions
}

/**
 * Server options that bound how long a request may take to arrive. Node only checks at an
 * interval (30 s by default), so the interval follows the timeout.
 */
export function timeoutOptions (requestTimeout = DEFAULT_REQUEST_TIMEOUT): Pick<FastifyServerOptions, 'requestTimeout'> & { http: { requestTimeout: number, connectionsCheckingInterval: number } } {
  const interval = requestTimeout > 0 ? Math.min(30_000, Math.max(50, Math.floor(requestTimeout / 4))) : 30_000
  return { requestTimeout, http: { requestTimeout, connectionsCheckingInterval: interval } }
}

/**
 * Answers what Node's HTTP parser refuses (a malformed request line, headers too large, a
 * request that did not arrive in time) with the vendor envelope, then closes the socket.
 */
export function clientErrorHandler (restStatus: boolean) {
  return function onClientError (this: { log: { debug: (o: object, m: string) => void } }, err: NodeJS.ErrnoException, socket: Socket): void {
    // The raw packet may hold a token: log the code and message only.
    this.log.debug({ err: { code: err.code, message: err.message } }, 'client error')
    if (err.code === 'ECONNRESET' || socket.destroyed) return
    let error: CrmError
    if (err.code === 'HPE_HEADER_OVERFLOW') error = crmError(CODES.REQUEST_TOO_LARGE, `The request headers are larger than the limit of ${maxHeaderSize} bytes`, 'Send fewer or smaller headers')
    else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') error = describe(new InvalidParameterValueError('request', 'was not received in time'), 'Send the whole request (headers and body) within the request timeout')
    else error = describe(new InvalidParameterValueError('request', 'is not valid HTTP'), err.code ?? err.message)
    const body = JSON.stringify(errorEnvelope(error))
    const status = restStatus ? error.statusCode : 200
    if (socket.writable) {
      socket.write(`HTTP/1.1 ${status} ${status === 200 ? 'OK' : 'Error'}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`)
    }
    socket.destroy()
  }
}

/**
 * Once the app starts closing, every answer closes its connection: `close()` then waits
 * for requests in flight, not for clients' idle keep-alive connections (72 s by default).
 * Node builds each answer with the response class the server is given; the app's own
 * subclass marks an answer as its connection's last (`Connection: close`) once the app is
 * closing. Until then the subclass adds nothing to an answer: its `writeHead` is swapped in
 * only by {@link ClosingResponses.closing}. An `onSend` hook doing the same would cost
 * every answer a turn of Fastify's hook runner.
 */
export interface ClosingResponses {
  /** The response class to give `http.createServer`. */
  readonly ServerResponse: typeof ServerResponse
  /** From now on, every answer written closes its connection. */
  closing: () => void
}

export function closingResponses (): ClosingResponses {
  class ClosingAwareResponse extends ServerResponse {}
  const writeHead = ServerResponse.prototype.writeHead as (this: ServerResponse, statusCode: number, reason?: unknown, headers?: unknown) => ServerResponse
  return {
    ServerResponse: ClosingAwareResponse as typeof ServerResponse,
    closing: () => {
      ClosingAwareResponse.prototype.writeHead = function closingWriteHead (this: ServerResponse, statusCode: number, reason?: unknown, headers?: unknown) {
        this.shouldKeepAlive = false
        return writeHead.call(this, statusCode, reason, headers)
      } as ServerResponse['writeHead']
    }
  }
}

/** Makes the app's answers close their connections once it starts closing (see {@link closingResponses}). */
export function closeConnectionsWhenClosing (app: FastifyInstance, responses: ClosingResponses): void {
  app.addHook('preClose', async () => { responses.closing() })
}
