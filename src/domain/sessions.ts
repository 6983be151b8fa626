/**
 * Tokens and the sessions behind them. From R12.0.0 a token is a JWT (HS256, claims jti,
 * usr, org, oun, exp, iat as strings of epoch seconds) that expires 2 hours after issue;
 * before R12 an opaque 32-hex string that expires after 1 hour idle. Either way the server
 * keeps the session, and a token is authenticated by finding exactly that string in the
 * session table: a forged or altered token is not there, and a released one is marked.
 * The table is keyed by the token's last 43 characters (a JWT's signature, an opaque token whole)
 * and the session's token is then compared whole: V8 hashes a string key character by
 * character, and hashing a whole JWT on every call is measurable on the hot path; a
 * changed claim with the signature kept still fails the comparison.
 * The signing secret is random per instance: a token is only good where it was issued.
 * (jose signs the raw JWS because JWT libraries insist on numeric exp/iat claims, and the
 * vendor's are strings.)
 */
import { randomBytes } from 'node:crypto'
import { CompactSign } from 'jose'
import { randomHex } from './random.js'
import type { Clock } from '../controls/clock.js'
import { InvalidTokenError, describe } from '../contract/errors.js'

export type TokenKind = 'jwt' | 'opaque'

/** The length of an HS256 signature in base64url. */
const SIGNATURE_LENGTH = 43
/** A token's key in the session table: its last 43 characters (a JWT's signature), or all of a shorter one. */
const keyOf = (token: string): string => token.length > SIGNATURE_LENGTH ? token.slice(-SIGNATURE_LENGTH) : token

export interface Session {
  readonly token: string
  readonly jti: string
  readonly userId: string
  readonly username: string
  readonly unitId: string
  readonly organisation: string
  readonly issuedAt: number
  lastUsedAt: number
  released: boolean
}

const JWT_LIFETIME_MS = 2 * 3_600_000
const OPAQUE_IDLE_MS = 3_600_000
// Expired and released sessions are swept when the table grows past this, so it stays bounded.
const SWEEP_AT = 10_000

export interface SessionsOptions { clock: Clock, kind: TokenKind }

export class Sessions {
  readonly #clock: Clock
  readonly #kind: TokenKind
  readonly #byKey = new Map<string, Session>()
  readonly #key: Uint8Array

  constructor ({ clock, kind }: SessionsOptions) {
    this.#clock = clock
    this.#kind = kind
    this.#key = randomBytes(32)
  }

  get kind (): TokenKind { return this.#kind }

  /** Issues a token for a logged-in user in a unit. */
  async issue (user: { id: string, username: string }, unit: { id: string, name: string }, organisation: string): Promise<string> {
    if (this.#byKey.size >= SWEEP_AT) this.#sweep()
    const now = this.#clock.nowMs()
    const jti = randomHex(16)
    const token = this.#kind === 'opaque'
      ? jti
      : await new CompactSign(new TextEncoder().encode(JSON.stringify({
        jti, usr: user.username, org: organisation, oun: unit.name,
        exp: String(Math.floor((now + JWT_LIFETIME_MS) / 1000)), iat: String(Math.floor(now / 1000))
      }))).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(this.#key)
    this.#byKey.set(keyOf(token), { token, jti, userId: user.id, username: user.username, unitId: unit.id, organisation, issuedAt: now, lastUsedAt: now, released: false })
    return token
  }

  #expiry (s: Session): number {
    return this.#kind === 'opaque' ? s.lastUsedAt + OPAQUE_IDLE_MS : s.issuedAt + JWT_LIFETIME_MS
  }

  #find (token: unknown): Session {
    if (token === undefined || token === null || token === '') throw describe(new InvalidTokenError('was not specified'), 'Log in with authentication/token and pass the token it returns')
    if (typeof token !== 'string') throw describe(new InvalidTokenError('must be a string'), `Got ${Array.isArray(token) ? 'several values' : typeof token}`)
    const session = this.#byKey.get(keyOf(token))
    if (session === undefined || session.token !== token) throw describe(new InvalidTokenError('is not valid'), 'The token is not one this server issued (or it was altered, or the server restarted since)')
    return session
  }

  /** The session of a token; throws INVALIDTOKENEXCEPTION for a missing, unknown, released or expired one. */
  authenticate (token: unknown): Session {
    const session = this.#find(token)
    if (session.released) throw describe(new InvalidTokenError('has been released'), 'Log in again for a new token')
    const now = this.#clock.nowMs()
    if (now >= this.#expiry(session)) {
      throw describe(new InvalidTokenError('has expired'), this.#kind === 'opaque' ? 'Tokens expire after 1 hour without use' : 'Tokens expire 2 hours after issue')
    }
    session.lastUsedAt = now
    return session
  }

  /** Ends a token's session. Throws like {@link Sessions.authenticate} for a token that is not live. */
  release (token: unknown): void {
    this.authenticate(token).released = true
  }

  /** Forgets every session (a reset logs everybody out). */
  clear (): void { this.#byKey.clear() }

  #sweep (): void {
    const now = this.#clock.nowMs()
    for (const [key, s] of this.#byKey) if (s.released || now >= this.#expiry(s)) this.#byKey.delete(key)
  }
}
