/** API.md "Authentication": login, the token, its release and expiry. */
import t from 'tap'
import { BASE, build, call, CODES, expectError, expectOk, FA, session, VENDOR_CREATE } from '../helper.js'

const LOGIN = 'authentication/token'
const RELEASE = 'authentication/token/release'
const ADMIN = { username: 'MPAdministrator', password: '1234', organisation: 'CRMDEMO' }
const POS = { username: 'POSOperator', password: '5678', organisation: 'CRMDEMO' }

/** Every authenticated method with parameters that would succeed given a good token. */
const AUTHENTICATED: Array<[string, Record<string, unknown>]> = [
  [RELEASE, {}],
  [FA + 'show', { customer_event_identifier: 'number=92' }],
  [FA + 'list', { accounts_receivable_identifier: { number: 'ACR0000000069' } }],
  [FA + 'create', VENDOR_CREATE],
  [FA + 'cancel', { customer_event_identifier: { number: '92' } }]
]

const decode = (part: string): Record<string, unknown> => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>
/** A JWT with one claim changed and its signature kept: the session table is keyed by the signature, so only the whole-token comparison refuses it. */
function alterClaims (token: string): string {
  const [header, claims, signature] = token.split('.') as [string, string, string]
  const changed = Buffer.from(JSON.stringify({ ...decode(claims), usr: 'POSOperator' })).toString('base64url')
  return [header, changed, signature].join('.')
}

t.test('login: the default credentials MPAdministrator / 1234 / CRMDEMO return a token', async t => {
  const server = await build(t)
  const answer = await call(server, LOGIN, ADMIN)
  expectOk(t, answer, LOGIN)
  t.type(answer.body.data.token, 'string')
  t.same(Object.keys(answer.body.data), ['token'], 'data is {"token"} only')
  const listed = await call(server, FA + 'list', { token: answer.body.data.token, accounts_receivable_identifier: { number: 'ACR0000000069' } })
  expectOk(t, listed, FA + 'list', { complete: true })
})

t.test('login: usernames compare case-insensitively (mpadministrator logs in as MPAdministrator)', async t => {
  const server = await build(t)
  for (const username of ['mpadministrator', 'MPADMINISTRATOR', 'mPaDmInIsTrAtOr']) {
    const answer = await call(server, LOGIN, { ...ADMIN, username })
    expectOk(t, answer, LOGIN)
    const created = await call(server, FA + 'create', { token: answer.body.data.token, ...VENDOR_CREATE })
    t.equal(created.body.data.log_information.created_by_user.username, 'MPAdministrator', `${username} is user MPAdministrator`)
  }
})

t.test('login: username, password and organisation are mandatory (MANDATORYPARAMETERNOTSPECIFIEDEXCEPTION)', async t => {
  const server = await build(t)
  for (const missing of ['username', 'password', 'organisation'] as const) {
    const { [missing]: _, ...rest } = ADMIN
    expectError(t, await call(server, LOGIN, rest), CODES.MANDATORY_PARAMETER, missing)
  }
})

t.test('login refused: wrong password, unknown user, wrong organisation, a unit that is not the user\'s (INVALIDCREDENTIALSEXCEPTION)', async t => {
  const server = await build(t)
  const refused: Array<[string, Record<string, unknown>]> = [
    ['wrong password', { ...ADMIN, password: '12345' }],
    ['empty password', { ...ADMIN, password: '' }],
    ['password of another user', { ...ADMIN, password: '5678' }],
    ['unknown user', { ...ADMIN, username: 'nobody' }],
    ['wrong organisation', { ...ADMIN, organisation: 'OTHERORG' }],
    ['unknown unit', { ...ADMIN, unit: 'No Such Unit' }],
    ['a unit the user may not work in', { ...POS, unit: 'Admin Unit' }]
  ]
  for (const [why, credentials] of refused) {
    const answer = await call(server, LOGIN, credentials)
    t.test(why, async t => expectError(t, answer, CODES.INVALID_CREDENTIALS, /Login refused/))
  }
})

t.test('login: the unit is chosen by name, alternative code or id among the user\'s units, and defaults to the user\'s own', async t => {
  const server = await build(t)
  const unitOfCreate = async (credentials: Record<string, unknown>): Promise<string> => {
    const login = await call(server, LOGIN, credentials)
    expectOk(t, login, LOGIN)
    const created = await call(server, FA + 'create', { token: login.body.data.token, ...VENDOR_CREATE })
    return created.body.data.log_information.created_by_unit.id as string
  }
  t.equal(await unitOfCreate(POS), '2', 'POSOperator works in Nicosia Branch (unit 2) by default')
  t.equal(await unitOfCreate({ ...POS, unit: 'Limassol Branch' }), '3', 'by name')
  t.equal(await unitOfCreate({ ...POS, unit: 'limassol' }), '3', 'by alternative code')
  t.equal(await unitOfCreate({ ...POS, unit: '3' }), '3', 'by id')
  t.equal(await unitOfCreate(ADMIN), '1', 'MPAdministrator works in Admin Unit (unit 1) by default')
})

t.test('token: from R12.0.0 a JWT (HS256; jti, usr, org, oun, exp, iat as strings of epoch seconds) that expires 2 hours after issue', async t => {
  const server = await build(t, { clock: new Date('2024-05-01T10:00:00Z') })
  const answer = await call(server, LOGIN, { ...POS, unit: 'Limassol Branch' })
  const parts = (answer.body.data.token as string).split('.')
  t.equal(parts.length, 3, 'three dot-separated parts')
  t.same(decode(parts[0]!), { alg: 'HS256', typ: 'JWT' })
  const claims = decode(parts[1]!)
  t.same(Object.keys(claims).sort(), ['exp', 'iat', 'jti', 'org', 'oun', 'usr'])
  t.match(claims, { usr: 'POSOperator', org: 'CRMDEMO', oun: 'Limassol Branch', iat: String(Date.parse('2024-05-01T10:00:00Z') / 1000) })
  t.equal(claims.exp, String(Date.parse('2024-05-01T12:00:00Z') / 1000), 'exp is iat + 2 hours')
  for (const claim of ['jti', 'exp', 'iat']) t.type(claims[claim], 'string', `${claim} is a string`)
})

t.test('token: expires 2 hours after issue regardless of use (INVALIDTOKENEXCEPTION after)', async t => {
  const { server, api } = await session(t, { clock: new Date('2024-05-01T10:00:00Z') })
  const list = { accounts_receivable_identifier: { number: 'ACR0000000069' } }
  for (let minutes = 0; minutes < 120; minutes += 30) {
    expectOk(t, await api(FA + 'list', list), FA + 'list', { complete: true })
    server.clock.advance(30 * 60_000)
  }
  // Now exactly 2 hours after issue, having been used every half hour.
  expectError(t, await api(FA + 'list', list), CODES.INVALID_TOKEN, /token has expired/)
})

t.test('token: still valid one second before its 2 hours are up', async t => {
  const { server, api } = await session(t, { clock: new Date('2024-05-01T10:00:00Z') })
  server.clock.advance(2 * 3_600_000 - 1000)
  expectOk(t, await api(FA + 'show', { customer_event_identifier: 'number=92' }), FA + 'show', { complete: true })
})

t.test('token missing, unknown, released or expired: every method answers INVALIDTOKENEXCEPTION, never data, and changes nothing', async t => {
  for (const [method, params] of AUTHENTICATED) {
    t.test(method, async t => {
      const server = await build(t)
      const before = await server.snapshot()
      const released = await server.login()
      await call(server, RELEASE, { token: released })
      const expired = await server.login()
      const cases: Array<[string, unknown]> = [
        ['missing', undefined],
        ['empty', ''],
        ['unknown', 'NOT-A-TOKEN'],
        ['altered', `${(await server.login()).slice(0, -2)}xx`],
        ['altered claims, same signature', alterClaims(await server.login())],
        ['not a string', 12345],
        ['released', released]
      ]
      for (const [why, token] of cases) {
        const answer = await call(server, method, token === undefined ? params : { token, ...params })
        t.test(why, async t => expectError(t, answer, CODES.INVALID_TOKEN, /token/))
      }
      server.clock.advance(2 * 3_600_000)
      t.test('expired', async t => expectError(t, await call(server, method, { token: expired, ...params }), CODES.INVALID_TOKEN, /token has expired/))
      t.same((await server.snapshot()).customer_events, before.customer_events, 'no event was created or changed')
    })
  }
})

t.test('token: the token goes in the query for GET methods and in the body for POST methods', async t => {
  const { server, token } = await session(t)
  const inBody = await server.app.inject({ method: 'GET', url: `${BASE}${FA}show?customer_event_identifier=number=92`, headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ token }) })
  expectError(t, { statusCode: inBody.statusCode, body: inBody.json(), headers: inBody.headers }, CODES.INVALID_TOKEN, /token/)
  const inQuery = await server.app.inject({ method: 'POST', url: `${BASE}${FA}list?token=${token}`, payload: { accounts_receivable_identifier: { number: 'ACR0000000069' } } })
  expectError(t, { statusCode: inQuery.statusCode, body: inQuery.json(), headers: inQuery.headers }, CODES.INVALID_TOKEN, /token/)
})

t.test('token: a token is only good on the server instance that issued it', async t => {
  const one = await build(t)
  const two = await build(t)
  const token = await one.login()
  expectError(t, await call(two, FA + 'show', { token, customer_event_identifier: 'number=92' }), CODES.INVALID_TOKEN, /token/)
})

t.test('token/release: ends the token and answers data null; releasing it again is INVALIDTOKENEXCEPTION', async t => {
  const { server, token, api } = await session(t)
  const other = await server.login()
  const released = await api(RELEASE)
  expectOk(t, released, RELEASE)
  t.equal(released.body.data, null, 'data is null')
  expectError(t, await api(FA + 'show', { customer_event_identifier: 'number=92' }), CODES.INVALID_TOKEN, /released/)
  expectError(t, await api(RELEASE), CODES.INVALID_TOKEN, /released/)
  expectOk(t, await call(server, FA + 'show', { token: other, customer_event_identifier: 'number=92' }), FA + 'show', { complete: true })
  t.not(token, other, 'each login is its own token')
})
