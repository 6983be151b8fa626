import { randomBytes, scrypt, scryptSync, timingSafeEqual, type ScryptOptions } from 'node:crypto'
import pLimit from 'p-limit'

// A mock's passwords are test credentials, so the cost is low enough to keep login
// cheap in benchmarks; the point is that no store file holds a password in clear.
const N = 1024
const R = 8
const P = 1
const KEY_LENGTH = 32

/** Hashes a password as `scrypt$N$r$p$saltHex$hashHex`. Pass a salt for reproducible fixtures. */
export function hashPassword (password: string, salt: string = randomBytes(16).toString('hex')): string {
  const hash = scryptSync(password, salt, KEY_LENGTH, { N, r: R, p: P }).toString('hex')
  return `scrypt$${N}$${R}$${P}$${salt}$${hash}`
}

/**
 * How many hashes are worked out at once, in the whole process. libuv's thread pool has four
 * threads, which also do the file store's writes: with all four hashing, a burst of logins
 * makes a create's journal write wait behind them and starves the event loop of CPU. Two
 * leave the pool room for the files and the loop a core.
 */
export const CONCURRENT_HASHES = 2
const hashing = pLimit(CONCURRENT_HASHES)

/** Password checks under way or waiting for their turn, in the whole process. */
export function passwordChecksInFlight (): number {
  return hashing.activeCount + hashing.pendingCount
}

/**
 * Checks a password against a stored hash in constant time; a malformed hash never matches.
 * The hash is worked out on libuv's thread pool (at most {@link CONCURRENT_HASHES} at once):
 * done inline, each login would block the event loop, and a burst of logins every other request.
 */
export async function verifyPassword (password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$')
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false
  const [, n, r, p, salt, hex] = parts as [string, string, string, string, string, string]
  const expected = Buffer.from(hex, 'hex')
  if (expected.length !== KEY_LENGTH) return false
  const options: ScryptOptions = { N: Number(n), r: Number(r), p: Number(p) }
  const actual = await hashing(async () => await new Promise<Buffer>((resolve, reject) => {
    scrypt(password, salt, KEY_LENGTH, options, (err, key) => { if (err !== null) reject(err); else resolve(key) })
  }))
  return timingSafeEqual(actual, expected)
}
