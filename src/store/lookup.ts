/**
 * Indexes over the dataset, so every identifier lookup and every list is a map access,
 * never a scan of all events. Rebuilt whole on reset/restore; kept in step on each write.
 */
import type { AccountReceivable, Classification, CustomerEvent, Dataset, PaymentMediumKind, Product, RewardsParticipant, Unit } from './model.js'
import { IDENTIFIER_KINDS, scalarFields, type CollectionName, type IdentifierKind } from '../contract/identifiers.js'
import { addTo, indexBy, removeFrom, type FieldIndex } from './field-index.js'
import { ShardedMap } from './sharded-map.js'

export interface CollectionRecord {
  accounts_receivable: AccountReceivable
  rewards_participants: RewardsParticipant
  classifications: Classification
  units: Unit
  products: Product
  payment_medium_types: PaymentMediumKind
  payment_medium_brands: PaymentMediumKind
  customer_events: CustomerEvent
}

/** Creation time, then number: the order list answers in. */
export function compareEvents (a: CustomerEvent, b: CustomerEvent): number {
  const ca = a.log_information.created_date; const cb = b.log_information.created_date
  return ca < cb ? -1 : ca > cb ? 1 : Number(a.number) - Number(b.number)
}

function insertSorted (list: CustomerEvent[], event: CustomerEvent): void {
  // Events almost always arrive in order, so check the end before searching.
  const last = list[list.length - 1]
  if (last === undefined || compareEvents(last, event) <= 0) { list.push(event); return }
  let lo = 0; let hi = list.length
  while (lo < hi) { const mid = (lo + hi) >>> 1; if (compareEvents(list[mid]!, event) <= 0) lo = mid + 1; else hi = mid }
  list.splice(lo, 0, event)
}

function group (events: readonly CustomerEvent[], key: (e: CustomerEvent) => string): Map<string, CustomerEvent[]> {
  const map = new Map<string, CustomerEvent[]>()
  for (const e of events) { const k = key(e); const l = map.get(k); if (l === undefined) map.set(k, [e]); else l.push(e) }
  for (const list of map.values()) list.sort(compareEvents)
  return map
}

/** All indexes of one dataset. */
export class Lookup {
  // Told of every event added, changed or forgotten, and of nothing else (see subscribe).
  readonly #listeners: Array<(event: CustomerEvent) => void> = []

  readonly #fields = new Map<CollectionName, FieldIndex<object>>()
  readonly #byId = new Map<CollectionName, ShardedMap<object>>()
  readonly #accessTokens = new Map<string, Array<{ participant: RewardsParticipant, pass_code: string }>>()
  readonly #authenticationCodes = new Map<string, RewardsParticipant[]>()
  readonly #eventsByAccount: Map<string, CustomerEvent[]>
  readonly #eventsByClassification: Map<string, CustomerEvent[]>
  #maxNumber = 0
  constructor (readonly dataset: Dataset) {
    for (const [kind, { collection }] of Object.entries(IDENTIFIER_KINDS) as Array<[IdentifierKind, { collection: CollectionName }]>) {
      const records = dataset[collection] as readonly object[]
      this.#fields.set(collection, indexBy(records, scalarFields(kind)))
      const byId = new ShardedMap<object>()
      for (const r of records) byId.set((r as { id: string }).id, r)
      this.#byId.set(collection, byId)
    }
    for (const p of dataset.rewards_participants) {
      for (const t of p.access_tokens) {
        this.#accessTokens.set(t.identifier, [...(this.#accessTokens.get(t.identifier) ?? []), { participant: p, pass_code: t.pass_code }])
        this.#authenticationCodes.set(t.authentication_code, [...(this.#authenticationCodes.get(t.authentication_code) ?? []), p])
      }
    }
    this.#eventsByAccount = group(dataset.customer_events, e => e.accounts_receivable_id)
    this.#eventsByClassification = group(dataset.customer_events, e => e.classification_id)
    for (const e of dataset.customer_events) this.#maxNumber = Math.max(this.#maxNumber, Number(e.number) || 0)
  }

  /** Records of a collection whose identifier field equals value. */
  find<C extends CollectionName> (collection: C, field: string, value: string): ReadonlyArray<CollectionRecord[C]> {
    const held = this.#fields.get(collection)?.get(field)?.get(value)
    return (held === undefined ? [] : Array.isArray(held) ? held : [held]) as ReadonlyArray<CollectionRecord[C]>
  }

  /** A record by id (for rendering references). */
  byId<C extends CollectionName> (collection: C, id: string): CollectionRecord[C] | undefined {
    return this.#byId.get(collection)?.get(id) as CollectionRecord[C] | undefined
  }

  /** Participants holding an access token with this identifier, and the token's pass code. */
  accessToken (identifier: string): ReadonlyArray<{ participant: RewardsParticipant, pass_code: string }> {
    return this.#accessTokens.get(identifier) ?? []
  }

  authenticationCode (code: string): readonly RewardsParticipant[] {
    return this.#authenticationCodes.get(code) ?? []
  }

  /** An account's events in list order. */
  eventsOfAccount (accountId: string): readonly CustomerEvent[] {
    return this.#eventsByAccount.get(accountId) ?? []
  }

  /** A classification's events in list order. */
  eventsOfClassification (classificationId: string): readonly CustomerEvent[] {
    return this.#eventsByClassification.get(classificationId) ?? []
  }

  /** The highest event number in use. */
  get maxEventNumber (): number { return this.#maxNumber }

  /** Indexes a newly stored event. */
  addEvent (event: CustomerEvent): void {
    addTo(this.#fields.get('customer_events')!, event)
    this.#byId.get('customer_events')!.set(event.id, event)
    for (const [map, key] of [[this.#eventsByAccount, event.accounts_receivable_id], [this.#eventsByClassification, event.classification_id]] as const) {
      const list = map.get(key)
      if (list === undefined) map.set(key, [event]); else insertSorted(list, event)
    }
    this.#maxNumber = Math.max(this.#maxNumber, Number(event.number) || 0)
    this.#notify(event)
  }

  /** Says that an event changed in place (cancelled, or a cancel undone) or is forgotten. */
  eventChanged (event: CustomerEvent): void {
    this.#notify(event)
  }

  /**
   * Calls `listener` with every event this dataset adds, changes or forgets, so what is
   * derived from events elsewhere (the domain's kept answers) can be dropped. A dataset
   * replaced whole gets a new Lookup, with no listeners.
   */
  subscribe (listener: (event: CustomerEvent) => void): void {
    this.#listeners.push(listener)
  }

  #notify (event: CustomerEvent): void {
    for (const listener of this.#listeners) listener(event)
  }

  /** Forgets an event (undoing a create whose write failed). Its number stays used, as a database sequence's would. */
  removeEvent (event: CustomerEvent): void {
    const drop = (list: object[] | undefined): void => { const i = list?.indexOf(event) ?? -1; if (i >= 0) list!.splice(i, 1) }
    removeFrom(this.#fields.get('customer_events')!, event)
    this.#byId.get('customer_events')!.delete(event.id)
    this.eventChanged(event)
    drop(this.#eventsByAccount.get(event.accounts_receivable_id))
    drop(this.#eventsByClassification.get(event.classification_id))
  }
}
