import t from 'tap'
import { CODES } from '../../src/index.js'
import { loadExamples } from '../../src/docs/openapi.js'
import { call, FA, session, VENDOR_CREATE } from '../helper.js'

const vendorCreate = loadExamples()['customer_events/financial_achievements/create']![0]!.request.body!

t.test('unknown parameters are ignored by default, as the real CRM does (the vendor\'s udf_float_5..8)', async t => {
  const { api, token } = await session(t)
  const created = await api(FA + 'create', { ...vendorCreate, token })
  t.equal(created.body.status.code, 'OK')
  t.equal(created.body.data.udf_float_4, 40)
  t.notOk('udf_float_5' in created.body.data)
})

t.test('strict mode refuses unknown parameters with INVALIDPARAMETERVALUEEXCEPTION naming them', async t => {
  const { api, token } = await session(t, { strict: true })
  const typo = await api(FA + 'create', { ...VENDOR_CREATE, udf_float_5: 50 })
  t.equal(typo.body.status.code, CODES.INVALID_PARAMETER_VALUE)
  t.equal(typo.body.status.message, 'The parameter udf_float_5 is not a parameter of customer_events/financial_achievements/create')
  t.match(typo.body.status.description, /Known: token, accounts_receivable_identifier/)
  const vendor = await api(FA + 'create', { ...vendorCreate, token })
  t.equal(vendor.body.status.message, 'The parameters udf_float_5, udf_float_6, udf_float_7, udf_float_8 are not parameters of customer_events/financial_achievements/create')
  t.equal((await api(FA + 'create', VENDOR_CREATE)).body.status.code, 'OK', 'known parameters pass')
})

t.test('strict mode covers the query string and login too', async t => {
  const { api, server } = await session(t, { strict: true })
  const shown = await api(FA + 'show', { customer_event_identifier: 'number=92', feilds_set: 'number' })
  t.equal(shown.body.status.message, 'The parameter feilds_set is not a parameter of customer_events/financial_achievements/show')
  const login = await call(server, 'authentication/token', { username: 'MPAdministrator', password: '1234', organisation: 'CRMDEMO', organization: 'CRMDEMO' })
  t.equal(login.body.status.code, CODES.INVALID_PARAMETER_VALUE)
  t.match(login.body.status.message, /parameter organization is not a parameter of authentication\/token/)
})

t.test('strict mode still checks the token first', async t => {
  const { server } = await session(t, { strict: true })
  const res = await call(server, FA + 'list', { token: 'wrong', udf_float_5: 1 })
  t.equal(res.body.status.code, CODES.INVALID_TOKEN)
})

t.test('strict mode with REST statuses answers 400', async t => {
  const { api } = await session(t, { strict: true, restStatus: true })
  const res = await api(FA + 'list', { accounts_receivable_identifier: { number: 'ACR0000000069' }, colour: 'red' })
  t.equal(res.statusCode, 400)
  t.equal(res.body.status.code, CODES.INVALID_PARAMETER_VALUE)
})
