/**
 * A lowdb adapter that keeps a dataset as a JSON snapshot (`db.json`) plus an append-only
 * journal of changes beside it (`db.json.journal`, one JSON change a line; see journal.ts).
 * A write costs one append and one fdatasync however big the store is; `read()` replays the
 * journal over the snapshot, ignoring a torn last line; `compact()` folds the journal into a
 * new snapshot in the background (see Store, which decides when).
 */
import { open, readFile, unlink, type FileHandle } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { Dataset } from './model.js'
import { replay, type Change } from './changes.js'
import { journalOf, readWriteAheadLog, type CompactionControl, type JournalAdapter } from './journal.js'
import { mergeSnapshot, serializeDataset, SnapshotAbortedError, SnapshotLayoutError, unknownLayout, type SnapshotLayout } from './serialize-snapshot.js'
import { renameDurably, syncDirectory, temporaryFor, writeDurably, writeFully } from './durable-file.js'

export interface JournalFileOptions {
  /** Compact once the journal is larger than this fraction of the snapshot (default 1, as Redis rewrites its append-only file)... */
  compactRatio?: number
  /** ...and larger than this many bytes (default 1 MiB). */
  compactMinBytes?: number
  /** Longest stretch of serialising before yielding to the event loop, in ms (default 4). */
  sliceMs?: number
}

export class WriteAheadLog implements JournalAdapter<Dataset> {
  readonly file: string
  readonly journalFile: string
  readonly #ratio: number
  readonly #minBytes: number
  readonly #sliceMs: number
  // Whether the snapshot file exists as far as this adapter knows: until it does, write() creates it.
  #opened = false
  #handle: FileHandle | undefined
  #journalBytes = 0
  #snapshotBytes = 0
  // Set when a failed append could not be cut back off the file: appends refuse until it can.
  #damaged = false
  // While compacting: every append completed since the compaction started, for the new journal.
  #tail: Buffer[] | undefined
  // The layout of the snapshot file when this adapter wrote it (unknown for one it only read,
  // and after a replace), and the ids of events updated since it was begun: what compaction
  // may copy from it rather than serialise again.
  #layout: SnapshotLayout | undefined
  #changed = new Set<string>()

  constructor (file: string, options: JournalFileOptions = {}) {
    this.file = file
    this.journalFile = journalOf(file)
    this.#ratio = options.compactRatio ?? 1
    this.#minBytes = options.compactMinBytes ?? 1 << 20
    this.#sliceMs = options.sliceMs ?? 4
  }

  /** Bytes in the journal (complete lines only). */
  get journalBytes (): number { return this.#journalBytes }
  /** Bytes of the snapshot as last read or written. */
  get snapshotBytes (): number { return this.#snapshotBytes }

  get wantsCompaction (): boolean {
    return this.#journalBytes > Math.max(this.#minBytes, this.#ratio * this.#snapshotBytes)
  }

  /** The snapshot with the journal replayed over it; null when there is no snapshot yet. */
  async read (): Promise<Dataset | null> {
    let text: string
    try {
      text = await readFile(this.file, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      // A journal without its snapshot belongs to a file somebody deleted: the first write discards it.
      this.#opened = false
      return null
    }
    this.#snapshotBytes = Buffer.byteLength(text)
    this.#layout = undefined
    const dataset = JSON.parse(text) as Dataset | null
    // null is how an adapter says "nothing stored yet": a file that holds JSON null must not pass
    // for a missing one, or the fixtures would be written over it.
    if (dataset === null) throw new Error('the file holds JSON null, not a crmcom-mock store')
    this.#opened = true
    const { changes, bytes, torn } = await readWriteAheadLog(this.journalFile)
    // A torn last line is a batch that was never acknowledged: cut it off so the next append starts clean.
    if (torn) await this.#truncate(bytes)
    this.#journalBytes = bytes
    // Not a dataset: leave it to the caller to refuse, rather than fail in replay.
    if (!Array.isArray((dataset as Partial<Dataset> | null)?.customer_events)) return dataset
    return replay(dataset, changes)
  }

  /**
   * Makes `data` the stored state. The first write creates the snapshot (and drops a journal
   * left without one); later writes append it as a `replace` change, which is as durable
   * and keeps the crash reasoning to one rule: the journal replays over any older snapshot.
   */
  async write (data: Dataset): Promise<void> {
    if (this.#opened) { await this.append([{ op: 'replace', dataset: data }]); return }
    await this.#closeHandle()
    await unlink(this.journalFile).catch(err => { if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err })
    this.#journalBytes = 0
    const temporary = temporaryFor(this.file, 'write')
    this.#layout = undefined
    const layout = unknownLayout()
    this.#snapshotBytes = await writeDurably(temporary, serializeDataset(data, { sliceMs: this.#sliceMs, layout }))
    await renameDurably(temporary, this.file)
    this.#opened = true
    this.#settle(layout, this.#snapshotBytes, new Set())
  }

  /** Appends changes as one group and fdatasyncs; on failure the partial group is cut off again. */
  async append (changes: readonly Change[]): Promise<void> {
    if (changes.length === 0) return
    if (this.#damaged) await this.#truncate(this.#journalBytes)
    const handle = await this.#open()
    const start = this.#journalBytes
    const written: Buffer[] = []
    try {
      for await (const piece of this.#lines(changes)) {
        const buffer = Buffer.from(piece, 'utf8')
        await writeFully(handle, buffer)
        written.push(buffer)
      }
      await handle.datasync()
    } catch (err) {
      // Whatever reached the file must go, or a restart would replay what was rolled back.
      this.#damaged = true
      await this.#closeHandle().catch(() => undefined)
      await this.#truncate(start).catch(() => undefined)
      throw err
    }
    for (const buffer of written) this.#journalBytes += buffer.length
    this.#tail?.push(...written)
    for (const change of changes) {
      if (change.op === 'update') this.#changed.add(change.event.id)
      else if (change.op === 'replace') this.#layout = undefined
    }
  }

  // Records the snapshot just written: its layout when it has one, and the events changed since it was begun.
  #settle (layout: SnapshotLayout, bytes: number, changed: Set<string>): void {
    this.#layout = layout.events < 0 ? undefined : { ...layout, bytes }
    this.#changed = changed
  }

  async * #lines (changes: readonly Change[]): AsyncGenerator<string> {
    // Joined, not built with +=: a rope of hundreds of events is slow to turn into bytes (see serializeDataset).
    let lines: string[] = []
    for (const change of changes) {
      if (change.op !== 'replace') { lines.push(JSON.stringify(change), '\n'); continue }
      // A whole dataset is serialised a slice at a time, like a snapshot, so a reset does not stall the server.
      lines.push('{"op":"replace","dataset":')
      yield lines.join('')
      lines = []
      yield * serializeDataset(change.dataset, { compact: true, sliceMs: this.#sliceMs })
      lines.push('}\n')
    }
    if (lines.length > 0) yield lines.join('')
  }

  /**
   * Folds the journal into a new snapshot of `dataset` without stopping writes: the events
   * present now are serialised in slices while appends go on; then, while no append runs,
   * the snapshot is renamed into place and the journal replaced by the appends made
   * meanwhile. A crash at any step leaves a snapshot and a journal that replay to the
   * acknowledged state, because replay is idempotent. Resolves false when abandoned.
   */
  async compact (dataset: Dataset, control: CompactionControl): Promise<boolean> {
    // Both taken now, with no append in flight: events past `count` are all in the tail.
    const count = dataset.customer_events.length
    this.#tail = []
    const snapshot = temporaryFor(this.file, 'compact')
    const journal = temporaryFor(this.journalFile, 'compact')
    // Updates from now on are what the next snapshot cannot copy from this one.
    const changed = this.#changed
    this.#changed = new Set()
    const previous = this.#layout
    this.#layout = undefined
    const layout = unknownLayout()
    const options = { events: count, aborted: control.aborted, sliceMs: this.#sliceMs, layout }
    try {
      let bytes
      try {
        bytes = await writeDurably(snapshot, previous !== undefined
          ? mergeSnapshot(this.file, previous, dataset.customer_events, count, changed, layout, options)
          : serializeDataset(dataset, options))
      } catch (err) {
        // The snapshot is not as this adapter wrote it (edited by hand, say): serialise it all instead.
        if (!(err instanceof SnapshotLayoutError)) throw err
        bytes = await writeDurably(snapshot, serializeDataset(dataset, options))
      }
      return await control.exclusive(async () => {
        if (control.aborted()) throw new SnapshotAbortedError('a batch was rolled back during compaction')
        const tail = Buffer.concat(this.#tail!)
        await writeDurably(journal, [tail])
        await renameDurably(snapshot, this.file)
        await this.#closeHandle()
        await renameDurably(journal, this.journalFile)
        this.#snapshotBytes = bytes
        this.#journalBytes = tail.length
        this.#settle(layout, bytes, this.#changed)
        return true
      })
    } catch (err) {
      await unlink(snapshot).catch(() => undefined)
      await unlink(journal).catch(() => undefined)
      if (err instanceof SnapshotAbortedError) return false
      throw err
    } finally {
      this.#tail = undefined
    }
  }

  /** Closes the journal's file handle (a later append opens it again). */
  async close (): Promise<void> { await this.#closeHandle() }

  async #open (): Promise<FileHandle> {
    if (this.#handle === undefined) {
      this.#handle = await open(this.journalFile, 'a')
      // The journal may have just been created: its directory entry must be durable too.
      await syncDirectory(dirname(this.journalFile))
    }
    return this.#handle
  }

  async #closeHandle (): Promise<void> {
    const handle = this.#handle
    this.#handle = undefined
    await handle?.close()
  }

  async #truncate (bytes: number): Promise<void> {
    const handle = await open(this.journalFile, 'r+')
    try {
      await handle.truncate(bytes)
      await handle.sync()
    } finally {
      await handle.close()
    }
    this.#damaged = false
  }
}
