/**
 * The store: the whole dataset in memory, indexed, persisted through a lowdb adapter
 * (a journaled JSON file, a plain one, or nothing). Writes are group-committed: every
 * mutation queued while a write is in flight is applied and written together, and each
 * one's promise settles only when its group is durable. If the write fails, the group is
 * undone newest first and every mutation in it rejected, so nothing is acknowledged that
 * is not stored. Mutations are applied only when their group's turn comes, so a group
 * never depends on an earlier group that might still fail.
 */
import { Low, type Adapter } from 'lowdb'
import { UnexpectedError, type CrmError } from '../contract/errors.js'
import type { CustomerEvent, Dataset } from './model.js'
import type { Change } from './changes.js'
import type { JournalAdapter } from './journal.js'
import { Lookup } from './lookup.js'
import { storeProblem } from './validate.js'

/**
 * One of the store's named changes, applied when its group's turn comes: it returns its
 * result, what the journal records of it, and how to undo it if the group cannot be written.
 * Only the store makes these; everything else asks for a change by name.
 */
type Mutation<T> = (lookup: Lookup) => { result: T, undo: () => void, changes: Change[] }

/** Thrown when a store file cannot be used; the file is left as it was. */
export class StoreFileError extends Error {}

interface Pending {
  mutation: Mutation<unknown>
  resolve: (value: unknown) => void
  reject: (err: unknown) => void
}

const isJournal = (adapter: Adapter<Dataset>): adapter is JournalAdapter<Dataset> =>
  typeof (adapter as Partial<JournalAdapter<Dataset>>).append === 'function'

// After a failed compaction (a full disk, say), wait before trying again rather than retry every write.
const COMPACTION_RETRY_MS = 10_000

export class Store {
  readonly #db: Low<Dataset>
  readonly #journal: JournalAdapter<Dataset> | undefined
  #lookup: Lookup
  #pending: Pending[] = []
  #tasks: Array<() => Promise<void>> = []
  #draining: Promise<void> | undefined
  #compaction: Promise<void> | undefined
  #compactionSpoilt = false
  #compactionNotBefore = 0

  private constructor (db: Low<Dataset>) {
    this.#db = db
    this.#journal = isJournal(db.adapter) ? db.adapter : undefined
    this.#lookup = new Lookup(db.data)
  }

  /**
   * Opens a store over `adapter`. When the adapter holds nothing yet, the store starts from
   * `initial()` and writes it at once, so a file store exists from first start.
   */
  static async open (adapter: Adapter<Dataset>, initial: () => Dataset, name = 'store'): Promise<{ store: Store, created: boolean }> {
    const db = new Low<Dataset>(adapter, null as unknown as Dataset)
    try {
      await db.read()
    } catch (err) {
      // JSON.parse quotes the file's first bytes, line breaks and all: the message must stay one line.
      throw new StoreFileError(`${name}: cannot be read: ${(err as Error).message.replace(/\s*\n\s*/g, ' ')}`)
    }
    const created = db.data === null || db.data === undefined
    if (created) {
      db.data = initial()
      await db.write()
    } else if ((db.data as Partial<Dataset>).format !== 'crmcom-mock/1' || !Array.isArray(db.data.customer_events)) {
      throw new StoreFileError(`${name}: not a crmcom-mock store (expected "format": "crmcom-mock/1")`)
    }
    // Checked before anything indexes it: a bad store stops here with one line, and stays as it was.
    const problem = created ? undefined : storeProblem(db.data, name)
    if (problem !== undefined) throw new StoreFileError(problem)
    return { store: new Store(db), created }
  }

  /** The indexes over the current dataset. Replaced whole by {@link Store.replace}. */
  get lookup (): Lookup { return this.#lookup }

  /** The current dataset (live: do not mutate; use {@link Store.snapshot} for a copy). */
  get dataset (): Dataset { return this.#db.data }

  /**
   * Adds the event `make` builds, inside the serialised write (so it may take the next
   * number); resolves with it once it is durable. Journaled as a create; undone by removing it.
   */
  createEvent (make: (lookup: Lookup) => CustomerEvent): Promise<CustomerEvent> {
    return this.#queue(lookup => {
      const event = make(lookup)
      lookup.dataset.customer_events.push(event)
      lookup.addEvent(event)
      return {
        result: event,
        changes: [{ op: 'create', event }],
        undo: () => {
          const events = lookup.dataset.customer_events
          events.splice(events.lastIndexOf(event), 1)
          lookup.removeEvent(event)
        }
      }
    })
  }

  /**
   * Changes one stored event in place: `select` finds it inside the serialised write (and may
   * refuse by throwing, which changes nothing), `edit` changes it. Resolves with the event once
   * it is durable. Journaled as an update; undone by putting back every field as it was.
   */
  updateEvent (select: (lookup: Lookup) => CustomerEvent, edit: (event: CustomerEvent) => void): Promise<CustomerEvent> {
    return this.#queue(lookup => {
      const event = select(lookup)
      // An event's only nested object is its log_information: a copy of both restores every field.
      const before = { ...event, log_information: { ...event.log_information } }
      edit(event)
      return { result: event, changes: [{ op: 'update', event }], undo: () => { Object.assign(event, before) } }
    })
  }

  /** Replaces the whole dataset (reset, restore) once earlier writes are done, and writes it. */
  replace (dataset: Dataset): Promise<void> {
    return this.#queue(() => {
      const previous = this.#db.data
      const previousLookup = this.#lookup
      // Indexed first: if the dataset cannot be indexed, nothing has changed yet.
      const lookup = new Lookup(dataset)
      this.#db.data = dataset
      this.#lookup = lookup
      return { result: undefined, undo: () => { this.#db.data = previous; this.#lookup = previousLookup }, changes: [{ op: 'replace', dataset }] }
    })
  }

  // Queues a named change; settles once its group is durable, or rejects if it threw or its group could not be written.
  #queue<T> (mutation: Mutation<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ mutation, resolve: resolve as (value: unknown) => void, reject })
      this.#kick()
    })
  }

  /** A deep copy of the whole dataset, as plain JSON. */
  snapshot (): Dataset {
    return structuredClone(this.#db.data)
  }

  /** Resolves once every write queued so far is durable (or has failed). */
  async flush (): Promise<void> {
    while (this.#draining !== undefined) await this.#draining
  }

  /**
   * Flushes, waits for a running compaction, folds what is left of the journal into the
   * snapshot (so the file a user opens after a stop is whole) and closes the journal.
   */
  async close (): Promise<void> {
    await this.flush()
    if (this.#journal === undefined) return
    if (this.#journal.journalBytes > 0) await this.compact()
    else await this.#compaction
    await this.#journal.close()
  }

  /**
   * Folds the journal into the snapshot now (beside any writes) and resolves when that is
   * done or abandoned; a no-op without a journal. The store also does this by itself
   * whenever the journal outgrows a fraction of the snapshot.
   */
  async compact (): Promise<void> {
    await this.#compaction
    this.#startCompaction(true)
    await this.#compaction
  }

  // Drains on the next turn of the event loop, so requests read in the same turn share a group.
  #kick (): void {
    if (this.#draining !== undefined) return
    this.#draining = new Promise<void>(resolve => setImmediate(resolve))
      .then(async () => { await this.#drain() })
      .finally(() => {
        this.#draining = undefined
        if (this.#pending.length > 0 || this.#tasks.length > 0) this.#kick()
      })
  }

  async #drain (): Promise<void> {
    while (this.#pending.length > 0 || this.#tasks.length > 0) {
      const task = this.#tasks.shift()
      if (task !== undefined) { await task(); continue }
      const group = this.#pending
      this.#pending = []
      await this.#commit(group)
      this.#startCompaction(false)
    }
  }

  async #commit (group: Pending[]): Promise<void> {
    const applied: Array<{ pending: Pending, result: unknown, undo: () => void }> = []
    const changes: Change[] = []
    for (const pending of group) {
      const lookup = this.#lookup
      let outcome
      try {
        outcome = pending.mutation(lookup)
      } catch (err) {
        // A change that refuses (a rule broken) changes nothing: only it is rejected.
        pending.reject(err)
        continue
      }
      const made = outcome.changes
      // What is cached of a changed event is stale now, and again if the change is undone.
      const changed = made.flatMap(c => c.op === 'update' ? [c.event] : [])
      for (const event of changed) lookup.eventChanged(event)
      applied.push({ pending, result: outcome.result, undo: () => { outcome.undo(); for (const event of changed) lookup.eventChanged(event) } })
      changes.push(...made)
    }
    if (applied.length === 0) return
    if (changes.some(c => c.op === 'replace')) this.#compactionSpoilt = true
    try {
      if (this.#journal !== undefined) await this.#journal.append(changes)
      else await this.#db.write()
    } catch (err) {
      for (const { undo } of applied.reverse()) {
        try { undo() } catch (undoError) { process.emitWarning(`crmcom-mock: undoing a failed write failed: ${(undoError as Error).message}`) }
      }
      // A compaction may have serialised what was just undone: it must not be kept.
      this.#compactionSpoilt = true
      const error = new UnexpectedError(`the store could not be written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); nothing was changed`) as CrmError
      for (const { pending } of applied) pending.reject(error)
      return
    }
    for (const { pending, result } of applied) pending.resolve(result)
  }

  // Starts folding the journal into the snapshot when it has grown enough; runs beside the writes.
  #startCompaction (force: boolean): void {
    const journal = this.#journal
    if (journal === undefined || this.#compaction !== undefined) return
    if (!force && (!journal.wantsCompaction || Date.now() < this.#compactionNotBefore)) return
    this.#compactionSpoilt = false
    this.#compaction = journal.compact(this.#db.data, {
      aborted: () => this.#compactionSpoilt,
      exclusive: async fn => await this.#exclusive(fn)
    }).then(() => undefined, (err: Error) => {
      this.#compactionNotBefore = Date.now() + COMPACTION_RETRY_MS
      process.emitWarning(`crmcom-mock: compacting the store failed (the journal keeps every change; retrying later): ${err.message}`)
    }).finally(() => { this.#compaction = undefined })
  }

  // Runs fn between groups, when no write is in flight.
  #exclusive<T> (fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#tasks.push(async () => { await fn().then(resolve, reject) })
      this.#kick()
    })
  }
}
