/** API.md "POST customer_events/financial_achievements/cancel": POSTED → CANCELLED, the only transition. */
import t from 'tap'
import { call, CODES, expectError, expectOk, FA, numbers, session, stored, VENDOR_CREATE } from '../helper.js'

const CANCEL = FA + 'cancel'
const SHOW = FA + 'show'
const LIST = FA + 'list'
const CREATE = FA + 'create'

t.test('cancel: POSTED → CANCELLED; the answer is the cancelled event', async t => {
  const { server, api } = await session(t)
  for (const identifier of [{ number: '92' }, { id: '2DA40D40C50145FD898F73CB33F9EAE3' }]) {
    const answer = await api(CANCEL, { customer_event_identifier: identifier })
    expectOk(t, answer, CANCEL)
    t.equal(answer.body.data.life_cycle_state, 'CANCELLED', JSON.stringify(identifier))
  }
  t.equal((await stored(server, '92')).life_cycle_state, 'CANCELLED', 'stored as CANCELLED')
  t.equal((await stored(server, '93')).life_cycle_state, 'CANCELLED', 'stored as CANCELLED')
  const shown = await api(SHOW, { customer_event_identifier: 'number=92' })
  expectOk(t, shown, SHOW, { complete: true })
  t.equal(shown.body.data.life_cycle_state, 'CANCELLED', 'show answers it CANCELLED')
  const listed = await api(LIST, { accounts_receivable_identifier: { number: 'ACR0000000069' }, fields_set: 'number,life_cycle_state' })
  t.same(listed.body.data, [
    { number: '57', life_cycle_state: 'POSTED' }, { number: '92', life_cycle_state: 'CANCELLED' },
    { number: '93', life_cycle_state: 'CANCELLED' }, { number: '94', life_cycle_state: 'POSTED' }
  ], 'list still answers it, CANCELLED')
})

t.test('cancel: updates log_information.updated_date and updated_by_user/unit to the token\'s (POSOperator in unit 2); created_* stay', async t => {
  const { server } = await session(t, { clock: new Date('2030-03-04T05:06:07Z') })
  const token = await server.login({ username: 'POSOperator', password: '5678' })
  const before = (await call(server, SHOW, { token, customer_event_identifier: 'number=92' })).body.data.log_information
  const answer = await call(server, CANCEL, { token, customer_event_identifier: { number: '92' } })
  expectOk(t, answer, CANCEL)
  const log = answer.body.data.log_information
  t.match(log, { updated_date: '2030-03-04T05:06:07', updated_by_user: { username: 'POSOperator', id: '2' }, updated_by_unit: { id: '2', name: 'Nicosia Branch' } })
  t.same({ created_date: log.created_date, created_by_user: log.created_by_user, created_by_unit: log.created_by_unit },
    { created_date: before.created_date, created_by_user: before.created_by_user, created_by_unit: before.created_by_unit }, 'created_* unchanged (MPAdministrator, Admin Unit)')
  t.equal(log.created_by_user.username, 'MPAdministrator')
})

t.test('cancel: cancelling a cancelled event is INVALIDLIFECYCLESTATETRANSITIONEXCEPTION and changes nothing', async t => {
  const { server, api } = await session(t, { clock: new Date('2030-01-01T00:00:00Z') })
  const created = await api(CREATE, VENDOR_CREATE)
  expectOk(t, await api(CANCEL, { customer_event_identifier: { id: created.body.data.id } }), CANCEL)
  const after = await server.snapshot()
  server.clock.advance(3_600_000)
  const pos = await server.login({ username: 'POSOperator', password: '5678' })
  expectError(t, await api(CANCEL, { customer_event_identifier: { id: created.body.data.id } }), CODES.INVALID_LIFE_CYCLE_STATE_TRANSITION, /customer_event_identifier.*CANCELLED/)
  expectError(t, await call(server, CANCEL, { token: pos, customer_event_identifier: { number: created.body.data.number } }), CODES.INVALID_LIFE_CYCLE_STATE_TRANSITION, 'customer_event_identifier')
  t.same(await server.snapshot(), after, 'the store is exactly as after the first cancel (updated_date and updated_by untouched)')
})

t.test('cancel: an event the fixtures hold as CANCELLED cannot be cancelled (INVALIDLIFECYCLESTATETRANSITIONEXCEPTION)', async t => {
  const { server, api } = await session(t)
  const cancelled = (await server.snapshot()).customer_events.find(e => e.type === 'FINANCIAL_ACHIEVEMENT' && e.life_cycle_state === 'CANCELLED')
  t.ok(cancelled, 'the fixtures hold a cancelled financial achievement')
  const before = await stored(server, cancelled!.number)
  expectError(t, await api(CANCEL, { customer_event_identifier: { number: cancelled!.number } }), CODES.INVALID_LIFE_CYCLE_STATE_TRANSITION, 'customer_event_identifier')
  t.same(await stored(server, cancelled!.number), before, 'unchanged')
})

t.test('cancel: only financial achievement events may be cancelled (INVALIDCUSTOMEREVENTTYPEEXCEPTION) and nothing changes', async t => {
  const { server, api } = await session(t)
  const purchase = await stored(server, '122')
  t.match(purchase, { type: 'PURCHASE', life_cycle_state: 'POSTED' }, 'event 122 is a POSTED purchase')
  expectError(t, await api(CANCEL, { customer_event_identifier: { number: '122' } }), CODES.INVALID_CUSTOMER_EVENT_TYPE, 'customer_event_identifier')
  expectError(t, await api(CANCEL, { customer_event_identifier: { id: purchase.id } }), CODES.INVALID_CUSTOMER_EVENT_TYPE, 'customer_event_identifier')
  t.same(await stored(server, '122'), purchase, 'still POSTED, unchanged')
})

t.test('cancel: customer_event_identifier is mandatory (MANDATORYPARAMETERNOTSPECIFIEDEXCEPTION); no match is ENTITYNOTFOUNDEXCEPTION', async t => {
  const { api } = await session(t)
  expectError(t, await api(CANCEL, {}), CODES.MANDATORY_PARAMETER, 'customer_event_identifier')
  expectError(t, await api(CANCEL, { fields_set: 'number' }), CODES.MANDATORY_PARAMETER, 'customer_event_identifier')
  expectError(t, await api(CANCEL, { customer_event_identifier: { number: '424242' } }), CODES.ENTITY_NOT_FOUND, 'customer_event_identifier')
})

t.test('cancel: of concurrent cancels of one event exactly one succeeds', async t => {
  const { server, api } = await session(t)
  const answers = await Promise.all(Array.from({ length: 8 }, async () => await api(CANCEL, { customer_event_identifier: { number: '57' } })))
  t.equal(answers.filter(a => a.body.status.code === 'OK').length, 1, 'one OK')
  t.equal(answers.filter(a => a.body.status.code === CODES.INVALID_LIFE_CYCLE_STATE_TRANSITION).length, 7, 'the others: INVALIDLIFECYCLESTATETRANSITION')
  t.equal((await stored(server, '57')).life_cycle_state, 'CANCELLED')
})

t.test('cancel: the answer\'s product omits product_type, as the vendor\'s cancel example does; show and create include it', async t => {
  const { api } = await session(t)
  const shown = await api(SHOW, { customer_event_identifier: 'number=94' })
  t.ok('product_type' in shown.body.data.product, 'show: product with product_type')
  const answer = await api(CANCEL, { customer_event_identifier: { number: '94' } })
  expectOk(t, answer, CANCEL, { complete: true })
  t.same(answer.body.data.product, { code: 'Bronze', alternative_code: 'B', description: 'Bronze', id: 'F50CC52934BD4F119B6E18E215A4FC55' })
  const after = await api(SHOW, { customer_event_identifier: 'number=94' })
  t.ok('product_type' in after.body.data.product, 'show after cancel: product_type again')
})

t.test('cancel: fields_set reduces the answer to the named fields', async t => {
  const { api } = await session(t)
  const answer = await api(CANCEL, { customer_event_identifier: { number: '93' }, fields_set: 'number, life_cycle_state ,x' })
  expectOk(t, answer, CANCEL)
  t.same(answer.body.data, { number: '93', life_cycle_state: 'CANCELLED' })
})

t.test('cancel: a cancelled event still lists under every identifier that named it', async t => {
  const { api } = await session(t)
  await api(CANCEL, { customer_event_identifier: { number: '93' } })
  t.ok(numbers(await api(LIST, { classification_identifier: { alternative_code: 'FA' } })).includes('93'))
})
