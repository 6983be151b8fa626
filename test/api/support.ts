/**
 * Assertions shared by the API rule tests: what every success and every failure must look
 * like (the vendor envelope, the response schema, a message naming the parameter).
 */
import type { InjectOptions } from 'fastify'
import type { Adapter } from 'lowdb'
import type { Test } from 'tap'
import { buildApp, type AppOptions } from '../../src/app.js'
import { Sessions } from '../../src/auth/sessions.js'
import { createClock } from '../../src/clock.js'
import { loadFixtures, type Dataset, type MockServer } from '../../src/index.js'
import { CODES, type CrmErrorCode } from '../../src/errors.js'
import { validatorFor } from '../../src/schemas.js'
import { Store } from '../../src/store/store.js'
import { Tenants } from '../../src/tenants.js'
import { BASE, type Answer } from '../helper.js'

export { CODES }

/** The response schema of each method. */
export const RESPONSE_SCHEMA: Record<string, string> = {
  'authentication/token': 'authentication-token-response.json',
  'authentication/token/release': 'authentication-token-release-response.json',
  'customer_events/financial_achievements/show': 'financial-achievements-show-response.json',
  'customer_events/financial_achievements/list': 'financial-achievements-list-response.json',
  'customer_events/financial_achievements/create': 'financial-achievements-create-response.json',
  'customer_events/financial_achievements/cancel': 'financial-achievements-cancel-response.json'
}

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
  const schema = RESPONSE_SCHEMA[method]
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
