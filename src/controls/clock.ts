/**
 * The time the mock lives in. Every timestamp it writes, token expiry and the
 * submitted-date filters read it, so a test can freeze or move time.
 */
export interface Clock {
  /** The current instant. */
  now(): Date
  /** The current instant in epoch milliseconds. */
  nowMs(): number
  /** Freezes time at `date` (a Date or anything `new Date()` accepts). */
  set(date: Date | string | number): void
  /** Moves time forward by `ms` milliseconds (frozen or not). */
  advance(ms: number): void
  /** Follows the system clock again. */
  useRealTime(): void
  /** True while time is frozen by {@link Clock.set}. */
  readonly frozen: boolean
}

/** Creates a clock: real time, or frozen at `start`. */
export function createClock (start?: Date | 'real'): Clock {
  let fixed: number | undefined = start instanceof Date ? start.getTime() : undefined
  let offset = 0
  return {
    now: () => new Date(fixed ?? Date.now() + offset),
    nowMs: () => fixed ?? Date.now() + offset,
    set (date) {
      const t = new Date(date).getTime()
      if (Number.isNaN(t)) throw new TypeError(`clock.set: not a date: ${String(date)}`)
      fixed = t
    },
    advance (ms) {
      if (!Number.isFinite(ms)) throw new TypeError(`clock.advance: not a number of milliseconds: ${ms}`)
      if (fixed !== undefined) fixed += ms
      else offset += ms
    },
    useRealTime () { fixed = undefined; offset = 0 },
    get frozen () { return fixed !== undefined }
  }
}
