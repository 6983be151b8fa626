/** Small datasets, events and mutations for the store's tests. */
import { randomBytes } from 'node:crypto'
import type { CustomerEvent, Dataset } from '../../src/model.js'
import { loadFixtures } from '../../src/server.js'
import type { Mutation } from '../../src/store/store.js'

/** The committed fixtures (a fresh copy). */
export const fixtures = (): Dataset => loadFixtures()

/** A new event like the first fixture event, with a fresh id and the given number. */
export function newEvent (dataset: Dataset, number: number): CustomerEvent {
  const template = dataset.customer_events.find(e => e.type === 'FINANCIAL_ACHIEVEMENT')!
  return { ...structuredClone(template), id: randomBytes(16).toString('hex').toUpperCase(), number: String(number), life_cycle_state: 'POSTED' }
}

/** What the domain's create does to the store: push, index, undo both. */
export const createEvent = (onUndo?: (e: CustomerEvent) => void): Mutation<CustomerEvent> => lookup => {
  const e = newEvent(lookup.dataset, lookup.maxEventNumber + 1)
  lookup.dataset.customer_events.push(e)
  lookup.addEvent(e)
  return {
    result: e,
    undo: () => {
      onUndo?.(e)
      const events = lookup.dataset.customer_events
      events.splice(events.lastIndexOf(e), 1)
      lookup.removeEvent(e)
    }
  }
}

/** What the domain's cancel does: change the stored event in place and return it. */
export const cancelEvent = (id: string): Mutation<CustomerEvent> => lookup => {
  const e = lookup.byId('customer_events', id)
  if (e === undefined) throw new Error(`no event ${id}`)
  if (e.life_cycle_state !== 'POSTED') throw new Error(`event ${id} is ${e.life_cycle_state}`)
  e.life_cycle_state = 'CANCELLED'
  return { result: e, undo: () => { e.life_cycle_state = 'POSTED' } }
}

/** A promise and its resolvers. */
export function deferred<T = void> (): { promise: Promise<T>, resolve: (value: T) => void, reject: (err: unknown) => void } {
  let resolve!: (value: T) => void
  let reject!: (err: unknown) => void
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej })
  return { promise, resolve, reject }
}
