/** The part of autocannon's API the benchmark uses (the package ships no types). */
declare module 'autocannon' {
  namespace autocannon {
    interface Request { method?: string, path?: string, body?: string, headers?: Record<string, string> }
    interface Options {
      url: string
      connections?: number
      pipelining?: number
      duration?: number
      amount?: number
      requests?: Array<{ method?: string, path?: string, setupRequest?: (request: Request, context: object) => Request | undefined }>
    }
    interface Histogram { average: number, mean: number, total: number, p50: number, p99: number, max: number }
    interface Result {
      requests: Histogram
      latency: Histogram
      duration: number
      errors: number
      timeouts: number
      non2xx: number
    }
  }
  function autocannon (options: autocannon.Options): Promise<autocannon.Result>
  export default autocannon
}
