import { setImmediate as nextTurn } from 'node:timers/promises'
import { Memory } from 'lowdb'
import t from 'tap'
import type { CustomerEvent, Dataset } from '../../src/store/model.js'
import type { Change } from '../../src/store/changes.js'
import type { CompactionControl, JournalAdapter } from '../../src/store/journal.js'
import { showAnswer } from '../../src/domain/render-json.js'
import { Lookup } from '../../src/store/lookup.js'
import { ShardedMap } from '../../src/store/sharded-map.js'
import { Store, StoreFileError } from '../../src/store/store.js'
import { cancelEvent, createEvent, deferred, fixtures } from '../helper.js'
import { CODES } from '../../src/contract/errors.js'

const UNEXPECTED = CODES.UNEXPECTED

/** A journal in memory that records each group, and can hold or fail a write. */
class FakeJournal implements JournalAdapter<Dataset> {
  groups: Change[][] = []
  hold: Promise<void> | undefined
  failNext = false
  journalBytes = 0
  wantsCompaction = false
  compactions = 0
  closed = false
  constructor (public data: Dataset | null) {}
  async read (): Promise<Dataset | null> { return this.data }
  async write (data: Dataset): Promise<void> { this.data = data }
  async append (changes: readonly Change[]): Promise<void> {
    this.groups.push([...changes])
    await this.hold
    if (this.failNext) { this.failNext = false; throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }) }
    this.journalBytes += changes.length
  }

  async compact (_dataset: Dataset, control: CompactionControl): Promise<boolean> {
    this.compactions++
    return await control.exclusive(async () => { this.journalBytes = 0; return true })
  }

  async close (): Promise<void> { this.closed = true }
}

async function open (adapter = new FakeJournal(fixtures())): Promise<{ store: Store, adapter: FakeJournal }> {
  const { store } = await Store.open(adapter, fixtures)
  return { store, adapter }
}

async function until (condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await nextTurn()
  if (!condition()) throw new Error('condition never held')
}

t.test('group commit: mutations queued while a write is in flight wait, are applied in order and written as one group, and resolve only when durable', async t => {
  const { store, adapter } = await open()
  const first = store.lookup.maxEventNumber
  const gate = deferred()
  adapter.hold = gate.promise
  const settled: number[] = []
  const track = (n: number, p: Promise<CustomerEvent>): Promise<CustomerEvent> => p.then(e => { settled.push(n); return e })
  const group1 = [1, 2, 3].map(n => track(n, createEvent(store)))
  await until(() => adapter.groups.length === 1)
  t.same(adapter.groups[0]!.map(c => c.op), ['create', 'create', 'create'], 'the three queued together are one group')
  const group2 = [4, 5].map(n => track(n, createEvent(store)))
  for (let i = 0; i < 5; i++) await nextTurn()
  t.equal(adapter.groups.length, 1, 'nothing else is written while the group is in flight')
  t.equal(store.lookup.maxEventNumber, first + 3, 'later mutations are not applied before the group is durable')
  t.same(settled, [], 'nothing resolves before its group is durable')
  adapter.hold = undefined
  gate.resolve()
  const events = await Promise.all([...group1, ...group2])
  t.same(events.map(e => Number(e.number)), [1, 2, 3, 4, 5].map(n => first + n), 'numbers follow the queue order')
  t.same(adapter.groups.map(g => g.length), [3, 2], 'the two queued meanwhile are the second group')
  t.same(settled, [1, 2, 3, 4, 5], 'promises settle in queue order')
})

t.test('failed write rollback: the whole group is undone newest first and every mutation in it rejected; memory is as before', async t => {
  const { store, adapter } = await open()
  const before = store.snapshot()
  const target = before.customer_events.find(e => e.life_cycle_state === 'POSTED')!
  const undone: string[] = []
  // The store undoes a create by removing the event from the lookup, and a cancel by putting
  // the event back as it was and telling the lookup it changed: watched here, in order.
  const lookup = store.lookup
  const removeEvent = lookup.removeEvent.bind(lookup)
  const eventChanged = lookup.eventChanged.bind(lookup)
  lookup.removeEvent = e => { undone.push(`create ${e.number}`); removeEvent(e) }
  lookup.eventChanged = e => { if (e.id === target.id && e.life_cycle_state === 'POSTED') undone.push('cancel'); eventChanged(e) }
  adapter.failNext = true
  const group = [createEvent(store), cancelEvent(store, target.id), createEvent(store)]
  const outcomes = await Promise.allSettled(group)
  t.same(outcomes.map(o => o.status), ['rejected', 'rejected', 'rejected'])
  for (const o of outcomes) t.match((o as PromiseRejectedResult).reason, { code: UNEXPECTED, message: /could not be written \(ENOSPC\)/ })
  const n = before.customer_events.length
  t.same(undone, [`create ${store.lookup.maxEventNumber}`, 'cancel', `create ${store.lookup.maxEventNumber - 1}`], 'undone newest first')
  t.same(store.snapshot(), before, 'the dataset is exactly as before')
  t.equal(store.lookup.byId('customer_events', target.id)!.life_cycle_state, 'POSTED')
  t.equal(store.lookup.dataset.customer_events.length, n)
  const after = await createEvent(store)
  t.equal(store.lookup.byId('customer_events', after.id), after, 'the next group is written normally')
})

t.test('a changed event\'s cached answer is dropped when it changes and again when the change is undone', async t => {
  const { store, adapter } = await open()
  const target = store.lookup.dataset.customer_events.find(e => e.type === 'FINANCIAL_ACHIEVEMENT' && e.life_cycle_state === 'POSTED')!
  const state = (): string => JSON.parse(showAnswer(store.lookup, target)).data.life_cycle_state
  t.equal(state(), 'POSTED', 'answered (and cached) before')
  let seenDuringWrite = ''
  const gate = deferred()
  adapter.hold = gate.promise
  adapter.failNext = true
  const cancelled = cancelEvent(store, target.id)
  await until(() => adapter.groups.length === 1)
  seenDuringWrite = state()
  adapter.hold = undefined
  gate.resolve()
  await t.rejects(cancelled)
  t.equal(seenDuringWrite, 'CANCELLED', 'while the write is in flight the answer is the changed event')
  t.equal(state(), 'POSTED', 'after the failed write is undone, the answer is the event as it was again')
  await cancelEvent(store, target.id)
  t.equal(state(), 'CANCELLED', 'a written change shows at once')
})

t.test('a mutation that throws is rejected alone; the rest of its group is written', async t => {
  const { store, adapter } = await open()
  const results = await Promise.allSettled([createEvent(store), cancelEvent(store, 'NO-SUCH-EVENT'), createEvent(store)])
  t.same(results.map(r => r.status), ['fulfilled', 'rejected', 'fulfilled'])
  t.match((results[1] as PromiseRejectedResult).reason, { message: 'no event NO-SUCH-EVENT' })
  t.same(adapter.groups.map(g => g.map(c => c.op)), [['create', 'create']])
})

t.test('what is journaled: each named change says what it records (a create, an update with the event itself, the whole dataset for a replace)', async t => {
  const { store, adapter } = await open()
  const created = await createEvent(store)
  await cancelEvent(store, created.id)
  const replacement = store.snapshot()
  await store.replace(replacement)
  t.same(adapter.groups.map(g => g.map(c => c.op)), [['create'], ['update'], ['replace']])
  t.equal((adapter.groups[0]![0] as { event: CustomerEvent }).event, created)
  t.equal((adapter.groups[1]![0] as { event: CustomerEvent }).event, created, 'the cancelled event itself')
  t.equal((adapter.groups[1]![0] as { event: CustomerEvent }).event.life_cycle_state, 'CANCELLED')
  t.equal((adapter.groups[2]![0] as { dataset: Dataset }).dataset, replacement, 'a replace writes the whole dataset')
})

t.test('replace swaps dataset and lookup and is journaled whole; a failed replace puts both back', async t => {
  const { store, adapter } = await open()
  const original = store.dataset
  const originalLookup = store.lookup
  const smaller = { ...fixtures(), customer_events: fixtures().customer_events.slice(0, 5) }
  await store.replace(smaller)
  t.equal(store.dataset, smaller)
  t.equal(store.lookup.dataset, smaller)
  t.same(adapter.groups.at(-1), [{ op: 'replace', dataset: smaller }])
  adapter.failNext = true
  await t.rejects(store.replace(original), { code: UNEXPECTED })
  t.equal(store.dataset, smaller, 'the dataset is the one before the failed replace')
  t.not(store.lookup, originalLookup)
  t.equal(store.lookup.dataset, smaller)
})

t.test('a plain adapter gets the whole dataset written once per group', async t => {
  let writes = 0
  class Counting extends Memory<Dataset> { override async write (data: Dataset): Promise<void> { writes++; await super.write(data) } }
  const { store, created } = await Store.open(new Counting(), fixtures)
  t.ok(created)
  t.equal(writes, 1, 'the initial dataset is written at once')
  await Promise.all([createEvent(store), createEvent(store), createEvent(store)])
  t.equal(writes, 2, 'three mutations, one write')
  await store.compact()
  await store.close()
  t.equal(store.lookup.dataset.customer_events.length, fixtures().customer_events.length + 3)
})

t.test('flush waits for every queued write; close folds a non-empty journal and closes it', async t => {
  const { store, adapter } = await open()
  const gate = deferred()
  adapter.hold = gate.promise
  let done = false
  void createEvent(store).then(() => { done = true })
  const flushed = store.flush()
  setTimeout(() => { gate.resolve() }, 20)
  await flushed
  t.ok(done, 'flush resolved after the write')
  adapter.hold = undefined
  await store.close()
  t.equal(adapter.compactions, 1)
  t.ok(adapter.closed)
  t.equal(adapter.journalBytes, 0)
})

t.test('the store compacts by itself when the journal says it wants to', async t => {
  const { store, adapter } = await open()
  adapter.wantsCompaction = true
  await createEvent(store)
  await until(() => adapter.compactions === 1)
  t.equal(adapter.compactions, 1)
  await store.close()
})

t.test('open: an unreadable adapter and a file that is not a store both refuse with StoreFileError; nothing is written', async t => {
  const broken = new FakeJournal(null)
  broken.read = async () => { throw new Error('Unexpected token') }
  await t.rejects(Store.open(broken, fixtures, 'db.json'), new StoreFileError('db.json: cannot be read: Unexpected token'))
  const foreign = new FakeJournal({ hello: 'world' } as unknown as Dataset)
  await t.rejects(Store.open(foreign, fixtures, 'db.json'), { name: 'Error', message: /not a crmcom-mock store/ })
  t.same(foreign.data, { hello: 'world' })
  const empty = new FakeJournal(null)
  const { created } = await Store.open(empty, fixtures)
  t.ok(created)
  t.same(empty.data, fixtures(), 'an empty adapter gets the initial dataset')
})

t.test('ShardedMap: a map over shards that behaves as one Map (get, set, delete, size) for ids, numbers and odd keys', async t => {
  const map = new ShardedMap<number>()
  const keys = [...Array.from({ length: 5000 }, (_, i) => (i * 2654435761 >>> 0).toString(16).toUpperCase().padStart(32, '0')), ...Array.from({ length: 5000 }, (_, i) => String(i)), '', '__proto__', 'é😀']
  keys.forEach((k, i) => map.set(k, i))
  t.equal(map.size, keys.length)
  t.ok(keys.every((k, i) => map.get(k) === i), 'every key gives back its value')
  map.set('42', -1)
  t.equal(map.get('42'), -1, 'set replaces')
  t.equal(map.size, keys.length, 'without adding')
  map.delete('42'); map.delete('no such key')
  t.equal(map.get('42'), undefined)
  t.equal(map.size, keys.length - 1)
  t.equal(({} as Record<string, unknown>).polluted, undefined)
})

t.test('Lookup field index: one record per value is found alone, several are all found in order, and an undone create leaves each field as before', async t => {
  const data = fixtures()
  // Two accounts share a name; every other value of the field is held by one record.
  data.accounts_receivable[1]!.name = data.accounts_receivable[0]!.name
  const lookup = new Lookup(data)
  const [first, second] = data.accounts_receivable
  t.equal(lookup.find('accounts_receivable', 'name', first!.name)[1], second, 'a shared value finds both, in dataset order')
  t.same(lookup.find('accounts_receivable', 'name', first!.name), [first, second])
  t.same(lookup.find('accounts_receivable', 'id', second!.id), [second], 'a unique value finds its one record')
  t.same(lookup.find('accounts_receivable', 'id', 'no such id'), [])
  const taken = data.customer_events[0]!
  const event: CustomerEvent = { ...structuredClone(taken), id: 'F00D0000000000000000000000000001', number: '900001' }
  const twin: CustomerEvent = { ...structuredClone(taken), id: 'F00D0000000000000000000000000002', number: '900001' }
  lookup.addEvent(event)
  lookup.addEvent(twin)
  t.same(lookup.find('customer_events', 'number', '900001'), [event, twin], 'a number held by two events finds both')
  lookup.removeEvent(event)
  t.same(lookup.find('customer_events', 'number', '900001'), [twin], 'removing one leaves the other')
  t.same(lookup.find('customer_events', 'id', event.id), [], 'and its id is gone')
  lookup.removeEvent(twin)
  t.same(lookup.find('customer_events', 'number', '900001'), [])
  t.same(lookup.find('customer_events', 'id', taken.id), [taken], 'other events are untouched')
  t.equal(lookup.byId('customer_events', event.id), undefined)
})
