/**
 * Faults a test injects on purpose: the next `times` calls of an operation answer with a
 * vendor error, or are delayed, or have their connection destroyed.
 */
import { isCrmErrorCode, type CrmErrorCode } from '../contract/errors.js'
import { OPERATIONS } from '../contract/operations.js'

export interface FaultSpec {
  /** The method path, exactly as `urlFor` takes it (`authentication/token`, `customer_events/financial_achievements/create`). */
  operation: string
  /** How many calls it affects (default 1). */
  times?: number
  /** Answer with this vendor error code. */
  error?: CrmErrorCode
  /** Wait this many milliseconds before answering (alone: then answer normally). */
  delayMs?: number
  /** Destroy the connection without an answer. */
  drop?: boolean
}

export interface Fault extends Required<Pick<FaultSpec, 'operation'>> {
  remaining: number
  error?: CrmErrorCode
  delayMs?: number
  drop?: boolean
}

/** Checks a spec; returns a message naming what is wrong, or undefined. */
export function faultProblem (spec: FaultSpec): string | undefined {
  if (typeof spec !== 'object' || spec === null) return 'a fault must be an object'
  if (!Object.hasOwn(OPERATIONS, spec.operation)) return `operation must be one of ${Object.keys(OPERATIONS).join(', ')}`
  if (spec.times !== undefined && (!Number.isInteger(spec.times) || spec.times < 1)) return 'times must be a whole number of at least 1'
  if (spec.error !== undefined && !isCrmErrorCode(spec.error)) return 'error must be a vendor error code of the API.md table'
  if (spec.delayMs !== undefined && (typeof spec.delayMs !== 'number' || !(spec.delayMs >= 0) || spec.delayMs > 600_000)) return 'delayMs must be a number of milliseconds from 0 to 600000'
  if (spec.drop !== undefined && typeof spec.drop !== 'boolean') return 'drop must be true or false'
  if (spec.error === undefined && spec.delayMs === undefined && spec.drop !== true) return 'a fault needs error, delayMs or drop'
  return undefined
}

export class Faults {
  #faults: Fault[] = []

  /** Adds a fault; earlier faults of the same operation are used up first. Throws a TypeError for a bad spec. */
  inject (spec: FaultSpec): void {
    const problem = faultProblem(spec)
    if (problem !== undefined) throw new TypeError(`faults.inject: ${problem}`)
    this.#faults.push({ operation: spec.operation, remaining: spec.times ?? 1, error: spec.error, delayMs: spec.delayMs, drop: spec.drop })
  }

  /** Takes one use of the first fault for an operation, if any. */
  take (operation: string): Fault | undefined {
    // Asked on every request: with no fault pending (almost always), nothing is searched.
    if (this.#faults.length === 0) return undefined
    const i = this.#faults.findIndex(f => f.operation === operation)
    if (i < 0) return undefined
    const fault = this.#faults[i]!
    if (--fault.remaining <= 0) this.#faults.splice(i, 1)
    return fault
  }

  /** The faults still pending. */
  list (): Fault[] { return this.#faults.map(f => ({ ...f })) }

  clear (): void { this.#faults = [] }
}
