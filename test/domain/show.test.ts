/** API.md "GET customer_events/financial_achievements/show" and "fields_set". */
import t from 'tap'
import { BASE, CODES, expectError, expectOk, FA, session } from '../helper.js'

const SHOW = FA + 'show'

t.test('show: answers one complete financial achievement event', async t => {
  const { server, api } = await session(t)
  const answer = await api(SHOW, { customer_event_identifier: 'number=93' })
  expectOk(t, answer, SHOW, { complete: true })
  t.match(answer.body.data, { id: '2DA40D40C50145FD898F73CB33F9EAE3', number: '93', amount: 11.3, type: 'FINANCIAL_ACHIEVEMENT' })
  t.same(answer.body.data, (await server.events()).find(e => e.number === '93'), 'the stored event, rendered')
})

t.test('show: every stored financial achievement can be shown, and each answer is a complete event', async t => {
  const { server, api } = await session(t)
  const fas = (await server.snapshot()).customer_events.filter(e => e.type === 'FINANCIAL_ACHIEVEMENT')
  let bad = 0
  for (const e of fas) {
    const answer = await api(SHOW, { customer_event_identifier: `id=${e.id}` })
    if (answer.body.status.code !== 'OK' || answer.body.data.number !== e.number) bad++
  }
  t.equal(bad, 0, `all ${fas.length} shown`)
})

t.test('show: customer_event_identifier is mandatory (MANDATORYPARAMETERNOTSPECIFIEDEXCEPTION)', async t => {
  const { api } = await session(t)
  expectError(t, await api(SHOW, {}), CODES.MANDATORY_PARAMETER, 'customer_event_identifier')
  expectError(t, await api(SHOW, { fields_set: 'number' }), CODES.MANDATORY_PARAMETER, 'customer_event_identifier')
})

t.test('show: only financial achievement events may be named; another type is INVALIDCUSTOMEREVENTTYPEEXCEPTION', async t => {
  const { server, api } = await session(t)
  const others = (await server.snapshot()).customer_events.filter(e => e.type !== 'FINANCIAL_ACHIEVEMENT')
  t.ok(others.length >= 3, 'the fixtures hold events of other types')
  for (const e of others.slice(0, 5)) {
    for (const identifier of [`number=${e.number}`, `id=${e.id}`]) {
      const answer = await api(SHOW, { customer_event_identifier: identifier })
      t.test(`${e.type} ${identifier}`, async t => expectError(t, answer, CODES.INVALID_CUSTOMER_EVENT_TYPE, 'customer_event_identifier'))
    }
  }
})

t.test('fields_set: only the named top-level fields are returned; spaces around names are ignored', async t => {
  const { api } = await session(t)
  const answer = await api(SHOW, { customer_event_identifier: 'number=92', fields_set: ' number ,  amount,accounts_receivable ' })
  expectOk(t, answer, SHOW)
  t.same(Object.keys(answer.body.data).sort(), ['accounts_receivable', 'amount', 'number'])
  t.equal(answer.body.data.accounts_receivable.account_owner.demographics.id_number, '112233', 'a named field is returned whole')
})

t.test('fields_set: unknown names are ignored; a name given twice is returned once', async t => {
  const { api } = await session(t)
  const answer = await api(SHOW, { customer_event_identifier: 'number=92', fields_set: 'number,colour,NUMBER,number,accounts_receivable.number' })
  expectOk(t, answer, SHOW)
  t.same(answer.body.data, { number: '92' })
})

t.test('fields_set: blank (empty or spaces) means every field', async t => {
  const { api } = await session(t)
  for (const fieldsSet of ['', '  ']) {
    const answer = await api(SHOW, { customer_event_identifier: 'number=92', fields_set: fieldsSet })
    t.test(JSON.stringify(fieldsSet), async t => expectOk(t, answer, SHOW, { complete: true }))
  }
})

t.test('fields_set: must be a string of comma-separated names (INVALIDPARAMETERVALUEEXCEPTION)', async t => {
  const { server, token } = await session(t)
  const twice = await server.app.inject({ method: 'GET', url: `${BASE}${SHOW}?token=${token}&customer_event_identifier=number=92&fields_set=number&fields_set=id` })
  expectError(t, { statusCode: twice.statusCode, body: twice.json(), headers: twice.headers }, CODES.INVALID_PARAMETER_VALUE, 'fields_set')
  const list = await server.app.inject({ method: 'POST', url: `${BASE}${FA}list`, payload: { token, accounts_receivable_identifier: { number: 'ACR0000000069' }, fields_set: ['number'] } })
  expectError(t, { statusCode: list.statusCode, body: list.json(), headers: list.headers }, CODES.INVALID_PARAMETER_VALUE, 'fields_set')
})

t.test('show: unknown query parameters are ignored', async t => {
  const { api } = await session(t)
  const answer = await api(SHOW, { customer_event_identifier: 'number=92', colour: 'red', udf_float_5: '50' })
  expectOk(t, answer, SHOW, { complete: true })
  t.equal(answer.body.data.number, '92')
})
