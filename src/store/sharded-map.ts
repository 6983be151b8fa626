/** A string-keyed map in shards, so that growing a big one never blocks the event loop for long. */
const SHARDS = 64

/**
 * A string-keyed map split over 64 Maps. A Map grows by rehashing every entry at once,
 * which blocks the event loop when the map is big; a shard holds 1/64th of the entries,
 * so its rehash is short.
 */
export class ShardedMap<V> {
  readonly #shards: Array<Map<string, V>> = Array.from({ length: SHARDS }, () => new Map())
  // Ids are hex and numbers decimal: the last and middle characters spread them evenly.
  #shard (key: string): Map<string, V> {
    const n = key.length
    return this.#shards[n === 0 ? 0 : (key.charCodeAt(n - 1) * 31 + key.charCodeAt(n >> 1)) & (SHARDS - 1)]!
  }

  get (key: string): V | undefined { return this.#shard(key).get(key) }
  set (key: string, value: V): void { this.#shard(key).set(key, value) }
  delete (key: string): void { this.#shard(key).delete(key) }
  get size (): number { return this.#shards.reduce((n, m) => n + m.size, 0) }
}
