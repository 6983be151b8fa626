/**
 * The server under load, in its own process so the load generator never shares its event
 * loop: either the mock (memory or file store, N events) or the bare Fastify limit. It
 * listens, then answers the orchestrator's IPC messages: event-loop delay and memory since
 * the last reset, and ids to aim requests at. Started with --expose-gc so the id lookups
 * (a full snapshot) can be cleaned up before memory is measured, and each phase can start
 * from a collected heap (`collect`, before its warm-up: never before a measured run, see
 * run.ts).
 */
import { statSync } from 'node:fs'
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks'
import { createMockServer, type Dataset } from 'crmcom-mock'
import { buildBare, type Bodies } from './bare.js'

export type ChildConfig = (
  | { kind: 'mock', store: 'memory' | { file: string }, size: number }
  | { kind: 'bare', bodies: Bodies }
) & {
  /** The event-loop delay monitor's resolution, ms (child.ts sets it). */
  delayResolutionMs?: number
}

export type Request =
  | { id: number, op: 'reset' }
  | { id: number, op: 'collect' }
  | { id: number, op: 'stats' }
  | { id: number, op: 'targets' }
  | { id: number, op: 'posted' }
  | { id: number, op: 'compact' }

export interface Stats {
  /** Longest event-loop delay since the last reset, ms. */
  maxDelayMs: number
  p99DelayMs: number
  rssMb: number
  heapUsedMb: number
  /** CPU time the server spent since the last reset, ms (per request, it is what the ratio would be on an idle machine). */
  cpuMs: number
  /** Bytes of the journal beside a file store (drops when it is compacted). */
  journalBytes?: number
  /** How long each compaction the bench started took, ms (those finished so far). */
  compactionsMs?: number[]
  /** Full (mark-compact) garbage collections since the last reset (runs from 29 November 05:30 on). */
  fullGcs?: number
  /** Longest garbage collection pause since the last reset, ms (any kind; incremental marking steps are not pauses V8 reports). */
  longestGcMs?: number
}

export interface Targets {
  token: string
  /** Financial achievement event ids, spread over the store. */
  eventIds: string[]
  /** Account numbers with at least 20 financial achievements. */
  accounts: string[]
  /** The raw answers the bare server replays. */
  bodies: Bodies
  /** Events in the store. */
  events: number
}

const config = JSON.parse(process.argv[2]!) as ChildConfig
const reply = (id: number, value: unknown): void => { process.send!({ id, value }) }
const delay = monitorEventLoopDelay({ resolution: config.delayResolutionMs ?? 10 })
delay.enable()
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined)
const mb = (bytes: number): number => Math.round(bytes / 1048576)
let cpuAtReset = process.cpuUsage()
let fullGcs = 0
let longestGcMs = 0
new PerformanceObserver(list => {
  for (const entry of list.getEntries()) {
    if (((entry as { detail?: unknown }).detail as { kind?: number } | undefined)?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) fullGcs++
    longestGcMs = Math.max(longestGcMs, entry.duration)
  }
}).observe({ entryTypes: ['gc'] })

const mock = config.kind === 'mock' ? await createMockServer({ store: config.store, size: config.size, restStatus: true }) : undefined
const app = mock?.app ?? await buildBare(config.kind === 'bare' ? config.bodies : undefined!)
await app.listen({ port: 0, host: '127.0.0.1' })
const { port } = app.server.address() as { port: number }

/**
 * How many events show aims at: spread evenly over the store, and the same number
 * at every size (the 1,000-event store has about this many financial achievements), so the
 * scale targets compare store sizes and not working sets. Aiming at 2,000 ids in the big
 * store and the 1,000 there are in the small one made each show at 100,000 events cost about
 * 4 µs more for its twice as large set of hot events alone.
 */
const SHOW_IDS = 1000

function sample (dataset: Dataset): { eventIds: string[], accounts: string[] } {
  const fa = dataset.customer_events.filter(e => e.type === 'FINANCIAL_ACHIEVEMENT')
  const step = Math.max(1, Math.floor(fa.length / SHOW_IDS))
  const eventIds = fa.filter((_, i) => i % step === 0).map(e => e.id)
  const perAccount = new Map<string, number>()
  for (const e of fa) perAccount.set(e.accounts_receivable_id, (perAccount.get(e.accounts_receivable_id) ?? 0) + 1)
  const accounts = dataset.accounts_receivable.filter(a => (perAccount.get(a.id) ?? 0) >= 20).map(a => a.number)
  return { eventIds, accounts }
}

async function targets (): Promise<Targets> {
  if (mock === undefined) throw new Error('the bare server has no targets')
  const token = await mock.login()
  const dataset = await mock.snapshot()
  const events = dataset.customer_events.length
  const { eventIds, accounts } = sample(dataset)
  const show = await app.inject({ method: 'GET', url: `/crmapi/rest/v2/customer_events/financial_achievements/show?token=${token}&customer_event_identifier=id=${eventIds[0]!}` })
  const list = await app.inject({ method: 'POST', url: '/crmapi/rest/v2/customer_events/financial_achievements/list', payload: { token, accounts_receivable_identifier: { number: accounts[0] }, number_of_results: 20 } })
  const login = await app.inject({ method: 'POST', url: '/crmapi/rest/v2/authentication/token', payload: { username: 'MPAdministrator', password: '1234', organisation: 'CRMDEMO' } })
  gc()
  return { token, eventIds, accounts, events, bodies: { show: show.body, list: list.body, login: login.body } }
}

async function posted (): Promise<{ ids: string[], events: number }> {
  const dataset = await mock!.snapshot()
  const ids = dataset.customer_events.filter(e => e.type === 'FINANCIAL_ACHIEVEMENT' && e.life_cycle_state === 'POSTED').map(e => e.id)
  const events = dataset.customer_events.length
  gc()
  return { ids, events }
}

let compacting = false
/** How long each compaction the bench started took, ms. */
const compactions: number[] = []

/**
 * Starts folding the journal into the snapshot (a file store), unless one it started is
 * still running, and answers at once: a phase can be measured while the store compacts,
 * as it does by itself every so often.
 */
function compact (): null {
  const store = mock?.app.crm.tenants.opened()?.store
  if (store === undefined || compacting) return null
  compacting = true
  const started = performance.now()
  void store.compact().then(() => { compactions.push(performance.now() - started) }, (err: Error) => { process.emitWarning(`bench: compaction failed: ${err.message}`) })
    .finally(() => { compacting = false })
  return null
}

function stats (): Stats {
  const memory = process.memoryUsage()
  const cpu = process.cpuUsage(cpuAtReset)
  const out: Stats = { maxDelayMs: delay.max / 1e6, p99DelayMs: delay.percentile(99) / 1e6, rssMb: mb(memory.rss), heapUsedMb: mb(memory.heapUsed), cpuMs: (cpu.user + cpu.system) / 1000, fullGcs, longestGcMs }
  if (mock?.storeFile !== undefined) out.journalBytes = statSync(`${mock.storeFile}.journal`, { throwIfNoEntry: false })?.size ?? 0
  if (compactions.length > 0) out.compactionsMs = compactions.map(Math.round)
  return out
}

process.on('message', (message: Request) => {
  const run = async (): Promise<unknown> => {
    switch (message.op) {
      case 'reset': delay.reset(); cpuAtReset = process.cpuUsage(); fullGcs = 0; longestGcMs = 0; return null
      case 'collect': gc(); return null
      case 'stats': return stats()
      case 'targets': return await targets()
      case 'posted': return await posted()
      case 'compact': return compact()
    }
  }
  run().then(value => reply(message.id, value), (err: Error) => reply(message.id, { error: err.stack }))
})
process.send!({ ready: `http://127.0.0.1:${port}` })
