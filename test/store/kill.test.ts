import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import t, { type Test } from 'tap'
import { WriteAheadLog } from '../../src/store/write-ahead-log.js'

const WRITER = fileURLToPath(new URL('./crash-writer.js', import.meta.url))

/** Runs the writer until it has acknowledged `writes` writes, then kills it with SIGKILL; returns what it acknowledged. */
async function writeThenKill (t: Test, file: string, mode: string, writes: number): Promise<{ created: string[], cancelled: string[] }> {
  const child = spawn(process.execPath, [...process.execArgv, WRITER, file, mode], { stdio: ['ignore', 'pipe', 'inherit'] })
  const created: string[] = []
  const cancelled: string[] = []
  const exited = new Promise<NodeJS.Signals | null>(resolve => child.on('exit', (_code, signal) => resolve(signal)))
  for await (const line of createInterface({ input: child.stdout })) {
    const [kind, id] = line.split(' ')
    if (kind === 'create') created.push(id!)
    if (kind === 'cancel') cancelled.push(id!)
    if (created.length + cancelled.length >= writes && child.exitCode === null && !child.killed) child.kill('SIGKILL')
  }
  t.equal(await exited, 'SIGKILL', `the ${mode} writer was killed, not finished`)
  return { created, cancelled }
}

t.test('kill -9: every acknowledged create and cancel is in the files after the restart, over several crashes', async t => {
  const file = join(t.testdir(), 'db.json')
  const created = new Set<string>()
  const cancelled = new Set<string>()
  // Kill after a varying number of writes, so the kill lands at different points of appends and compactions.
  const cycles: Array<[string, number]> = [['server', 300], ['store', 1500], ['store', 3100]]
  for (const [mode, writes] of cycles) {
    const acknowledged = await writeThenKill(t, file, mode, writes)
    acknowledged.created.forEach(id => created.add(id))
    acknowledged.cancelled.forEach(id => cancelled.add(id))
    const adapter = new WriteAheadLog(file)
    const dataset = (await adapter.read())!
    const byId = new Map(dataset.customer_events.map(e => [e.id, e]))
    t.equal([...created].filter(id => !byId.has(id)).length, 0, `${mode}: every acknowledged create of ${created.size} is stored`)
    t.equal([...cancelled].filter(id => byId.get(id)?.life_cycle_state !== 'CANCELLED').length, 0, `${mode}: every acknowledged cancel of ${cancelled.size} is stored`)
    const numbers = dataset.customer_events.map(e => e.number)
    t.equal(new Set(numbers).size, numbers.length, 'no number is stored twice')
  }
})
