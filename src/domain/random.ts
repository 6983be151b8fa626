/**
 * Random identifiers, drawn from a pool refilled 4 KiB at a time: each `randomBytes` call
 * is a kernel call, a noticeable part of a create, while drawing from the pool costs a
 * copy. The bytes are the same cryptographically secure ones.
 */
import { randomFillSync } from 'node:crypto'

const POOL = Buffer.alloc(4096)
let used = POOL.length

/** `bytes` random bytes as upper-case hex (event ids, token ids). */
export function randomHex (bytes: number): string {
  if (bytes > POOL.length) throw new RangeError(`at most ${POOL.length} random bytes at a time`)
  if (used + bytes > POOL.length) { randomFillSync(POOL); used = 0 }
  const hex = POOL.toString('hex', used, used + bytes).toUpperCase()
  used += bytes // each byte is handed out once
  return hex
}
