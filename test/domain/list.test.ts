/** API.md "POST customer_events/financial_achievements/list". */
import t from 'tap'
import { CODES, expectedNumbers, expectError, expectOk, FA, numbers, participantNotOf, participantOf, session, VENDOR_CREATE } from '../helper.js'

const LIST = FA + 'list'
const CREATE = FA + 'create'
const ACR_69 = { number: 'ACR0000000069' }
const ACR_659 = { number: 'ACR0000000659' }
/** Account ACR0000000659's financial achievements in list order: by created_date (111 and 137 were created long after they were performed). */
const ALL_659 = ['100', '107', '108', '109', '110', '111', '112', '113', '114', '115', '116', '117', '118', '119', '120', '137', '121']

t.test('list: at least one semi-optional identifier is mandatory (SEMIOPTIONALPARAMETERSEXCEPTION)', async t => {
  const { api } = await session(t)
  for (const params of [{}, { fields_set: 'number' }, { submitted_after_date: '2016-01-01', number_of_results: 5, offset: 0 }, { product_identifier: { code: 'Bronze' } }]) {
    const answer = await api(LIST, params)
    t.test(JSON.stringify(params), async t => expectError(t, answer, CODES.SEMI_OPTIONAL, /rewards_participant_identifier, accounts_receivable_identifier, classification_identifier/))
  }
})

t.test('list: each semi-optional identifier alone is enough', async t => {
  const { server, api } = await session(t)
  const p = await participantOf(server, 'ACR0000000069')
  for (const params of [{ accounts_receivable_identifier: ACR_69 }, { rewards_participant_identifier: { number: p.number } }, { classification_identifier: { alternative_code: 'FA' } }]) {
    const answer = await api(LIST, params)
    t.test(Object.keys(params)[0]!, async t => {
      expectOk(t, answer, LIST, { complete: true })
      t.ok(answer.body.data.length > 0, 'some events')
    })
  }
})

t.test('list: several semi-optional identifiers are allowed and all must match (account + classification)', async t => {
  const { server, api } = await session(t)
  const fa2 = await api(CREATE, { ...VENDOR_CREATE, classification_identifier: { alternative_code: 'FA2' } })
  const both = await api(LIST, { accounts_receivable_identifier: ACR_69, classification_identifier: { alternative_code: 'FA2' } })
  expectOk(t, both, LIST, { complete: true })
  t.same(numbers(both), [fa2.body.data.number], 'only the account\'s FA2 event')
  t.same(numbers(await api(LIST, { accounts_receivable_identifier: ACR_69, classification_identifier: { alternative_code: 'FA' } })), ['57', '92', '93', '94'], 'only the account\'s FA events')
  const allFa2 = await api(LIST, { classification_identifier: { alternative_code: 'FA2' } })
  t.same(numbers(allFa2), await expectedNumbers(server, (e, d) => e.classification_id === d.classifications.find(c => c.alternative_code === 'FA2')!.id), 'FA2 alone: every account\'s FA2 events')
  t.ok(numbers(allFa2).length > 1, 'which are more than the account\'s')
  t.same(numbers(await api(LIST, { accounts_receivable_identifier: ACR_659, classification_identifier: { alternative_code: 'FA2' } })), [], 'an account without FA2 events: empty')
})

t.test('list: an account and a participant of the same account list that account\'s events; of another account, nothing', async t => {
  const { server, api } = await session(t)
  const own = await participantOf(server, 'ACR0000000069')
  const { participant: other, account: otherAccount } = await participantNotOf(server, 'ACR0000000069')
  t.same(numbers(await api(LIST, { accounts_receivable_identifier: ACR_69, rewards_participant_identifier: { id: own.id } })), ['57', '92', '93', '94'])
  const mismatch = await api(LIST, { accounts_receivable_identifier: ACR_69, rewards_participant_identifier: { id: other.id } })
  expectOk(t, mismatch, LIST)
  t.same(mismatch.body.data, [], 'empty: no event belongs to both accounts')
  t.ok(numbers(await api(LIST, { rewards_participant_identifier: { id: other.id } })).length > 0, `the other participant alone lists ${otherAccount}'s events`)
  t.same(numbers(await api(LIST, { accounts_receivable_identifier: ACR_69, rewards_participant_identifier: { id: own.id }, classification_identifier: { name: 'Financial Achievement 1' } })), ['57', '92', '93', '94'], 'all three, all matching')
  t.same(numbers(await api(LIST, { accounts_receivable_identifier: ACR_69, rewards_participant_identifier: { id: other.id }, classification_identifier: { name: 'Financial Achievement 1' } })), [], 'all three, one not matching')
})

t.test('list: every identifier given is resolved, even when another already matches nothing (ENTITYNOTFOUNDEXCEPTION)', async t => {
  const { api } = await session(t)
  expectError(t, await api(LIST, { accounts_receivable_identifier: ACR_69, classification_identifier: { name: 'No Such Classification' } }), CODES.ENTITY_NOT_FOUND, 'classification_identifier')
  expectError(t, await api(LIST, { accounts_receivable_identifier: { number: 'ACR9999999999' }, classification_identifier: { alternative_code: 'FA' } }), CODES.ENTITY_NOT_FOUND, 'accounts_receivable_identifier')
})

t.test('list: the classification must be a financial achievement classification (INVALIDCUSTOMEREVENTTYPEEXCEPTION)', async t => {
  const { server, api } = await session(t)
  const d = await server.snapshot()
  for (const c of d.classifications.filter(c => c.event_type !== 'FINANCIAL_ACHIEVEMENT')) {
    for (const identifier of [{ id: c.id }, { name: c.name }, { alternative_code: c.alternative_code }]) {
      const answer = await api(LIST, { classification_identifier: identifier })
      t.test(`${c.name} ${JSON.stringify(identifier)}`, async t => expectError(t, answer, CODES.INVALID_CUSTOMER_EVENT_TYPE, 'classification_identifier'))
    }
  }
  expectError(t, await api(LIST, { accounts_receivable_identifier: ACR_659, classification_identifier: { name: 'Purchase' } }), CODES.INVALID_CUSTOMER_EVENT_TYPE, 'classification_identifier')
})

t.test('list: only financial achievement events are listed (the PURCHASE event 122 of ACR0000000659 is not)', async t => {
  const { server, api } = await session(t)
  t.equal((await server.snapshot()).customer_events.find(e => e.number === '122')?.type, 'PURCHASE', 'event 122 is stored, a PURCHASE')
  const answer = await api(LIST, { accounts_receivable_identifier: ACR_659 })
  expectOk(t, answer, LIST, { complete: true })
  t.same(numbers(answer), ALL_659)
  for (const e of answer.body.data) t.equal(e.type, 'FINANCIAL_ACHIEVEMENT')
})

t.test('list: nothing matching is an empty array, not an error', async t => {
  const { api } = await session(t)
  for (const params of [
    { accounts_receivable_identifier: ACR_659, classification_identifier: { alternative_code: 'LB1' } },
    { accounts_receivable_identifier: ACR_659, submitted_after_date: '2030-01-01' },
    { accounts_receivable_identifier: ACR_659, offset: 1000 }
  ]) {
    const answer = await api(LIST, params)
    t.test(JSON.stringify(params), async t => {
      expectOk(t, answer, LIST)
      t.same(answer.body.data, [])
    })
  }
})

t.test('list: submitted_after_date and submitted_before_date are exclusive bounds on log_information.created_date', async t => {
  const { api } = await session(t)
  const list = async (params: Record<string, unknown>): Promise<string[]> => {
    const answer = await api(LIST, { accounts_receivable_identifier: ACR_659, ...params })
    expectOk(t, answer, LIST, { complete: true })
    return numbers(answer)
  }
  t.same(await list({ submitted_after_date: '2016-10-26T00:00:12' }), ALL_659.slice(2), 'after 107\'s creation: 107 itself is out')
  t.same(await list({ submitted_after_date: '2016-10-26T00:00:11' }), ALL_659.slice(1), 'one second earlier: 107 is in')
  t.same(await list({ submitted_before_date: '2016-11-03T15:00:12' }), ALL_659.slice(0, -1), 'before 121\'s creation: 121 itself is out')
  t.same(await list({ submitted_before_date: '2016-11-03T15:00:13' }), ALL_659, 'one second later: 121 is in')
  t.same(await list({ submitted_after_date: '2016-10-26T00:00:12', submitted_before_date: '2016-11-03T15:00:12' }), ALL_659.slice(2, -1), 'both: 108-120 and 137')
  // 111 was performed at 15:00 but created at 17:10: the filter is on creation.
  t.same(await list({ submitted_after_date: '2016-10-26T17:06:00', submitted_before_date: '2016-10-26T17:11:00' }), ['111'], 'created_date, not performed_on')
  t.same(await list({ submitted_after_date: '2016-10-26T14:59:00', submitted_before_date: '2016-10-26T15:01:00' }), [], 'performed_on in the window does not count')
  t.same(await list({ submitted_after_date: '2016-11-03T15:00:12', submitted_before_date: '2016-10-26T00:00:12' }), [], 'after later than before: empty')
})

t.test('list: submitted dates filter events created now by the mock\'s clock', async t => {
  const { server, api } = await session(t, { clock: new Date('2030-06-01T12:00:00Z') })
  const created = await api(CREATE, VENDOR_CREATE)
  t.equal(created.body.data.log_information.created_date, '2030-06-01T12:00:00')
  t.same(numbers(await api(LIST, { accounts_receivable_identifier: ACR_69, submitted_after_date: '2030-06-01T11:59:59' })), [created.body.data.number])
  t.same(numbers(await api(LIST, { accounts_receivable_identifier: ACR_69, submitted_after_date: '2030-06-01T12:00:00' })), [])
  server.clock.advance(1000)
  t.same(numbers(await api(LIST, { accounts_receivable_identifier: ACR_69, submitted_before_date: '2030-06-01T12:00:00' })), ['57', '92', '93', '94'])
})

t.test('list: dates are accepted as YYYY-MM-DDTHH:mm:ss or any ISO-8601 date-time or date', async t => {
  const { api } = await session(t)
  const forms: Array<[string, string]> = [
    ['the vendor\'s form', '2016-10-26T00:00:12'],
    ['UTC designator', '2016-10-26T00:00:12Z'],
    ['fraction of a second', '2016-10-26T00:00:12.000Z'],
    ['an offset', '2016-10-26T02:00:12+02:00'],
    ['an offset without colon', '2016-10-25T22:00:12-0200']
  ]
  for (const [why, date] of forms) {
    const answer = await api(LIST, { accounts_receivable_identifier: ACR_659, submitted_after_date: date })
    t.test(why, async t => {
      expectOk(t, answer, LIST)
      t.same(numbers(answer), ALL_659.slice(2), `${date} is 2016-10-26T00:00:12 UTC`)
    })
  }
  const dateOnly = await api(LIST, { accounts_receivable_identifier: ACR_659, submitted_after_date: '2016-10-26', submitted_before_date: '2016-10-27' })
  t.same(numbers(dateOnly), ALL_659.slice(1, 14), 'a date alone is midnight UTC')
})

t.test('list: an invalid date is INVALIDPARAMETERVALUEEXCEPTION naming the parameter', async t => {
  const { api } = await session(t)
  for (const parameter of ['submitted_after_date', 'submitted_before_date']) {
    for (const value of ['2016-02-30', '2015-02-29', '2016-13-01', '2016-10-26T24:00:00', '2016-10-26T12:60:00', '26/10/2016', 'yesterday', '', 20161026, true]) {
      const answer = await api(LIST, { accounts_receivable_identifier: ACR_659, [parameter]: value })
      t.test(`${parameter} ${JSON.stringify(value)}`, async t => expectError(t, answer, CODES.INVALID_PARAMETER_VALUE, parameter))
    }
  }
  expectOk(t, await api(LIST, { accounts_receivable_identifier: ACR_659, submitted_after_date: '2016-02-29' }), LIST, { complete: true })
})

t.test('list: number_of_results and offset page the result; no limit when absent', async t => {
  const { server, api } = await session(t)
  const fa = { classification_identifier: { alternative_code: 'FA' } }
  const all = numbers(await api(LIST, fa))
  t.same(all, await expectedNumbers(server, (e, d) => e.classification_id === d.classifications.find(c => c.alternative_code === 'FA')!.id), 'without paging: every FA event')
  t.ok(all.length > 50, `many events (${all.length})`)
  const pages: string[] = []
  for (let offset = 0; offset < all.length; offset += 7) {
    const page = numbers(await api(LIST, { ...fa, number_of_results: 7, offset }))
    t.ok(page.length <= 7, 'at most number_of_results')
    pages.push(...page)
  }
  t.same(pages, all, 'the pages, one after another, are the whole list')
  t.same(numbers(await api(LIST, { ...fa, number_of_results: 3 })), all.slice(0, 3), 'number_of_results alone: the first ones')
  t.same(numbers(await api(LIST, { ...fa, offset: 5 })), all.slice(5), 'offset alone: skips that many')
  t.same(numbers(await api(LIST, { ...fa, offset: 0 })), all, 'offset 0 skips nothing')
  t.same(numbers(await api(LIST, { ...fa, offset: all.length })), [], 'offset past the end: empty')
  t.same(numbers(await api(LIST, { ...fa, number_of_results: '4', offset: ' 2 ' })), all.slice(2, 6), 'numeric strings are accepted')
  t.same(numbers(await api(LIST, { accounts_receivable_identifier: ACR_659, fields_set: 'number', number_of_results: 2, offset: 1, submitted_after_date: '2016-10-26T00:00:12' })), ['109', '110'], 'paging applies after the date filter')
})

t.test('list: number_of_results must be a whole number of at least 1 and offset of at least 0 (INVALIDPARAMETERVALUEEXCEPTION)', async t => {
  const { api } = await session(t)
  const bad: Array<[string, unknown]> = [
    ['number_of_results', 0], ['number_of_results', -1], ['number_of_results', 1.5], ['number_of_results', 'ten'], ['number_of_results', '0'], ['number_of_results', ''], ['number_of_results', 1e10],
    ['offset', -1], ['offset', 0.5], ['offset', 'x'], ['offset', '-1'], ['offset', [1]]
  ]
  for (const [parameter, value] of bad) {
    const answer = await api(LIST, { accounts_receivable_identifier: ACR_69, [parameter]: value })
    t.test(`${parameter} ${JSON.stringify(value)}`, async t => expectError(t, answer, CODES.INVALID_PARAMETER_VALUE, parameter))
  }
})

t.test('list: ordered by creation time, then number, ascending', async t => {
  const { server, api } = await session(t)
  const all = await api(LIST, { classification_identifier: { alternative_code: 'FA' } })
  const events = all.body.data as Array<{ number: string, log_information: { created_date: string } }>
  for (let i = 1; i < events.length; i++) {
    const a = events[i - 1]!; const b = events[i]!
    const ordered = a.log_information.created_date < b.log_information.created_date || (a.log_information.created_date === b.log_information.created_date && Number(a.number) < Number(b.number))
    if (!ordered) t.fail(`event ${a.number} (${a.log_information.created_date}) before ${b.number} (${b.log_information.created_date})`)
  }
  t.same(numbers(await api(LIST, { accounts_receivable_identifier: ACR_659 })), ALL_659, 'created_date decides: 137 (created 14:05) before 121 (15:00:12), whatever their numbers and performed_on')
  // Same creation time: by number, as numbers (999 before 1000, though "1000" < "999" as text).
  const d = await server.snapshot()
  const [x, y] = d.customer_events.filter(e => e.accounts_receivable_id === d.accounts_receivable.find(a => a.number === 'ACR0000000659')!.id && e.type === 'FINANCIAL_ACHIEVEMENT')
  x!.number = '1000'; y!.number = '999'
  x!.log_information.created_date = y!.log_information.created_date = '2016-01-01T00:00:00'
  await server.restore(d)
  t.same(numbers(await api(LIST, { accounts_receivable_identifier: ACR_659, number_of_results: 2 })), ['999', '1000'])
})

t.test('list: events created at the same instant list in number order', async t => {
  const { api } = await session(t, { clock: new Date('2030-01-01T00:00:00Z') })
  const made: string[] = []
  for (let i = 0; i < 3; i++) made.push((await api(CREATE, VENDOR_CREATE)).body.data.number)
  t.same(numbers(await api(LIST, { accounts_receivable_identifier: ACR_69, submitted_after_date: '2029-12-31' })), made)
})

t.test('list: fields_set returns only the named top-level fields of each item (spaces around names and unknown names ignored)', async t => {
  const { api } = await session(t)
  const answer = await api(LIST, { accounts_receivable_identifier: ACR_69, fields_set: ' number , life_cycle_state,bogus,  log_information ' })
  expectOk(t, answer, LIST)
  t.equal(answer.body.data.length, 4)
  for (const e of answer.body.data) t.same(Object.keys(e).sort(), ['life_cycle_state', 'log_information', 'number'])
  t.same(answer.body.data[0].log_information.created_by_user, { person_name: 'MPAdministrator', id: '1', username: 'MPAdministrator' }, 'a named field is whole')
  for (const blank of ['', '   ']) {
    const all = await api(LIST, { accounts_receivable_identifier: ACR_69, fields_set: blank })
    t.test(`blank fields_set ${JSON.stringify(blank)}: every field`, async t => expectOk(t, all, LIST, { complete: true }))
  }
})

t.test('list: unknown parameters are ignored', async t => {
  const { api } = await session(t)
  const plain = await api(LIST, { accounts_receivable_identifier: ACR_69 })
  const extra = await api(LIST, { accounts_receivable_identifier: ACR_69, udf_float_5: 50, page: 2, sort: 'desc', product_identifier: { code: 'nope' } })
  expectOk(t, extra, LIST, { complete: true })
  t.same(extra.body.data, plain.body.data)
})

t.test('list: submitted date bounds compare at millisecond precision', async t => {
  const { api } = await session(t, { clock: new Date('2026-01-02T10:00:05Z') })
  const created = (await api(FA + 'create', VENDOR_CREATE)).body.data.number as string
  const listed = async (bounds: Record<string, string>): Promise<boolean> =>
    numbers(await api(FA + 'list', { accounts_receivable_identifier: { number: 'ACR0000000069' }, ...bounds })).includes(created)
  t.ok(await listed({ submitted_before_date: '2026-01-02T10:00:05.500' }), 'created at 10:00:05, before 10:00:05.500: in')
  t.notOk(await listed({ submitted_before_date: '2026-01-02T10:00:05' }), 'before 10:00:05 itself: out (bounds are exclusive)')
  t.ok(await listed({ submitted_after_date: '2026-01-02T10:00:04.500' }), 'after 10:00:04.500: in')
  t.notOk(await listed({ submitted_after_date: '2026-01-02T10:00:05.000' }), 'after 10:00:05.000: out')
  t.ok(await listed({ submitted_before_date: '9999-12-31T23:59:59.500' }), 'a bound past the last whole second keeps every event')
})
