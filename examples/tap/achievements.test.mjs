// tap: one mock per file, reset between tests.
import t from 'tap'
import { CODES, createMockServer } from 'crmcom-mock'
import { recordAchievement } from '../client.mjs'

const mock = await createMockServer()
const baseUrl = await mock.start()
const token = await mock.login()
t.teardown(() => mock.stop())
t.beforeEach(async () => { await mock.reset(); await mock.clearRequests() })

t.test('records an achievement with the amount as the CRM expects it', async t => {
  const number = await recordAchievement(baseUrl, token, 'ACR0000000069', 11.5)
  const [call] = await mock.requests({ operation: 'customer_events/financial_achievements/create' })
  t.equal(call.code, 'OK')
  t.equal(call.params.amount, '11.50')
  t.equal(call.params.token, '[REDACTED]')
  t.ok((await mock.events()).some(e => e.number === number))
})

t.test('surfaces a CRM failure instead of swallowing it', async t => {
  await mock.faults.inject({ operation: 'customer_events/financial_achievements/create', error: CODES.UNEXPECTED })
  await t.rejects(recordAchievement(baseUrl, token, 'ACR0000000069', 5), /UNEXPECTEDEXCEPTION/)
  t.equal((await mock.requests({ code: CODES.UNEXPECTED })).length, 1)
})
