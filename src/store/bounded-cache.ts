/**
 * A map that keeps at most `limit` entries, dropping the oldest inserted first. Cheaper
 * than an LRU on every hit, and for rendered events as good: a dropped one is re-rendered.
 */
export class BoundedCache<K, V> {
  readonly #map = new Map<K, V>()
  constructor (readonly limit: number) {}
  get (key: K): V | undefined { return this.#map.get(key) }
  set (key: K, value: V): void {
    if (this.#map.size >= this.limit && !this.#map.has(key)) this.#map.delete(this.#map.keys().next().value as K)
    this.#map.set(key, value)
  }
  delete (key: K): void { this.#map.delete(key) }
  clear (): void { this.#map.clear() }
  get size (): number { return this.#map.size }
}
