import { appendFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import type { Dataset } from '../../src/store/model.js'
import { WriteAheadLog } from '../../src/store/write-ahead-log.js'
import { readWriteAheadLog } from '../../src/store/journal.js'
import { serializeDataset } from '../../src/store/serialize-snapshot.js'
import { writeDurably } from '../../src/store/durable-file.js'
import { fixtures, here, newEvent } from '../helper.js'

const text = async (pieces: AsyncIterable<string>): Promise<string> => { let s = ''; for await (const p of pieces) s += p; return s }

t.test('the first write creates the snapshot and drops a journal left without one', async t => {
  const dir = t.testdir({ 'db.json.journal': '{"op":"create","event":{"id":"STALE"}}\n' })
  const file = join(dir, 'db.json')
  const adapter = new WriteAheadLog(file)
  t.equal(await adapter.read(), null, 'no snapshot: nothing to read')
  const dataset = fixtures()
  await adapter.write(dataset)
  t.same(JSON.parse(readFileSync(file, 'utf8')), dataset)
  t.notOk(existsSync(file + '.journal'), 'the stale journal is gone')
  t.same(await new WriteAheadLog(file).read(), dataset)
})

t.test('journal replay: appended creates and updates replay over the snapshot, the last state of an event winning', async t => {
  const file = join(t.testdir(), 'db.json')
  const dataset = fixtures()
  const adapter = new WriteAheadLog(file)
  t.teardown(() => adapter.close())
  await adapter.write(dataset)
  const a = newEvent(dataset, 9001)
  const b = newEvent(dataset, 9002)
  await adapter.append([{ op: 'create', event: a }, { op: 'create', event: b }])
  await adapter.append([{ op: 'update', event: { ...a, life_cycle_state: 'CANCELLED' } }])
  const existing = { ...dataset.customer_events[0]!, description: 'changed' }
  await adapter.append([{ op: 'update', event: existing }])
  t.equal(adapter.journalBytes, statSync(file + '.journal').size)
  const lines = readFileSync(file + '.journal', 'utf8').split('\n')
  t.equal(lines.length, 5, 'one line per change, each ending in a newline')
  t.match(JSON.parse(lines[0]!), { op: 'create', event: { id: a.id } }, 'each line is readable JSON')

  const back = (await new WriteAheadLog(file).read())!
  t.equal(back.customer_events.length, dataset.customer_events.length + 2)
  t.equal(back.customer_events.find(e => e.id === a.id)!.life_cycle_state, 'CANCELLED')
  t.equal(back.customer_events.find(e => e.id === b.id)!.life_cycle_state, 'POSTED')
  t.equal(back.customer_events[0]!.description, 'changed', 'an update replaces the event where it stands')
  t.same(back.customer_events.slice(-2).map(e => e.id), [a.id, b.id], 'creates keep their order')
})

t.test('a torn last line is ignored and cut off, so the next append starts on a clean line', async t => {
  const file = join(t.testdir(), 'db.json')
  const dataset = fixtures()
  await new WriteAheadLog(file).write(dataset)
  const adapter = new WriteAheadLog(file)
  t.teardown(() => adapter.close())
  await adapter.read()
  const kept = newEvent(dataset, 9001)
  await adapter.append([{ op: 'create', event: kept }])
  const whole = statSync(file + '.journal').size
  appendFileSync(file + '.journal', JSON.stringify({ op: 'create', event: newEvent(dataset, 9002) }).slice(0, 80))

  const reopened = new WriteAheadLog(file)
  t.teardown(() => reopened.close())
  const back = (await reopened.read())!
  t.same(back.customer_events.slice(-1).map(e => e.id), [kept.id], 'only the complete line is replayed')
  t.equal(statSync(file + '.journal').size, whole, 'the torn bytes are cut off')
  const next = newEvent(dataset, 9003)
  await reopened.append([{ op: 'create', event: next }])
  const again = (await new WriteAheadLog(file).read())!
  t.same(again.customer_events.slice(-2).map(e => e.id), [kept.id, next.id])
})

t.test('a complete line that is not a change refuses to open, naming the line, and changes no file', async t => {
  const file = join(t.testdir(), 'db.json')
  await new WriteAheadLog(file).write(fixtures())
  const journal = '{"op":"create","event":{"id":"A"}}\nnot json\n{"op":"create","event":{"id":"B"}}\n'
  writeFileSync(file + '.journal', journal)
  await t.rejects(new WriteAheadLog(file).read(), { name: 'JournalCorruptError', message: /line 2 is not a change/ })
  t.equal(readFileSync(file + '.journal', 'utf8'), journal)
  writeFileSync(file + '.journal', '{"op":"delete","event":{"id":"A"}}\n')
  await t.rejects(new WriteAheadLog(file).read(), /line 1 is not a change/, 'a parseable line of another shape is refused too')
})

t.test('a write after opening appends a replace; replay gives exactly that dataset', async t => {
  const file = join(t.testdir(), 'db.json')
  const adapter = new WriteAheadLog(file)
  t.teardown(() => adapter.close())
  await adapter.write(fixtures())
  const dataset = fixtures()
  await adapter.append([{ op: 'create', event: newEvent(dataset, 9001) }])
  const replaced: Dataset = { ...fixtures(), customer_events: fixtures().customer_events.slice(0, 3) }
  await adapter.write(replaced)
  await adapter.append([{ op: 'create', event: newEvent(dataset, 9002) }])
  const lines = readFileSync(file + '.journal', 'utf8').trimEnd().split('\n')
  t.same(lines.map(l => (JSON.parse(l) as { op: string }).op), ['create', 'replace', 'create'])
  const back = (await new WriteAheadLog(file).read())!
  t.same(back.customer_events.map(e => e.number), [...replaced.customer_events.map(e => e.number), '9002'])
})

t.test('a snapshot file that is not a dataset is returned as read, for the store to refuse', async t => {
  const dir = t.testdir({ 'db.json': '{"hello":"world"}', 'db.json.journal': '{"op":"create","event":{"id":"A"}}\n' })
  t.same(await new WriteAheadLog(join(dir, 'db.json')).read(), { hello: 'world' })
})

t.test('snapshot layout: reference data indented as lowdb does, one event per line, parsing back to the dataset', async t => {
  const dataset = fixtures()
  const pretty = await text(serializeDataset(dataset, { sliceMs: 0 }))
  t.same(JSON.parse(pretty), dataset)
  const lines = pretty.split('\n')
  t.equal(lines.filter(l => /^ {4}\{".*\},?$/.test(l)).length, dataset.customer_events.length, 'one line per event')
  t.ok(pretty.includes(JSON.stringify({ units: dataset.units }, null, 2).slice(2, -2)), 'reference data as JSON.stringify(_, null, 2) lays it out')
  const compact = await text(serializeDataset(dataset, { compact: true, sliceMs: 0 }))
  t.equal(compact, JSON.stringify(dataset), 'compact mode is JSON.stringify exactly')
  const firstTwo = JSON.parse(await text(serializeDataset(dataset, { events: 2 }))) as Dataset
  t.same(firstTwo.customer_events, dataset.customer_events.slice(0, 2), 'events: n keeps the first n')
  t.same(JSON.parse(await text(serializeDataset({ ...dataset, customer_events: [] }))), { ...dataset, customer_events: [] })
})

t.test('a big snapshot is handed over in pieces of at least 64 KiB, each ending on a whole event', async t => {
  const dataset = fixtures()
  const template = dataset.customer_events[0]!
  for (let i = 0; i < 3000; i++) dataset.customer_events.push({ ...template, id: `BIG${i}`, number: `B${i}` })
  const pieces: string[] = []
  for await (const piece of serializeDataset(dataset, { compact: true, sliceMs: 0 })) pieces.push(piece)
  t.ok(pieces.length > 2, `${pieces.length} pieces`)
  // With no time budget, serialising pauses every 64 events: a piece stops at the first pause past 64 KiB.
  const longest = Math.max(...dataset.customer_events.map(e => JSON.stringify(e).length + 1))
  for (const piece of pieces.slice(0, -1)) {
    t.ok(piece.length >= 64 * 1024 && piece.length <= 64 * 1024 + 64 * longest, `a piece of ${piece.length} characters`)
    t.ok(piece.endsWith('}'), 'a piece ends after an event')
  }
  t.equal(pieces.join(''), JSON.stringify(dataset))
})

t.test('writeDurably writes text pieces of any size and script byte for byte, and buffers as given', async t => {
  const file = join(t.testdir(), 'out')
  // Sizes up and down, so the buffer text is encoded into grows and is reused for smaller pieces.
  const pieces: Array<string | Buffer> = ['abc', 'é€😀'.repeat(200_000), 'x', Buffer.from('raw bytes'), 'ü'.repeat(1_000_001), '\n']
  const bytes = await writeDurably(file, pieces)
  const expected = Buffer.concat(pieces.map(p => typeof p === 'string' ? Buffer.from(p, 'utf8') : p))
  t.equal(bytes, expected.length)
  t.ok(readFileSync(file).equals(expected), 'the file holds exactly the pieces, in order')
})

t.test('readWriteAheadLog of a missing file is empty', async t => {
  t.same(await readWriteAheadLog(join(t.testdir(), 'none.journal')), { changes: [], bytes: 0, torn: false })
})

t.test('a failed append is cut off the file again, so a restart cannot replay what was rolled back', async t => {
  let failSync = false
  const fsp = await import('node:fs/promises')
  const { WriteAheadLog: Flaky } = await t.mockImport<typeof import('../../src/store/write-ahead-log.js')>(here('../../src/store/write-ahead-log.js', import.meta.url), {
    'node:fs/promises': {
      ...fsp,
      open: async (...args: Parameters<typeof fsp.open>) => {
        const handle = await fsp.open(...args)
        const datasync = handle.datasync.bind(handle)
        handle.datasync = async () => { if (failSync) throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' }); await datasync() }
        return handle
      }
    }
  })
  const file = join(t.testdir(), 'db.json')
  const dataset = fixtures()
  const adapter = new Flaky(file)
  await adapter.write(dataset)
  const kept = newEvent(dataset, 9001)
  await adapter.append([{ op: 'create', event: kept }])
  const size = statSync(file + '.journal').size
  failSync = true
  await t.rejects(adapter.append([{ op: 'create', event: newEvent(dataset, 9002) }]), { code: 'EIO' })
  t.equal(statSync(file + '.journal').size, size, 'the failed group is no longer in the file')
  t.equal(adapter.journalBytes, size)
  failSync = false
  const next = newEvent(dataset, 9003)
  await adapter.append([{ op: 'create', event: next }])
  const back = (await new WriteAheadLog(file).read())!
  t.same(back.customer_events.slice(-2).map(e => e.id), [kept.id, next.id])
  await adapter.close()
})
