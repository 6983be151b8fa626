import type { CrmDate } from '../store/model.js'

// The vendor writes dates as YYYY-MM-DDTHH:mm:ss in the server's time zone (UTC here).
const CRM_FORM = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/

// ISO-8601 dates, extended and basic: calendar (2016-10-07, 20161007), ordinal (2016-281,
// 2016281) and week dates (2016-W40-5, 2016W405).
const CALENDAR = /^(\d{4})-?(\d{2})-?(\d{2})$/
const ORDINAL = /^(\d{4})-?(\d{3})$/
const WEEK = /^(\d{4})-?W(\d{2})-?([1-7])$/
// Times: hh, hh:mm, hh:mm:ss or hhmm, hhmmss, with an optional fraction and zone (Z, ±hh, ±hh:mm, ±hhmm).
const TIME = /^(\d{2})(?::?(\d{2})(?::?(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/

/**
 * Formats an instant as the vendor does: `YYYY-MM-DDTHH:mm:ss`, UTC. Joined from two short
 * pieces so the result is one flat string: `slice(0, 19)` gives a V8 sliced string that keeps
 * the whole ISO text alive beside it, two heap objects per stored date instead of one, and
 * every stored object is work for each full garbage collection.
 */
export function formatCrmDate (date: Date): CrmDate {
  const iso = date.toISOString()
  return [iso.slice(0, 10), iso.slice(11, 19)].join('T')
}

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0

/** Midnight UTC of a day of a year; unlike Date.UTC, years 0-99 are not taken for 1900-1999. */
function utc (year: number, month: number, day: number): number {
  const date = new Date(0)
  date.setUTCFullYear(year, month, day)
  return date.getTime()
}

// What the vendor's YYYY-MM-DDTHH:mm:ss form can write: years 0000 to 9999.
const FIRST = utc(0, 0, 1)
const AFTER_LAST = utc(10000, 0, 1)

/** Midnight UTC of an ISO-8601 date, or undefined when it is not one or is impossible (2016-02-30). */
function parseDay (text: string): number | undefined {
  let m = CALENDAR.exec(text)
  if (m !== null) {
    const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])]
    if (month < 1 || month > 12 || day < 1) return undefined
    const t = utc(year, month - 1, day)
    return new Date(t).getUTCDate() === day ? t : undefined
  }
  m = ORDINAL.exec(text)
  if (m !== null) {
    const [year, day] = [Number(m[1]), Number(m[2])]
    if (day < 1 || day > (isLeap(year) ? 366 : 365)) return undefined
    return utc(year, 0, day)
  }
  m = WEEK.exec(text)
  if (m !== null) {
    const [year, week, weekday] = [Number(m[1]), Number(m[2]), Number(m[3])]
    // Week 1 is the week holding January 4th; a year has 53 weeks when it starts on a
    // Thursday, or on a Wednesday in a leap year.
    const jan4 = utc(year, 0, 4)
    const jan4Weekday = new Date(jan4).getUTCDay() || 7
    const jan1Weekday = new Date(utc(year, 0, 1)).getUTCDay() || 7
    const weeks = jan1Weekday === 4 || (isLeap(year) && jan1Weekday === 3) ? 53 : 52
    if (week < 1 || week > weeks) return undefined
    return jan4 - (jan4Weekday - 1) * 86_400_000 + ((week - 1) * 7 + weekday - 1) * 86_400_000
  }
  return undefined
}

/**
 * Parses an accepted date: the vendor's form or any ISO-8601 date-time or date (calendar,
 * ordinal or week date, extended or basic). A value without an offset is in the server's
 * time zone (UTC). Returns undefined for anything else, including impossible dates.
 */
export function parseCrmDate (value: string): Date | undefined {
  const text = value.trim()
  const at = text.search(/[T ]/)
  const day = parseDay(at < 0 ? text : text.slice(0, at))
  if (day === undefined) return undefined
  if (at < 0) return inRange(day)
  const m = TIME.exec(text.slice(at + 1))
  if (m === null) return undefined
  const [hour, minute, second] = [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)]
  if (hour > 23 || minute > 59 || second > 59) return undefined
  // Fractions of a second are kept to the millisecond (a date bound compares at that precision).
  const ms = m[4] === undefined ? 0 : Number(m[4].padEnd(3, '0').slice(0, 3))
  let offsetMinutes = 0
  const zone = m[5]
  if (zone !== undefined && zone !== 'Z') {
    const digits = zone.slice(1).replace(':', '')
    const [oh, om] = [Number(digits.slice(0, 2)), Number(digits.slice(2) || '0')]
    if (oh > 23 || om > 59) return undefined
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (oh * 60 + om)
  }
  return inRange(day + ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 + ms)
}

// An offset can carry 9999-12-31 past the last writable instant: such a date is refused, not stored as +010000.
const inRange = (t: number): Date | undefined => t >= FIRST && t < AFTER_LAST ? new Date(t) : undefined

/** True for a value {@link parseCrmDate} accepts; registered with ajv as format `crm-date`. */
export function isCrmDate (value: string): boolean {
  return parseCrmDate(value) !== undefined
}

/** Normalises an accepted date to the stored form. */
export function toCrmDate (value: string): CrmDate {
  const parsed = parseCrmDate(value)
  if (parsed === undefined) throw new TypeError(`not a date: ${value}`)
  return formatCrmDate(parsed)
}

export { CRM_FORM }
