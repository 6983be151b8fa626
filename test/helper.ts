/**
 * The one helper module of the tests:
 * - a fresh in-memory mock per test (closed in teardown), called through `app.inject`, so tests
 *   need no sockets and never share state;
 * - what every success and every failure must look like (the vendor envelope, the response
 *   schema, a message naming the parameter);
 * - the real CLI as a process to start, kill and restart, and calls to it over HTTP;
 * - budgets and seeds read from the environment (small in `npm test`, large in `npm run fuzz`
 *   and `npm run soak`);
 * - small datasets, events and mutations for the store's tests.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import type { InjectOptions } from 'fastify'
import type { Adapter } from 'lowdb'
import type { Test } from 'tap'
import { buildApp, type AppOptions } from '../src/app.js'
import { Sessions } from '../src/domain/sessions.js'
import { createClock } from '../src/controls/clock.js'
import { CODES, isCrmErrorCode, type CrmErrorCode } from '../src/contract/errors.js'
import { createMockServer, loadFixtures, type Dataset, type MockServer, type MockServerOptions } from '../src/index.js'
import type { CustomerEvent } from '../src/store/model.js'
import { OPERATIONS, type OperationName } from '../src/contract/operations.js'
import { PACKAGE_ROOT } from '../src/contract/package-root.js'
import { validatorFor } from '../src/contract/schemas.js'
import { Store } from '../src/store/store.js'
import { Tenants } from '../src/controls/tenants.js'

export { CODES }

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

// --- answers: the envelope, the schemas ---

const errorSchema = validatorFor('error-response.json')
const completeEvent = validatorFor('financial-achievement-event-complete.json')

/**
 * Asserts a vendor error: HTTP 200 (or `status`), `data` null, the code, a one-line message
 * naming `parameter`, no stack trace, and a body valid against error-response.json.
 */
export function expectError (t: Test, answer: Answer, code: CrmErrorCode, parameter?: string | RegExp, status = 200): void {
  t.equal(answer.statusCode, status, `HTTP ${status}`)
  t.equal(answer.body.status?.code, code, `code ${code} (message: ${answer.body.status?.message})`)
  t.equal(answer.body.data, null, 'data is null')
  t.ok(errorSchema(answer.body), `the answer is valid against error-response.json ${JSON.stringify(errorSchema.errors)}`)
  const message = answer.body.status?.message ?? ''
  t.notMatch(message, /\n/, 'the message is one line')
  if (parameter !== undefined) t.match(message, parameter, `the message names ${String(parameter)}`)
  t.notMatch(JSON.stringify(answer.body), /\bat .+\.(js|ts):\d+/, 'no stack trace')
}

/**
 * Asserts success: HTTP 200, status OK with empty description and message, and a body
 * valid against the method's response schema. Without fields_set, every event must also be
 * complete (financial-achievement-event-complete.json).
 */
export function expectOk (t: Test, answer: Answer, method: string, options: { complete?: boolean } = {}): void {
  t.equal(answer.statusCode, 200, 'HTTP 200')
  t.same(answer.body.status, { code: 'OK', description: '', message: '' }, `status OK (got ${JSON.stringify(answer.body.status)})`)
  const schema = Object.hasOwn(OPERATIONS, method) ? OPERATIONS[method as OperationName].response : undefined
  if (schema === undefined) throw new Error(`no response schema for ${method}`)
  const validate = validatorFor(schema)
  t.ok(validate(answer.body), `the answer is valid against ${schema} ${JSON.stringify(validate.errors)}`)
  if (options.complete === true) {
    const events = Array.isArray(answer.body.data) ? answer.body.data : [answer.body.data]
    for (const e of events) t.ok(completeEvent(e), `event ${String(e?.number)} is complete ${JSON.stringify(completeEvent.errors)}`)
  }
}

/** Numbers of a list answer, in answer order. */
export const numbers = (answer: Answer): string[] => (answer.body.data as Array<{ number: string }>).map(e => e.number)

/** The stored dataset (a copy). */
export const dataset = async (server: MockServer): Promise<Dataset> => await server.snapshot()

/** The stored event of a number, as kept (normalised). */
export async function stored (server: MockServer, number: string): Promise<Dataset['customer_events'][number]> {
  const e = (await server.snapshot()).customer_events.find(x => x.number === number)
  if (e === undefined) throw new Error(`no event ${number}`)
  return e
}

/** The rewards participant of an account (the fixtures give some accounts one). */
export async function participantOf (server: MockServer, accountNumber: string): Promise<Dataset['rewards_participants'][number]> {
  const d = await server.snapshot()
  const account = d.accounts_receivable.find(a => a.number === accountNumber)
  const p = d.rewards_participants.find(x => x.accounts_receivable_id === account?.id)
  if (p === undefined) throw new Error(`no participant for ${accountNumber}`)
  return p
}

/** A rewards participant whose account is not `accountNumber`. */
export async function participantNotOf (server: MockServer, accountNumber: string): Promise<{ participant: Dataset['rewards_participants'][number], account: string }> {
  const d = await server.snapshot()
  const account = d.accounts_receivable.find(a => a.number === accountNumber)
  const p = d.rewards_participants.find(x => x.accounts_receivable_id !== account?.id && d.customer_events.some(e => e.accounts_receivable_id === x.accounts_receivable_id && e.type === 'FINANCIAL_ACHIEVEMENT'))
  if (p === undefined) throw new Error('no other participant')
  return { participant: p, account: d.accounts_receivable.find(a => a.id === p.accounts_receivable_id)!.number }
}

/** Numbers of the stored financial achievements matching `keep`, in list order (created_date, then number). */
export async function expectedNumbers (server: MockServer, keep: (e: Dataset['customer_events'][number], d: Dataset) => boolean): Promise<string[]> {
  const d = await server.snapshot()
  return d.customer_events
    .filter(e => e.type === 'FINANCIAL_ACHIEVEMENT' && keep(e, d))
    .sort((a, b) => a.log_information.created_date < b.log_information.created_date ? -1 : a.log_information.created_date > b.log_information.created_date ? 1 : Number(a.number) - Number(b.number))
    .map(e => e.number)
}

/** Anything with Fastify's inject. */
export interface Injectable {
  inject: (opts: InjectOptions) => Promise<{ statusCode: number, json: () => any, headers: Record<string, unknown>, body: string }>
}

/** Sends a raw request (any method, headers, payload); the answer must be JSON. */
export async function raw (app: Injectable, opts: InjectOptions): Promise<Answer> {
  const res = await app.inject(opts)
  let body
  try { body = res.json() } catch { throw new Error(`not JSON: ${res.statusCode} ${res.body}`) }
  return { statusCode: res.statusCode, body, headers: res.headers }
}

/** An adapter over the fixtures whose writes all fail, as a full or broken disk would. */
export class FailingWrites implements Adapter<Dataset> {
  async read (): Promise<Dataset> { return loadFixtures() }
  async write (): Promise<void> { throw Object.assign(new Error('i/o error'), { code: 'EIO' }) }
}

/** An app over a store of the test's making (an adapter, and the dataset a new store starts from). */
export async function appOver (t: Test, { adapter, initial = loadFixtures, options = {} }: { adapter: Adapter<Dataset>, initial?: () => Dataset, options?: AppOptions }): Promise<Injectable & { login: () => Promise<string> }> {
  const clock = createClock()
  const sessions = new Sessions({ clock, kind: 'jwt' })
  const tenants = new Tenants({ mode: 'shared', openStore: async () => await Store.open(adapter, initial, 'test store') })
  const app = buildApp({ clock, sessions, tenants }, options)
  await app.ready()
  t.teardown(async () => { await app.close() })
  return {
    inject: async opts => await app.inject(opts),
    login: async () => (await app.inject({ method: 'POST', url: BASE + 'authentication/token', payload: { username: 'MPAdministrator', password: '1234', organisation: 'CRMDEMO' } })).json().data.token as string
  }
}

// --- the CLI as a process, and HTTP calls to it ---

/** A whole number from the environment (FUZZ_RUNS, SOAK_CYCLES, ...), or the CI default. */
export function budget (name: string, ciDefault: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return ciDefault
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number of at least 1, got ${raw}`)
  return n
}

/** A seed from the environment (so a failing run can be replayed), or a fresh one that is printed. */
export function seedFrom (name: string): number {
  const raw = process.env[name]
  const seed = raw === undefined || raw === '' ? Math.floor(Math.random() * 2 ** 31) : Number(raw)
  console.log(`# ${name}=${seed}`)
  return seed
}

/** A small, seedable random generator (mulberry32), so a soak run can be replayed. */
export function random (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface VendorEnvelope {
  data: unknown
  status: { code: string, description: string, message: string }
}

/**
 * Why `text` is not a vendor envelope with a code of API.md's table, or undefined when it
 * is one. UNEXPECTEDEXCEPTION counts as a failure: it is the code of a bug.
 */
export function envelopeProblem (text: string): string | undefined {
  let body: unknown
  try { body = JSON.parse(text) } catch { return `not JSON: ${text.slice(0, 200)}` }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return `not an object: ${text.slice(0, 200)}`
  const keys = Object.keys(body).sort().join(',')
  if (keys !== 'data,status') return `keys ${keys}: ${text.slice(0, 200)}`
  const { data, status } = body as { data: unknown, status: Record<string, unknown> }
  if (status === null || typeof status !== 'object' || Object.keys(status).sort().join(',') !== 'code,description,message') return `status is ${JSON.stringify(status)}`
  if (typeof status.description !== 'string' || typeof status.message !== 'string') return `status has non-string fields: ${JSON.stringify(status)}`
  if (status.code === 'OK') return status.message === '' ? undefined : `OK with a message: ${JSON.stringify(status)}`
  if (!isCrmErrorCode(status.code)) return `code ${JSON.stringify(status.code)} is not in API.md's table`
  if (status.code === CODES.UNEXPECTED) return `a bug: ${JSON.stringify(status)}`
  if (data !== null) return `an error with data: ${text.slice(0, 200)}`
  if (status.message === '' || status.message.includes('\n')) return `message is not one line: ${JSON.stringify(status.message)}`
  return undefined
}

export interface CliProcess {
  readonly child: ChildProcess
  /** The base URL it printed (`http://127.0.0.1:PORT/crmapi/rest/v2/`). */
  readonly url: string
  /** Everything written so far. */
  readonly output: () => { stdout: string, stderr: string }
  /** Resolves with the exit code (or the signal) once the process has ended. */
  readonly exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }>
}

export interface RunResult { code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string }

/** Runs the CLI to its end (for arguments that stop it at start-up). Killed after `timeoutMs`. */
export async function runCli (args: string[], options: { env?: NodeJS.ProcessEnv, timeoutMs?: number, shell?: string } = {}): Promise<RunResult> {
  const child = launch(args, options)
  let stdout = ''; let stderr = ''
  child.stdout!.on('data', (d: Buffer) => { stdout += d.toString() })
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString() })
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000)
  const { code, signal } = await new Promise<{ code: number | null, signal: NodeJS.Signals | null }>(resolve => child.on('exit', (code, signal) => resolve({ code, signal })))
  clearTimeout(timer)
  await new Promise(resolve => setImmediate(resolve))
  return { code, signal, stdout, stderr }
}

function launch (args: string[], { env, shell }: { env?: NodeJS.ProcessEnv, shell?: string }): ChildProcess {
  // HOST and PORT are dropped so a CI host's environment cannot change what the tests bind.
  const { HOST: _host, PORT: _port, ...rest } = process.env
  const environment = { ...rest, ...env }
  if (shell === undefined) return spawn(process.execPath, [CLI, ...args], { env: environment, stdio: ['ignore', 'pipe', 'pipe'] })
  // A shell prefix (`ulimit -f 8`) that must apply to the server process itself.
  const quoted = [process.execPath, CLI, ...args].map(a => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')
  return spawn('/bin/sh', ['-c', `${shell} && exec ${quoted}`], { env: environment, stdio: ['ignore', 'pipe', 'pipe'] })
}

/**
 * Starts the CLI on a free port and resolves once it prints its URL. Rejects (and kills it)
 * if it exits first or prints nothing within `timeoutMs`.
 */
export async function startCli (args: string[], options: { env?: NodeJS.ProcessEnv, timeoutMs?: number, shell?: string } = {}): Promise<CliProcess> {
  const child = launch(['--port', '0', ...args], options)
  let stdout = ''; let stderr = ''
  child.stdout!.on('data', (d: Buffer) => { stdout += d.toString() })
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString() })
  const exited = new Promise<{ code: number | null, signal: NodeJS.Signals | null }>(resolve => child.on('exit', (code, signal) => resolve({ code, signal })))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`the CLI did not start within ${options.timeoutMs ?? 60_000} ms: ${stderr}`)) }, options.timeoutMs ?? 60_000)
    const check = (): void => {
      const m = /^crmcom-mock listening at (\S+)$/m.exec(stdout)
      if (m !== null) { clearTimeout(timer); resolve(m[1]!) }
    }
    child.stdout!.on('data', check)
    void exited.then(({ code, signal }) => { clearTimeout(timer); reject(new Error(`the CLI exited (${code ?? signal}) before listening: ${stderr}`)) })
  })
  return { child, url, exited, output: () => ({ stdout, stderr }) }
}

/** Kills a started CLI (if still running) and waits for it to end. */
export async function killCli (cli: CliProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill(signal)
  await cli.exited
}

/** POSTs JSON to a method; resolves with the parsed body (the envelope is checked by the caller). */
export async function postOver (url: string, method: string, body: unknown, signal?: AbortSignal): Promise<VendorEnvelope> {
  const res = await fetch(url + method, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal })
  return await res.json() as VendorEnvelope
}

/** GETs a method with query parameters. */
export async function getOver (url: string, method: string, query: Record<string, string>): Promise<VendorEnvelope> {
  const res = await fetch(`${url}${method}?${new URLSearchParams(query).toString()}`)
  return await res.json() as VendorEnvelope
}

/** Logs in over HTTP with the default credentials. */
export async function loginOver (url: string): Promise<string> {
  const answer = await postOver(url, 'authentication/token', { username: 'MPAdministrator', password: '1234', organisation: 'CRMDEMO' })
  if (answer.status.code !== 'OK') throw new Error(`login failed: ${JSON.stringify(answer.status)}`)
  return (answer.data as { token: string }).token
}

export const ACCOUNT = { number: 'ACR0000000069' }

/** A valid create request on ACR0000000069. */
export const createBody = (token: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  token,
  accounts_receivable_identifier: ACCOUNT,
  classification_identifier: { name: 'Financial Achievement 1' },
  performed_by_unit_identifier: { name: 'Admin Unit' },
  performed_on: '2016-10-07T15:00:00',
  amount: '11.50',
  ...extra
})

// --- the store's tests ---

/** The committed fixtures (a fresh copy). */
export const fixtures = (): Dataset => loadFixtures()

/** A new event like the first fixture event, with a fresh id and the given number. */
export function newEvent (dataset: Dataset, number: number): CustomerEvent {
  const template = dataset.customer_events.find(e => e.type === 'FINANCIAL_ACHIEVEMENT')!
  return { ...structuredClone(template), id: randomBytes(16).toString('hex').toUpperCase(), number: String(number), life_cycle_state: 'POSTED' }
}

/** A create through the store's named change: an event like the first fixture event, numbered next. */
export const createEvent = async (store: Store): Promise<CustomerEvent> =>
  await store.createEvent(lookup => newEvent(lookup.dataset, lookup.maxEventNumber + 1))

/** A cancel through the store's named change; refused (changing nothing) for an unknown or not POSTED event. */
export const cancelEvent = async (store: Store, id: string): Promise<CustomerEvent> =>
  await store.updateEvent(lookup => {
    const e = lookup.byId('customer_events', id)
    if (e === undefined) throw new Error(`no event ${id}`)
    if (e.life_cycle_state !== 'POSTED') throw new Error(`event ${id} is ${e.life_cycle_state}`)
    return e
  }, e => { e.life_cycle_state = 'CANCELLED' })

/** A promise and its resolvers. */
export function deferred<T = void> (): { promise: Promise<T>, resolve: (value: T) => void, reject: (err: unknown) => void } {
  let resolve!: (value: T) => void
  let reject!: (err: unknown) => void
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej })
  return { promise, resolve, reject }
}
