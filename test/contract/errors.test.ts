/**
 * API.md "Error codes": each row is produced where it should be, in the vendor envelope,
 * answered HTTP 200 by default and with its REST status under the restStatus option.
 */
import t, { type Test } from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { CODES, ERROR_TABLE, type CrmErrorCode } from '../../src/contract/errors.js'
import type { MockServer, MockServerOptions } from '../../src/index.js'
import { schemas } from '../../src/contract/schemas.js'
import { type Answer, appOver, BASE, build, ROOT, expectError, FA, FailingWrites, type Injectable, raw, VENDOR_CREATE } from '../helper.js'

interface Row {
  code: CrmErrorCode
  situation: string
  /** The parameter (or thing) the message must name. */
  names: string | RegExp
  /** The HTTP status a client receives under the REST-status option (API.md allows 400/401/404/409/413/422). */
  rest: number
  send: (server: MockServer, token: string) => Promise<Answer>
  /** Server options the situation needs. */
  options?: MockServerOptions
}

const post = async (server: MockServer, method: string, payload: unknown): Promise<Answer> => await raw(server.app, { method: 'POST', url: BASE + method, payload: payload as Record<string, unknown> })
const get = async (server: MockServer, query: string): Promise<Answer> => await raw(server.app, { method: 'GET', url: `${BASE}${FA}show?${query}` })

const ROWS: Row[] = [
  { code: CODES.INVALID_TOKEN, rest: 401, situation: 'token missing, unknown, released or expired', names: 'token', send: async s => await post(s, FA + 'list', { accounts_receivable_identifier: { number: 'ACR0000000069' } }) },
  { code: CODES.INVALID_CREDENTIALS, rest: 401, situation: 'login refused', names: /Login refused/, send: async s => await post(s, 'authentication/token', { username: 'MPAdministrator', password: 'wrong', organisation: 'CRMDEMO' }) },
  { code: CODES.MANDATORY_PARAMETER, rest: 400, situation: 'mandatory parameter missing', names: 'customer_event_identifier', send: async (s, token) => await get(s, `token=${token}`) },
  { code: CODES.SEMI_OPTIONAL, rest: 400, situation: 'semi-optional rule broken (none, or too many)', names: 'accounts_receivable_identifier', send: async (s, token) => await post(s, FA + 'list', { token }) },
  { code: CODES.INVALID_PARAMETER_VALUE, rest: 400, situation: 'malformed value (date, number, identifier shape, JSON)', names: 'performed_on', send: async (s, token) => await post(s, FA + 'create', { token, ...VENDOR_CREATE, performed_on: '2016-02-30' }) },
  { code: CODES.ENTITY_NOT_FOUND, rest: 404, situation: 'identifier matches nothing', names: 'customer_event_identifier', send: async (s, token) => await get(s, `token=${token}&customer_event_identifier=number=99999`) },
  { code: CODES.AMBIGUOUS_IDENTIFIER, rest: 409, situation: 'identifier matches several', names: 'classification_identifier', send: async (s, token) => await post(s, FA + 'list', { token, classification_identifier: { name: 'Loyalty Bonus' } }) },
  { code: CODES.INVALID_CUSTOMER_EVENT_TYPE, rest: 422, situation: 'event or classification not of the financial achievement type', names: 'customer_event_identifier', send: async (s, token) => await get(s, `token=${token}&customer_event_identifier=number=122`) },
  { code: CODES.PAYMENT_MEDIUM_NOT_ALLOWED, rest: 422, situation: 'payment medium type/brand not allowed on the account', names: 'payment_medium_type_identifier', send: async (s, token) => await post(s, FA + 'create', { token, ...VENDOR_CREATE, payment_medium_type_identifier: { name: 'DEBIT CARD' } }) },
  {
    code: CODES.INVALID_LIFE_CYCLE_STATE_TRANSITION,
    rest: 409,
    situation: 'cancel of an event that is not POSTED',
    names: 'customer_event_identifier',
    send: async (s, token) => {
      await post(s, FA + 'cancel', { token, customer_event_identifier: { number: '93' } })
      return await post(s, FA + 'cancel', { token, customer_event_identifier: { number: '93' } })
    }
  },
  { code: CODES.PARAMETER_NOT_AVAILABLE_IN_RELEASE, rest: 400, situation: 'parameter not available in the emulated release (strict mode)', names: 'amount', options: { release: 'R10.0.0', strict: true }, send: async (s, token) => await post(s, FA + 'create', { token, ...VENDOR_CREATE, amount: '5' }) },
  { code: CODES.METHOD_NOT_FOUND, rest: 404, situation: 'unknown method or path', names: 'customer_events/financial_achievements/update', send: async (s, token) => await post(s, FA + 'update', { token }) },
  { code: CODES.REQUEST_TOO_LARGE, rest: 413, situation: 'request too large', names: /request body/, send: async (s, token) => await post(s, FA + 'create', { token, ...VENDOR_CREATE, description: 'x'.repeat(5000) }) }
]

/** The README's error table: its rows as [situation, code, REST status]. */
function readmeTable (): Array<[string, string, number]> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  const section = readme.slice(readme.indexOf('### Error codes'), readme.indexOf('### Decisions where the vendor is silent'))
  return section.split('\n').filter(l => l.startsWith('| ') && l.includes('`COM.')).map(l => {
    const [situation, code, status] = l.split('|').slice(1, -1).map(c => c.trim())
    return [situation!, code!.replace(/`/g, ''), Number(status)]
  })
}

t.test('the error table is stated once: the README, error-response.json and the constants all read the contract\'s table', async t => {
  t.same(readmeTable(), ERROR_TABLE.map(r => [r.situation, r.code, r.restStatus]), 'the README\'s table has the contract\'s rows, in its order')
  const schema = schemas['error-response.json'] as { properties: { status: { properties: { code: { enum: string[] } } } } }
  t.same(schema.properties.status.properties.code.enum, ERROR_TABLE.map(r => r.code), 'error-response.json\'s enum is the table\'s codes, in its order')
  t.same(Object.values(CODES), ERROR_TABLE.map(r => r.code), 'CODES')
  t.same([...ROWS.map(r => r.code), CODES.UNEXPECTED].sort(), ERROR_TABLE.map(r => r.code).sort(), 'every code has a situation below that makes a client receive it')
})

for (const restStatus of [false, true]) {
  const mode = restStatus ? 'with the REST-status option, its REST status' : 'HTTP 200 (the vendor\'s way)'
  for (const row of ROWS) {
    t.test(`${row.situation}: ${row.code.split('.').at(-1)!} — ${mode}`, async (t: Test) => {
      const server = await build(t, { restStatus, bodyLimit: 4096, ...row.options })
      const token = await server.login()
      const answer = await row.send(server, token)
      expectError(t, answer, row.code, row.names, restStatus ? row.rest : 200)
    })
  }
  t.test(`anything unexpected (a bug: here a store that cannot be written): UNEXPECTEDEXCEPTION — ${mode}`, async (t: Test) => {
    const app: Injectable & { login: () => Promise<string> } = await appOver(t, { adapter: new FailingWrites(), options: { restStatus } })
    const token = await app.login()
    const answer = await raw(app, { method: 'POST', url: BASE + FA + 'create', payload: { token, ...VENDOR_CREATE } })
    expectError(t, answer, CODES.UNEXPECTED, /Unexpected error/, restStatus ? 500 : 200)
  })
}

t.test('the REST-status option leaves successes at HTTP 200', async t => {
  const server = await build(t, { restStatus: true })
  const token = await server.login()
  const answer = await post(server, FA + 'list', { token, accounts_receivable_identifier: { number: 'ACR0000000069' } })
  t.equal(answer.statusCode, 200)
  t.equal(answer.body.status.code, 'OK')
})
