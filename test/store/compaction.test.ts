import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setImmediate as nextTurn } from 'node:timers/promises'
import t from 'tap'
import type { Dataset } from '../../src/store/model.js'
import type { Change } from '../../src/store/changes.js'
import { WriteAheadLog, type JournalFileOptions } from '../../src/store/write-ahead-log.js'
import type { CompactionControl } from '../../src/store/journal.js'
import { serializeDataset } from '../../src/store/serialize-snapshot.js'
import { Store } from '../../src/store/store.js'
import { cancelEvent, createEvent, fixtures } from '../helper.js'
import { CODES } from '../../src/contract/errors.js'

async function openFile (file: string, options: JournalFileOptions = {}): Promise<{ store: Store, adapter: WriteAheadLog }> {
  const adapter = new WriteAheadLog(file, options)
  const { store } = await Store.open(adapter, fixtures, file)
  return { store, adapter }
}

/**
 * A file store that compacts whenever its journal is non-empty, serialising in the smallest
 * slices so writes interleave with every step; `compactions()` counts those that completed.
 */
async function openEagerlyCompacting (file: string): Promise<{ store: Store, compactions: () => number }> {
  const { store, adapter } = await openFile(file, { compactRatio: 0, compactMinBytes: 0, sliceMs: 0 })
  let done = 0
  const compact = adapter.compact.bind(adapter)
  adapter.compact = async (dataset: Dataset, control: CompactionControl) => { const completed = await compact(dataset, control); if (completed) done++; return completed }
  return { store, compactions: () => done }
}

/** What a fresh process would read from the files. */
const reread = async (file: string): Promise<Dataset> => (await new WriteAheadLog(file).read())!

t.test('compaction: the journal folds into the snapshot while writes go on, and the files replay to the state in memory', async t => {
  const file = join(t.testdir(), 'db.json')
  const { store, compactions } = await openEagerlyCompacting(file)
  const created = []
  for (let round = 0; round < 20; round++) {
    created.push(...await Promise.all([createEvent(store), createEvent(store)]))
    if (round % 3 === 0) await cancelEvent(store, created[round]!.id)
  }
  await store.flush()
  t.ok(compactions() > 0, `compacted ${compactions()} times during the writes`)
  t.same(await reread(file), store.dataset, 'snapshot + journal = memory')
  await store.close()
  t.equal(statSync(file + '.journal').size, 0, 'close leaves an empty journal')
  t.same(JSON.parse(readFileSync(file, 'utf8')), store.dataset, 'and the snapshot alone holds everything')
})

t.test('a group rolled back during compaction abandons the compaction; files still replay to memory', async t => {
  const file = join(t.testdir(), 'db.json')
  class Flaky extends WriteAheadLog {
    fail = false
    override async append (changes: readonly Change[]): Promise<void> {
      if (this.fail) { this.fail = false; throw Object.assign(new Error('i/o error'), { code: 'EIO' }) }
      await super.append(changes)
    }
  }
  const adapter = new Flaky(file, { sliceMs: 0 })
  const { store } = await Store.open(adapter, fixtures, file)
  for (let i = 0; i < 10; i++) await createEvent(store)
  const snapshotBefore = readFileSync(file, 'utf8')
  const rolledBack = createEvent(store)
  adapter.fail = true
  const compaction = store.compact()
  await t.rejects(rolledBack, { code: CODES.UNEXPECTED })
  await compaction
  t.equal(readFileSync(file, 'utf8'), snapshotBefore, 'the snapshot was not replaced')
  t.same(await reread(file), store.dataset)
  await store.compact()
  t.not(readFileSync(file, 'utf8'), snapshotBefore, 'the next compaction goes through')
  t.same(await reread(file), store.dataset)
  await store.close()
})

t.test('a crash between compaction\'s two renames (new snapshot, old journal) replays to the same state, replaces included', async t => {
  const dir = t.testdir()
  const file = join(dir, 'db.json')
  const { store } = await openFile(file)
  await createEvent(store)
  await store.replace({ ...fixtures(), customer_events: fixtures().customer_events.slice(0, 20) })
  const kept = await createEvent(store)
  await cancelEvent(store, kept.id)
  await createEvent(store)
  await store.flush()
  copyFileSync(file + '.journal', join(dir, 'old.journal'))
  await store.compact()
  t.equal(statSync(file + '.journal').size, 0, 'compaction emptied the journal')
  // The crash: the snapshot is the new one, the journal is still the old one.
  copyFileSync(join(dir, 'old.journal'), file + '.journal')
  t.same(await reread(file), store.dataset, 'replaying the old journal over the new snapshot changes nothing')
  await store.close()
})

t.test('a store reopened from its files carries on numbering and can compact what it replayed', async t => {
  const file = join(t.testdir(), 'db.json')
  const first = await openFile(file)
  const a = await createEvent(first.store)
  await first.store.flush()
  await first.adapter.close() // no compaction: the next open must replay
  const second = await openFile(file)
  t.equal(second.store.lookup.byId('customer_events', a.id)?.number, a.number)
  const b = await createEvent(second.store)
  t.equal(Number(b.number), Number(a.number) + 1)
  for (let i = 0; i < 3; i++) await nextTurn()
  await second.store.close()
  t.same(JSON.parse(readFileSync(file, 'utf8')), second.store.dataset)
})

/** The snapshot a full serialisation of `dataset` writes. */
async function fullText (dataset: Dataset): Promise<string> {
  let text = ''
  for await (const piece of serializeDataset(dataset)) text += piece
  return text
}

t.test('merged compaction: the events the last snapshot holds are copied, changed ones written anew; the file is byte for byte a full serialisation of memory', async t => {
  const file = join(t.testdir(), 'db.json')
  const { store, compactions } = await openEagerlyCompacting(file)
  const posted = (): string[] => store.dataset.customer_events.filter(e => e.life_cycle_state === 'POSTED').map(e => e.id)
  const created = []
  for (let round = 0; round < 30; round++) {
    created.push(...await Promise.all([createEvent(store), createEvent(store)]))
    // Cancel an event of the fixtures (copied from the first snapshot) and one created since.
    if (round % 2 === 0) await cancelEvent(store, posted()[round]!)
    if (round % 5 === 4) await Promise.all([cancelEvent(store, created[round]!.id), createEvent(store)])
  }
  await store.flush()
  await store.compact()
  t.ok(compactions() > 5, `compacted ${compactions()} times during the writes`)
  t.equal(readFileSync(file, 'utf8'), await fullText(store.dataset), 'the snapshot is what serialising memory writes')
  t.equal(statSync(file + '.journal').size, 0)
  await store.close()
})

t.test('merged compaction copies unchanged lines from the last snapshot; a snapshot edited behind the store\'s back is serialised whole', async t => {
  const file = join(t.testdir(), 'db.json')
  const { store } = await openFile(file)
  const [first, second] = store.dataset.customer_events
  // An edit of the same size: the store cannot tell, and copies the line as it is on disk.
  const edit = (from: string, to: string): void => { const text = readFileSync(file, 'utf8'); t.ok(text.includes(from)); writeFileSync(file, text.replace(from, to)) }
  edit(`"id":"${first!.id}"`, `"id":"${first!.id.toLowerCase()}"`)
  await createEvent(store)
  await store.compact()
  t.match(readFileSync(file, 'utf8'), `"id":"${first!.id.toLowerCase()}"`, 'an unchanged event\'s line is copied, not serialised')
  await cancelEvent(store, first!.id)
  await store.compact()
  t.match(readFileSync(file, 'utf8'), `"id":"${first!.id}"`, 'a changed event\'s line is serialised from memory')
  t.equal(readFileSync(file, 'utf8'), await fullText(store.dataset))

  // A line break written into an event (same size): the lines no longer match the events.
  await cancelEvent(store, second!.id)
  edit(`"number":"${second!.number}"`, `"number":"${second!.number}"`.replace('"number":', '"number":\n').slice(0, -1))
  await store.compact()
  t.equal(readFileSync(file, 'utf8'), await fullText(store.dataset), 'lines that do not match are serialised whole')
  // A different size: not the file the store wrote.
  writeFileSync(file, readFileSync(file, 'utf8') + ' ')
  await createEvent(store)
  await store.compact()
  t.equal(readFileSync(file, 'utf8'), await fullText(store.dataset), 'a file of another size is serialised whole')
  t.same(await reread(file), store.dataset)
  await store.close()
})

t.test('a store opened from a file it did not write serialises its first snapshot whole, then merges', async t => {
  const file = join(t.testdir(), 'db.json')
  const first = await openFile(file)
  await first.store.close()
  const text = readFileSync(file, 'utf8')
  const id = first.store.dataset.customer_events[0]!.id
  writeFileSync(file, text.replace(`"id":"${id}"`, `"id":"${id.toLowerCase()}"`))
  const { store } = await openFile(file)
  await createEvent(store)
  await store.compact()
  t.match(readFileSync(file, 'utf8'), `"id":"${id.toLowerCase()}"`, 'what was read is what is serialised')
  t.equal(readFileSync(file, 'utf8'), await fullText(store.dataset))
  await store.close()
})
