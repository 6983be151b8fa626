/**
 * API.md "Transport" and "Errors": every answer is the vendor envelope, whatever
 * goes wrong (malformed JSON, wrong content type, unknown path, wrong HTTP method, oversized
 * body, each kind of schema failure, a bug), with a message naming the parameter; never
 * Fastify's default error shape, never a stack trace, never a 5xx for bad input.
 */
import { Memory } from 'lowdb'
import t, { type Test } from 'tap'
import type { InjectOptions } from 'fastify'
import { loadFixtures, type Dataset } from '../../src/index.js'
import { type Answer, appOver, BASE, build, CODES, expectError, expectOk, FA, FailingWrites, type Injectable, raw, session, VENDOR_CREATE } from '../helper.js'

const LIST = FA + 'list'
const CREATE = FA + 'create'

/** What no answer may look like: Fastify's default error, a 5xx for bad input, anything but the envelope. */
function expectEnvelope (t: Test, answer: Answer): void {
  t.same(Object.keys(answer.body).sort(), ['data', 'status'], 'exactly data and status (not Fastify\'s {statusCode, error, message})')
  t.same(Object.keys(answer.body.status).sort(), ['code', 'description', 'message'])
  t.match(String(answer.headers['content-type']), /^application\/json/, 'JSON')
  t.ok(answer.statusCode < 500, 'not a 5xx')
}

t.test('transport: methods live under /crmapi/rest/v2/; anything else is METHODNOTFOUNDEXCEPTION naming the path', async t => {
  const { server, token } = await session(t)
  for (const url of ['/', '/nowhere', '/customer_events/financial_achievements/list', '/crmapi/rest/v1/customer_events/financial_achievements/list', `${BASE}customer_events/financial_achievements/LIST`, `${BASE}customer_events/financial_achievements/delete`, `${BASE}customer_events/achievements/list`]) {
    const answer = await raw(server.app, { method: 'POST', url, payload: { token, accounts_receivable_identifier: { number: 'ACR0000000069' } } })
    t.test(url, async t => {
      expectError(t, answer, CODES.METHOD_NOT_FOUND, url.split('?')[0]!)
      expectEnvelope(t, answer)
    })
  }
})

t.test('transport: a method called with the wrong HTTP method is METHODNOTFOUNDEXCEPTION naming the method', async t => {
  const { server, token } = await session(t)
  const wrong: Array<[string, string]> = [
    ['GET', 'customer_events/financial_achievements/list'], ['GET', 'customer_events/financial_achievements/create'], ['GET', 'customer_events/financial_achievements/cancel'], ['GET', 'authentication/token'],
    ['POST', 'customer_events/financial_achievements/show'], ['PUT', 'customer_events/financial_achievements/create'], ['DELETE', 'authentication/token'],
    ['PATCH', 'customer_events/financial_achievements/cancel'], ['OPTIONS', 'customer_events/financial_achievements/show']
  ]
  for (const [method, name] of wrong) {
    const answer = await raw(server.app, { method: method as InjectOptions['method'], url: `${BASE}${name}?token=${token}` })
    t.test(`${method} ${name}`, async t => {
      expectError(t, answer, CODES.METHOD_NOT_FOUND, `${method} ${name}`)
      expectEnvelope(t, answer)
    })
  }
})

t.test('transport: malformed JSON is INVALIDPARAMETERVALUEEXCEPTION naming the request body', async t => {
  const { server, token } = await session(t)
  for (const payload of ['{"token": "x",', `{"token":"${token}", accounts_receivable_identifier: {}}`, '{\'token\': \'x\'}', '{"a":1}}', 'undefined', '{"a":01}']) {
    const answer = await raw(server.app, { method: 'POST', url: BASE + LIST, headers: { 'content-type': 'application/json' }, payload })
    t.test(payload.slice(0, 40), async t => {
      expectError(t, answer, CODES.INVALID_PARAMETER_VALUE, /request body is not valid JSON/)
      expectEnvelope(t, answer)
    })
  }
})

t.test('transport: a body that is not sent as JSON is INVALIDPARAMETERVALUEEXCEPTION naming the request body', async t => {
  const { server, token } = await session(t)
  const body = JSON.stringify({ token, accounts_receivable_identifier: { number: 'ACR0000000069' } })
  for (const type of ['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x', 'application/xml', 'application/octet-stream']) {
    const answer = await raw(server.app, { method: 'POST', url: BASE + LIST, headers: { 'content-type': type }, payload: body })
    t.test(type, async t => {
      expectError(t, answer, CODES.INVALID_PARAMETER_VALUE, /request body/)
      expectEnvelope(t, answer)
    })
  }
  for (const type of ['application/json; charset=utf-8', 'Application/JSON']) {
    t.test(`${type} is JSON`, async t => expectOk(t, await raw(server.app, { method: 'POST', url: BASE + LIST, headers: { 'content-type': type }, payload: body }), LIST, { complete: true }))
  }
})

t.test('transport: an empty body sent as JSON is INVALIDPARAMETERVALUEEXCEPTION naming the request body', async t => {
  const { server } = await session(t)
  for (const name of [LIST, CREATE, 'authentication/token']) {
    const answer = await raw(server.app, { method: 'POST', url: BASE + name, headers: { 'content-type': 'application/json' }, payload: '' })
    t.test(name, async t => {
      expectError(t, answer, CODES.INVALID_PARAMETER_VALUE, /request body must not be empty/)
      expectEnvelope(t, answer)
    })
  }
})

t.test('transport: a JSON body that is not an object (array, string, number, boolean, null) is INVALIDPARAMETERVALUEEXCEPTION naming the request body', async t => {
  const { server, token } = await session(t)
  for (const payload of [`[{"token":"${token}"}]`, '"text"', '42', 'true', 'null']) {
    for (const name of [LIST, 'authentication/token']) {
      const answer = await raw(server.app, { method: 'POST', url: BASE + name, headers: { 'content-type': 'application/json' }, payload })
      t.test(`${name} ${payload.slice(0, 20)}`, async t => {
        expectError(t, answer, CODES.INVALID_PARAMETER_VALUE, /request body must be a JSON object/)
        expectEnvelope(t, answer)
      })
    }
  }
})

t.test('transport: a POST without any body is an empty parameter list (the token is then missing)', async t => {
  const { server } = await session(t)
  expectError(t, await raw(server.app, { method: 'POST', url: BASE + LIST }), CODES.INVALID_TOKEN, 'token')
  expectError(t, await raw(server.app, { method: 'POST', url: BASE + 'authentication/token' }), CODES.MANDATORY_PARAMETER, 'username')
})

t.test('transport: a body larger than the limit is REQUESTTOOLARGEEXCEPTION (bodyLimit option)', async t => {
  const server = await build(t, { bodyLimit: 2048 })
  const token = await server.login()
  const small = { token, ...VENDOR_CREATE, description: 'x'.repeat(1000) }
  expectOk(t, await raw(server.app, { method: 'POST', url: BASE + CREATE, payload: small }), CREATE, { complete: true })
  const before = (await server.snapshot()).customer_events.length
  for (const [type, payload] of [['application/json', JSON.stringify({ ...small, description: 'x'.repeat(3000) })], ['text/plain', 'x'.repeat(3000)]] as const) {
    const answer = await raw(server.app, { method: 'POST', url: BASE + CREATE, headers: { 'content-type': type }, payload })
    t.test(type, async t => {
      expectError(t, answer, CODES.REQUEST_TOO_LARGE, /larger than the limit of 2048 bytes/)
      expectEnvelope(t, answer)
    })
  }
  t.equal((await server.snapshot()).customer_events.length, before, 'nothing was stored')
})

t.test('transport: a body that does not match its Content-Length, or a malformed URL, is INVALIDPARAMETERVALUEEXCEPTION', async t => {
  const { server } = await session(t)
  const short = await raw(server.app, { method: 'POST', url: BASE + LIST, headers: { 'content-type': 'application/json', 'content-length': '3' }, payload: '{"token":"x"}' })
  expectError(t, short, CODES.INVALID_PARAMETER_VALUE, /request body/)
  expectEnvelope(t, short)
  const url = await raw(server.app, { method: 'GET', url: `${BASE}%` })
  expectError(t, url, CODES.INVALID_PARAMETER_VALUE, /URL/)
  expectEnvelope(t, url)
})

t.test('transport: __proto__ and constructor keys are dropped like any unknown parameter (nothing is polluted)', async t => {
  const { server, token } = await session(t)
  const answer = await raw(server.app, {
    method: 'POST', url: BASE + LIST, headers: { 'content-type': 'application/json' },
    payload: `{"token":"${token}","__proto__":{"accounts_receivable_identifier":{"number":"ACR0000000069"}}}`
  })
  expectError(t, answer, CODES.SEMI_OPTIONAL, 'accounts_receivable_identifier')
  t.equal(({} as Record<string, unknown>).accounts_receivable_identifier, undefined, 'Object.prototype untouched')
})

t.test('each kind of schema (ajv) failure is a vendor error with a message naming the parameter', async t => {
  const { server, api } = await session(t)
  const participant = (await server.snapshot()).rewards_participants[0]!.access_tokens[0]!
  const rows: Array<[string, string, Record<string, unknown>, string, string]> = [
    ['type', LIST, { accounts_receivable_identifier: { number: 'ACR0000000069' }, fields_set: 5 }, CODES.INVALID_PARAMETER_VALUE, 'fields_set'],
    ['type (identifier field), as a sentence', LIST, { accounts_receivable_identifier: { number: 69 } }, CODES.INVALID_PARAMETER_VALUE, 'The accounts_receivable_identifier.number must be a string'],
    ['type (identifier)', LIST, { accounts_receivable_identifier: 'ACR0000000069' }, CODES.INVALID_PARAMETER_VALUE, 'accounts_receivable_identifier'],
    ['required', CREATE, { accounts_receivable_identifier: { number: 'ACR0000000069' } }, CODES.MANDATORY_PARAMETER, 'classification_identifier'],
    ['required (nested, if/then)', LIST, { rewards_participant_identifier: { access_token_identifier: { identifier: participant.identifier } } }, CODES.MANDATORY_PARAMETER, 'rewards_participant_identifier.access_token_identifier.pass_code'],
    ['anyOf (semi-optional, at least one)', LIST, {}, CODES.SEMI_OPTIONAL, 'accounts_receivable_identifier'],
    ['oneOf (semi-optional, exactly one)', CREATE, { ...VENDOR_CREATE, rewards_participant_identifier: { number: 'RP00000001' } }, CODES.SEMI_OPTIONAL, 'rewards_participant_identifier'],
    ['oneOf (access token forms)', LIST, { rewards_participant_identifier: { access_token_identifier: {} } }, CODES.INVALID_PARAMETER_VALUE, 'rewards_participant_identifier.access_token_identifier'],
    ['minProperties', LIST, { accounts_receivable_identifier: {} }, CODES.INVALID_PARAMETER_VALUE, 'accounts_receivable_identifier'],
    ['maxProperties', LIST, { accounts_receivable_identifier: { number: 'ACR0000000069', name: 'x' } }, CODES.INVALID_PARAMETER_VALUE, 'accounts_receivable_identifier'],
    ['additionalProperties', LIST, { accounts_receivable_identifier: { code: 'x' } }, CODES.INVALID_PARAMETER_VALUE, 'accounts_receivable_identifier'],
    ['minLength', LIST, { accounts_receivable_identifier: { number: '' } }, CODES.INVALID_PARAMETER_VALUE, 'accounts_receivable_identifier.number'],
    ['maxLength', LIST, { accounts_receivable_identifier: { number: 'x'.repeat(201) } }, CODES.INVALID_PARAMETER_VALUE, 'accounts_receivable_identifier.number'],
    ['maxLength (string parameter)', CREATE, { ...VENDOR_CREATE, description: 'x'.repeat(4001) }, CODES.INVALID_PARAMETER_VALUE, 'description'],
    ['pattern', CREATE, { ...VENDOR_CREATE, amount: 'eleven' }, CODES.INVALID_PARAMETER_VALUE, 'amount'],
    ['format', CREATE, { ...VENDOR_CREATE, performed_on: '2016-02-30' }, CODES.INVALID_PARAMETER_VALUE, 'performed_on'],
    ['minimum', LIST, { accounts_receivable_identifier: { number: 'ACR0000000069' }, offset: -1 }, CODES.INVALID_PARAMETER_VALUE, 'offset'],
    ['maximum', LIST, { accounts_receivable_identifier: { number: 'ACR0000000069' }, number_of_results: 1e12 }, CODES.INVALID_PARAMETER_VALUE, 'number_of_results'],
    ['login type', 'authentication/token', { username: 5, password: '1234', organisation: 'CRMDEMO' }, CODES.INVALID_PARAMETER_VALUE, 'username'],
    ['login minLength', 'authentication/token', { username: 'MPAdministrator', password: '1234', organisation: '' }, CODES.INVALID_PARAMETER_VALUE, 'organisation']
  ]
  for (const [keyword, method, params, code, parameter] of rows) {
    const answer = await api(method, params)
    t.test(`${keyword}: ${method} names ${parameter}`, async t => {
      expectError(t, answer, code as typeof CODES.UNEXPECTED, parameter)
      expectEnvelope(t, answer)
      t.notMatch(answer.body.status.message, /^The the /, 'reads as a sentence')
    })
  }
})

t.test('every success is the vendor envelope: status OK with empty description and message, JSON', async t => {
  const { api } = await session(t)
  for (const [method, params] of [[LIST, { accounts_receivable_identifier: { number: 'ACR0000000069' } }], [FA + 'show', { customer_event_identifier: 'number=92' }], [CREATE, VENDOR_CREATE]] as const) {
    const answer = await api(method, params)
    expectEnvelope(t, answer)
    t.same(answer.body.status, { code: 'OK', description: '', message: '' }, method)
  }
})

t.test('UNEXPECTEDEXCEPTION: a store that cannot be written answers the vendor error, no stack trace, and keeps nothing', async t => {
  const app = await appOver(t, { adapter: new FailingWrites() })
  const token = await app.login()
  const answer = await raw(app, { method: 'POST', url: BASE + CREATE, payload: { token, ...VENDOR_CREATE, description: 'never stored' } })
  expectError(t, answer, CODES.UNEXPECTED, /store could not be written.*nothing was changed/, 200)
  expectEnvelope(t, answer)
  t.notMatch(answer.body.status.description, /\n\s+at /, 'no stack in the description')
  const cancel = await raw(app, { method: 'POST', url: BASE + FA + 'cancel', payload: { token, customer_event_identifier: { number: '92' } } })
  expectError(t, cancel, CODES.UNEXPECTED, /store could not be written/)
  const listed = await raw(app, { method: 'POST', url: BASE + LIST, payload: { token, accounts_receivable_identifier: { number: 'ACR0000000069' } } })
  expectOk(t, listed, LIST, { complete: true })
  t.same(listed.body.data.map((e: { number: string, life_cycle_state: string }) => `${e.number} ${e.life_cycle_state}`), ['57 POSTED', '92 POSTED', '93 POSTED', '94 POSTED'], 'neither the create nor the cancel was kept')
})

t.test('UNEXPECTEDEXCEPTION: a bug (data the code does not expect) answers the vendor error, no stack trace', async t => {
  const broken = loadFixtures()
  // A rewards participant whose account does not exist: resolving it has nothing to return.
  broken.rewards_participants[0]!.accounts_receivable_id = 'NO-SUCH-ACCOUNT'
  const app = await appOver(t, { adapter: new Memory<Dataset>(), initial: () => broken })
  const token = await app.login()
  const answer = await raw(app, { method: 'POST', url: BASE + LIST, payload: { token, rewards_participant_identifier: { id: broken.rewards_participants[0]!.id } } })
  expectError(t, answer, CODES.UNEXPECTED, /Unexpected error/)
  expectEnvelope(t, answer)
  t.notMatch(JSON.stringify(answer.body), /Cannot read|undefined \(reading|\.ts:\d|\.js:\d/, 'neither the failure\'s message nor its stack')
  t.equal(answer.statusCode, 200, 'HTTP 200 like every vendor error')
})

t.test('transport: answers keep their connection alive until the server stops; one sent while it stops closes it, so stop() does not wait for idle clients', async t => {
  const server = await build(t)
  await server.start()
  const token = await server.login()
  const list = async (): Promise<Response> => await fetch(server.urlFor('customer_events/financial_achievements/list'), {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, accounts_receivable_identifier: { number: 'ACR0000000069' }, number_of_results: 1 })
  })
  const before = await list()
  await before.arrayBuffer()
  t.equal(before.headers.get('connection'), 'keep-alive', 'a normal answer keeps its connection')
  // Held in flight by a delay fault while the server stops.
  await server.faults.inject({ operation: 'customer_events/financial_achievements/list', delayMs: 300 })
  const held = list()
  await new Promise(resolve => setTimeout(resolve, 50))
  const started = Date.now()
  const stopped = server.stop().then(() => Date.now() - started)
  const answer = await held
  t.equal(((await answer.json()) as { status: { code: string } }).status.code, 'OK', 'the request in flight is answered')
  t.equal(answer.headers.get('connection'), 'close', 'and its answer closes the connection')
  t.ok(await stopped < 10_000, 'stop() returns once the request is answered (not after the 72 s keep-alive)')
})

t.test('HEAD on a GET method answers as GET does, headers only; any other undocumented method is METHODNOTFOUND', async t => {
  const { server, token } = await session(t)
  const url = `${BASE}${FA}show?token=${token}&customer_event_identifier=number=57`
  const get = await server.app.inject({ method: 'GET', url })
  const head = await server.app.inject({ method: 'HEAD', url })
  t.equal(head.statusCode, 200)
  t.equal(head.body, '', 'no body')
  t.equal(head.headers['content-length'], get.headers['content-length'], 'the length GET answers')
  t.equal(head.headers['content-type'], get.headers['content-type'])
  const [logged] = (await server.requests()).filter(c => c.method === 'HEAD')
  t.equal(logged?.code, 'OK', 'the request log has it answered OK, not as a failure')
  expectError(t, await raw(server.app, { method: 'PUT', url: `${BASE}${FA}show?token=${token}` }), CODES.METHOD_NOT_FOUND, 'show')
})

t.test('a malformed path or body never echoes what was sent: no query string, token or password in any error text', async t => {
  const { server, token } = await session(t)
  const badPath = await server.app.inject({ method: 'GET', url: `${BASE}${FA}sh%ow?token=${token}` })
  t.equal(badPath.json().status.code, CODES.INVALID_PARAMETER_VALUE)
  t.notMatch(badPath.body, token, 'the token is not in the answer')
  t.notMatch(badPath.body, 'token=', 'nor the query string')
  const badJson = await server.app.inject({ method: 'POST', url: `${BASE}authentication/token`, headers: { 'content-type': 'application/json' }, payload: '{"username": "MPAdministrator", "password": "s3cret-pass", oops}' })
  t.equal(badJson.json().status.code, CODES.INVALID_PARAMETER_VALUE)
  t.notMatch(badJson.body, 's3cret-pass', 'the password is not in the answer')
  t.match(badJson.json().status.description, /could not be parsed/, 'the description says what went wrong')
})
