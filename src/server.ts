/**
 * `createMockServer`: one self-contained instance (store, clock, sessions, app) that the
 * CLI starts and test suites embed. Instances share nothing but compiled schemas.
 */
import { mkdirSync, readFileSync } from 'node:fs'
import { dirname, resolve as resolvePath } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance, FastifyServerOptions } from 'fastify'
import { Memory } from 'lowdb'
import { JSONFile } from 'lowdb/node'
import { buildApp, type MockContext } from './app.js'
import { Sessions } from './auth/sessions.js'
import { createClock, type Clock } from './clock.js'
import { login as loginUser, type Credentials } from './domain/authentication.js'
import { renderEvent } from './domain/render.js'
import { appendFakeEvents, DEFAULT_SEED } from './fixtures/generate.js'
import { ADMIN_USER } from './fixtures/reference.js'
import type { Dataset } from './model.js'
import { BASE_PATH, type OperationName } from './operations.js'
import { Store } from './store/store.js'

/** Where the committed fixtures are. */
export const FIXTURES_FILE = fileURLToPath(new URL('../fixtures/default.json', import.meta.url))

let fixtures: Dataset | undefined
/** The default fixtures, parsed once per process; every caller gets its own deep copy. */
export function loadFixtures (): Dataset {
  fixtures ??= JSON.parse(readFileSync(FIXTURES_FILE, 'utf8')) as Dataset
  return structuredClone(fixtures)
}

/** The default credentials of the fixtures. */
export const DEFAULT_CREDENTIALS: Readonly<Credentials> = Object.freeze({ username: ADMIN_USER.username, password: ADMIN_USER.password, organisation: ADMIN_USER.organisation })

export interface MockServerOptions {
  /** `'memory'` (the default: nothing on disk) or a JSON file, created from the fixtures when missing. */
  store?: 'memory' | { file: string }
  /** Faker seed of the `size` extra events (default 20161008). */
  seed?: number
  /** How many extra seeded events to generate when the store is created (default 0). */
  size?: number
  /** `'real'` (the default) or a Date to freeze time at. */
  clock?: Date | 'real'
  /** Fastify's logger: false (the default), true, or pino options. */
  logger?: FastifyServerOptions['logger']
  /** Answer errors with REST statuses instead of HTTP 200 (the vendor's way). */
  restStatus?: boolean
  /** Largest request body in bytes (default 1 MiB). */
  bodyLimit?: number
}

export interface MockServer {
  /** The ready Fastify instance, for `app.inject()` without a socket. */
  readonly app: FastifyInstance
  /** The instance's clock. */
  readonly clock: Clock
  /** The JSON file behind the store, or undefined in memory. */
  readonly storeFile: string | undefined
  /** True when this start created the store from the fixtures. */
  readonly created: boolean
  /** Listens on `host` (127.0.0.1) and `port` (0 or omitted: a free one); resolves to the base URL. */
  start (port?: number, host?: string): Promise<string>
  /** The base URL (`http://127.0.0.1:PORT/crmapi/rest/v2/`); throws before {@link MockServer.start}. */
  readonly url: string
  /** The URL of a method, e.g. `urlFor('customer_events/financial_achievements/list')`. */
  urlFor (method: OperationName | string): string
  /** A valid token without an HTTP round trip (default credentials when omitted). */
  login (credentials?: Partial<Credentials>): Promise<string>
  /** The stored financial achievement events, rendered as the API returns them. */
  events (): Array<Record<string, unknown>>
  /** Back to the fixtures (plus `size` extra events), logging every token out. */
  reset (): Promise<void>
  /** The whole state as plain JSON. */
  snapshot (): Dataset
  /** Puts a snapshot back. */
  restore (snapshot: Dataset): Promise<void>
  /** Waits for pending writes, then closes the app and its socket. */
  stop (): Promise<void>
}

/** Creates an instance: opens (or creates) its store and builds its app. Nothing listens until `start`. */
export async function createMockServer (options: MockServerOptions = {}): Promise<MockServer> {
  const clock = createClock(options.clock)
  const initial = (): Dataset => {
    const dataset = loadFixtures()
    if ((options.size ?? 0) > 0) appendFakeEvents(dataset, options.size!, options.seed ?? DEFAULT_SEED + 1)
    return dataset
  }
  let storeFile: string | undefined
  let adapter
  if (options.store === undefined || options.store === 'memory') {
    adapter = new Memory<Dataset>()
  } else {
    storeFile = resolvePath(options.store.file)
    mkdirSync(dirname(storeFile), { recursive: true })
    adapter = new JSONFile<Dataset>(storeFile)
  }
  const { store, created } = await Store.open(adapter, initial, storeFile ?? 'memory store')
  const sessions = new Sessions({ clock, kind: 'jwt' })
  const ctx: MockContext = { clock, store, sessions, anyOrganisation: false }
  const app = buildApp(ctx, { restStatus: options.restStatus, bodyLimit: options.bodyLimit, logger: options.logger })
  app.addHook('onClose', async () => { await store.flush() })
  await app.ready()

  let baseUrl: string | undefined
  const server: MockServer = {
    app,
    clock,
    storeFile,
    created,
    async start (port = 0, host = '127.0.0.1') {
      await app.listen({ port, host })
      const { port: bound } = app.server.address() as { port: number }
      baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${bound}${BASE_PATH}`
      return baseUrl
    },
    get url () {
      if (baseUrl === undefined) throw new Error('the mock server is not listening: call start() first')
      return baseUrl
    },
    urlFor (method) { return server.url + method.replace(/^\/+/, '') },
    async login (credentials = {}) { return await loginUser(store.lookup, sessions, { ...DEFAULT_CREDENTIALS, ...credentials }) },
    events () {
      const lookup = store.lookup
      return lookup.dataset.customer_events.filter(e => e.type === 'FINANCIAL_ACHIEVEMENT').map(e => structuredClone(renderEvent(lookup, e)))
    },
    async reset () { sessions.clear(); await store.replace(initial()) },
    snapshot () { return store.snapshot() },
    async restore (snapshot) { await store.replace(structuredClone(snapshot)) },
    async stop () { await app.close() }
  }
  return server
}
