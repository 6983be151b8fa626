/**
 * Crash safety: the CLI on a file store under concurrent creates and cancels, killed with
 * SIGKILL at a random moment, restarted, checked. What was answered OK must be there
 * after every restart; numbers stay unique and keep increasing. `npm run soak` runs
 * SOAK_CYCLES=20 (or more); CI runs a few. SOAK_SEED replays a run.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { storeProblem } from '../../src/store/validate.js'
import { ACCOUNT, budget, type CliProcess, createBody, envelopeProblem, FA, killCli, loginOver, postOver, random, seedFrom, startCli } from '../helper.js'

const CYCLES = budget('SOAK_CYCLES', 3)
const WORKERS = budget('SOAK_WORKERS', 6)
// The longest stretch of load before a kill; long enough in the soak for the journal to be compacted.
const LOAD_MS = budget('SOAK_LOAD_MS', 500)
const seed = seedFrom('SOAK_SEED')

interface Known { number: string, cancelAcked: boolean, cancelTried: boolean, cycle: number }

interface Figures { cycles: number, createsAcked: number, cancelsAcked: number, inFlightAtKill: number, snapshotRewrites: number, highestNumber: number, ms: number }

/** Every event of the account, by id, with its number and state. */
async function listed (url: string, token: string): Promise<Map<string, { number: string, life_cycle_state: string }>> {
  const answer = await postOver(url, FA + 'list', { token, accounts_receivable_identifier: ACCOUNT, fields_set: 'id,number,life_cycle_state' })
  if (answer.status.code !== 'OK') throw new Error(`list failed: ${JSON.stringify(answer.status)}`)
  return new Map((answer.data as Array<{ id: string, number: string, life_cycle_state: string }>).map(e => [e.id, e]))
}

t.test(`SIGKILL at random moments under concurrent creates and cancels loses nothing acknowledged (${CYCLES} cycles)`, async t => {
  const dir = mkdtempSync(join(tmpdir(), 'crmcom-crash-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'db.json')
  const rnd = random(seed)
  const known = new Map<string, Known>()
  const figures: Figures = { cycles: 0, createsAcked: 0, cancelsAcked: 0, inFlightAtKill: 0, snapshotRewrites: 0, highestNumber: 0, ms: Date.now() }
  let cli: CliProcess | undefined
  t.teardown(async () => { if (cli !== undefined) await killCli(cli) })

  /** Checks the restarted server against what was acknowledged; returns the highest number there. */
  const verify = async (url: string, token: string, cycle: number): Promise<number> => {
    const events = await listed(url, token)
    const numbers = [...events.values()].map(e => e.number)
    t.equal(new Set(numbers).size, numbers.length, `cycle ${cycle}: event numbers are unique`)
    let lost = 0; let wrong = 0
    for (const [id, k] of known) {
      const e = events.get(id)
      if (e === undefined) { lost++; continue }
      if (e.number !== k.number) wrong++
      // An acknowledged cancel must have stuck; a create may only be cancelled if someone tried.
      if (k.cancelAcked ? e.life_cycle_state !== 'CANCELLED' : e.life_cycle_state === 'CANCELLED' && !k.cancelTried) wrong++
    }
    t.equal(lost, 0, `cycle ${cycle}: every create answered OK is present (${known.size})`)
    t.equal(wrong, 0, `cycle ${cycle}: numbers and states are as acknowledged`)
    return Math.max(0, ...numbers.map(Number))
  }

  for (let cycle = 1; cycle <= CYCLES; cycle++) {
    cli = await startCli(['--db', file])
    const snapshotBefore = statSync(file).mtimeMs
    const { url } = cli
    const token = await loginOver(url)
    const before = await verify(url, token, cycle)
    const postedIds = (): string[] => [...known].filter(([, k]) => !k.cancelTried).map(([id]) => id)
    let firstNew = Infinity
    let running = true
    let inFlight = 0
    const worker = async (): Promise<void> => {
      while (running) {
        inFlight++
        try {
          const ids = postedIds()
          if (ids.length > 0 && rnd() < 0.3) {
            const id = ids[Math.floor(rnd() * ids.length)]!
            known.get(id)!.cancelTried = true
            const answer = await postOver(url, FA + 'cancel', { token, customer_event_identifier: { id }, fields_set: 'id,life_cycle_state' })
            if (answer.status.code === 'OK') { known.get(id)!.cancelAcked = true; figures.cancelsAcked++ } else t.fail(`cancel refused: ${JSON.stringify(answer.status)}`)
          } else {
            const answer = await postOver(url, FA + 'create', createBody(token, { fields_set: 'id,number' }))
            if (answer.status.code !== 'OK') { t.fail(`create refused: ${envelopeProblem(JSON.stringify(answer)) ?? JSON.stringify(answer.status)}`); continue }
            const { id, number } = answer.data as { id: string, number: string }
            known.set(id, { number, cancelAcked: false, cancelTried: false, cycle })
            firstNew = Math.min(firstNew, Number(number))
            figures.createsAcked++
          }
        } catch {
          // The connection died with the server: the outcome is unknown, and allowed either way.
          if (running) t.fail('a request failed while the server was up')
          return
        } finally { inFlight-- }
      }
    }
    const workers = Array.from({ length: WORKERS }, async () => await worker())
    // A random moment: early (mid start of load) to late (journal well grown).
    await new Promise(resolve => setTimeout(resolve, 30 + Math.floor(rnd() * LOAD_MS)))
    figures.inFlightAtKill += inFlight
    running = false
    await killCli(cli, 'SIGKILL')
    await Promise.all(workers)
    // The journal was folded into a new snapshot during the cycle (or the kill hit that).
    if (statSync(file).mtimeMs !== snapshotBefore) figures.snapshotRewrites++
    if (firstNew !== Infinity) t.ok(firstNew > before, `cycle ${cycle}: new numbers continue after ${before} (first ${firstNew})`)
    figures.cycles++
  }

  cli = await startCli(['--db', file])
  figures.highestNumber = await verify(cli.url, await loginOver(cli.url), CYCLES + 1)
  await killCli(cli, 'SIGTERM')
  // The snapshot itself is always a whole, valid store (the journal only adds to it).
  t.equal(storeProblem(JSON.parse(readFileSync(file, 'utf8')), file), undefined, 'the snapshot file is a valid store')
  figures.ms = Date.now() - figures.ms
  t.comment(`soak figures: ${JSON.stringify(figures)}`)
  t.ok(figures.createsAcked > 0, 'the load created events')
})
