/**
 * Shared by the reliability tests and the `npm run fuzz` / `npm run soak` drivers: budgets
 * read from the environment (small in CI, large in the drivers), the envelope check, and a
 * CLI process to start, kill and restart.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { CLI } from '../helper.js'
import { isCrmErrorCode } from '../../src/errors.js'

/** The built CLI the process tests start (`npm test` builds it first; so does `npm run soak`). */
export { CLI }

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
  if (status.code === 'COM.CRM.EXCEPTION.GENERAL.UNEXPECTEDEXCEPTION') return `a bug: ${JSON.stringify(status)}`
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
export async function post (url: string, method: string, body: unknown, signal?: AbortSignal): Promise<VendorEnvelope> {
  const res = await fetch(url + method, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal })
  return await res.json() as VendorEnvelope
}

/** GETs a method with query parameters. */
export async function get (url: string, method: string, query: Record<string, string>): Promise<VendorEnvelope> {
  const res = await fetch(`${url}${method}?${new URLSearchParams(query).toString()}`)
  return await res.json() as VendorEnvelope
}

/** Logs in over HTTP with the default credentials. */
export async function loginOver (url: string): Promise<string> {
  const answer = await post(url, 'authentication/token', { username: 'MPAdministrator', password: '1234', organisation: 'CRMDEMO' })
  if (answer.status.code !== 'OK') throw new Error(`login failed: ${JSON.stringify(answer.status)}`)
  return (answer.data as { token: string }).token
}

export const FA = 'customer_events/financial_achievements/'
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
