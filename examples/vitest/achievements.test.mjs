// Vitest.
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest'
import { CODES, createMockServer } from 'crmcom-mock'
import { recordAchievement } from '../client.mjs'

let mock, baseUrl, token
beforeAll(async () => { mock = await createMockServer(); baseUrl = await mock.start(); token = await mock.login() })
afterAll(() => mock.stop())
beforeEach(async () => { await mock.reset(); await mock.clearRequests() })

test('records an achievement with the amount as the CRM expects it', async () => {
  const number = await recordAchievement(baseUrl, token, 'ACR0000000069', 11.5)
  const calls = await mock.requests({ operation: 'customer_events/financial_achievements/create' })
  expect(calls).toHaveLength(1)
  expect(calls[0].params.amount).toBe('11.50')
  expect((await mock.events()).some(e => e.number === number)).toBe(true)
})

test('surfaces a CRM failure instead of swallowing it', async () => {
  await mock.faults.inject({ operation: 'customer_events/financial_achievements/create', error: CODES.UNEXPECTED })
  await expect(recordAchievement(baseUrl, token, 'ACR0000000069', 5)).rejects.toThrow(/UNEXPECTEDEXCEPTION/)
  expect(await mock.requests({ code: CODES.UNEXPECTED })).toHaveLength(1)
})
