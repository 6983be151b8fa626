import type { CrmDate } from './model.js'

// The vendor writes dates as YYYY-MM-DDTHH:mm:ss in the server's time zone (UTC here).
const CRM_FORM = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/
// Any ISO-8601 date or date-time: YYYY-MM-DD, optional time with optional fraction and offset.
const ISO_FORM = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d{1,9})?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/

/** Formats an instant as the vendor does: `YYYY-MM-DDTHH:mm:ss`, UTC. */
export function formatCrmDate (date: Date): CrmDate {
  return date.toISOString().slice(0, 19)
}

/**
 * Parses an accepted date: the vendor's form or any ISO-8601 date-time or date. A value
 * without an offset is in the server's time zone (UTC). Returns undefined for anything
 * else, including impossible calendar dates such as 2016-02-30.
 */
export function parseCrmDate (value: string): Date | undefined {
  const m = ISO_FORM.exec(value.trim())
  if (m === null) return undefined
  const [, y, mo, d, h = '00', mi = '00', s = '00', zone] = m
  const year = Number(y); const month = Number(mo); const day = Number(d)
  const hour = Number(h); const minute = Number(mi); const second = Number(s)
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined
  const utc = Date.UTC(year, month - 1, day, hour, minute, second)
  if (new Date(utc).getUTCDate() !== day) return undefined
  let offsetMinutes = 0
  if (zone !== undefined && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1
    const digits = zone.slice(1).replace(':', '')
    const oh = Number(digits.slice(0, 2)); const om = Number(digits.slice(2) || '0')
    if (oh > 23 || om > 59) return undefined
    offsetMinutes = sign * (oh * 60 + om)
  }
  return new Date(utc - offsetMinutes * 60_000)
}

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
