import { Memory } from 'lowdb'
import t from 'tap'
import { keptShowAnswer, listAnswer, showAnswer, showJson } from '../../src/domain/render-json.js'
import { renderEvent } from '../../src/domain/render.js'
import { okEnvelope } from '../../src/contract/errors.js'
import { appendFakeEvents } from '../../src/fixtures/generate.js'
import type { Dataset } from '../../src/store/model.js'
import { serializerFor } from '../../src/contract/schemas.js'
import { BoundedCache } from '../../src/store/bounded-cache.js'
import type { Lookup } from '../../src/store/lookup.js'
import { RENDER_CACHE_SIZE, answersFor } from '../../src/domain/answers.js'
import { Store } from '../../src/store/store.js'
import { FA, fixtures, session, VENDOR_CREATE } from '../helper.js'
import { CODES } from '../../src/contract/errors.js'

async function store (): Promise<Store> {
  const dataset: Dataset = fixtures()
  appendFakeEvents(dataset, 1000, 7)
  // Text that needs escaping, in the fields an event carries itself.
  const odd = dataset.customer_events.find(e => e.type === 'FINANCIAL_ACHIEVEMENT')!
  Object.assign(odd, { description: 'quote " backslash \\ newline \n tab \t é 😀 lone \ud800', udf_string_1: '</script>', udf_float_1: -0, amount: 1e21 })
  return (await Store.open(new Memory<Dataset>(), () => dataset)).store
}

t.test('the JSON of whole events is byte for byte what the response serializers make of them, for every event and page', async t => {
  const { lookup, dataset } = await store()
  const list = serializerFor('financial-achievements-list-response.json')
  const events = dataset.customer_events.filter(e => e.type === 'FINANCIAL_ACHIEVEMENT')
  let differ = 0
  // create and cancel answer with the show answer's schema; cancel's product has no product_type.
  for (const [method, options] of [['show', {}], ['create', {}], ['cancel', { productType: false }]] as const) {
    const serializer = serializerFor(`financial-achievements-${method}-response.json`)
    for (const e of events) {
      // Twice: the first fills the caches, the second reads them.
      for (let i = 0; i < 2; i++) if (showJson(renderEvent(lookup, e, options)) !== serializer(okEnvelope(renderEvent(lookup, e, options)))) differ++
    }
    t.equal(differ, 0, `${method}: all ${events.length} events`)
  }
  for (let i = 0; i < events.length; i += 20) {
    const page = events.slice(i, i + 20)
    if (listAnswer(lookup, page) !== list(okEnvelope(page.map(e => renderEvent(lookup, e))))) differ++
  }
  t.equal(listAnswer(lookup, []), list(okEnvelope([])), 'an empty page')
  t.equal(differ, 0, 'list: every page of 20')
  // The envelope is joined onto the first and the last event: with one event they are the same.
  for (const size of [1, 2, 3]) {
    const page = events.slice(0, size)
    t.equal(listAnswer(lookup, page), list(okEnvelope(page.map(e => renderEvent(lookup, e)))), `a page of ${size}`)
  }
})

t.test('show and list over HTTP answer the current state of an event, after a create and after a cancel', async t => {
  const { api, server } = await session(t)
  const cache = answersFor(server.app.crm.tenants.opened()!.store.lookup).rendered
  const cached = cache.size
  const created = (await api(FA + 'create', { ...VENDOR_CREATE, amount: '11.50', description: 'a "quoted" one' })).body.data
  t.equal(cache.size, cached, "a create does not keep the new event's answer (show does, when it is asked for)")
  const shown = (await api(FA + 'show', { customer_event_identifier: `id=${created.id}` })).body
  t.same(shown.data, created, 'show answers the created event')
  t.equal(cache.size, cached + 1, 'show kept it')
  await api(FA + 'cancel', { customer_event_identifier: { id: created.id } })
  const after = (await api(FA + 'show', { customer_event_identifier: `id=${created.id}` })).body
  t.equal(after.data.life_cycle_state, 'CANCELLED', 'a cancel shows at once (the cached answer of the event was dropped)')
  const listed = (await api(FA + 'list', { accounts_receivable_identifier: { number: 'ACR0000000069' } })).body
  t.equal(listed.status.code, 'OK')
  t.same(listed.data.find((e: { id: string }) => e.id === created.id), after.data)
  const picked = (await api(FA + 'show', { customer_event_identifier: `id=${created.id}`, fields_set: 'number, id' })).body
  t.same(Object.keys(picked.data), ['number', 'id'], 'fields_set still goes through the serializer (schema order)')
})

t.test('cached answers are byte for byte the serializers\' output, and the cache is bounded', async t => {
  const { lookup, dataset } = await store()
  const events = dataset.customer_events.filter(e => e.type === 'FINANCIAL_ACHIEVEMENT')
  const show = serializerFor('financial-achievements-show-response.json')
  const list = serializerFor('financial-achievements-list-response.json')
  let differ = 0
  for (let i = 0; i < 2; i++) {
    for (const e of events) if (showAnswer(lookup, e) !== show(okEnvelope(renderEvent(lookup, e)))) differ++
  }
  t.equal(differ, 0, `show: all ${events.length} events, rendered and then from the cache`)
  t.equal(answersFor(lookup).rendered.get(events[0]!.id)?.json, showAnswer(lookup, events[0]!), 'the second answer is the cached one')
  for (let i = 0; i < events.length; i += 20) {
    const page = events.slice(i, i + 20)
    if (listAnswer(lookup, page) !== list(okEnvelope(page.map(e => renderEvent(lookup, e))))) differ++
  }
  t.equal(listAnswer(lookup, []), list(okEnvelope([])), 'an empty page')
  t.equal(differ, 0, 'list: every page of 20')
  t.ok(answersFor(lookup).rendered.size <= RENDER_CACHE_SIZE, `the dataset's cache holds at most ${RENDER_CACHE_SIZE} answers`)

  const cache = new BoundedCache<string, number>(3)
  for (const [i, k] of ['a', 'b', 'c', 'd'].entries()) cache.set(k, i)
  t.same([cache.size, cache.get('a'), cache.get('d')], [3, undefined, 3], 'past its limit the oldest entry goes')
  cache.set('b', 9)
  t.same([cache.size, cache.get('b'), cache.get('c')], [3, 9, 2], 'replacing a kept key drops nothing')
})

t.test('show by id answers from the kept answer, which only ever holds what the full path would answer', async t => {
  const { api, server } = await session(t)
  const lookup = (): Lookup => server.app.crm.tenants.opened()!.store.lookup
  const [event] = (await api(FA + 'list', { accounts_receivable_identifier: { number: 'ACR0000000069' }, number_of_results: 1 })).body.data
  t.ok(keptShowAnswer(lookup(), event.id), 'list kept the answers of the events it listed')
  // A kept answer is what show gives for that id, in both of the identifier's forms, without the id index.
  const planted = showJson({ ...event, description: 'kept, not rendered' })
  answersFor(lookup()).rendered.set(event.id, { event: lookup().byId('customer_events', event.id)!, json: planted })
  for (const identifier of [`id=${event.id}`, { id: event.id }]) {
    const res = await server.app.inject({ url: `/crmapi/rest/v2/${FA}show`, query: { token: await server.login(), customer_event_identifier: typeof identifier === 'string' ? identifier : JSON.stringify(identifier) } })
    t.equal(res.body, planted, `show by ${JSON.stringify(identifier)} answers the kept JSON`)
  }
  t.equal((await api(FA + 'show', { customer_event_identifier: `number=${event.number}` })).body.data.description, 'kept, not rendered', 'show by number resolves the event, then answers its kept answer too')
  t.same((await api(FA + 'show', { customer_event_identifier: `id=${event.id}`, fields_set: 'description' })).body.data, { description: event.description }, 'fields_set renders the event afresh')

  // An event of another type is never kept, even when something renders it: show by its id is still refused.
  const other = server.app.crm.tenants.opened()!.store.dataset.customer_events.find(e => e.type !== 'FINANCIAL_ACHIEVEMENT')!
  showAnswer(lookup(), other)
  t.equal(keptShowAnswer(lookup(), other.id), undefined, 'a non-financial-achievement event is rendered but not kept')
  t.equal((await api(FA + 'show', { customer_event_identifier: `id=${other.id}` })).body.status.code, CODES.INVALID_CUSTOMER_EVENT_TYPE, 'and show of it is still refused')

  // A kept answer of another object with the same id (a dataset replaced under it) is not used.
  const stored = lookup().byId('customer_events', event.id)!
  answersFor(lookup()).rendered.set(event.id, { event: { ...stored }, json: 'stale' })
  t.not(showAnswer(lookup(), stored), 'stale', 'an answer kept for another object is rendered again')

  // Reset replaces the dataset, and with it every kept answer.
  await api(FA + 'cancel', { customer_event_identifier: { id: event.id } })
  t.equal((await api(FA + 'show', { customer_event_identifier: `id=${event.id}` })).body.data.life_cycle_state, 'CANCELLED', 'a cancel drops the kept answer')
  await server.reset()
  t.equal(keptShowAnswer(lookup(), event.id), undefined, 'a reset keeps no answer')
  t.equal((await api(FA + 'show', { customer_event_identifier: `id=${event.id}` })).body.data.life_cycle_state, 'POSTED', 'show after a reset answers the reset event')
})
