// node:test: the runner built into Node.js.
import assert from 'node:assert/strict'
import { after, before, beforeEach, test } from 'node:test'
import { CODES, createMockServer } from 'crmcom-mock'
import { recordAchievement } from '../client.mjs'

let mock, baseUrl, token
before(async () => { mock = await createMockServer(); baseUrl = await mock.start(); token = await mock.login() })
after(() => mock.stop())
beforeEach(async () => { await mock.reset(); await mock.clearRequests() })

test('records an achievement with the amount as the CRM expects it', async () => {
  const number = await recordAchievement(baseUrl, token, 'ACR0000000069', 11.5)
  const calls = await mock.requests({ operation: 'customer_events/financial_achievements/create' })
  assert.equal(calls.length, 1)
  assert.equal(calls[0].params.amount, '11.50')
  assert.ok((await mock.events()).some(e => e.number === number))
})

test('surfaces a CRM failure instead of swallowing it', async () => {
  await mock.faults.inject({ operation: 'customer_events/financial_achievements/create', error: CODES.UNEXPECTED })
  await assert.rejects(recordAchievement(baseUrl, token, 'ACR0000000069', 5), /UNEXPECTEDEXCEPTION/)
  assert.equal((await mock.requests({ code: CODES.UNEXPECTED })).length, 1)
})
