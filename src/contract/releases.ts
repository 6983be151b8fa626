/**
 * Release emulation. CRM.COM's documentation marks what arrived when ("Available from
 * CRM.COM R11.0.0"); the parameters' releases live in the request schemas
 * (`x-crm-available-from`), so this file only reads them. The behaviours that are not
 * parameters (token kind, deprecation) are the constants below.
 */
import type { TokenKind } from '../domain/sessions.js'
import { OPERATIONS, type OperationName } from './operations.js'
import { schemas } from './schemas.js'

/** A CRM.COM release: `R14.0.0`. A part written `x` (R18.x) stands for every release of its line. */
export interface Release {
  readonly major: number
  readonly minor: number
  readonly patch: number
  /** As given, normalised: `R18.x`, `R12.2.0`. */
  readonly label: string
}

/** What arrived when, besides parameters. */
export const RELEASE_OF = {
  /** The four financial achievement methods and login. */
  methods: 'R10.0.0',
  /** Tokens become JWTs that expire 2 hours after issue (before: opaque 32-hex, 1 hour idle). */
  jwtTokens: 'R12.0.0',
  /** The financial achievement methods are deprecated, replaced by customer_events/achievements/*. */
  deprecation: 'R15.0.0'
} as const

/** The release emulated when none is given. */
export const DEFAULT_RELEASE = 'R14.0.0'
/** The oldest and newest lines emulated: the methods arrived in R10; R18 is the newest release we know of. */
export const OLDEST_MAJOR = 10
export const NEWEST_MAJOR = 18

// `x` sorts after every number of its line, so R12.x has everything R12.2.0 has.
const ANY = Number.MAX_SAFE_INTEGER

/** Parses `R14`, `R14.1`, `R12.2.0`, `r18.x`, `14.0.0`; throws on anything else or outside R10–R18. */
export function parseRelease (text: string): Release {
  const m = /^R?(\d{1,3})(?:\.(\d{1,3}|x))?(?:\.(\d{1,3}|x))?$/i.exec(text.trim())
  if (m === null) throw new RangeError(`"${text}" is not a CRM.COM release (write it like R14.0.0, R12.2 or R18.x)`)
  const part = (s: string | undefined, after: string | undefined): number => s === undefined ? (after === 'x' ? ANY : 0) : s.toLowerCase() === 'x' ? ANY : Number(s)
  const major = Number(m[1])
  const minor = part(m[2], undefined)
  const patch = part(m[3], m[2]?.toLowerCase())
  if (major < OLDEST_MAJOR || major > NEWEST_MAJOR) throw new RangeError(`release ${text} is outside the emulated range R${OLDEST_MAJOR}.0.0 to R${NEWEST_MAJOR}.x`)
  const show = (n: number): string => n === ANY ? 'x' : String(n)
  const label = m[2] !== undefined && m[2].toLowerCase() === 'x' ? `R${major}.x` : `R${major}.${show(minor)}.${show(patch)}`
  return { major, minor, patch, label }
}

/** Negative when a is older than b, 0 when the same, positive when newer. */
export function compareReleases (a: Release, b: Release): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch
}

// The labels hasArrived is asked about are the few in the schemas: each is parsed once.
const parsed = new Map<string, Release>()

/** True when `release` has what arrived in `from` (a release label such as R11.0.0). */
export function hasArrived (release: Release, from: string): boolean {
  let arrived = parsed.get(from)
  if (arrived === undefined) { arrived = parseRelease(from); parsed.set(from, arrived) }
  return compareReleases(release, arrived) >= 0
}

/** The token kind of a release: opaque 32-hex before R12.0.0, JWT from it. */
export function tokenKindFor (release: Release): TokenKind {
  return hasArrived(release, RELEASE_OF.jwtTokens) ? 'jwt' : 'opaque'
}

/** True from R15.0.0, when the financial achievement methods are deprecated. */
export function isDeprecated (release: Release): boolean {
  return hasArrived(release, RELEASE_OF.deprecation)
}

/** The parameters of an operation, each with the release it arrived in (R10.0.0 unless its schema says). */
export function parametersOf (operation: OperationName): ReadonlyMap<string, string> {
  let map = cache.get(operation)
  if (map === undefined) {
    const properties = (schemas[OPERATIONS[operation].request]?.properties ?? {}) as Record<string, Record<string, unknown>>
    map = new Map(Object.entries(properties).map(([name, schema]) => {
      const from = schema['x-crm-available-from']
      return [name, typeof from === 'string' ? from : RELEASE_OF.methods]
    }))
    cache.set(operation, map)
  }
  return map
}
const cache = new Map<OperationName, ReadonlyMap<string, string>>()

/** The successor of a deprecated method: customer_events/financial_achievements/list → customer_events/achievements/list. */
export function successorOf (operation: OperationName): string | undefined {
  return operation.startsWith('customer_events/financial_achievements/') ? operation.replace('/financial_achievements/', '/achievements/') : undefined
}

/**
 * The `Deprecation` header value (RFC 9745: a structured-field date, past = already deprecated).
 * The vendor publishes the release (R15.0.0), not a date, so the header carries the epoch:
 * "deprecated, since before this call"; the Link header names the successor.
 */
export const DEPRECATION_HEADER = '@0'
