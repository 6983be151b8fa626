/**
 * `npm run bench [-- --quick]`: the fixed procedure of issue 5, in one run so the ratios
 * hold on a noisy machine. Start-up first; then the bare Fastify limit; then the mock at
 * each size and store (show, list, login, create, cancel: each warmed up, then measured
 * with the server's event-loop delay and memory); then the bare limit again (full runs),
 * so drift over the run shows. Prints the ratio table; writes bench/results/<time>.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, freemem, totalmem, platform, release, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadFixtures } from 'crmcom-mock'
import { ServerChild } from './child.js'
import { combine, load, warm, type LoadOptions, type LoadResult, type Shape } from './load.js'
import { OPS, shapeOf, type Op } from './phases.js'
import { evaluate, printTable, type Phase, type Results, type StoreKind } from './report.js'
import type { Stats, Targets } from './server-child.js'
import { measureStartup } from './startup.js'

const quick = process.argv.includes('--quick')
// --sizes=1000,5000 and --stores=memory narrow a run while working on something; the table is for full runs.
const option = (name: string): string[] | undefined => process.argv.find(a => a.startsWith(`--${name}=`))?.split('=')[1]!.split(',')
// A quick run is a smoke run (under 2 minutes): every path, short phases, 20,000 events as the big store.
const settings = {
  connections: 50,
  warmupS: quick ? 0.5 : 3,
  durationS: quick ? 1 : 10,
  sizes: option('sizes')?.map(Number) ?? (quick ? [1000, 20_000] : [1000, 100_000]),
  stores: (option('stores') ?? ['memory', 'file']) as StoreKind[],
  startupRepeats: quick ? 1 : 5,
  // Full runs alternate bare and mock this many times within each phase (see paired()).
  rounds: quick ? 1 : 5
}
const log = (line: string): void => { process.stderr.write(`${line}\n`) }

async function measure (child: ServerChild, op: Op, targets: Targets, extra: Partial<LoadOptions> = {}, shape: Shape = shapeOf(op, targets), label = ''): Promise<Phase> {
  const result: LoadResult = await load(child.url, shape, {
    connections: settings.connections, warmupS: settings.warmupS, durationS: settings.durationS, ...extra,
    between: async () => { await extra.between?.(); await child.ask('reset') }
  })
  const stats = await child.ask<Stats>('stats')
  log(`  ${(label === '' ? op : `${op} (${label})`).padEnd(13)} ${String(result.rps).padStart(7)} req/s  cpu ${Math.round(stats.cpuMs * 1000 / result.requests)} µs/req  p50 ${result.p50Ms} ms  p99 ${result.p99Ms} ms  loop max ${stats.maxDelayMs.toFixed(1)} ms  rss ${stats.rssMb} MB${result.non2xx + result.errors > 0 ? `  FAILED ${result.non2xx} non-2xx, ${result.errors} errors` : ''}`)
  return { op, ...result, ...stats }
}

/** Server-side figures of several runs as one: CPU adds up, the worst delay and the largest memory are kept. */
function combineStats (all: readonly Stats[]): Stats {
  const out: Stats = {
    maxDelayMs: Math.max(...all.map(s => s.maxDelayMs)),
    p99DelayMs: Math.max(...all.map(s => s.p99DelayMs)),
    rssMb: Math.max(...all.map(s => s.rssMb)),
    heapUsedMb: Math.max(...all.map(s => s.heapUsedMb)),
    cpuMs: all.reduce((n, s) => n + s.cpuMs, 0)
  }
  const last = all[all.length - 1]!
  if (last.journalBytes !== undefined) out.journalBytes = last.journalBytes
  return out
}

/**
 * One phase of the mock paired with the bare limit, for full runs: both warmed up, then
 * `rounds` alternations of a bare run and a mock run, each durationS/rounds long (a mock
 * cancel run: its share of `amounts`). Load from elsewhere on the machine comes and goes
 * within seconds, so alternating lets it hit both figures of the ratio alike.
 */
async function paired (child: ServerChild, bare: ServerChild, op: Op, mockShape: Shape, bareShape: Shape, cancel?: { warm: number, measured: number }): Promise<Phase> {
  const slice = settings.durationS / settings.rounds
  await warm(bare.url, bareShape, settings.connections, { seconds: settings.warmupS })
  await warm(child.url, mockShape, settings.connections, cancel === undefined ? { seconds: settings.warmupS } : { amount: cancel.warm })
  const runs: Array<{ bare: LoadResult, bareStats: Stats, mock: LoadResult, mockStats: Stats }> = []
  for (let i = 0; i < settings.rounds; i++) {
    const one = async (server: ServerChild, shape: Shape, amount?: number): Promise<[LoadResult, Stats]> => {
      await server.ask('reset')
      const result = await load(server.url, shape, { connections: settings.connections, warmupS: 0, durationS: slice, ...(amount === undefined ? {} : { amount }) })
      return [result, await server.ask<Stats>('stats')]
    }
    const [b, bs] = await one(bare, bareShape)
    const [m, ms] = await one(child, mockShape, cancel === undefined ? undefined : Math.max(1, Math.floor(cancel.measured / settings.rounds)))
    runs.push({ bare: b, bareStats: bs, mock: m, mockStats: ms })
  }
  const limit = { ...combine(runs.map(r => r.bare)), ...combineStats(runs.map(r => r.bareStats)) }
  const phase: Phase = { op, ...combine(runs.map(r => r.mock)), ...combineStats(runs.map(r => r.mockStats)), bare: limit }
  log(`  ${op.padEnd(13)} ${String(phase.rps).padStart(7)} req/s (bare ${limit.rps})  cpu ${Math.round(phase.cpuMs * 1000 / phase.requests)} µs/req (bare ${Math.round(limit.cpuMs * 1000 / limit.requests)})  p50 ${phase.p50Ms} ms  p99 ${phase.p99Ms} ms  loop max ${phase.maxDelayMs.toFixed(1)} ms (bare ${limit.maxDelayMs.toFixed(1)})  rss ${phase.rssMb} MB${phase.non2xx + phase.errors > 0 ? `  FAILED ${phase.non2xx} non-2xx, ${phase.errors} errors` : ''}`)
  return phase
}

async function bareRun (bare: ServerChild, targets: Targets): Promise<Record<Op, Phase>> {
  log('bare Fastify limit')
  const phases = {} as Record<Op, Phase>
  for (const op of OPS) phases[op] = await measure(bare, op, targets)
  return phases
}

async function mockRun (store: StoreKind, size: number, fixtureEvents: number, dir: string, bare: ServerChild | undefined): Promise<Results['configs'][number]> {
  const child = await ServerChild.start({ kind: 'mock', store: store === 'memory' ? 'memory' : { file: join(dir, `db-${size}.json`) }, size: Math.max(0, size - fixtureEvents) })
  try {
    const targets = await child.ask<Targets>('targets')
    log(`mock, ${store} store, ${targets.events} events (ready in ${Math.round(child.readyMs)} ms)`)
    const phases = {} as Record<Op, Phase>
    for (const op of ['show', 'list', 'login', 'create'] as const) {
      phases[op] = bare === undefined ? await measure(child, op, targets) : await paired(child, bare, op, shapeOf(op, targets), shapeOf(op, targets))
    }
    // Each cancel needs its own POSTED event: use those there are, at most as many as create managed.
    const posted = await child.ask<{ ids: string[], events: number }>('posted')
    const budget = Math.min(posted.ids.length, Math.round(phases.create.rps * (settings.warmupS + settings.durationS)))
    const warmCount = Math.floor(budget * settings.warmupS / (settings.warmupS + settings.durationS))
    const cancelShape = shapeOf('cancel', targets, posted.ids)
    if (bare === undefined) {
      // The warm-up and the measured run share one generator, so no event is cancelled twice.
      phases.cancel = await measure(child, 'cancel', targets, { warmupS: 0, amount: Math.max(1, budget - warmCount), between: async () => {
        await warm(child.url, cancelShape, settings.connections, { amount: warmCount })
      } }, cancelShape)
    } else {
      phases.cancel = await paired(child, bare, 'cancel', cancelShape, shapeOf('cancel', targets), { warm: warmCount, measured: budget - warmCount })
    }
    const after = await child.ask<{ ids: string[], events: number }>('posted')
    return { store, size, events: targets.events, eventsAfter: after.events, readyMs: Math.round(child.readyMs), phases }
  } finally { await child.stop() }
}

const started = Date.now()
const dir = mkdtempSync(join(tmpdir(), 'crmcom-mock-bench-'))
try {
  log(`crmcom-mock benchmark${quick ? ' (quick)' : ''}: autocannon -c ${settings.connections}, warm-up ${settings.warmupS} s, ${settings.durationS} s a phase`)
  log('start-up')
  const startup = await measureStartup(settings.startupRepeats)
  log(`  embedded ${startup.embeddedMs} ms (bare ${startup.bareMs} ms), again ${startup.embeddedAgainMs} ms (bare ${startup.bareAgainMs} ms); CLI ${startup.cliMs} ms (bare ${startup.bareCliMs} ms)`)
  const fixtureEvents = loadFixtures().customer_events.length
  // The bare app answers bodies taken from the mock, so the first mock child provides them.
  const probe = await ServerChild.start({ kind: 'mock', store: 'memory', size: Math.max(0, settings.sizes[0]! - fixtureEvents) })
  const targets = await probe.ask<Targets>('targets')
  await probe.stop()
  const bareChild = await ServerChild.start({ kind: 'bare', bodies: targets.bodies })
  const configs: Results['configs'] = []
  const bare: Results['bare'] = []
  try {
    bare.push(await bareRun(bareChild, targets))
    // Full runs pair every phase with a bare one; a quick run makes do with the one bare run.
    for (const size of settings.sizes) {
      for (const store of settings.stores) configs.push(await mockRun(store, size, fixtureEvents, dir, quick ? undefined : bareChild))
    }
  } finally { await bareChild.stop() }
  const cpu = cpus()
  const results: Results = {
    date: new Date().toISOString(),
    command: `npm run bench${quick ? ' -- --quick' : ''}`,
    machine: { cpus: cpu.length, cpu: cpu[0]?.model ?? 'unknown', memoryGb: Math.round(totalmem() / 2 ** 30), freeMemoryGb: Math.round(freemem() / 2 ** 30), node: process.version, os: `${platform()} ${release()}` },
    settings,
    seconds: Math.round((Date.now() - started) / 1000),
    startup,
    bodies: { showBytes: Buffer.byteLength(targets.bodies.show), listBytes: Buffer.byteLength(targets.bodies.list) },
    bare,
    configs,
    targets: []
  }
  results.targets = evaluate(results)
  printTable(results)
  const out = fileURLToPath(new URL('../bench/results/', import.meta.url))
  mkdirSync(out, { recursive: true })
  const file = join(out, `${results.date.replace(/[:.]/g, '-')}${quick ? '-quick' : ''}.json`)
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n')
  log(`raw figures: ${file} (${results.seconds} s)`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
