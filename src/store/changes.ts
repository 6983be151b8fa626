/**
 * The changes a journal records. Each carries the whole new state of what it touches, so
 * replaying a change is an upsert: replaying it twice, or over a snapshot that already
 * holds it, gives the same dataset. That is what lets compaction run while writes go on,
 * and what makes a crash between compaction's two renames harmless.
 */
import type { CustomerEvent, Dataset } from './model.js'

/**
 * `create`: a new event. `update`: an event's new state (a cancel). Both carry the whole
 * event; the name only says what happened, for someone reading the journal. `replace`: the
 * whole dataset (reset, restore, or a change the store cannot name more narrowly).
 */
export type Change =
  | { op: 'create', event: CustomerEvent }
  | { op: 'update', event: CustomerEvent }
  | { op: 'replace', dataset: Dataset }

/**
 * Replays changes over a dataset read from a snapshot (null when there is none) and
 * returns the result. Ids are indexed once, so a long journal replays in linear time.
 */
export function replay (dataset: Dataset | null, changes: Iterable<Change>): Dataset | null {
  let index = dataset === null ? undefined : indexEvents(dataset)
  for (const change of changes) {
    if (change.op === 'replace') {
      dataset = change.dataset
      index = indexEvents(dataset)
      continue
    }
    // An event change with no snapshot under it has nothing to apply to: the snapshot was deleted.
    if (dataset === null || index === undefined) continue
    const events = dataset.customer_events
    const at = index.get(change.event.id)
    if (at === undefined) {
      index.set(change.event.id, events.length)
      events.push(change.event)
    } else {
      events[at] = change.event
    }
  }
  return dataset
}

function indexEvents (dataset: Dataset): Map<string, number> {
  const index = new Map<string, number>()
  dataset.customer_events.forEach((e, i) => index.set(e.id, i))
  return index
}

/** True for a value shaped like a change (a journal line that parses but is not one is corruption). */
export function isChange (value: unknown): value is Change {
  const v = value as { op?: unknown, event?: { id?: unknown }, dataset?: { customer_events?: unknown } } | null
  if (v === null || typeof v !== 'object') return false
  if (v.op === 'replace') return typeof v.dataset === 'object' && v.dataset !== null && Array.isArray(v.dataset.customer_events)
  return (v.op === 'create' || v.op === 'update') && typeof v.event === 'object' && v.event !== null && typeof v.event.id === 'string'
}
