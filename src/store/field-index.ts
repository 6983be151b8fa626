/** Indexes of records by the values of their string fields, as identifiers name them. */
import { ShardedMap } from './sharded-map.js'

// A value held by one record maps to the record itself, by more to an array of them: an
// array per unique value (every event's id and number) would be two more heap objects per
// event, and every stored object is work for each full garbage collection.
export type FieldIndex<T> = Map<string, ShardedMap<T | T[]>>

export function indexBy<T extends object> (records: readonly T[], fields: string[]): FieldIndex<T> {
  const index: FieldIndex<T> = new Map(fields.map(f => [f, new ShardedMap<T | T[]>()]))
  for (const record of records) addTo(index, record)
  return index
}

export function addTo<T extends object> (index: FieldIndex<T>, record: T): void {
  for (const [field, byValue] of index) {
    const value = (record as Record<string, unknown>)[field]
    if (typeof value !== 'string') continue
    const held = byValue.get(value)
    if (held === undefined) byValue.set(value, record)
    else if (Array.isArray(held)) held.push(record)
    else byValue.set(value, [held, record])
  }
}

export function removeFrom<T extends object> (index: FieldIndex<T>, record: T): void {
  for (const [field, byValue] of index) {
    const value = (record as Record<string, unknown>)[field]
    if (typeof value !== 'string') continue
    const held = byValue.get(value)
    if (held === record) byValue.delete(value)
    else if (Array.isArray(held)) {
      const rest = held.filter(r => r !== record)
      if (rest.length !== held.length) byValue.set(value, rest.length === 1 ? rest[0]! : rest)
    }
  }
}
