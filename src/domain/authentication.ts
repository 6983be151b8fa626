/** Login and logout. */
import { hashPassword, verifyPassword } from './passwords.js'
import type { Session, Sessions } from './sessions.js'
import { InvalidCredentialsError, describe } from '../contract/errors.js'
import type { Unit, User } from '../store/model.js'
import type { Lookup } from '../store/lookup.js'

// An unknown user's password is checked against this, so a refusal takes as long whether
// or not the username exists, and timing does not tell which usernames do.
const NO_USER_HASH = hashPassword('', '0'.repeat(32))

export interface Credentials { username: string, password: string, organisation: string, unit?: string }

// Values are quoted with JSON.stringify, which escapes line breaks: a message stays one line.

/** Usernames compare case-insensitively (the vendor's own example logs in as `mpadministrator`). */
export function findUser (lookup: Lookup, username: string): User | undefined {
  const wanted = username.toLowerCase()
  return lookup.dataset.users.find(u => u.username.toLowerCase() === wanted)
}

/** The unit a login works in: the one named (by name, alternative code or id) among the user's, or the user's own. */
function unitFor (lookup: Lookup, user: User, unit: string | undefined): Unit {
  const allowed = new Set([user.unit_id, ...user.unit_ids])
  if (unit === undefined) return lookup.byId('units', user.unit_id)!
  const found = lookup.dataset.units.filter(u => allowed.has(u.id) && (u.name === unit || u.alternative_code === unit || u.id === unit))
  if (found.length !== 1) throw describe(new InvalidCredentialsError(`the unit ${JSON.stringify(unit)} is not one user ${user.username} may log in to`), `Allowed units: ${[...allowed].map(id => lookup.byId('units', id)?.name ?? id).join(', ')}`)
  return found[0]!
}

/**
 * Checks credentials and returns the user and unit. `anyOrganisation` accepts any
 * organisation name (per-organisation tenants, where each organisation has its own copy).
 */
export async function authenticateUser (lookup: Lookup, credentials: Credentials, anyOrganisation = false): Promise<{ user: User, unit: Unit }> {
  const user = findUser(lookup, credentials.username)
  // One message for an unknown user and a wrong password, as real servers do.
  const matches = await verifyPassword(credentials.password, user?.password_hash ?? NO_USER_HASH)
  if (user === undefined || !matches) {
    throw describe(new InvalidCredentialsError('the username or password is wrong'), 'Check username and password')
  }
  if (!anyOrganisation && user.organisation.toLowerCase() !== credentials.organisation.toLowerCase()) {
    throw describe(new InvalidCredentialsError(`the organisation ${JSON.stringify(credentials.organisation)} is not user ${user.username}'s`), 'Check organisation')
  }
  return { user, unit: unitFor(lookup, user, credentials.unit) }
}

/** Logs in: returns a new token. */
export async function login (lookup: Lookup, sessions: Sessions, credentials: Credentials, anyOrganisation = false): Promise<string> {
  const { user, unit } = await authenticateUser(lookup, credentials, anyOrganisation)
  return await sessions.issue(user, unit, credentials.organisation)
}

export type { Session }
