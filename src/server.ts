/**
 * `createMockServer`: one self-contained instance (tenants with their stores, journals and
 * faults; a clock; sessions; the app) that the CLI starts and test suites embed. Instances
 * share nothing but compiled schemas, so two side by side never see each other.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { basename, dirname, extname, join, resolve as resolvePath } from 'node:path'
import type { FastifyInstance, FastifyServerOptions } from 'fastify'
import { Memory } from 'lowdb'
import { buildApp } from './app.js'
import type { MockContext } from './http/context.js'
import { Sessions } from './domain/sessions.js'
import { createClock } from './controls/clock.js'
import { login as loginUser, type Credentials } from './domain/authentication.js'
import { ADMIN_USER } from './fixtures/reference.js'
import type { Dataset } from './store/model.js'
import { BASE_PATH, type OperationName } from './contract/operations.js'
import { DEFAULT_RELEASE, parseRelease, tokenKindFor } from './contract/releases.js'
import { lockStoreFile } from './store/file-lock.js'
import { WriteAheadLog } from './store/write-ahead-log.js'
import { InvalidParameterValueError, describe } from './contract/errors.js'
import { Lookup } from './store/lookup.js'
import { Store } from './store/store.js'
import { Tenants, type Tenant, type TenantMode } from './controls/tenants.js'
import { createTestControls, type TestControls } from './controls/test-controls.js'
import { packagePath } from './contract/package-root.js'

/** Where the committed fixtures are. */
export const FIXTURES_FILE = packagePath('fixtures', 'default.json')

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
  /** How many extra seeded events to generate when a store is created (default 0). */
  size?: number
  /** `'real'` (the default) or a Date to freeze time at. */
  clock?: Date | 'real'
  /** Fastify's logger: false (the default), true, or pino options. */
  logger?: FastifyServerOptions['logger']
  /** Answer errors with REST statuses instead of HTTP 200 (the vendor's way). */
  restStatus?: boolean
  /** Largest request body in bytes (default 1 MiB). */
  bodyLimit?: number
  /** How many calls the request journal keeps per tenant (default 1,000). */
  journalLimit?: number
  /** Per-organisation tenants: how many organisations at most (default 100). */
  maxTenants?: number
  /**
   * `'shared'` (default): one dataset for everybody. `'per-organisation'`: each organisation
   * named at login gets its own copy of the fixtures, journal and faults. With a file store,
   * organisation X's file is `<name>.X.json` beside the `--db` file.
   */
  tenants?: TenantMode
  /** Serve the admin API under `/__admin/` (off by default). */
  admin?: boolean
  /** When set, admin calls must send it (`Authorization: Bearer <token>` or `x-admin-token`). */
  adminToken?: string
  /**
   * The CRM.COM release to emulate, `R10.0.0` to `R18.x` (default `R14.0.0`): parameters newer
   * than it are unknown (ignored, or refused in strict mode); before R12 tokens are opaque
   * 32-hex with 1 hour idle expiry, from R12 JWTs valid 2 hours; from R15 the financial
   * achievement methods answer with `Deprecation` and `Link` headers.
   */
  release?: string
  /** Refuse unknown parameters (INVALIDPARAMETERVALUEEXCEPTION) and ones newer than the release (PARAMETERNOTAVAILABLEINRELEASEEXCEPTION) instead of ignoring them. */
  strict?: boolean
}

export interface MockServer extends TestControls {
  /** The ready Fastify instance, for `app.inject()` without a socket. */
  readonly app: FastifyInstance
  /** The JSON file behind the (shared) store, or undefined in memory. */
  readonly storeFile: string | undefined
  /** True when this start created the (shared) store from the fixtures. */
  readonly created: boolean
  /** Listens on `host` (127.0.0.1) and `port` (0 or omitted: a free one); resolves to the base URL. */
  start (port?: number, host?: string): Promise<string>
  /** The base URL (`http://127.0.0.1:PORT/crmapi/rest/v2/`); throws before {@link MockServer.start}. */
  readonly url: string
  /** The URL of a method, e.g. `urlFor('customer_events/financial_achievements/list')`. */
  urlFor (method: OperationName | string): string
  /** A valid token without an HTTP round trip (default credentials, or those given). */
  login (credentials?: Partial<Credentials>): Promise<string>
  /** Waits for pending writes, then closes the app and its socket. */
  stop (): Promise<void>
}

/**
 * The store file of a tenant: `db.json` for the shared one, `db.ACME.json` for organisation
 * ACME. Letters, digits and `-` are kept; any other character is written `_<hex code>_`
 * (`JOB.A` → `db.JOB_2e_A.json`, `JOB_A` → `db.JOB_5f_A.json`), so two organisations never
 * share a file and a name stays readable.
 */
export function tenantFile (file: string, organisation: string | undefined): string {
  if (organisation === undefined) return file
  const ext = extname(file)
  const escaped = organisation.replace(/[^A-Za-z0-9-]/gu, c => `_${c.codePointAt(0)!.toString(16)}_`)
  return join(dirname(file), `${basename(file, ext)}.${escaped}${ext || '.json'}`)
}

/** Creates an instance: opens (or creates) its store and builds its app. Nothing listens until `start`. */
export async function createMockServer (options: MockServerOptions = {}): Promise<MockServer> {
  const clock = createClock(options.clock)
  // Checked first, so a bad release stops start-up before any store file is created.
  const release = parseRelease(options.release ?? DEFAULT_RELEASE)
  // The generator (and faker, slow to load) is loaded only when extra events are asked for.
  const generator = (options.size ?? 0) > 0 ? await import('./fixtures/generate.js') : undefined
  const initial = (): Dataset => {
    const dataset = loadFixtures()
    if (generator !== undefined) generator.appendFakeEvents(dataset, options.size!, options.seed ?? generator.DEFAULT_SEED + 1)
    return dataset
  }
  const storeFile = options.store === undefined || options.store === 'memory' ? undefined : resolvePath(options.store.file)
  const mode = options.tenants ?? 'shared'
  // The releases of the store files' locks, let go once the stores are closed.
  const locks: Array<() => Promise<void>> = []
  let template: Lookup | undefined
  const tenants = new Tenants({
    mode,
    journalLimit: options.journalLimit,
    maxTenants: options.maxTenants,
    template: () => (template ??= new Lookup(initial())),
    hasStore: organisation => storeFile !== undefined && existsSync(tenantFile(storeFile, organisation)),
    openStore: async organisation => {
      if (storeFile === undefined) return await Store.open(new Memory<Dataset>(), initial, 'memory store')
      const file = tenantFile(storeFile, organisation)
      mkdirSync(dirname(file), { recursive: true })
      const unlock = await lockStoreFile(file)
      try {
        const opened = await Store.open(new WriteAheadLog(file), initial, file)
        locks.push(unlock)
        return opened
      } catch (err) {
        await unlock()
        throw err
      }
    }
  })
  // No organisation named means the default one (CRMDEMO) when per organisation.
  const nameOf = (organisation?: string): string | undefined => mode === 'shared' ? undefined : organisation ?? DEFAULT_CREDENTIALS.organisation
  // The shared (or default organisation's) tenant opens now, so a bad store file stops start-up.
  const main = await tenants.get(nameOf())
  const sessions = new Sessions({ clock, kind: tokenKindFor(release) })
  const ctx: MockContext = { clock, sessions, tenants, release, strict: options.strict ?? false }
  const tenantOf = async (organisation?: string): Promise<Tenant> => await tenants.get(nameOf(organisation))
  const existingTenantOf = async (organisation?: string): Promise<Tenant> => {
    const tenant = tenants.existing(nameOf(organisation))
    if (tenant === undefined) {
      throw describe(new InvalidParameterValueError('organisation', `${JSON.stringify(organisation)} has no data yet: log in to it, or restore a snapshot into it, first`), 'Reading an organisation never makes one')
    }
    return await tenant
  }
  const controls = createTestControls({ clock, tenants, tenantOf, existingTenantOf, initial })
  const app = buildApp(ctx, {
    restStatus: options.restStatus,
    bodyLimit: options.bodyLimit,
    logger: options.logger,
    admin: options.admin === true ? { controls, token: options.adminToken } : undefined
  })
  app.addHook('onClose', async () => {
    await Promise.all((await tenants.all()).map(t => t.store.close()))
    await Promise.all(locks.map(unlock => unlock()))
  })

  let baseUrl: string | undefined
  const server: MockServer = {
    ...controls,
    app,
    storeFile: storeFile === undefined ? undefined : tenantFile(storeFile, main.organisation === undefined || mode === 'shared' ? undefined : main.organisation),
    created: main.created,
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
    async login (credentials = {}) {
      const full = { ...DEFAULT_CREDENTIALS, ...credentials }
      const tenant = await tenantOf(full.organisation)
      return await loginUser(tenant.store.lookup, sessions, full, mode === 'per-organisation')
    },
    async stop () { await app.close() }
  }
  await app.ready()
  return server
}
