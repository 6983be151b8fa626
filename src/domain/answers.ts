/**
 * The answers the domain keeps, per dataset: whole show answers by event id, and whole list
 * pages. They are the domain's, filled by render-json.ts and financial-achievements.ts, and
 * dropped by the store's change notifications (Lookup.subscribe): an event's show answer when
 * it changes, every page when any event is added, changed or forgotten. A dataset replaced
 * whole (reset, restore) has a new Lookup, and so starts with nothing kept.
 */
import { BoundedCache } from '../store/bounded-cache.js'
import type { Lookup } from '../store/lookup.js'
import type { CustomerEvent } from '../store/model.js'

/** How many events' rendered JSON a dataset keeps (about 3 KB each). */
export const RENDER_CACHE_SIZE = 10_000

/** How many list answers (pages) a dataset keeps, and the most events a kept page may hold. */
export const PAGE_CACHE_SIZE = 256
export const PAGE_CACHE_EVENTS = 100

/** A kept show answer: the event it was made from, and its JSON. */
export interface RenderedAnswer { readonly event: CustomerEvent, readonly json: string }

export interface Answers {
  /**
   * The whole-event show answers of stored financial achievements, by event id, bounded.
   * Keyed by id, so a show by id finds its answer here without the id index, whose size
   * grows with the store.
   */
  readonly rendered: BoundedCache<string, RenderedAnswer>
  /**
   * Whole list answers, by what the list asked for once its identifiers were resolved,
   * bounded in number and in events a page holds. A list of a page already answered then
   * copies no event's JSON.
   *
   * A page is kept as its UTF-8 bytes, not as a string: Node writes a string body by
   * joining it to the headers and encoding it, which costs a page-sized string in V8's
   * young generation on every answer, and each scavenge costs more the bigger the heap is.
   * Bytes are written as they are, from outside the heap.
   */
  readonly pages: BoundedCache<string, Buffer>
}

const kept = new WeakMap<Lookup, Answers>()

/** The answers kept for a dataset (made, and subscribed to its changes, on first use). */
export function answersFor (lookup: Lookup): Answers {
  let answers = kept.get(lookup)
  if (answers === undefined) {
    const made: Answers = { rendered: new BoundedCache(RENDER_CACHE_SIZE), pages: new BoundedCache(PAGE_CACHE_SIZE) }
    lookup.subscribe(event => { made.rendered.delete(event.id); made.pages.clear() })
    kept.set(lookup, made)
    answers = made
  }
  return answers
}
