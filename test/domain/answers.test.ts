/**
 * The domain's kept list answers (domain/answers.ts): a page asked for again answers the kept
 * JSON, and any change to the events drops every kept page, so a list never answers what
 * the events no longer say.
 */
import fc from 'fast-check'
import { Memory } from 'lowdb'
import t from 'tap'
import type { Dataset } from '../../src/store/model.js'
import { compareEvents, Lookup } from '../../src/store/lookup.js'
import { PAGE_CACHE_EVENTS, PAGE_CACHE_SIZE, answersFor } from '../../src/domain/answers.js'
import { Store } from '../../src/store/store.js'
import { cancelEvent, createEvent, FA, fixtures, newEvent, session, VENDOR_CREATE } from '../helper.js'

const ACCOUNT = { number: 'ACR0000000069' }

t.test('a page asked for again is the kept answer; other parameters and fields_set are not', async t => {
  const { api, server } = await session(t)
  const pages = answersFor(server.app.crm.tenants.opened()!.store.lookup).pages
  const ask = { accounts_receivable_identifier: ACCOUNT, number_of_results: 2 }
  const first = (await api(FA + 'list', ask)).body
  t.equal(pages.size, 1, 'the page was kept')
  // The key is the list's own business: note the one it looks up, then plant a marker there.
  const keys: string[] = []
  const get = pages.get.bind(pages)
  pages.get = (key: string) => { keys.push(key); return get(key) }
  await api(FA + 'list', ask)
  pages.get = get
  t.equal(keys.length, 1, 'one page looked up per list')
  t.ok(Buffer.isBuffer(get(keys[0]!)), 'a page is kept as its bytes')
  pages.set(keys[0]!, Buffer.from(JSON.stringify({ ...first, data: [{ planted: true }] })))
  t.same((await api(FA + 'list', ask)).body.data, [{ planted: true }], 'the same page answers the kept JSON')
  const accountId = server.app.crm.tenants.opened()!.store.dataset.accounts_receivable.find(a => a.number === ACCOUNT.number)!.id
  t.same((await api(FA + 'list', { ...ask, accounts_receivable_identifier: { id: accountId } })).body.data, [{ planted: true }], 'the account named by id is the same page: pages are keyed by what the identifiers resolve to')
  t.not((await api(FA + 'list', { ...ask, offset: 1 })).body.data[0]?.planted, true, 'another offset is another page')
  t.not((await api(FA + 'list', { ...ask, number_of_results: 3 })).body.data[0]?.planted, true, 'another number_of_results is another page')
  t.not((await api(FA + 'list', { ...ask, submitted_after_date: '2000-01-01T00:00:00' })).body.data[0]?.planted, true, 'a date bound makes another page')
  t.same(Object.keys((await api(FA + 'list', { ...ask, fields_set: 'id' })).body.data[0]), ['id'], 'fields_set is never answered from a kept page')
})

t.test('a kept page goes out as the same bytes and headers as the page it was made from, multi-byte characters included', async t => {
  const { api, server, token } = await session(t)
  const udf = 'Καλημέρα ☕ naïve 𝄞'
  t.equal((await api(FA + 'create', { ...VENDOR_CREATE, udf_string_1: udf })).statusCode, 200)
  const ask = () => server.app.inject({ method: 'POST', url: `/crmapi/rest/v2/${FA}list`, payload: { token, accounts_receivable_identifier: ACCOUNT } })
  const made = await ask()
  const kept = await ask()
  t.equal(answersFor(server.app.crm.tenants.opened()!.store.lookup).pages.size, 1, 'the second answer came from the kept page')
  t.equal(kept.body, made.body, 'the same body')
  t.equal(kept.headers['content-type'], 'application/json; charset=utf-8', 'the same JSON type')
  t.equal(kept.headers['content-type'], made.headers['content-type'])
  t.equal(Number(kept.headers['content-length']), Buffer.byteLength(made.body), 'its length counts bytes, not characters')
  t.equal(kept.headers['content-length'], made.headers['content-length'])
  t.ok((kept.json() as { data: Array<{ udf_string_1?: string }> }).data.some(e => e.udf_string_1 === udf), 'the multi-byte value is intact')
})

t.test('every change to the events drops the kept pages: create, cancel, reset', async t => {
  const { api, server } = await session(t)
  const lookup = (): Lookup => server.app.crm.tenants.opened()!.store.lookup
  const all = async (): Promise<Array<{ id: string, life_cycle_state: string }>> => (await api(FA + 'list', { accounts_receivable_identifier: ACCOUNT })).body.data
  const before = await all()
  t.ok(answersFor(lookup()).pages.size > 0, 'the page was kept')
  const created = (await api(FA + 'create', VENDOR_CREATE)).body.data
  t.equal(answersFor(lookup()).pages.size, 0, 'a create dropped it')
  const after = await all()
  t.equal(after.length, before.length + 1, 'the list has the created event')
  t.equal(after[after.length - 1]!.id, created.id)
  await api(FA + 'cancel', { customer_event_identifier: { id: created.id } })
  t.equal(answersFor(lookup()).pages.size, 0, 'a cancel dropped it')
  t.equal((await all()).find(e => e.id === created.id)?.life_cycle_state, 'CANCELLED', 'the list shows the cancel')
  await server.reset()
  t.equal(answersFor(lookup()).pages.size, 0, 'a reset keeps no page')
  t.equal((await all()).length, before.length, 'the list after a reset is the reset dataset\'s')
})

t.test('a write that fails and is undone drops the pages its change touched', async t => {
  let fail = false
  const adapter = new Memory<Dataset>()
  const write = adapter.write.bind(adapter)
  adapter.write = async data => { if (fail) throw Object.assign(new Error('disk full'), { code: 'ENOSPC' }); await write(data) }
  const { store } = await Store.open(adapter, fixtures)
  const e = store.dataset.customer_events.find(x => x.type === 'FINANCIAL_ACHIEVEMENT' && x.life_cycle_state === 'POSTED')!
  answersFor(store.lookup).pages.set('a page', Buffer.from('kept'))
  fail = true
  await t.rejects(cancelEvent(store, e.id), /could not be written/)
  t.equal(e.life_cycle_state, 'POSTED', 'the cancel was undone')
  t.equal(answersFor(store.lookup).pages.get('a page'), undefined, 'and the page kept before it is gone')
  answersFor(store.lookup).pages.set('a page', Buffer.from('kept while the create is pending'))
  await t.rejects(createEvent(store), /could not be written/)
  t.equal(answersFor(store.lookup).pages.size, 0, 'an undone create dropped the pages too')
})

t.test('the lookup drops its pages on addEvent, eventChanged and removeEvent, and bounds them', async t => {
  const dataset = fixtures()
  const lookup = new Lookup(dataset)
  const e = newEvent(dataset, 9000)
  for (const [what, change] of [['addEvent', () => lookup.addEvent(e)], ['eventChanged', () => lookup.eventChanged(e)], ['removeEvent', () => lookup.removeEvent(e)]] as const) {
    answersFor(lookup).pages.set('p', Buffer.from('kept'))
    change()
    t.equal(answersFor(lookup).pages.size, 0, `${what} drops every page`)
  }
  for (let i = 0; i < PAGE_CACHE_SIZE + 10; i++) answersFor(lookup).pages.set(String(i), Buffer.from('x'))
  t.equal(answersFor(lookup).pages.size, PAGE_CACHE_SIZE, `at most ${PAGE_CACHE_SIZE} pages`)
})

t.test(`a page of more than ${PAGE_CACHE_EVENTS} events is answered but not kept`, async t => {
  const { api, server } = await session(t, { size: 400 })
  const lookup = server.app.crm.tenants.opened()!.store.lookup
  const dataset = server.app.crm.tenants.opened()!.store.dataset
  const counts = new Map<string, number>()
  for (const e of dataset.customer_events) if (e.type === 'FINANCIAL_ACHIEVEMENT') counts.set(e.classification_id, (counts.get(e.classification_id) ?? 0) + 1)
  const [id, n] = [...counts].sort((a, b) => b[1] - a[1])[0]!
  t.ok(n > PAGE_CACHE_EVENTS, `a classification with ${n} events`)
  const big = (await api(FA + 'list', { classification_identifier: { id } })).body.data
  t.equal(big.length, n, 'the whole classification is listed')
  t.equal(answersFor(lookup).pages.size, 0, 'not kept')
  await api(FA + 'list', { classification_identifier: { id }, number_of_results: PAGE_CACHE_EVENTS })
  t.equal(answersFor(lookup).pages.size, 1, `a page of ${PAGE_CACHE_EVENTS} is kept`)
})

t.test('property: after any sequence of creates and cancels, every page answers what it would with nothing kept', async t => {
  const { api, server } = await session(t)
  const store = (): Store => server.app.crm.tenants.opened()!.store
  const accounts = ['ACR0000000069', 'ACR0000000659']
  const asks = accounts.flatMap(number => [{}, { number_of_results: 3 }, { number_of_results: 3, offset: 2 }].map(page => ({ accounts_receivable_identifier: { number }, ...page })))
  // reset() keeps tokens valid, so one login serves every run.
  const token = await server.login()
  const list = async (ask: object): Promise<string> => (await server.app.inject({ method: 'POST', url: `/crmapi/rest/v2/${FA}list`, payload: { token, ...ask } })).body
  const op = fc.oneof(
    fc.record({ kind: fc.constant('create' as const), account: fc.constantFrom(...accounts) }),
    fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat({ max: 3 }) })
  )
  await fc.assert(fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 8 }), async ops => {
    await server.reset()
    for (const ask of asks) await list(ask)
    for (const o of ops) {
      if (o.kind === 'create') {
        await api(FA + 'create', { ...VENDOR_CREATE, accounts_receivable_identifier: { number: o.account } })
      } else {
        // One of the oldest POSTED events of the listed accounts: every page of an account starts with them.
        const listed = new Set(store().dataset.accounts_receivable.filter(a => accounts.includes(a.number)).map(a => a.id))
        const posted = store().dataset.customer_events.filter(e => e.type === 'FINANCIAL_ACHIEVEMENT' && e.life_cycle_state === 'POSTED' && listed.has(e.accounts_receivable_id)).sort(compareEvents)
        if (posted.length > 0) await api(FA + 'cancel', { customer_event_identifier: { id: posted[o.pick % Math.min(4, posted.length)]!.id } })
      }
      // Every page as answered (kept pages where there are), then with nothing kept; then kept again for the next step.
      const answered = []
      for (const ask of asks) answered.push(await list(ask))
      answersFor(store().lookup).pages.clear()
      answersFor(store().lookup).rendered.clear()
      for (const [i, ask] of asks.entries()) if (await list(ask) !== answered[i]) return false
    }
    return true
  }), { numRuns: 25 })
})
