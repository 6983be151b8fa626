import { randomBytes, scrypt, scryptSync, timingSafeEqual, type ScryptOptions } from 'node:crypto'

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
 * Checks a password against a stored hash in constant time; a malformed hash never matches.
 * The hash is worked out on libuv's thread pool: done inline, each login held the event
 * loop for about 2.5 ms, and fifty at once held every other request for over 100 ms.
 */
export async function verifyPassword (password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$')
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false
  const [, n, r, p, salt, hex] = parts as [string, string, string, string, string, string]
  const expected = Buffer.from(hex, 'hex')
  if (expected.length !== KEY_LENGTH) return false
  const options: ScryptOptions = { N: Number(n), r: Number(r), p: Number(p) }
  const actual = await new Promise<Buffer>((resolve, reject) => {
    scrypt(password, salt, KEY_LENGTH, options, (err, key) => { if (err !== null) reject(err); else resolve(key) })
  })
  return timingSafeEqual(actual, expected)
}
