/**
 * Recorded traffic, read from the formats teams have: a JSON array (or NDJSON lines) of
 * `{ request: { method, url, body? }, response: { status, body } }` pairs, or a HAR file
 * (browser devtools "Save all as HAR", mitmproxy's HAR export, Charles, Proxyman...).
 * Bodies may be JSON values or the raw text; HAR entries that are not API calls (pages,
 * scripts, the documentation) are skipped.
 */
import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { BASE_PATH, STATE_MARKERS } from '../contract/operations.js'

/** One request and the response it got. Bodies are parsed JSON where they were JSON, else the raw text. */
export interface Exchange {
  request: { method: string, url: string, body?: unknown }
  response: { status: number, body: unknown, headers?: Record<string, string> }
  /** Where it came from, for reports: `traffic.har entry 3`, `calls.ndjson line 7`. */
  source: string
}

/** A file that could not be read as traffic, or a part of it that could not. */
export class TrafficFormatError extends Error {
  override name = 'TrafficFormatError'
  constructor (readonly source: string, message: string) { super(`${source}: ${message}`) }
}

export interface Traffic {
  exchanges: Exchange[]
  /** Entries left out (HAR entries that are not API calls, or that got no response), with why. */
  skipped: Array<{ source: string, reason: string }>
}

type Json = Record<string, unknown>
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v)

/** A body as recorded: a JSON text becomes its value; other text stays text; absent stays absent. */
function body (value: unknown): unknown {
  if (typeof value !== 'string') return value
  try { return JSON.parse(value) } catch { return value }
}

/**
 * A reset or a restore of the mock's state (`POST /__admin/reset`, `PUT /__admin/snapshot`),
 * or undefined for any other call. After one, what earlier calls showed (events, numbers,
 * states) no longer holds: verify starts its rules that span calls afresh.
 */
export function markerOf (exchange: Pick<Exchange, 'request'>): 'reset' | 'restore' | undefined {
  let path: string
  try { path = new URL(exchange.request.url, 'http://recorded.invalid').pathname } catch { return undefined }
  for (const kind of ['reset', 'restore'] as const) {
    if (exchange.request.method === STATE_MARKERS[kind].method && path.endsWith(STATE_MARKERS[kind].path)) return kind
  }
  return undefined
}

/** The exchange a marker stands for (a marker written by hand is {"marker": "reset"} or {"marker": "restore"}). */
const markerExchange = (kind: 'reset' | 'restore', source: string): Exchange =>
  ({ request: { method: STATE_MARKERS[kind].method, url: STATE_MARKERS[kind].path }, response: { status: 200, body: null }, source })

function pair (value: unknown, source: string): Exchange {
  if (isObject(value) && (value.marker === 'reset' || value.marker === 'restore') && value.request === undefined) {
    return markerExchange(value.marker, source)
  }
  if (!isObject(value) || !isObject(value.request) || !isObject(value.response)) throw new TrafficFormatError(source, 'is not a {"request": {...}, "response": {...}} pair')
  const { request, response } = value
  if (typeof request.method !== 'string' || typeof request.url !== 'string') throw new TrafficFormatError(source, 'request needs "method" and "url" strings')
  if (typeof response.status !== 'number') throw new TrafficFormatError(source, 'response needs a numeric "status"')
  return {
    request: { method: request.method.toUpperCase(), url: request.url, ...(request.body === undefined ? {} : { body: body(request.body) }) },
    response: { status: response.status, body: body(response.body), ...(isObject(response.headers) ? { headers: response.headers as Record<string, string> } : {}) },
    source
  }
}

const isApiCall = (url: string): boolean => {
  try { return new URL(url, 'http://recorded.invalid').pathname.includes(BASE_PATH) } catch { return false }
}

function fromHar (har: { log: { entries: unknown } }, name: string): Traffic {
  if (!Array.isArray(har.log.entries)) throw new TrafficFormatError(name, 'log.entries is not an array')
  const traffic: Traffic = { exchanges: [], skipped: [] }
  har.log.entries.forEach((entry: unknown, i) => {
    const source = `${name} entry ${i}`
    if (!isObject(entry) || !isObject(entry.request) || !isObject(entry.response)) throw new TrafficFormatError(source, 'is not a HAR entry')
    const { request, response } = entry as { request: Json, response: Json }
    const url = String(request.url)
    const marker = markerOf({ request: { method: String(request.method).toUpperCase(), url } })
    if (marker !== undefined) { traffic.exchanges.push(markerExchange(marker, source)); return }
    if (!isApiCall(url)) { traffic.skipped.push({ source, reason: `not an API call (${url})` }); return }
    // Browsers record aborted or dropped calls with status 0: there is no answer to check.
    if (response.status === 0) { traffic.skipped.push({ source, reason: 'no response (status 0)' }); return }
    const postData = isObject(request.postData) ? request.postData.text : undefined
    const content = isObject(response.content) ? response.content : {}
    const text = typeof content.text === 'string' && content.encoding === 'base64' ? Buffer.from(content.text, 'base64').toString('utf8') : content.text
    const headers = Array.isArray(response.headers)
      ? Object.fromEntries((response.headers as Array<{ name: string, value: string }>).map(h => [h.name.toLowerCase(), h.value]))
      : undefined
    traffic.exchanges.push({
      request: { method: String(request.method).toUpperCase(), url, ...(typeof postData === 'string' && postData !== '' ? { body: body(postData) } : {}) },
      response: { status: Number(response.status), body: body(text), ...(headers === undefined ? {} : { headers }) },
      source
    })
  })
  return traffic
}

/** Reads traffic from text: a HAR document, a JSON array of pairs, a single pair, or NDJSON lines. */
export function parseTraffic (text: string, name: string): Traffic {
  const trimmed = text.trim()
  if (trimmed === '') return { exchanges: [], skipped: [] }
  let whole: unknown
  let isWhole = true
  try { whole = JSON.parse(trimmed) } catch { isWhole = false }
  if (isWhole) {
    if (isObject(whole) && isObject(whole.log)) return fromHar(whole as { log: { entries: unknown } }, name)
    if (Array.isArray(whole)) return { exchanges: whole.map((v, i) => pair(v, `${name} item ${i}`)), skipped: [] }
    return { exchanges: [pair(whole, `${name} item 0`)], skipped: [] }
  }
  const exchanges: Exchange[] = []
  trimmed.split('\n').forEach((line, i) => {
    if (line.trim() === '') return
    const source = `${name} line ${i + 1}`
    let value: unknown
    try { value = JSON.parse(line) } catch (err) { throw new TrafficFormatError(source, `is not JSON (${(err as Error).message})`) }
    exchanges.push(pair(value, source))
  })
  return { exchanges, skipped: [] }
}

/** Reads a traffic file. */
export function readTraffic (file: string): Traffic {
  let text: string
  try { text = readFileSync(file, 'utf8') } catch (err) { throw new TrafficFormatError(file, `cannot be read (${(err as Error).message})`) }
  return parseTraffic(text, basename(file))
}
