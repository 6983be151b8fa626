/** API.md "POST customer_events/financial_achievements/create". */
import t from 'tap'
import { call, CODES, expectError, expectOk, FA, participantOf, session, VENDOR_CREATE } from '../helper.js'

const CREATE = FA + 'create'
const SHOW = FA + 'show'
const LIST = FA + 'list'
const { accounts_receivable_identifier: _a, ...WITHOUT_ACCOUNT } = VENDOR_CREATE

t.test('create: exactly one of accounts_receivable_identifier / rewards_participant_identifier (SEMIOPTIONALPARAMETERSEXCEPTION)', async t => {
  const { server, api } = await session(t)
  const p = await participantOf(server, 'ACR0000000069')
  const before = (await server.snapshot()).customer_events.length
  expectError(t, await api(CREATE, WITHOUT_ACCOUNT), CODES.SEMI_OPTIONAL, /Exactly one of the semi-optional parameters accounts_receivable_identifier, rewards_participant_identifier/)
  expectError(t, await api(CREATE, { ...VENDOR_CREATE, rewards_participant_identifier: { id: p.id } }), CODES.SEMI_OPTIONAL, /accounts_receivable_identifier and rewards_participant_identifier/)
  t.equal((await server.snapshot()).customer_events.length, before, 'nothing was stored')
  expectOk(t, await api(CREATE, { ...WITHOUT_ACCOUNT, rewards_participant_identifier: { id: p.id } }), CREATE, { complete: true })
  expectOk(t, await api(CREATE, VENDOR_CREATE), CREATE, { complete: true })
})

t.test('create: classification_identifier, performed_by_unit_identifier and performed_on are mandatory (MANDATORYPARAMETERNOTSPECIFIEDEXCEPTION)', async t => {
  const { server, api } = await session(t)
  const before = (await server.snapshot()).customer_events.length
  for (const parameter of ['classification_identifier', 'performed_by_unit_identifier', 'performed_on'] as const) {
    const { [parameter]: _, ...rest } = VENDOR_CREATE
    const answer = await api(CREATE, rest)
    t.test(parameter, async t => expectError(t, answer, CODES.MANDATORY_PARAMETER, new RegExp(`mandatory parameter ${parameter}`)))
  }
  t.equal((await server.snapshot()).customer_events.length, before, 'nothing was stored')
})

t.test('create: the classification must be a financial achievement classification (INVALIDCUSTOMEREVENTTYPEEXCEPTION)', async t => {
  const { server, api } = await session(t)
  const before = (await server.snapshot()).customer_events.length
  for (const name of ['Purchase', 'Referral', 'Social Media']) {
    const answer = await api(CREATE, { ...VENDOR_CREATE, classification_identifier: { name } })
    t.test(name, async t => expectError(t, answer, CODES.INVALID_CUSTOMER_EVENT_TYPE, 'classification_identifier'))
  }
  t.equal((await server.snapshot()).customer_events.length, before, 'nothing was stored')
  for (const code of ['FA', 'FA2', 'LB1', 'LB2']) expectOk(t, await api(CREATE, { ...VENDOR_CREATE, classification_identifier: { alternative_code: code } }), CREATE, { complete: true })
})

t.test('create: product_identifier is optional and any type of product may be named', async t => {
  const { api } = await session(t)
  const none = await api(CREATE, VENDOR_CREATE)
  expectOk(t, none, CREATE, { complete: true })
  t.equal(none.body.data.product, null, 'no product: null')
  const router = await api(CREATE, { ...VENDOR_CREATE, product_identifier: { code: 'Router' } })
  expectOk(t, router, CREATE, { complete: true })
  t.match(router.body.data.product, { code: 'Router', product_type: { name: 'Hardware', classification: 'PHYSICAL_GOODS' } }, 'a physical good')
  const bronze = await api(CREATE, { ...VENDOR_CREATE, product_identifier: { alternative_code: 'B' } })
  t.match(bronze.body.data.product, { code: 'Bronze', product_type: { name: 'Main Packages' } }, 'a service, with its product type')
})

t.test('create: payment medium type and brand must be allowed on the accounts receivable (PAYMENTMEDIUMNOTALLOWEDEXCEPTION)', async t => {
  const { server, api } = await session(t)
  const d = await server.snapshot()
  const acr659 = d.accounts_receivable.find(a => a.number === 'ACR0000000659')!
  const before = d.customer_events.length
  // ACR0000000069 allows CREDIT CARD and VISA only.
  const refused: Array<[string, Record<string, unknown>]> = [
    ['payment_medium_type_identifier', { payment_medium_type_identifier: { name: 'DEBIT CARD' } }],
    ['payment_medium_type_identifier', { payment_medium_type_identifier: { alternative_code: 'CSH' }, payment_medium_brand_identifier: { name: 'VISA' } }],
    ['payment_medium_brand_identifier', { payment_medium_brand_identifier: { name: 'MASTERCARD' } }],
    ['payment_medium_brand_identifier', { payment_medium_type_identifier: { name: 'CREDIT CARD' }, payment_medium_brand_identifier: { alternative_code: 'AX' } }]
  ]
  for (const [parameter, params] of refused) {
    const answer = await api(CREATE, { ...VENDOR_CREATE, ...params })
    t.test(JSON.stringify(params), async t => expectError(t, answer, CODES.PAYMENT_MEDIUM_NOT_ALLOWED, new RegExp(`${parameter}.*ACR0000000069`)))
  }
  t.equal((await server.snapshot()).customer_events.length, before, 'nothing was stored')
  const allowed = await api(CREATE, { ...VENDOR_CREATE, payment_medium_type_identifier: { name: 'CREDIT CARD' }, payment_medium_brand_identifier: { name: 'VISA' }, payment_medium_identifier: 'PI000002' })
  expectOk(t, allowed, CREATE, { complete: true })
  t.match(allowed.body.data, { payment_medium_type: { name: 'CREDIT CARD' }, payment_medium_brand: { name: 'VISA' }, payment_medium_identifier: 'PI000002' })
  // Another account allows other types and brands: the rule is per account.
  const type = d.payment_medium_types.find(x => x.id === acr659.allowed_payment_medium_type_ids[0])!
  const brand = d.payment_medium_brands.find(x => x.id === acr659.allowed_payment_medium_brand_ids[0])!
  const notAllowedBrand = d.payment_medium_brands.find(x => !acr659.allowed_payment_medium_brand_ids.includes(x.id))!
  expectOk(t, await api(CREATE, { ...VENDOR_CREATE, accounts_receivable_identifier: { number: 'ACR0000000659' }, payment_medium_type_identifier: { id: type.id }, payment_medium_brand_identifier: { id: brand.id } }), CREATE, { complete: true })
  expectError(t, await api(CREATE, { ...VENDOR_CREATE, accounts_receivable_identifier: { number: 'ACR0000000659' }, payment_medium_brand_identifier: { id: notAllowedBrand.id } }), CODES.PAYMENT_MEDIUM_NOT_ALLOWED, /payment_medium_brand_identifier.*ACR0000000659/)
})

t.test('create: amount is a number; a numeric string is accepted ("11.50" is answered 11.5)', async t => {
  const { api } = await session(t)
  const accepted: Array<[unknown, number | null]> = [['11.50', 11.5], [11.5, 11.5], [10, 10], ['10', 10], [' 7.25 ', 7.25], ['-3', -3], ['1e3', 1000], ['.5', 0.5], [0, 0], [null, null]]
  for (const [amount, expected] of accepted) {
    const answer = await api(CREATE, { ...VENDOR_CREATE, amount })
    t.test(JSON.stringify(amount), async t => {
      expectOk(t, answer, CREATE, { complete: true })
      t.equal(answer.body.data.amount, expected)
    })
  }
  const absent = await api(CREATE, VENDOR_CREATE)
  t.equal(absent.body.data.amount, null, 'no amount: null')
})

t.test('create: an amount that is not a number or a numeric string is INVALIDPARAMETERVALUEEXCEPTION naming amount', async t => {
  const { server, api } = await session(t)
  const before = (await server.snapshot()).customer_events.length
  for (const amount of ['abc', '', ' ', '11,50', '11.50 EUR', '0x10', 'NaN', 'Infinity', '1e999', true, {}, [11.5]]) {
    const answer = await api(CREATE, { ...VENDOR_CREATE, amount })
    t.test(JSON.stringify(amount), async t => expectError(t, answer, CODES.INVALID_PARAMETER_VALUE, 'amount'))
  }
  t.equal((await server.snapshot()).customer_events.length, before, 'nothing was stored')
})

t.test('create: an amount too large for a double (1e400 in the JSON) is INVALIDPARAMETERVALUEEXCEPTION naming amount', async t => {
  const { server, token } = await session(t)
  const res = await server.app.inject({ method: 'POST', url: `/crmapi/rest/v2/${CREATE}`, headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ token, ...VENDOR_CREATE }).replace(/}$/, ',"amount":1e400}') })
  expectError(t, { statusCode: res.statusCode, body: res.json(), headers: res.headers }, CODES.INVALID_PARAMETER_VALUE, 'amount')
})

t.test('create: udf_float_1..4 take numbers or numeric strings; anything else is INVALIDPARAMETERVALUEEXCEPTION', async t => {
  const { api } = await session(t)
  const answer = await api(CREATE, { ...VENDOR_CREATE, udf_float_1: 10, udf_float_2: '20.5', udf_float_3: null, udf_float_4: '-4' })
  expectOk(t, answer, CREATE, { complete: true })
  t.match(answer.body.data, { udf_float_1: 10, udf_float_2: 20.5, udf_float_3: null, udf_float_4: -4 })
  for (const i of [1, 2, 3, 4]) expectError(t, await api(CREATE, { ...VENDOR_CREATE, [`udf_float_${i}`]: 'ten' }), CODES.INVALID_PARAMETER_VALUE, `udf_float_${i}`)
})

t.test('create: dates are accepted as YYYY-MM-DDTHH:mm:ss or any ISO-8601 date-time or date, and answered as YYYY-MM-DDTHH:mm:ss UTC', async t => {
  const { api } = await session(t)
  const forms: Array<[string, string]> = [
    ['2016-10-07T15:00:00', '2016-10-07T15:00:00'],
    ['2016-10-07T15:00:00Z', '2016-10-07T15:00:00'],
    ['2016-10-07T15:00:00.789Z', '2016-10-07T15:00:00'],
    ['2016-10-07T17:00:00+02:00', '2016-10-07T15:00:00'],
    ['2016-10-07T10:30:00-0430', '2016-10-07T15:00:00'],
    ['2016-10-07T15:00', '2016-10-07T15:00:00'],
    ['2016-10-07 15:00:00', '2016-10-07T15:00:00'],
    ['2016-10-07', '2016-10-07T00:00:00'],
    ['2016-02-29T23:59:59', '2016-02-29T23:59:59']
  ]
  for (const [input, stored] of forms) {
    const answer = await api(CREATE, { ...VENDOR_CREATE, performed_on: input, udf_date_1: input, udf_date_4: input })
    t.test(input, async t => {
      expectOk(t, answer, CREATE, { complete: true })
      t.match(answer.body.data, { performed_on: stored, udf_date_1: stored, udf_date_4: stored, udf_date_2: null })
    })
  }
})

t.test('create: an invalid date (2016-02-30, say) is INVALIDPARAMETERVALUEEXCEPTION naming the parameter', async t => {
  const { server, api } = await session(t)
  const before = (await server.snapshot()).customer_events.length
  const bad = ['2016-02-30', '2015-02-29', '2016-04-31', '2016-00-10', '2016-10-07T25:00:00', '2016-10-07T15:61:00', '2016-10-07T15:00:60', '2016-10-07T15:00:00+25:00', '07/10/2016', 'now', '', 1475852400]
  for (const parameter of ['performed_on', 'udf_date_1', 'udf_date_2', 'udf_date_3', 'udf_date_4']) {
    for (const value of bad) {
      const answer = await api(CREATE, { ...VENDOR_CREATE, [parameter]: value })
      t.test(`${parameter} ${JSON.stringify(value)}`, async t => expectError(t, answer, CODES.INVALID_PARAMETER_VALUE, parameter))
    }
  }
  expectError(t, await api(CREATE, { ...VENDOR_CREATE, performed_on: null }), CODES.INVALID_PARAMETER_VALUE, 'performed_on')
  t.equal((await server.snapshot()).customer_events.length, before, 'nothing was stored')
})

t.test('create: strings are taken as given; a non-string is INVALIDPARAMETERVALUEEXCEPTION naming the parameter', async t => {
  const { api } = await session(t)
  const strings = ['description', 'external_system', 'external_system_reference_number', 'payment_medium_identifier', ...[1, 2, 3, 4, 5, 6, 7, 8].map(i => `udf_string_${i}`)]
  const answer = await api(CREATE, { ...VENDOR_CREATE, ...Object.fromEntries(strings.map(s => [s, `${s} value`])) })
  expectOk(t, answer, CREATE, { complete: true })
  for (const s of strings) t.equal(answer.body.data[s], `${s} value`, s)
  for (const s of strings) expectError(t, await api(CREATE, { ...VENDOR_CREATE, [s]: 12 }), CODES.INVALID_PARAMETER_VALUE, s)
})

t.test('create: unknown parameters are ignored (the vendor\'s example sends udf_float_5..8)', async t => {
  const { api } = await session(t)
  const answer = await api(CREATE, { ...VENDOR_CREATE, udf_float_5: 50, udf_float_6: 60, udf_float_7: 70, udf_float_8: 80, colour: 'red', life_cycle_state: 'CANCELLED', number: '1', id: 'MINE' })
  expectOk(t, answer, CREATE, { complete: true })
  for (const k of ['udf_float_5', 'udf_float_6', 'udf_float_7', 'udf_float_8', 'colour']) t.notOk(k in answer.body.data, `${k} is not in the answer`)
  t.equal(answer.body.data.life_cycle_state, 'POSTED', 'the server sets the state')
  t.not(answer.body.data.number, '1', 'and the number')
  t.not(answer.body.data.id, 'MINE', 'and the id')
})

t.test('create: the event is POSTED, FINANCIAL_ACHIEVEMENT, with a new 32-character upper-case hex id, the next number, process_immediately false and award_reward_transactions_set null', async t => {
  const { server, api } = await session(t)
  const highest = Math.max(...(await server.snapshot()).customer_events.map(e => Number(e.number)))
  const ids = new Set<string>()
  for (let i = 1; i <= 5; i++) {
    const answer = await api(CREATE, VENDOR_CREATE)
    expectOk(t, answer, CREATE, { complete: true })
    const e = answer.body.data
    t.match(e, { life_cycle_state: 'POSTED', type: 'FINANCIAL_ACHIEVEMENT', process_immediately: false, award_reward_transactions_set: null })
    t.match(e.id, /^[0-9A-F]{32}$/, 'id: 32 upper-case hex characters')
    t.equal(e.number, String(highest + i), 'number: the next in sequence, as a string')
    ids.add(e.id)
  }
  t.equal(ids.size, 5, 'every id is new')
})

t.test('create: concurrent creates get distinct, consecutive numbers', async t => {
  const { server, api } = await session(t)
  const highest = Math.max(...(await server.snapshot()).customer_events.map(e => Number(e.number)))
  const answers = await Promise.all(Array.from({ length: 10 }, async () => await api(CREATE, VENDOR_CREATE)))
  t.same(answers.map(a => Number(a.body.data.number)).sort((a, b) => a - b), Array.from({ length: 10 }, (_, i) => highest + 1 + i))
})

t.test('create: log_information is stamped with the token\'s user and unit and the current time (POSOperator in unit 2)', async t => {
  const { server } = await session(t, { clock: new Date('2031-02-03T04:05:06.789Z') })
  const token = await server.login({ username: 'POSOperator', password: '5678' })
  const answer = await call(server, CREATE, { token, ...VENDOR_CREATE })
  expectOk(t, answer, CREATE, { complete: true })
  const d = await server.snapshot()
  const pos = d.users.find(u => u.username === 'POSOperator')!
  const nicosia = d.units.find(u => u.id === '2')!
  const user = { person_name: pos.person_name, id: pos.id, username: 'POSOperator' }
  const unit = { alternative_code: nicosia.alternative_code, group_name: nicosia.group_name, community_name: nicosia.community_name, name: nicosia.name, description: nicosia.description, id: '2' }
  t.same(answer.body.data.log_information, {
    created_by_unit: unit, updated_by_unit: unit, created_date: '2031-02-03T04:05:06', updated_date: '2031-02-03T04:05:06', updated_by_user: user, created_by_user: user
  })
  t.equal(answer.body.data.performed_by_unit.id, '1', 'performed_by_unit is the one named (Admin Unit), not the token\'s')
})

t.test('create: the created event is stored: show and list answer it as create did', async t => {
  const { api } = await session(t)
  const created = await api(CREATE, { ...VENDOR_CREATE, product_identifier: { code: 'Bronze' }, amount: '11.50', description: 'stored?' })
  const shown = await api(SHOW, { customer_event_identifier: `id=${created.body.data.id}` })
  expectOk(t, shown, SHOW, { complete: true })
  t.same(shown.body.data, created.body.data, 'show: the same event, the same shape')
  const listed = await api(LIST, { accounts_receivable_identifier: { number: 'ACR0000000069' } })
  t.same(listed.body.data.at(-1), created.body.data, 'list: the same event, last (newest)')
})

t.test('create: fields_set reduces the answer to the named fields', async t => {
  const { api } = await session(t)
  const answer = await api(CREATE, { ...VENDOR_CREATE, fields_set: 'id, number ,life_cycle_state,nonsense' })
  expectOk(t, answer, CREATE)
  t.same(Object.keys(answer.body.data).sort(), ['id', 'life_cycle_state', 'number'])
})

t.test('null for an optional or semi-optional parameter means not given', async t => {
  const { api } = await session(t)
  const created = await api(FA + 'create', { ...VENDOR_CREATE, rewards_participant_identifier: null, product_identifier: null, amount: null, description: null, udf_string_1: null })
  expectOk(t, created, FA + 'create')
  t.equal(created.body.data.amount, null)
  const listed = await api(FA + 'list', { accounts_receivable_identifier: { number: 'ACR0000000069' }, classification_identifier: null, rewards_participant_identifier: null, number_of_results: null, offset: null })
  expectOk(t, listed, FA + 'list')
  t.ok(listed.body.data.length > 1, 'no limit: number_of_results null is not given')
  expectError(t, await api(FA + 'create', { ...VENDOR_CREATE, performed_on: null }), CODES.INVALID_PARAMETER_VALUE, 'performed_on')
  expectError(t, await api(FA + 'list', { accounts_receivable_identifier: null }), CODES.SEMI_OPTIONAL)
})
