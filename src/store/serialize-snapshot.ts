/**
 * A dataset as its JSON snapshot text, produced without stalling the server: serialised a
 * slice at a time (yielding to the event loop between slices) into pieces for a writer, or
 * merged from the previous snapshot's bytes where events did not change. Owns the
 * snapshot's layout (events one per line) and the record of where its events lie; writing
 * the pieces to disk is durable-file.ts's job.
 */
import { open } from 'node:fs/promises'
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import type { CustomerEvent, Dataset } from './model.js'

export interface SerializeOptions {
  /** Serialise only the first `events` events (the rest are in the journal). Default: all. */
  events?: number
  /** Checked between slices: true abandons the write. */
  aborted?: () => boolean
  /** Longest stretch of serialising before yielding to the event loop, in ms (default 4). */
  sliceMs?: number
  /** One line, no indentation (for a journal line) instead of the snapshot's layout. */
  compact?: boolean
  /** Filled in with where the events lie in the bytes (snapshot layout with events only). */
  layout?: SnapshotLayout
}

/**
 * Where a snapshot this process wrote keeps its events: `prefixBytes` of reference data
 * ending in `[`, then one `\n    {event}` line each (separated by commas), then
 * `suffixBytes` from `\n  ]` to the end; `bytes` in all. What lets the next compaction copy
 * the events that did not change instead of serialising them again ({@link mergeSnapshot}).
 */
export interface SnapshotLayout {
  events: number
  prefixBytes: number
  suffixBytes: number
  bytes: number
}

/** A layout to be filled in: `events` stays -1 when the snapshot has none to lay out. */
export const unknownLayout = (): SnapshotLayout => ({ events: -1, prefixBytes: 0, suffixBytes: 0, bytes: 0 })

/** Thrown when `aborted()` said so; the temporary file is removed. */
export class SnapshotAbortedError extends Error { override name = 'SnapshotAbortedError' }

// A piece is handed to the writer at the first pause in serialising after this many characters.
// Small pieces keep each turn of the event loop short: joining and encoding a big piece is
// slow, mostly page faults on the freshly allocated memory.
export const PIECE = 1 << 16

/**
 * Text gathered into pieces. Parts are joined into each piece: a piece built with += is a
 * rope of thousands of strings, and turning a big rope into bytes in one go stalls the
 * event loop; joining makes one flat string, which converts at memcpy speed. The parts are
 * let go before the piece is handed over: the writer keeps the generator suspended until
 * the piece is on disk, and parts kept that long would be promoted by V8 and fill the old
 * generation with garbage, forcing frequent full collections while compacting.
 */
class Pieces {
  parts: string[] = []
  length = 0
  add (text: string): void { this.parts.push(text); this.length += text.length }
  take (): string { const piece = this.parts.join(''); this.parts = []; this.length = 0; return piece }
}

/**
 * Adds events `from` to `to` to `pieces`, each after `lead` (and a comma unless it is the
 * first event), a slice at a time: after `sliceMs` of serialising it yields the piece
 * gathered so far (once it has 64 KiB) and lets the event loop run. Each event is
 * serialised whole in one synchronous step, so a piece never holds half of a change.
 */
async function * addEvents (pieces: Pieces, events: readonly CustomerEvent[], from: number, to: number, lead: string, options: SerializeOptions): AsyncGenerator<string> {
  const sliceMs = options.sliceMs ?? 4
  let sliceStart = performance.now()
  for (let i = from; i < to; i++) {
    pieces.add(i === 0 ? lead : `,${lead}`)
    pieces.add(JSON.stringify(events[i]))
    if ((i & 63) === 63 && performance.now() - sliceStart > sliceMs) {
      if (pieces.length >= PIECE) yield pieces.take()
      await yieldToLoop()
      if (options.aborted?.() === true) throw new SnapshotAbortedError('snapshot abandoned')
      sliceStart = performance.now()
    }
  }
}

/**
 * The snapshot text in pieces of at least 64 KiB (a slice's worth). Reference data is indented like lowdb's own
 * JSONFile; events are one per line, which keeps a 100,000-event file greppable and
 * half the size. Each event is serialised whole in one synchronous step, so a piece never
 * holds half of a change.
 */
export async function * serializeDataset (dataset: Dataset, options: SerializeOptions = {}): AsyncGenerator<string> {
  const compact = options.compact === true
  const [keyLead, eventLead, arrayEnd, end] = compact ? ['', '', ']', '}'] : ['\n  ', '\n    ', '\n  ]', '\n}\n']
  const keys = Object.keys(dataset) as Array<keyof Dataset>
  const pieces = new Pieces()
  pieces.add('{')
  let layoutFrom: { layout: SnapshotLayout, events: number, prefixBytes: number, suffixFrom: number } | undefined
  for (const [k, key] of keys.entries()) {
    pieces.add(`${k === 0 ? '' : ','}${keyLead}${JSON.stringify(key)}:${compact ? '' : ' '}`)
    if (key !== 'customer_events') {
      pieces.add(compact ? JSON.stringify(dataset[key]) : JSON.stringify(dataset[key], null, 2).replaceAll('\n', '\n  '))
      continue
    }
    const events = dataset.customer_events
    const count = Math.min(options.events ?? events.length, events.length)
    if (count === 0) { pieces.add('[]'); continue }
    pieces.add('[')
    // Nothing has been handed over yet: the parts so far are the whole prefix.
    if (options.layout !== undefined && !compact) layoutFrom = { layout: options.layout, events: count, prefixBytes: byteLength(pieces.parts), suffixFrom: 0 }
    yield * addEvents(pieces, events, 0, count, eventLead, options)
    if (layoutFrom !== undefined) layoutFrom.suffixFrom = pieces.parts.length
    pieces.add(arrayEnd)
  }
  pieces.add(end)
  if (layoutFrom !== undefined) {
    const { layout, events, prefixBytes, suffixFrom } = layoutFrom
    Object.assign(layout, { events, prefixBytes, suffixBytes: byteLength(pieces.parts.slice(suffixFrom)) })
  }
  yield pieces.take()
}

const byteLength = (parts: readonly string[]): number => parts.reduce((n, part) => n + Buffer.byteLength(part), 0)

/** Thrown when a snapshot's bytes are not laid out as recorded; nothing is kept of the merge. */
export class SnapshotLayoutError extends Error { override name = 'SnapshotLayoutError' }

// How much of the old snapshot is read at a time while merging.
const CHUNK = 1 << 20

/**
 * The next snapshot, made from the previous one (`file`, laid out as `layout`) rather than
 * from memory alone: its bytes are copied as they are except for the events named in
 * `changed` (by id), which are serialised again, and the events from `layout.events` to
 * `count` are appended. The result is byte for byte what {@link serializeDataset} writes for
 * the same dataset, but serialising every event again costs a big store's event loop a lot
 * of work and leaves many strings for the garbage collector, whose marking then stalls
 * the server; copying bytes leaves neither.
 * Fills `next` with the new layout (all but `bytes`, which the writer knows), as
 * serializeDataset does. Throws SnapshotLayoutError, before writing anything when it can
 * tell at once, when `file` is not as `layout` says.
 */
export async function * mergeSnapshot (file: string, layout: SnapshotLayout, events: readonly CustomerEvent[], count: number, changed: ReadonlySet<string>, next: SnapshotLayout, options: SerializeOptions = {}): AsyncGenerator<string | Buffer> {
  const handle = await open(file, 'r')
  try {
    if ((await handle.stat()).size !== layout.bytes || layout.events < 1 || layout.events > count) throw new SnapshotLayoutError(`${file} is not the snapshot this store wrote last`)
    const chunk = Buffer.allocUnsafeSlow(CHUNK)
    const read = async (position: number, length: number): Promise<Buffer> => {
      const { bytesRead } = await handle.read(chunk, 0, Math.min(length, CHUNK), position)
      if (bytesRead <= 0) throw new SnapshotLayoutError(`${file} ended early`)
      if (options.aborted?.() === true) throw new SnapshotAbortedError('snapshot abandoned')
      return chunk.subarray(0, bytesRead)
    }
    // Each piece handed over is written before this generator resumes, so the chunk can be reused.
    async function * copy (from: number, to: number): AsyncGenerator<Buffer> {
      for (let at = from; at < to;) { const piece = await read(at, to - at); at += piece.length; yield piece }
    }
    const eventsEnd = layout.bytes - layout.suffixBytes
    yield * copy(0, layout.prefixBytes)
    if (changed.size === 0) {
      yield * copy(layout.prefixBytes, eventsEnd)
    } else {
      // Line by line: each event's line starts at a newline; a changed one is written anew.
      // What a chunk comes to is gathered in one reused buffer and written at once.
      let assembly = Buffer.allocUnsafeSlow(CHUNK * 2)
      let i = -1
      let skipping = false
      for (let at = layout.prefixBytes; at < eventsEnd;) {
        const piece = await read(at, eventsEnd - at)
        at += piece.length
        const out: Array<string | Buffer> = []
        let from = 0
        for (let nl = piece.indexOf(0x0a); nl !== -1; nl = piece.indexOf(0x0a, nl + 1)) {
          if (skipping) { skipping = false; from = nl }
          if (++i >= layout.events) throw new SnapshotLayoutError(`${file} holds more events than recorded`)
          const event = events[i]!
          if (!changed.has(event.id)) continue
          if (nl > from) out.push(piece.subarray(from, nl))
          out.push(`\n    ${JSON.stringify(event)}${i === layout.events - 1 ? '' : ','}`)
          skipping = true
        }
        if (!skipping && from < piece.length) out.push(piece.subarray(from))
        if (out.length === 1 && typeof out[0] !== 'string') { yield out[0]!; continue }
        let used = 0
        for (const part of out) {
          const need = typeof part === 'string' ? part.length * 3 : part.length
          if (used + need > assembly.length) {
            if (used > 0) { yield assembly.subarray(0, used); used = 0 }
            if (need > assembly.length) assembly = Buffer.allocUnsafeSlow(need)
          }
          used += typeof part === 'string' ? assembly.write(part, used) : part.copy(assembly, used)
        }
        if (used > 0) yield assembly.subarray(0, used)
      }
      if (i !== layout.events - 1) throw new SnapshotLayoutError(`${file} holds fewer events than recorded`)
    }
    // The events created since, serialised as serializeDataset does (each after a comma: there is an event before them).
    const pieces = new Pieces()
    yield * addEvents(pieces, events, layout.events, count, '\n    ', options)
    if (pieces.length > 0) yield pieces.take()
    yield * copy(eventsEnd, layout.bytes)
    Object.assign(next, { events: count, prefixBytes: layout.prefixBytes, suffixBytes: layout.suffixBytes })
  } finally {
    await handle.close()
  }
}
