/**
 * Builds a fresh in-memory mock per test (closed in teardown) and calls its methods through
 * `app.inject`, so tests need no sockets and never share state.
 */
import type { Test } from 'tap'
import { join } from 'node:path'
import { createMockServer, type MockServer, type MockServerOptions } from '../src/index.js'
import { PACKAGE_ROOT } from '../src/package-root.js'

/** The repository's root, whether the tests run from .build/test/ or from test/. */
export const ROOT = PACKAGE_ROOT
/** The built CLI, as `npm start` and the package's bin run it. */
export const CLI = join(ROOT, 'dist', 'cli.js')

export const BASE = '/crmapi/rest/v2/'

export interface Answer {
  statusCode: number
  body: { data: any, status: { code: string, description: string, message: string } }
  headers: Record<string, unknown>
}

/** A mock for one test, stopped when the test ends. */
export async function build (t: Test, options: MockServerOptions = {}): Promise<MockServer> {
  const server = await createMockServer(options)
  t.teardown(() => server.stop())
  return server
}

/** Calls a method: GET methods get `params` as a query string, POST methods as a JSON body. */
export async function call (server: MockServer, method: string, params: Record<string, unknown> = {}): Promise<Answer> {
  const isGet = method.endsWith('/show')
  const res = isGet
    ? await server.app.inject({
      method: 'GET',
      url: BASE + method,
      query: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]))
    })
    : await server.app.inject({ method: 'POST', url: BASE + method, payload: params as Record<string, any> })
  return { statusCode: res.statusCode, body: res.json(), headers: res.headers }
}

/** A mock, a token for the default user, and a bound `call`. */
export async function session (t: Test, options: MockServerOptions = {}): Promise<{ server: MockServer, token: string, api: (method: string, params?: Record<string, unknown>) => Promise<Answer> }> {
  const server = await build(t, options)
  const token = await server.login()
  return { server, token, api: async (method, params = {}) => await call(server, method, { token, ...params }) }
}

export const FA = 'customer_events/financial_achievements/'

/** The create request of the vendor's example, minus token. */
export const VENDOR_CREATE = {
  accounts_receivable_identifier: { number: 'ACR0000000069' },
  classification_identifier: { name: 'Financial Achievement 1' },
  performed_by_unit_identifier: { name: 'Admin Unit' },
  performed_on: '2016-10-07T15:00:00'
}

/**
 * `path` resolved from the module `from` (pass `import.meta.url`), as an absolute URL. tap's
 * `mockImport` resolves relative paths from the source file a stack's source map names (test/…),
 * not from the compiled module that runs (.build/test/…); an absolute URL names the module
 * actually loaded.
 */
export const here = (path: string, from: string): string => new URL(path, from).href
