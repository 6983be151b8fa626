/**
 * API.md "Error codes": each row is produced where it should be, in the vendor envelope,
 * answered HTTP 200 by default and with its REST status under the restStatus option.
 * (PARAMETERNOTAVAILABLEINRELEASEEXCEPTION belongs to release emulation and is tested there.)
 */
import t, { type Test } from 'tap'
import { CODES, REST_STATUS, type CrmErrorCode, type MockServer } from '../../src/index.js'
import { schemas } from '../../src/schemas.js'
import { BASE, FA, VENDOR_CREATE, build, type Answer } from '../helper.js'
import { FailingWrites, appOver, expectError, raw, type Injectable } from './support.js'

/** The codes of API.md's table, in its order. */
const TABLE = [
  'COM.CRM.EXCEPTION.AUTHENTICATION.INVALIDTOKENEXCEPTION',
  'COM.CRM.EXCEPTION.AUTHENTICATION.INVALIDCREDENTIALSEXCEPTION',
  'COM.CRM.EXCEPTION.GENERAL.MANDATORYPARAMETERNOTSPECIFIEDEXCEPTION',
  'COM.CRM.EXCEPTION.GENERAL.SEMIOPTIONALPARAMETERSEXCEPTION',
  'COM.CRM.EXCEPTION.GENERAL.INVALIDPARAMETERVALUEEXCEPTION',
  'COM.CRM.EXCEPTION.GENERAL.ENTITYNOTFOUNDEXCEPTION',
  'COM.CRM.EXCEPTION.GENERAL.AMBIGUOUSIDENTIFIEREXCEPTION',
  'COM.CRM.EXCEPTION.CUSTOMEREVENTS.INVALIDCUSTOMEREVENTTYPEEXCEPTION',
  'COM.CRM.EXCEPTION.CUSTOMEREVENTS.PAYMENTMEDIUMNOTALLOWEDEXCEPTION',
  'COM.CRM.EXCEPTION.CUSTOMEREVENTS.INVALIDLIFECYCLESTATETRANSITIONEXCEPTION',
  'COM.CRM.EXCEPTION.GENERAL.PARAMETERNOTAVAILABLEINRELEASEEXCEPTION',
  'COM.CRM.EXCEPTION.GENERAL.METHODNOTFOUNDEXCEPTION',
  'COM.CRM.EXCEPTION.GENERAL.REQUESTTOOLARGEEXCEPTION',
  'COM.CRM.EXCEPTION.GENERAL.UNEXPECTEDEXCEPTION'
]

/** The HTTP statuses API.md allows for the REST option (and 500 for a bug). */
const REST_STATUSES = [400, 401, 404, 409, 413, 422, 500]

interface Row {
  code: CrmErrorCode
  situation: string
  /** The parameter (or thing) the message must name. */
  names: string | RegExp
  send: (server: MockServer, token: string) => Promise<Answer>
}

const post = async (server: MockServer, method: string, payload: unknown): Promise<Answer> => await raw(server.app, { method: 'POST', url: BASE + method, payload: payload as Record<string, unknown> })
const get = async (server: MockServer, query: string): Promise<Answer> => await raw(server.app, { method: 'GET', url: `${BASE}${FA}show?${query}` })

const ROWS: Row[] = [
  { code: CODES.INVALID_TOKEN, situation: 'token missing, unknown, released or expired', names: 'token', send: async s => await post(s, FA + 'list', { accounts_receivable_identifier: { number: 'ACR0000000069' } }) },
  { code: CODES.INVALID_CREDENTIALS, situation: 'login refused', names: /Login refused/, send: async s => await post(s, 'authentication/token', { username: 'MPAdministrator', password: 'wrong', organisation: 'CRMDEMO' }) },
  { code: CODES.MANDATORY_PARAMETER, situation: 'mandatory parameter missing', names: 'customer_event_identifier', send: async (s, token) => await get(s, `token=${token}`) },
  { code: CODES.SEMI_OPTIONAL, situation: 'semi-optional rule broken (none, or too many)', names: 'accounts_receivable_identifier', send: async (s, token) => await post(s, FA + 'list', { token }) },
  { code: CODES.INVALID_PARAMETER_VALUE, situation: 'malformed value (date, number, identifier shape, JSON)', names: 'performed_on', send: async (s, token) => await post(s, FA + 'create', { token, ...VENDOR_CREATE, performed_on: '2016-02-30' }) },
  { code: CODES.ENTITY_NOT_FOUND, situation: 'identifier matches nothing', names: 'customer_event_identifier', send: async (s, token) => await get(s, `token=${token}&customer_event_identifier=number=99999`) },
  { code: CODES.AMBIGUOUS_IDENTIFIER, situation: 'identifier matches several', names: 'classification_identifier', send: async (s, token) => await post(s, FA + 'list', { token, classification_identifier: { name: 'Loyalty Bonus' } }) },
  { code: CODES.INVALID_CUSTOMER_EVENT_TYPE, situation: 'event or classification not of the financial achievement type', names: 'customer_event_identifier', send: async (s, token) => await get(s, `token=${token}&customer_event_identifier=number=122`) },
  { code: CODES.PAYMENT_MEDIUM_NOT_ALLOWED, situation: 'payment medium type/brand not allowed on the account', names: 'payment_medium_type_identifier', send: async (s, token) => await post(s, FA + 'create', { token, ...VENDOR_CREATE, payment_medium_type_identifier: { name: 'DEBIT CARD' } }) },
  {
    code: CODES.INVALID_LIFE_CYCLE_STATE_TRANSITION,
    situation: 'cancel of an event that is not POSTED',
    names: 'customer_event_identifier',
    send: async (s, token) => {
      await post(s, FA + 'cancel', { token, customer_event_identifier: { number: '93' } })
      return await post(s, FA + 'cancel', { token, customer_event_identifier: { number: '93' } })
    }
  },
  { code: CODES.METHOD_NOT_FOUND, situation: 'unknown method or path', names: 'customer_events/financial_achievements/update', send: async (s, token) => await post(s, FA + 'update', { token }) },
  { code: CODES.REQUEST_TOO_LARGE, situation: 'request too large', names: /request body/, send: async (s, token) => await post(s, FA + 'create', { token, ...VENDOR_CREATE, description: 'x'.repeat(5000) }) }
]

t.test('the error codes are exactly API.md\'s table, in errors.ts and in error-response.json', async t => {
  t.same(Object.values(CODES).sort(), [...TABLE].sort(), 'errors.ts CODES')
  const schema = schemas['error-response.json'] as { properties: { status: { properties: { code: { enum: string[] } } } } }
  t.same([...schema.properties.status.properties.code.enum].sort(), [...TABLE].sort(), 'error-response.json enum')
  for (const code of TABLE) t.ok(REST_STATUSES.includes(REST_STATUS[code as CrmErrorCode]), `${code} has a REST status API.md allows (${REST_STATUS[code as CrmErrorCode]})`)
})

t.test('the REST statuses: 401 for tokens and logins, 400 for bad parameters, 404 for nothing found, 409 for conflicts, 413 for size, 422 for rule breaches, 500 for bugs', async t => {
  t.same(REST_STATUS, {
    [CODES.INVALID_TOKEN]: 401,
    [CODES.INVALID_CREDENTIALS]: 401,
    [CODES.MANDATORY_PARAMETER]: 400,
    [CODES.SEMI_OPTIONAL]: 400,
    [CODES.INVALID_PARAMETER_VALUE]: 400,
    [CODES.ENTITY_NOT_FOUND]: 404,
    [CODES.AMBIGUOUS_IDENTIFIER]: 409,
    [CODES.INVALID_CUSTOMER_EVENT_TYPE]: 422,
    [CODES.PAYMENT_MEDIUM_NOT_ALLOWED]: 422,
    [CODES.INVALID_LIFE_CYCLE_STATE_TRANSITION]: 409,
    [CODES.PARAMETER_NOT_AVAILABLE_IN_RELEASE]: 400,
    [CODES.METHOD_NOT_FOUND]: 404,
    [CODES.REQUEST_TOO_LARGE]: 413,
    [CODES.UNEXPECTED]: 500
  })
})

for (const restStatus of [false, true]) {
  const mode = restStatus ? 'with the REST-status option, HTTP REST_STATUS[code]' : 'HTTP 200 (the vendor\'s way)'
  for (const row of ROWS) {
    t.test(`${row.situation}: ${row.code.split('.').at(-1)!} — ${mode}`, async (t: Test) => {
      const server = await build(t, { restStatus, bodyLimit: 4096 })
      const token = await server.login()
      const answer = await row.send(server, token)
      expectError(t, answer, row.code, row.names, restStatus ? REST_STATUS[row.code] : 200)
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
