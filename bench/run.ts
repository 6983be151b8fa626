/**
 * `npm run bench [-- --quick]`: the fixed procedure, in one run so the ratios
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
import { DELAY_RESOLUTION_MS, ServerChild } from './child.js'
import { combine, load, warm, type LoadOptions, type LoadResult, type Shape } from './load.js'
import { OPS, shapeOf, type Op } from './phases.js'
import { cpuUs, evaluate, printTable, round, roundSpread, type Compacting, type Phase, type Results, type Round, type StoreKind } from './report.js'
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
  rounds: quick ? 1 : 5,
  // The scale targets compare two stores doing the same work, a ratio near 1 against a 0.9x
  // threshold, so they alternate twice as many rounds of the same length (20 s a side).
  scaleRounds: quick ? 1 : 10,
  delayResolutionMs: DELAY_RESOLUTION_MS
}
const log = (line: string): void => { process.stderr.write(`${line}\n`) }

async function measure (child: ServerChild, op: Op, targets: Targets, extra: Partial<LoadOptions> = {}, shape: Shape = shapeOf(op, targets)): Promise<Phase> {
  await child.ask('collect')
  const result: LoadResult = await load(child.url, shape, {
    connections: settings.connections, warmupS: settings.warmupS, durationS: settings.durationS, ...extra,
    between: async () => { await extra.between?.(); await child.ask('reset') }
  })
  const stats = await child.ask<Stats>('stats')
  log(`  ${op.padEnd(13)} ${String(result.rps).padStart(7)} req/s  cpu ${cpuUs({ ...result, ...stats })} µs/req  p50 ${result.p50Ms} ms  p99 ${result.p99Ms} ms  loop max ${stats.maxDelayMs.toFixed(1)} ms  rss ${stats.rssMb} MB${result.non2xx + result.errors > 0 ? `  FAILED ${result.non2xx} non-2xx, ${result.errors} errors` : ''}`)
  return { op, ...result, ...stats }
}

/** Server-side figures of several runs as one: CPU adds up, the worst delay and the largest memory are kept. */
function combineStats (all: readonly Stats[]): Stats {
  const out: Stats = {
    maxDelayMs: Math.max(...all.map(s => s.maxDelayMs)),
    p99DelayMs: Math.max(...all.map(s => s.p99DelayMs)),
    rssMb: Math.max(...all.map(s => s.rssMb)),
    heapUsedMb: Math.max(...all.map(s => s.heapUsedMb)),
    cpuMs: all.reduce((n, s) => n + s.cpuMs, 0),
    fullGcs: all.reduce((n, s) => n + (s.fullGcs ?? 0), 0),
    longestGcMs: Math.max(...all.map(s => s.longestGcMs ?? 0))
  }
  const last = all[all.length - 1]!
  if (last.journalBytes !== undefined) out.journalBytes = last.journalBytes
  if (last.compactionsMs !== undefined) out.compactionsMs = last.compactionsMs
  return out
}

/**
 * One phase of the mock paired with the bare limit, for full runs: both warmed up, then
 * `rounds` alternations of a bare run and a mock run, each durationS/rounds long (a mock
 * cancel run: its share of `cancel.measured`); `beforeMock` runs before each mock run. Load from elsewhere on the machine comes and goes
 * within seconds, so alternating lets it hit both figures of the ratio alike.
 */
async function paired (child: ServerChild, bare: ServerChild, op: Op, mockShape: Shape, bareShape: Shape, cancel?: { warm: number, measured: number }, beforeMock?: () => Promise<void>): Promise<Phase> {
  const { a: limit, b: measured } = await alternate(bare, bareShape, child, mockShape, { bCount: cancel, beforeB: beforeMock })
  const phase: Phase = { op, ...measured, bare: limit }
  log(`  ${op.padEnd(13)} ${String(phase.rps).padStart(7)} req/s (bare ${limit.rps})${roundSpread(phase.rounds)}  cpu ${cpuUs(phase)} µs/req (bare ${cpuUs(limit)})  p50 ${phase.p50Ms} ms  p99 ${phase.p99Ms} ms  loop max ${phase.maxDelayMs.toFixed(1)} ms (its rounds ${phase.rounds?.map(r => r.bMaxDelayMs).join(', ') ?? '–'}; bare ${limit.maxDelayMs.toFixed(1)})  full GCs ${phase.fullGcs ?? 0}, longest GC pause ${round(phase.longestGcMs ?? 0, 1)} ms  rss ${phase.rssMb} MB${phase.non2xx + phase.errors > 0 ? `  FAILED ${phase.non2xx} non-2xx, ${phase.errors} errors` : ''}`)
  return phase
}

/**
 * Two servers measured alternately: both collected and warmed up, then `rounds` alternations
 * of a run on `a` and a run on `b`, each durationS/settings.rounds long (`b` may instead run its share
 * of a number of requests, for cancel, whose events can each be used once).
 *
 * The heap is collected before the warm-up, never before a measured run: after a forced
 * collection V8 sets the next one's threshold just above the live heap, so on a big store a
 * full collection followed within half a second, in every round. Runs until 29 November
 * 05:30 collected before each round, and so measured that collection in every round of a
 * phase, where a server under a steady load runs one every 5 to 10 seconds (see docs/performance.md).
 */
async function alternate (a: ServerChild, shapeA: Shape, b: ServerChild, shapeB: Shape, { bCount, beforeB, rounds = settings.rounds }: { bCount?: { warm: number, measured: number } | undefined, beforeB?: (() => Promise<void>) | undefined, rounds?: number } = {}): Promise<{ a: LoadResult & Stats, b: LoadResult & Stats & { rounds: Round[] } }> {
  const slice = settings.durationS / settings.rounds
  await a.ask('collect')
  await warm(a.url, shapeA, settings.connections, { seconds: settings.warmupS })
  await b.ask('collect')
  await warm(b.url, shapeB, settings.connections, bCount === undefined ? { seconds: settings.warmupS } : { amount: bCount.warm })
  const runs: Array<{ a: [LoadResult, Stats], b: [LoadResult, Stats] }> = []
  const one = async (server: ServerChild, shape: Shape, amount?: number, before?: () => Promise<void>): Promise<[LoadResult, Stats]> => {
    await server.ask('reset')
    await before?.()
    const result = await load(server.url, shape, { connections: settings.connections, warmupS: 0, durationS: slice, ...(amount === undefined ? {} : { amount }) })
    return [result, await server.ask<Stats>('stats')]
  }
  for (let i = 0; i < rounds; i++) {
    const ra = await one(a, shapeA)
    const rb = await one(b, shapeB, bCount === undefined ? undefined : Math.max(1, Math.floor(bCount.measured / rounds)), beforeB)
    runs.push({ a: ra, b: rb })
  }
  return {
    a: { ...combine(runs.map(r => r.a[0])), ...combineStats(runs.map(r => r.a[1])) },
    b: { ...combine(runs.map(r => r.b[0])), ...combineStats(runs.map(r => r.b[1])), rounds: runs.map(r => ({ a: r.a[0].rps, b: r.b[0].rps, aMaxDelayMs: round(r.a[1].maxDelayMs, 1), bMaxDelayMs: round(r.b[1].maxDelayMs, 1), aFullGcs: r.a[1].fullGcs ?? 0, bFullGcs: r.b[1].fullGcs ?? 0 })) }
  }
}

/**
 * The scale targets (show and list at the big size against the small), measured like the
 * ratios to the bare limit: a fresh store of each size served side by side, alternating,
 * so the machine's load weighs on both alike.
 */
async function scaleRun (store: StoreKind, fixtureEvents: number, dir: string): Promise<NonNullable<Results['scale']>> {
  const [small, big] = [Math.min(...settings.sizes), Math.max(...settings.sizes)]
  const start = async (size: number): Promise<ServerChild> => await ServerChild.start({ kind: 'mock', store: store === 'memory' ? 'memory' : { file: join(dir, `scale-${size}.json`) }, size: Math.max(0, size - fixtureEvents) })
  const [a, b] = [await start(small), await start(big)]
  try {
    const [ta, tb] = [await a.ask<Targets>('targets'), await b.ask<Targets>('targets')]
    log(`scale, ${store} store: ${ta.events} against ${tb.events} events, alternating`)
    const out: NonNullable<Results['scale']> = []
    for (const op of ['show', 'list'] as const) {
      const r = await alternate(a, shapeOf(op, ta), b, shapeOf(op, tb), { rounds: settings.scaleRounds })
      log(`  ${op.padEnd(13)} ${r.b.rps} req/s at ${big} against ${r.a.rps} at ${small}  cpu ${cpuUs(r.b)} against ${cpuUs(r.a)} µs/req  full GCs ${r.b.fullGcs ?? 0} against ${r.a.fullGcs ?? 0}  rss ${r.b.rssMb} against ${r.a.rssMb} MB`)
      out.push({ store, op, small: { size: small, ...r.a }, big: { size: big, ...r.b } })
    }
    return out
  } finally { await a.stop(); await b.stop() }
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
    // The store compacts by itself when its journal outgrows the snapshot, which a phase of
    // creates at the big size does not reach: creates are measured once more while the store
    // compacts, here on the store create and cancel have grown (shown, not a target: the
    // issue's size is the big size), and below on a fresh store of the big size (the target).
    const compacting: Compacting[] = []
    const big = store === 'file' && size === Math.max(...settings.sizes)
    if (big) {
      const { events } = await child.ask<{ ids: string[], events: number }>('posted')
      log(`  while the store compacts, at ${events} events:`)
      compacting.push({ events, target: false, phase: await compactingPhase(child, targets, bare) })
    }
    const after = await child.ask<{ ids: string[], events: number }>('posted')
    await child.stop()
    if (big) compacting.unshift(await freshCompaction(size, fixtureEvents, dir, bare))
    return { store, size, events: targets.events, eventsAfter: after.events, readyMs: Math.round(child.readyMs), phases, ...(compacting.length === 0 ? {} : { compacting }) }
  } finally { await child.stop() }
}

/**
 * Creates measured while the store compacts: a compaction starts at the beginning of each
 * measured run (unless one still runs), so the stall and the throughput while one runs show
 * (a worst case: the store compacts about once per snapshot's worth of journal, so most
 * creates never overlap one).
 */
async function compactingPhase (child: ServerChild, targets: Targets, bare: ServerChild | undefined): Promise<Phase> {
  const compact = async (): Promise<void> => { await child.ask('compact') }
  return bare === undefined
    ? await measure(child, 'create', targets, { between: compact })
    : await paired(child, bare, 'create', shapeOf('create', targets), shapeOf('create', targets), undefined, compact)
}

/** The compaction target: creates while a fresh file store of `size` events compacts. */
async function freshCompaction (size: number, fixtureEvents: number, dir: string, bare: ServerChild | undefined): Promise<Compacting> {
  const child = await ServerChild.start({ kind: 'mock', store: { file: join(dir, `compacting-${size}.json`) }, size: Math.max(0, size - fixtureEvents) })
  try {
    const targets = await child.ask<Targets>('targets')
    log(`mock, file store, ${targets.events} events, while the store compacts (ready in ${Math.round(child.readyMs)} ms)`)
    return { events: targets.events, target: true, phase: await compactingPhase(child, targets, bare) }
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
  const scale: NonNullable<Results['scale']> = []
  if (!quick && settings.sizes.length > 1) for (const store of settings.stores) scale.push(...await scaleRun(store, fixtureEvents, dir))
  const cpu = cpus()
  const results: Results = {
    date: new Date().toISOString(),
    // Every argument, so a narrowed run (--sizes, --stores) cannot pass for a full one.
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    machine: { cpus: cpu.length, cpu: cpu[0]?.model ?? 'unknown', memoryGb: Math.round(totalmem() / 2 ** 30), freeMemoryGb: Math.round(freemem() / 2 ** 30), node: process.version, os: `${platform()} ${release()}` },
    settings,
    seconds: Math.round((Date.now() - started) / 1000),
    startup,
    bodies: { showBytes: Buffer.byteLength(targets.bodies.show), listBytes: Buffer.byteLength(targets.bodies.list) },
    bare,
    configs,
    ...(scale.length > 0 ? { scale } : {}),
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
