import { Writable } from 'node:stream'
import t, { type Test } from 'tap'
import { CODES, createMockServer } from '../../src/index.js'
import { compareReleases, parseRelease, parametersOf } from '../../src/contract/releases.js'
import { parameterGate } from '../../src/http/release-gate.js'
import { BASE, call, FA, session, VENDOR_CREATE } from '../helper.js'

const HOUR = 3_600_000
const START = new Date('2024-03-01T09:00:00Z')

t.test('releases parse R10.0.0 to R18.x; anything else is refused', async t => {
  t.equal(parseRelease('R14').label, 'R14.0.0')
  t.equal(parseRelease('r12.2').label, 'R12.2.0')
  t.equal(parseRelease('10.1.0').label, 'R10.1.0')
  t.equal(parseRelease('R18.x').label, 'R18.x')
  t.ok(compareReleases(parseRelease('R12.x'), parseRelease('R12.2.0')) > 0, 'R12.x has everything of R12')
  t.ok(compareReleases(parseRelease('R12.2.x'), parseRelease('R12.3.0')) < 0)
  t.throws(() => parseRelease('R9.9.9'), /outside the emulated range R10\.0\.0 to R18\.x/)
  t.throws(() => parseRelease('R19'), /outside the emulated range/)
  t.throws(() => parseRelease('latest'), /not a CRM\.COM release/)
  await t.rejects(createMockServer({ release: 'R9' }), /outside the emulated range/)
})

t.test('each parameter\'s release is read from its schema\'s x-crm-available-from', async t => {
  t.equal(parametersOf('customer_events/financial_achievements/create').get('external_system_reference_number'), 'R10.1.0')
  t.equal(parametersOf('customer_events/financial_achievements/create').get('amount'), 'R11.0.0')
  t.equal(parametersOf('customer_events/financial_achievements/create').get('performed_on'), 'R10.0.0')
  t.equal(parametersOf('customer_events/financial_achievements/list').get('submitted_before_date'), 'R12.2.0')
  t.equal(parametersOf('customer_events/financial_achievements/list').get('offset'), 'R13.0.0')
})

t.test('R10.0.0 vs R10.1.0: external_system_reference_number', async t => {
  const params = { ...VENDOR_CREATE, external_system_reference_number: 'EXT-1' }
  const before = await session(t, { release: 'R10.0.0' })
  const r10 = await before.api(FA + 'create', params)
  t.equal(r10.body.status.code, 'OK', 'R10.0.0: an unknown parameter, ignored')
  t.equal(r10.body.data.external_system_reference_number, null)
  const from = await session(t, { release: 'R10.1.0' })
  t.equal((await from.api(FA + 'create', params)).body.data.external_system_reference_number, 'EXT-1', 'R10.1.0: kept')
  const strict = await session(t, { release: 'R10.0.0', strict: true })
  const refused = await strict.api(FA + 'create', params)
  t.equal(refused.body.status.code, CODES.PARAMETER_NOT_AVAILABLE_IN_RELEASE, 'R10.0.0 strict: refused')
  t.equal(refused.body.status.message, 'The parameter external_system_reference_number is available from CRM.COM R10.1.0; this server emulates R10.0.0')
  t.equal(refused.body.data, null)
})

t.test('R10 vs R11: amount', async t => {
  const r10 = await session(t, { release: 'R10.1.0' })
  const ignored = await r10.api(FA + 'create', { ...VENDOR_CREATE, amount: '11.50' })
  t.equal(ignored.body.status.code, 'OK')
  t.equal(ignored.body.data.amount, null, 'R10.1.0: amount is ignored')
  t.equal((await r10.api(FA + 'create', { ...VENDOR_CREATE, amount: 'not a number' })).body.status.code, 'OK', 'ignored before validation, so even a bad value passes')
  const r11 = await session(t, { release: 'R11.0.0' })
  t.equal((await r11.api(FA + 'create', { ...VENDOR_CREATE, amount: '11.50' })).body.data.amount, 11.5, 'R11.0.0: amount is kept')
  t.equal((await r11.api(FA + 'create', { ...VENDOR_CREATE, amount: 'not a number' })).body.status.code, CODES.INVALID_PARAMETER_VALUE, 'and validated')
  const strict = await session(t, { release: 'R10.1.0', strict: true })
  const refused = await strict.api(FA + 'create', { ...VENDOR_CREATE, amount: 5 })
  t.equal(refused.body.status.code, CODES.PARAMETER_NOT_AVAILABLE_IN_RELEASE)
  t.match(refused.body.status.message, /amount is available from CRM\.COM R11\.0\.0; this server emulates R10\.1\.0/)
})

t.test('R12.0.0: opaque 32-hex tokens with 1 hour idle expiry before, JWTs valid 2 hours from issue after', async t => {
  const old = await session(t, { release: 'R11.5.0', clock: START })
  t.match(old.token, /^[0-9A-F]{32}$/, 'R11: opaque upper-case hex')
  const login = await call(old.server, 'authentication/token', { username: 'MPAdministrator', password: '1234', organisation: 'CRMDEMO' })
  t.match(login.body.data.token, /^[0-9A-F]{32}$/, 'also over HTTP')
  const show = { customer_event_identifier: { number: '92' } }
  for (let i = 0; i < 3; i++) {
    old.server.clock.advance(HOUR - 60_000)
    t.equal((await old.api(FA + 'show', show)).body.status.code, 'OK', `used after ${i + 1} × 59 minutes: still valid (idle expiry)`)
  }
  old.server.clock.advance(HOUR)
  const idle = await old.api(FA + 'show', show)
  t.equal(idle.body.status.code, CODES.INVALID_TOKEN, 'an hour idle: expired')
  t.match(idle.body.status.description, /1 hour without use/)

  const jwt = await session(t, { release: 'R12.0.0', clock: START })
  t.match(jwt.token, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'R12.0.0: a JWT')
  const claims = JSON.parse(Buffer.from(jwt.token.split('.')[1]!, 'base64url').toString())
  t.equal(Number(claims.exp) - Number(claims.iat), 7200)
  jwt.server.clock.advance(HOUR)
  t.equal((await jwt.api(FA + 'show', show)).body.status.code, 'OK')
  jwt.server.clock.advance(HOUR - 1000)
  t.equal((await jwt.api(FA + 'show', show)).body.status.code, 'OK', 'in use all along, 1 s before 2 hours')
  jwt.server.clock.advance(1000)
  const expired = await jwt.api(FA + 'show', show)
  t.equal(expired.body.status.code, CODES.INVALID_TOKEN, '2 hours after issue: expired, use or not')
  t.match(expired.body.status.description, /2 hours after issue/)
})

t.test('R12.2.0: submitted_after_date and submitted_before_date', async t => {
  const params = { accounts_receivable_identifier: { number: 'ACR0000000659' }, submitted_after_date: '2100-01-01T00:00:00' }
  const r12 = await session(t, { release: 'R12.1.0' })
  t.ok((await r12.api(FA + 'list', params)).body.data.length > 0, 'R12.1.0: the date filter is ignored')
  const r122 = await session(t, { release: 'R12.2.0' })
  t.same((await r122.api(FA + 'list', params)).body.data, [], 'R12.2.0: it filters')
  const strict = await session(t, { release: 'R12.1.0', strict: true })
  const refused = await strict.api(FA + 'list', { ...params, submitted_after_date: undefined, submitted_before_date: '2016-01-01' })
  t.equal(refused.body.status.code, CODES.PARAMETER_NOT_AVAILABLE_IN_RELEASE)
  t.match(refused.body.status.message, /submitted_before_date is available from CRM\.COM R12\.2\.0/)
})

t.test('R13.0.0: number_of_results and offset', async t => {
  const params = { accounts_receivable_identifier: { number: 'ACR0000000659' }, number_of_results: 2, offset: 1 }
  const r12 = await session(t, { release: 'R12.x' })
  const all = (await r12.api(FA + 'list', params)).body.data
  t.ok(all.length > 3, 'R12.x: paging is ignored, every match is returned')
  const r13 = await session(t, { release: 'R13.0.0' })
  const page = (await r13.api(FA + 'list', params)).body.data
  t.same(page.map((e: { number: string }) => e.number), all.slice(1, 3).map((e: { number: string }) => e.number), 'R13.0.0: one page')
  const strict = await session(t, { release: 'R12.2.0', strict: true })
  t.match((await strict.api(FA + 'list', params)).body.status.message, /number_of_results is available from CRM\.COM R13\.0\.0; this server emulates R12\.2\.0/)
})

/** A server whose warnings are collected. */
async function withLog (t: Test, release: string): Promise<{ api: Awaited<ReturnType<typeof session>>['api'], server: Awaited<ReturnType<typeof session>>['server'], warnings: Array<{ msg: string }> }> {
  const warnings: Array<{ msg: string }> = []
  const stream = new Writable({ write (chunk, _enc, done) { warnings.push(JSON.parse(String(chunk))); done() } })
  const { api, server } = await session(t, { release, logger: { level: 'warn', stream } })
  return { api, server, warnings }
}

t.test('R15.0.0: the financial achievement methods answer with Deprecation and Link, and warn once', async t => {
  const r14 = await withLog(t, 'R14.x')
  const before = await r14.api(FA + 'show', { customer_event_identifier: { number: '92' } })
  t.equal(before.headers.deprecation, undefined, 'R14: not deprecated')
  t.same(r14.warnings, [])

  const r15 = await withLog(t, 'R15.0.0')
  const shown = await r15.api(FA + 'show', { customer_event_identifier: { number: '92' } })
  t.equal(shown.body.status.code, 'OK', 'still answers')
  t.equal(shown.headers.deprecation, '@0')
  t.equal(shown.headers.link, `<${BASE}customer_events/achievements/show>; rel="successor-version"`)
  const listed = await r15.api(FA + 'list', { accounts_receivable_identifier: { number: 'ACR0000000069' } })
  t.equal(listed.headers.link, `<${BASE}customer_events/achievements/list>; rel="successor-version"`)
  const failed = await call(r15.server, FA + 'cancel', { token: 'nope', customer_event_identifier: { number: '92' } })
  t.equal(failed.body.status.code, CODES.INVALID_TOKEN)
  t.equal(failed.headers.deprecation, '@0', 'errors carry it too')
  const login = await call(r15.server, 'authentication/token', { username: 'MPAdministrator', password: '1234', organisation: 'CRMDEMO' })
  t.equal(login.headers.deprecation, undefined, 'login is not deprecated')
  t.equal(r15.warnings.length, 1, 'one warning for the whole server')
  t.match(r15.warnings[0]!.msg, /deprecated from CRM\.COM R15\.0\.0 \(emulating R15\.0\.0\); use customer_events\/achievements/)
})

t.test('the default release is R14.0.0: every parameter, JWT tokens, no deprecation', async t => {
  const { api, token } = await session(t)
  t.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/)
  const created = await api(FA + 'create', { ...VENDOR_CREATE, amount: '2.5', external_system_reference_number: 'X' })
  t.equal(created.body.data.amount, 2.5)
  t.equal(created.headers.deprecation, undefined)
  const paged = await api(FA + 'list', { accounts_receivable_identifier: { number: 'ACR0000000659' }, number_of_results: 1 })
  t.equal(paged.body.data.length, 1)
})

t.test('parameter gate: a route has none when it could never drop or refuse a parameter, and one when it could', async t => {
  const base = { clock: undefined, sessions: undefined, tenants: undefined } as unknown as Parameters<typeof parameterGate>[0]
  const list = 'customer_events/financial_achievements/list' as const
  const show = 'customer_events/financial_achievements/show' as const
  t.equal(parameterGate({ ...base, release: parseRelease('R14.0.0') }, list), undefined, 'R14: every list parameter has arrived, nothing to gate')
  t.equal(parameterGate({ ...base, release: parseRelease('R10.0.0') }, show), undefined, 'show has no parameter newer than R10')
  t.equal(parameterGate(base, list), undefined, 'the default release gates nothing')

  const old = parameterGate({ ...base, release: parseRelease('R12.0.0') }, list)
  if (old === undefined) return t.fail('R12.0.0 must gate list (offset arrived in R13)')
  const params: Record<string, unknown> = { token: 'x', offset: 1, number_of_results: 5, submitted_after_date: '2020-01-01T00:00:00', typo: 1 }
  old(params)
  t.same(params, { token: 'x', typo: 1 }, 'parameters newer than R12.0.0 are dropped; unknown ones are left for the schema to ignore')

  const strict = parameterGate({ ...base, release: parseRelease('R14.0.0'), strict: true }, show)
  if (strict === undefined) return t.fail('strict mode must gate every route')
  t.doesNotThrow(() => { strict({ token: 'x', customer_event_identifier: { id: 'y' } }) }, 'known parameters pass')
  t.throws(() => { strict({ token: 'x', customer_event_identifier: { id: 'y' }, fields: 'id' }) }, { code: CODES.INVALID_PARAMETER_VALUE }, 'an unknown one is refused')
})
