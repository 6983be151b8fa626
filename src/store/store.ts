/**
 * The store: the whole dataset in memory, indexed, persisted through a lowdb adapter
 * (a JSON file, or nothing). Every write is serialised, applied, then written; if the
 * write fails the change is undone, so nothing is acknowledged that is not stored.
 */
import { Low, type Adapter } from 'lowdb'
import { UnexpectedError, type CrmError } from '../errors.js'
import type { Dataset } from '../model.js'
import { Lookup } from './lookup.js'

/** A change to apply: it returns its result and how to undo it if the write fails. */
export type Mutation<T> = (lookup: Lookup) => { result: T, undo: () => void }

/** Thrown when a store file cannot be used; the file is left as it was. */
export class StoreFileError extends Error {}

export class Store {
  readonly #db: Low<Dataset>
  #lookup: Lookup
  #queue: Promise<unknown> = Promise.resolve()

  private constructor (db: Low<Dataset>) {
    this.#db = db
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
      throw new StoreFileError(`${name}: cannot be read: ${(err as Error).message}`)
    }
    const created = db.data === null || db.data === undefined
    if (created) {
      db.data = initial()
      await db.write()
    } else if ((db.data as Partial<Dataset>).format !== 'crmcom-mock/1' || !Array.isArray(db.data.customer_events)) {
      throw new StoreFileError(`${name}: not a crmcom-mock store (expected "format": "crmcom-mock/1")`)
    }
    return { store: new Store(db), created }
  }

  /** The indexes over the current dataset. Replaced whole by {@link Store.replace}. */
  get lookup (): Lookup { return this.#lookup }

  /** The current dataset (live: do not mutate; use {@link Store.snapshot} for a copy). */
  get dataset (): Dataset { return this.#db.data }

  /** Runs a mutation after every earlier one, writes the dataset, and undoes the change if the write fails. */
  mutate<T> (mutation: Mutation<T>): Promise<T> {
    const run = async (): Promise<T> => {
      const { result, undo } = mutation(this.#lookup)
      try {
        await this.#db.write()
      } catch (err) {
        undo()
        throw new UnexpectedError(`the store could not be written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); nothing was changed`) as CrmError
      }
      return result
    }
    const done = this.#queue.then(run, run)
    this.#queue = done.catch(() => undefined)
    return done
  }

  /** Replaces the whole dataset (reset, restore) once earlier writes are done, and writes it. */
  replace (dataset: Dataset): Promise<void> {
    return this.mutate(() => {
      const previous = this.#db.data
      this.#db.data = dataset
      this.#lookup = new Lookup(dataset)
      return { result: undefined, undo: () => { this.#db.data = previous; this.#lookup = new Lookup(previous) } }
    })
  }

  /** A deep copy of the whole dataset, as plain JSON. */
  snapshot (): Dataset {
    return structuredClone(this.#db.data)
  }

  /** Resolves once every write queued so far is on disk (or has failed). */
  async flush (): Promise<void> {
    await this.#queue
  }
}
