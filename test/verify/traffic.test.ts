/**
 * `verify FILE...`: traffic recorded from the mock keeps the contract in every format, and
 * each kind of breach, planted in that traffic, is reported with its rule and JSON pointer.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { CODES, loadExamples, type MockServer } from '../../src/index.js'
import { verifyCommand } from '../../src/verify/command.js'
import { formatReport, parseTraffic, verifyExchanges, verifyFiles, type CheckOptions, type Exchange } from '../../src/verify/index.js'
import { BASE, call, FA, session, VENDOR_CREATE } from '../helper.js'

/** Makes a call through the mock and returns it as recorded traffic. */
async function record (server: MockServer, method: string, params: Record<string, unknown>, source: string): Promise<Exchange> {
  const res = await call(server, method, params)
  const isGet = method.endsWith('/show')
  const query = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)]))
  return {
    request: isGet ? { method: 'GET', url: `http://127.0.0.1:8080${BASE}${method}?${query.toString()}` } : { method: 'POST', url: `http://127.0.0.1:8080${BASE}${method}`, body: params },
    response: { status: res.statusCode, body: res.body },
    source
  }
}

/** A session's worth of good traffic: login, list, create, show, cancel, show, logout. */
async function goodTraffic (t: Test): Promise<Exchange[]> {
  const { server } = await session(t)
  const login = await record(server, 'authentication/token', { username: 'MPAdministrator', password: '1234', organisation: 'CRMDEMO' }, 'login')
  const token = (login.response.body as { data: { token: string } }).data.token
  const list = await record(server, FA + 'list', { token, accounts_receivable_identifier: { number: 'ACR0000000069' } }, 'list')
  const create = await record(server, FA + 'create', { token, ...VENDOR_CREATE, amount: '11.50', description: 'planted' }, 'create')
  const number = (create.response.body as { data: { number: string } }).data.number
  return [
    login, list, create,
    await record(server, FA + 'show', { token, customer_event_identifier: `number=${number}` }, 'show'),
    await record(server, FA + 'show', { token, customer_event_identifier: `number=${number}`, fields_set: 'number,life_cycle_state' }, 'show-fields'),
    await record(server, FA + 'cancel', { token, customer_event_identifier: { number } }, 'cancel'),
    await record(server, FA + 'show', { token, customer_event_identifier: `number=${number}` }, 'show-after-cancel'),
    await record(server, FA + 'list', { token, accounts_receivable_identifier: { number: 'ACR0000000069' }, number_of_results: 2 }, 'page'),
    await record(server, 'authentication/token/release', { token }, 'logout')
  ]
}

const byName = (traffic: Exchange[], source: string): Exchange => traffic.find(e => e.source === source)!
const body = (e: Exchange): any => e.response.body

t.test('traffic recorded from the mock keeps the contract', async t => {
  t.same(verifyExchanges(await goodTraffic(t)), [])
})

t.test('the vendor\'s own examples (real CRM.COM answers) keep the contract, each as a call of its own', async t => {
  let count = 0
  for (const [operation, examples] of Object.entries(loadExamples())) {
    for (const example of examples!) {
      const isGet = operation.endsWith('/show')
      const exchange: Exchange = {
        source: `${operation} ${example.name}`,
        request: isGet
          ? { method: 'GET', url: `https://crm.example.com${BASE}${operation}?${new URLSearchParams(example.request.query).toString()}` }
          : { method: 'POST', url: `https://crm.example.com${BASE}${operation}`, body: example.request.body },
        response: { status: 200, body: example.response }
      }
      t.same(verifyExchanges([exchange]), [], exchange.source)
      count++
    }
  }
  t.equal(count, 5)
})

t.test('JSON array, NDJSON, a single pair and HAR read the same', async t => {
  const traffic = await goodTraffic(t)
  const pairs = traffic.map(({ request, response }) => ({ request, response }))
  const asArray = parseTraffic(JSON.stringify(pairs), 'calls.json')
  const asLines = parseTraffic(pairs.map(p => JSON.stringify(p)).join('\n') + '\n', 'calls.ndjson')
  t.same(asArray.exchanges.map(e => e.request), traffic.map(e => e.request))
  t.same(asLines.exchanges.map(e => e.response), traffic.map(e => e.response))
  t.equal(asLines.exchanges[2]!.source, 'calls.ndjson line 3')
  t.equal(asArray.exchanges[2]!.source, 'calls.json item 2')
  t.equal(parseTraffic(JSON.stringify(pairs[0]), 'one.json').exchanges.length, 1)
  t.same(parseTraffic('  \n', 'empty.json').exchanges, [])

  // As a browser saves it: raw texts, an asset and an aborted call among the API calls, one body base64.
  const entries = traffic.map((e, i) => ({
    startedDateTime: new Date(0).toISOString(),
    request: { method: e.request.method, url: e.request.url, headers: [], ...(e.request.body === undefined ? {} : { postData: { mimeType: 'application/json', text: JSON.stringify(e.request.body) } }) },
    response: {
      status: e.response.status,
      headers: [{ name: 'Content-Type', value: 'application/json' }],
      content: i === 1 ? { mimeType: 'application/json', encoding: 'base64', text: Buffer.from(JSON.stringify(e.response.body)).toString('base64') } : { mimeType: 'application/json', text: JSON.stringify(e.response.body) }
    }
  }))
  entries.splice(1, 0, { startedDateTime: '', request: { method: 'GET', url: 'http://127.0.0.1:8080/documentation/static/swagger-ui.css', headers: [] }, response: { status: 200, headers: [], content: { mimeType: 'text/css', text: 'body{}' } } })
  entries.push({ startedDateTime: '', request: { method: 'POST', url: `http://127.0.0.1:8080${BASE}${FA}list`, headers: [] }, response: { status: 0, headers: [], content: { mimeType: 'x-unknown', text: '' } } } as never)
  const har = parseTraffic(JSON.stringify({ log: { version: '1.2', entries } }), 'session.har')
  t.equal(har.exchanges.length, traffic.length)
  t.same(har.skipped.map(s => s.source), ['session.har entry 1', `session.har entry ${entries.length - 1}`])
  t.same(har.exchanges.map(e => e.response.body), traffic.map(e => e.response.body), 'base64 content decoded')
  t.equal(har.exchanges[0]!.response.headers!['content-type'], 'application/json')
  t.same(verifyExchanges(har.exchanges), [])
})

t.test('what is not traffic is refused with where', async t => {
  t.throws(() => parseTraffic('{"request":{"method":"GET","url":"/x"},"response":{"status":200}}\nnot json', 'bad.ndjson'), { name: 'TrafficFormatError', message: /^bad\.ndjson line 2: is not JSON/ })
  t.throws(() => parseTraffic('[{"request":{"url":"/x"},"response":{"status":200}}]', 'bad.json'), { message: /bad\.json item 0: request needs "method" and "url" strings/ })
  t.throws(() => parseTraffic('[{"request":{"method":"GET","url":"/x"},"response":{}}]', 'bad.json'), { message: /response needs a numeric "status"/ })
  t.throws(() => parseTraffic('[1]', 'bad.json'), { message: /is not a \{"request": \{\.\.\.\}, "response": \{\.\.\.\}\} pair/ })
  t.throws(() => parseTraffic('{"log":{"entries":{}}}', 'bad.har'), { message: /log\.entries is not an array/ })
  t.throws(() => parseTraffic('{"log":{"entries":[1]}}', 'bad.har'), { message: /bad\.har entry 0: is not a HAR entry/ })
})

interface Plant {
  rule: string
  pointer: string
  message?: RegExp
  options?: CheckOptions
  /** Changes good traffic into bad. */
  plant: (traffic: Exchange[]) => Exchange[]
}

/** Adds a call just before the logout, while the token still works. */
const beforeLogout = (tr: Exchange[], e: Exchange): Exchange[] => [...tr.slice(0, -1), e, tr.at(-1)!]

const copy = (e: Exchange, source: string, change: (e: Exchange) => void): Exchange => {
  const c = structuredClone(e)
  c.source = source
  change(c)
  return c
}

const PLANTS: Record<string, Plant> = {
  'a cancel answered OK for an event cancelled earlier': {
    rule: 'cancel-twice', pointer: '/response/body/status/code', message: /was already cancelled \(cancel\): cancelling it again must fail with COM\.CRM\.EXCEPTION\.CUSTOMEREVENTS\.INVALIDLIFECYCLESTATETRANSITIONEXCEPTION/,
    plant: tr => beforeLogout(tr, copy(byName(tr, 'cancel'), 'cancel-again', () => {}))
  },
  'a show after a cancel still POSTED': {
    rule: 'cancelled-is-final', pointer: '/response/body/data/life_cycle_state',
    plant: tr => tr.map(e => e.source === 'show-after-cancel' ? copy(e, e.source, c => { body(c).data.life_cycle_state = 'POSTED' }) : e)
  },
  'a cancel answered OK that does not say CANCELLED': {
    rule: 'cancel-result', pointer: '/response/body/data/life_cycle_state',
    plant: tr => tr.map(e => e.source === 'cancel' ? copy(e, e.source, c => { body(c).data.life_cycle_state = 'POSTED' }) : e)
  },
  'a created event numbered below one seen before': {
    rule: 'number-sequence', pointer: '/response/body/data/number', message: /a new event got number 60, not above \d+ already seen \(list\)/,
    plant: tr => tr.map(e => e.source === 'create' ? copy(e, e.source, c => { body(c).data.number = '60' }) : e).filter(e => !e.source.startsWith('show') && e.source !== 'cancel' && e.source !== 'page')
  },
  'a created event with an id seen before': {
    rule: 'event-id-reused', pointer: '/response/body/data/id',
    plant: tr => tr.map(e => e.source === 'create' ? copy(e, e.source, c => { body(c).data.id = body(byName(tr, 'list')).data[0].id }) : e).filter(e => e.source !== 'show-after-cancel')
  },
  'a created event that is not POSTED': {
    rule: 'create-result', pointer: '/response/body/data/life_cycle_state',
    plant: tr => tr.slice(0, 3).map(e => e.source === 'create' ? copy(e, e.source, c => { body(c).data.life_cycle_state = 'CANCELLED' }) : e)
  },
  'create answers another amount than it was sent': {
    rule: 'echo', pointer: '/response/body/data/amount', message: /create was sent amount "11\.50", the event has 11\.6/,
    plant: tr => tr.slice(0, 3).map(e => e.source === 'create' ? copy(e, e.source, c => { body(c).data.amount = 11.6 }) : e)
  },
  'create answers another account than it was sent': {
    rule: 'echo', pointer: '/response/body/data/accounts_receivable/number',
    plant: tr => tr.slice(0, 3).map(e => e.source === 'create' ? copy(e, e.source, c => { body(c).data.accounts_receivable.number = 'ACR0000000659' }) : e)
  },
  'a list holding an event of another account': {
    rule: 'list-filter', pointer: '/response/body/data/1/accounts_receivable/number',
    plant: tr => tr.slice(0, 2).map(e => e.source === 'list' ? copy(e, e.source, c => { body(c).data[1].accounts_receivable.number = 'ACR0000000659' }) : e)
  },
  'a page longer than number_of_results': {
    rule: 'paging', pointer: '/response/body/data', message: /3 events for number_of_results 2/,
    plant: tr => tr.map(e => e.source === 'page' ? copy(e, e.source, c => { body(c).data.push(body(byName(tr, 'list')).data[0]) }) : e)
  },
  'a show answering another event than it names': {
    rule: 'identifies', pointer: '/response/body/data/number',
    plant: tr => tr.slice(0, 4).map(e => e.source === 'show' ? copy(e, e.source, c => { body(c).data.number = '57' }) : e)
  },
  'a status without its message': {
    rule: 'envelope', pointer: '/response/body/status/message',
    plant: tr => tr.map(e => e.source === 'list' ? copy(e, e.source, c => { delete body(c).status.message }) : e)
  },
  'an envelope with an extra member': {
    rule: 'envelope', pointer: '/response/body/error',
    plant: tr => tr.map(e => e.source === 'list' ? copy(e, e.source, c => { body(c).error = 'x' }) : e)
  },
  'an answer that is not JSON': {
    rule: 'envelope', pointer: '/response/body', message: /not the text "<html>Bad Gateway<\/html>"/,
    plant: tr => tr.map(e => e.source === 'list' ? copy(e, e.source, c => { c.response.body = '<html>Bad Gateway</html>' }) : e)
  },
  'an error code that is not the vendor\'s': {
    rule: 'response-schema', pointer: '/response/body/status/code', message: /must be equal to one of the allowed values \(error-response\.json/,
    plant: tr => beforeLogout(tr, copy(byName(tr, 'cancel'), 'cancel-again', c => { c.response.body = { data: null, status: { code: 'COM.CRM.EXCEPTION.GENERAL.OOPS', description: '', message: 'oops' } } }))
  },
  'an OK answer with a field of the wrong type': {
    rule: 'response-schema', pointer: '/response/body/data/amount', message: /must be number,null/,
    plant: tr => tr.slice(0, 4).map(e => e.source === 'show' ? copy(e, e.source, c => { body(c).data.amount = '11.5' }) : e)
  },
  'an event without every field, no fields_set': {
    rule: 'complete-event', pointer: '/response/body/data/udf_string_8',
    plant: tr => tr.slice(0, 4).map(e => e.source === 'show' ? copy(e, e.source, c => { delete body(c).data.udf_string_8 }) : e)
  },
  'a field that fields_set did not ask for': {
    rule: 'fields-set', pointer: '/response/body/data/amount', message: /"amount" was not asked for in fields_set \(number,life_cycle_state\)/,
    plant: tr => tr.slice(0, 5).map(e => e.source === 'show-fields' ? copy(e, e.source, c => { body(c).data.amount = 1 }) : e)
  },
  'a field that fields_set asked for, missing': {
    rule: 'fields-set', pointer: '/response/body/data/life_cycle_state',
    plant: tr => tr.slice(0, 5).map(e => e.source === 'show-fields' ? copy(e, e.source, c => { delete body(c).data.life_cycle_state }) : e)
  },
  'HTTP 500 with status OK': {
    rule: 'http-status', pointer: '/response/status',
    plant: tr => tr.map(e => e.source === 'list' ? copy(e, e.source, c => { c.response.status = 500 }) : e)
  },
  'an error with HTTP 200 where REST statuses were expected': {
    rule: 'http-status', pointer: '/response/status', message: /HTTP 200 with status\.code COM\.CRM\.EXCEPTION\.CUSTOMEREVENTS\.INVALIDLIFECYCLESTATETRANSITIONEXCEPTION: expected 409 \(REST statuses\)/,
    options: { restStatus: true },
    plant: tr => [...tr.filter(e => e.source !== 'show-after-cancel'), copy(byName(tr, 'cancel'), 'cancel-again', c => { c.response.body = { data: null, status: { code: CODES.INVALID_LIFE_CYCLE_STATE_TRANSITION, description: '', message: 'no' } } })]
  },
  'a create without performed_on answered OK': {
    rule: 'request-rule', pointer: '/request/body/performed_on', message: /The mandatory parameter performed_on was not specified: the answer must be COM\.CRM\.EXCEPTION\.GENERAL\.MANDATORYPARAMETERNOTSPECIFIEDEXCEPTION, not OK/,
    plant: tr => tr.slice(0, 3).map(e => e.source === 'create' ? copy(e, e.source, c => { delete (c.request.body as any).performed_on }) : e)
  },
  'a show without customer_event_identifier answered OK': {
    rule: 'request-rule', pointer: '/request/query/customer_event_identifier',
    plant: tr => tr.slice(0, 4).map(e => e.source === 'show' ? copy(e, e.source, c => { c.request.url = c.request.url.replace(/&customer_event_identifier=[^&]*/, '') }) : e)
  },
  'a call without a token answered OK': {
    rule: 'request-rule', pointer: '/request/body/token', message: /the token is missing or not a string: the answer must be COM\.CRM\.EXCEPTION\.AUTHENTICATION\.INVALIDTOKENEXCEPTION/,
    plant: tr => tr.slice(0, 2).map(e => e.source === 'list' ? copy(e, e.source, c => { delete (c.request.body as any).token }) : e)
  },
  'a released token answered OK': {
    rule: 'request-rule', pointer: '/request/body/token', message: /the token was released \(logout\)/,
    plant: tr => [...tr, copy(byName(tr, 'list'), 'after-logout', () => {})]
  },
  'a request breaking a rule answered with another rule\'s code': {
    rule: 'error-code', pointer: '/response/body/status/code', message: /expected COM\.CRM\.EXCEPTION\.GENERAL\.MANDATORYPARAMETERNOTSPECIFIEDEXCEPTION \(The mandatory parameter performed_on was not specified at \/request\/body\/performed_on\), got COM\.CRM\.EXCEPTION\.GENERAL\.SEMIOPTIONALPARAMETERSEXCEPTION/,
    plant: tr => tr.slice(0, 3).map(e => e.source === 'create'
      ? copy(e, e.source, c => { delete (c.request.body as any).performed_on; c.response.body = { data: null, status: { code: CODES.SEMI_OPTIONAL, description: '', message: 'x' } } })
      : e)
  },
  'a request keeping every rule answered MANDATORYPARAMETERNOTSPECIFIEDEXCEPTION': {
    rule: 'error-code', pointer: '/response/body/status/code', message: /passes every parameter rule of its schema, yet was answered COM\.CRM\.EXCEPTION\.GENERAL\.MANDATORYPARAMETERNOTSPECIFIEDEXCEPTION/,
    plant: tr => tr.slice(0, 2).map(e => e.source === 'list' ? copy(e, e.source, c => { c.response.body = { data: null, status: { code: CODES.MANDATORY_PARAMETER, description: '', message: 'x' } } }) : e)
  },
  'an unknown method answered OK': {
    rule: 'method-not-found', pointer: '/response/body/status/code', message: /customer_events\/financial_achievements\/delete is not a method of the API/,
    plant: tr => [...tr.slice(0, 2), copy(byName(tr, 'list'), 'delete', c => { c.request.url = c.request.url.replace('/list', '/delete') })]
  },
  'a method called with the wrong HTTP method answered OK': {
    rule: 'method-not-found', pointer: '/response/body/status/code', message: /customer_events\/financial_achievements\/list is called with POST/,
    plant: tr => [...tr.slice(0, 2), copy(byName(tr, 'list'), 'get-list', c => { c.request.method = 'GET' })]
  },
  'a parameter newer than the release, strict, answered OK': {
    rule: 'request-rule', pointer: '/request/body/amount', message: /amount arrived in R11\.0\.0, after R10\.1\.0: the answer must be COM\.CRM\.EXCEPTION\.GENERAL\.PARAMETERNOTAVAILABLEINRELEASEEXCEPTION/,
    options: { release: 'R10.1.0', strict: true },
    plant: tr => tr.slice(0, 3)
  },
  'an unknown parameter, strict, answered OK': {
    rule: 'request-rule', pointer: '/request/body/udf_float_5',
    options: { strict: true },
    plant: tr => tr.slice(0, 2).map(e => e.source === 'list' ? copy(e, e.source, c => { (c.request.body as any).udf_float_5 = 1 }) : e)
  },
  'a body that is not JSON answered OK': {
    rule: 'request-rule', pointer: '/request/body', message: /the request body is not valid JSON/,
    plant: tr => tr.slice(0, 2).map(e => e.source === 'list' ? copy(e, e.source, c => { c.request.body = '{"token": ' }) : e)
  }
}

for (const [name, p] of Object.entries(PLANTS)) {
  t.test(`reported: ${name}`, async t => {
    const traffic = p.plant(await goodTraffic(t))
    const mismatches = verifyExchanges(traffic, p.options)
    const found = mismatches.filter(m => m.rule === p.rule && m.pointer === p.pointer)
    t.equal(found.length, 1, `one ${p.rule} mismatch at ${p.pointer}; all: ${JSON.stringify(mismatches.map(m => [m.rule, m.pointer]))}`)
    if (p.message !== undefined) t.match(found[0]?.message, p.message)
  })
}

t.test('files are checked one by one and reported with where and why', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'crmcom-verify-'))
  const traffic = await goodTraffic(t)
  const pairs = (tr: Exchange[]): string => JSON.stringify(tr.map(({ request, response }) => ({ request, response })))
  writeFileSync(join(dir, 'good.json'), pairs(traffic))
  writeFileSync(join(dir, 'bad.json'), pairs(PLANTS['a cancel answered OK for an event cancelled earlier']!.plant(traffic)))
  t.same(verifyFiles([join(dir, 'good.json'), join(dir, 'good.json')]).mismatches, [], 'the same session twice, in two files: each file is its own sequence')
  const report = verifyFiles([join(dir, 'good.json'), join(dir, 'bad.json')])
  t.equal(report.checked, traffic.length * 2 + 1)
  t.match(report.mismatches, [{ source: `bad.json item ${traffic.length - 1}`, call: `POST ${FA}cancel`, rule: 'cancel-twice' }])
  const text = formatReport(report)
  t.match(text, `bad.json item ${traffic.length - 1}: POST ${FA}cancel\n  /response/body/status/code  [cancel-twice]  event `)
  t.match(text, /19 calls checked: 1 mismatch in 1 call$/)
  t.match(formatReport({ checked: 3, skipped: [{ source: 'x', reason: 'y' }], mismatches: [] }), '3 calls checked (1 skipped: not API calls or no response): every one keeps the contract')
  t.throws(() => verifyFiles([join(dir, 'missing.json')]), { name: 'TrafficFormatError', message: /missing\.json: cannot be read/ })

  const out: string[] = []
  const err: string[] = []
  const io = { out: (s: string) => { out.push(s) }, err: (s: string) => { err.push(s) } }
  t.equal(await verifyCommand([join(dir, 'good.json')], {}, io), 0, 'exit 0 when everything keeps the contract')
  t.equal(await verifyCommand([join(dir, 'bad.json')], {}, io), 1, 'exit 1 on any mismatch')
  t.equal(await verifyCommand([join(dir, 'bad.json')], { json: true }, io), 1)
  t.match(JSON.parse(out.at(-1)!), { checked: traffic.length + 1, mismatches: [{ rule: 'cancel-twice', pointer: '/response/body/status/code' }] })
  t.equal(await verifyCommand([join(dir, 'missing.json')], {}, io), 2, 'exit 2 when a file cannot be read')
  t.equal(await verifyCommand([], {}, io), 2, 'exit 2 without files')
  t.equal(await verifyCommand([join(dir, 'good.json')], { release: 'R9' }, io), 2, 'exit 2 on a release out of range')
  t.equal(await verifyCommand([join(dir, 'good.json')], { target: 'http://127.0.0.1:1' }, io), 2, 'files or --target, not both')
  t.equal(await verifyCommand([], { target: 'http://127.0.0.1:1', username: 'u' }, io), 2)
  t.match(err.at(-1), '--target needs --password, --organisation')
  t.ok(err.some(e => /release R9 is outside the emulated range/.test(e)), 'says why')
})

t.test('verify --target --record writes the calls it made as traffic that verifies', async t => {
  const { server } = await session(t)
  const url = await server.start()
  const dir = mkdtempSync(join(tmpdir(), 'crmcom-verify-'))
  const out: string[] = []
  const io = { out: (s: string) => { out.push(s) }, err: (s: string) => { out.push(s) } }
  const code = await verifyCommand([], { target: url, username: 'MPAdministrator', password: '1234', organisation: 'CRMDEMO', record: join(dir, 'run.json') }, io)
  t.equal(code, 0, out.join('\n'))
  t.match(out.at(-1), /calls checked: every one keeps the contract/)
  t.same(verifyFiles([join(dir, 'run.json')]).mismatches, [])
  await server.stop()
  t.equal(await verifyCommand([], { target: url, username: 'MPAdministrator', password: '1234', organisation: 'CRMDEMO' }, io), 2, 'exit 2 when the target cannot be reached')
  t.match(out.at(-1), /^crmcom-mock verify: POST http:\/\/127\.0\.0\.1:\d+\/crmapi\/rest\/v2\/authentication\/token: fetch failed/)
})

t.test('verify exits 2 when nothing was checked: an empty HAR, or one holding only the documentation page', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'crmcom-mock-verify-empty-'))
  const empty = join(dir, 'empty.har')
  writeFileSync(empty, JSON.stringify({ log: { version: '1.2', entries: [] } }))
  const docsOnly = join(dir, 'docs.har')
  writeFileSync(docsOnly, JSON.stringify({ log: { version: '1.2', entries: [{ startedDateTime: '', request: { method: 'GET', url: 'http://127.0.0.1:8080/documentation', headers: [] }, response: { status: 200, headers: [], content: { mimeType: 'text/html', text: '<html></html>' } } }] } }))
  for (const file of [empty, docsOnly]) {
    const err: string[] = []
    const code = await verifyCommand([file], {}, { out: () => undefined, err: s => { err.push(s) } })
    t.equal(code, 2, `${file.split('/').at(-1)!}: exit 2, as for traffic that cannot be checked`)
    t.match(err.join('\n'), /nothing was checked/, 'and says why')
  }
})

t.test('verify treats a reset as a new state: a suite that resets between tests keeps the contract; without a marker, --calls-alone checks each call on its own', async t => {
  const { server, token } = await session(t)
  const exchanges: Exchange[] = []
  const post = async (method: string, body: Record<string, unknown>): Promise<any> => {
    const res = await server.app.inject({ method: 'POST', url: BASE + method, payload: { token, ...body } })
    exchanges.push({ request: { method: 'POST', url: BASE + method, body: { token, ...body } }, response: { status: res.statusCode, body: res.json() }, source: `call ${exchanges.length}` })
    return res.json()
  }
  const first = (await post(FA + 'create', VENDOR_CREATE)).data.number as string
  await post(FA + 'cancel', { customer_event_identifier: { number: first } })
  await server.reset()
  const marker = exchanges.length
  const again = (await post(FA + 'create', VENDOR_CREATE)).data.number as string
  await post(FA + 'cancel', { customer_event_identifier: { number: again } })
  t.equal(again, first, 'after the reset the same number comes again')

  const withMarker = [...exchanges.slice(0, marker), parseTraffic(JSON.stringify({ marker: 'reset' }), 'marker.json').exchanges[0]!, ...exchanges.slice(marker)]
  t.same(verifyExchanges(withMarker), [], 'with the reset marker: the contract is kept')
  const rules = verifyExchanges(exchanges).map(m => m.rule).sort()
  t.same([...new Set(rules)], ['cancel-twice', 'cancelled-is-final', 'number-sequence'], 'without it, the rules that span calls see one state')
  t.same(verifyExchanges(exchanges, { spanning: false }), [], 'and --calls-alone turns them off')

  const [logged] = (await server.requests()).filter(c => c.operation === 'reset')
  t.match(logged, { method: 'POST', path: '/__admin/reset', code: 'OK' }, 'reset() leaves a marker in the request log')
  const har = { log: { version: '1.2', entries: [{ startedDateTime: '', request: { method: 'POST', url: 'http://127.0.0.1:8080/__admin/reset', headers: [] }, response: { status: 200, headers: [], content: { mimeType: 'application/json', text: '{"data":null,"status":{"code":"OK","description":"","message":""}}' } } }] } }
  const parsed = parseTraffic(JSON.stringify(har), 'suite.har')
  t.equal(parsed.exchanges.length, 1, 'a HAR\'s POST /__admin/reset is read as a marker')
  const dir = mkdtempSync(join(tmpdir(), 'crmcom-mock-verify-marker-'))
  writeFileSync(join(dir, 'suite.json'), JSON.stringify(withMarker.map(({ request, response }) => ({ request, response }))))
  t.equal(verifyFiles([join(dir, 'suite.json')]).checked, exchanges.length, 'a marker is not counted as a checked call')
})
