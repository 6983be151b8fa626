/**
 * Drives one phase with autocannon: a warm-up, then the measured run, with the same
 * connections and request generator for the mock and for the bare limit, so the two
 * figures differ only by what the server does.
 */
import autocannon from 'autocannon'

/** How the next request of a phase looks. */
export interface Shape {
  method: 'GET' | 'POST'
  /** The path (with query) of the next request. */
  path: () => string
  /** The JSON body of the next request (POST). */
  body?: () => unknown
}

export interface LoadOptions {
  connections: number
  warmupS: number
  durationS: number
  /** Stop after this many requests instead (a phase that uses each target once, like cancel). */
  amount?: number
  /** Called between the warm-up and the measured run (resets the server's counters). */
  between?: () => Promise<void>
}

export interface LoadResult {
  rps: number
  requests: number
  seconds: number
  p50Ms: number
  p99Ms: number
  /** Answers that were not 2xx (the mock runs with REST statuses, so these are vendor errors) and socket errors. */
  non2xx: number
  errors: number
}

/** Load without measuring (a warm-up), for `seconds` or `amount` requests. */
export async function warm (url: string, shape: Shape, connections: number, until: { seconds?: number, amount?: number }): Promise<void> {
  if ((until.seconds ?? 0) <= 0 && (until.amount ?? 0) <= 0) return
  await cannon(url, shape, { connections, duration: until.seconds, amount: until.amount })
}

async function cannon (url: string, shape: Shape, options: { connections: number, duration?: number, amount?: number }): Promise<autocannon.Result> {
  return await autocannon({
    url,
    connections: options.connections,
    pipelining: 1,
    ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.duration }),
    requests: [{
      method: shape.method,
      setupRequest: (request: autocannon.Request) => {
        request.path = shape.path()
        if (shape.body !== undefined) {
          request.body = JSON.stringify(shape.body())
          request.headers = { 'content-type': 'application/json' }
        }
        return request
      }
    }]
  })
}

/** Warms up, then measures. */
export async function load (url: string, shape: Shape, options: LoadOptions): Promise<LoadResult> {
  if (options.warmupS > 0) await cannon(url, shape, { connections: options.connections, duration: options.warmupS })
  await options.between?.()
  const r = await cannon(url, shape, { connections: options.connections, duration: options.durationS, amount: options.amount })
  const requests = r.requests.total
  return {
    rps: Math.round(requests / r.duration),
    requests,
    seconds: Math.round(r.duration * 1000) / 1000,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts
  }
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

/**
 * Several short runs as one: requests and seconds add up (so req/s is over the whole
 * measured time), p50 is the median of the runs' and p99 the worst.
 */
export function combine (runs: readonly LoadResult[]): LoadResult {
  const requests = runs.reduce((n, r) => n + r.requests, 0)
  const seconds = runs.reduce((n, r) => n + r.seconds, 0)
  return {
    rps: Math.round(requests / Math.max(seconds, 0.001)),
    requests,
    seconds: Math.round(seconds * 1000) / 1000,
    p50Ms: median(runs.map(r => r.p50Ms)),
    p99Ms: Math.max(...runs.map(r => r.p99Ms)),
    non2xx: runs.reduce((n, r) => n + r.non2xx, 0),
    errors: runs.reduce((n, r) => n + r.errors, 0)
  }
}
