/**
 * A store owns its file: two servers on one store file, in one process or two, cannot both
 * accept writes. The second is refused, naming the file and the holder's pid; a holder that
 * was SIGKILLed leaves no lasting lock; stop() and SIGTERM release it.
 */
import { existsSync, mkdirSync, utimesSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { createMockServer } from '../../src/index.js'
import { StoreLockedError } from '../../src/store/file-lock.js'
import { killCli, loginOver, postOver, createBody, FA, runCli, startCli } from '../helper.js'

t.test('two servers on one store file in one process: the second is refused, naming the file and the holder', async t => {
  const file = join(t.testdir(), 'db.json')
  const first = await createMockServer({ store: { file } })
  const error = await createMockServer({ store: { file } }).then(() => undefined, (err: Error) => err)
  t.ok(error instanceof StoreLockedError, 'a StoreLockedError')
  t.match(error?.message, file, 'it names the file')
  t.match(error?.message, `pid ${process.pid}`, 'and the holder')
  await first.stop()
  const again = await createMockServer({ store: { file } })
  t.pass('stop() released the file: a new server opens it')
  await again.stop()
  t.notOk(existsSync(`${file}.lock`), 'and nothing is left behind')
})

t.test('two servers on one store file in two processes: the second CLI exits non-zero with one line naming the file and the holder pid', async t => {
  const file = join(t.testdir(), 'db.json')
  const holder = await startCli(['--db', file])
  t.teardown(async () => { await killCli(holder) })
  const second = await runCli(['--port', '0', '--db', file], { timeoutMs: 30_000 })
  t.not(second.code, 0, 'a failing exit code')
  const line = second.stderr.trim()
  t.equal(line.split('\n').length, 1, 'one line')
  t.match(line, file, 'naming the file')
  t.match(line, `pid ${holder.child.pid!}`, 'and the holder\'s pid')
  const token = await loginOver(holder.url)
  t.equal((await postOver(holder.url, FA + 'create', createBody(token))).status.code, 'OK', 'the holder still writes')
})

t.test('a SIGKILLed holder leaves no lasting lock: the next start takes over; SIGTERM releases the lock', async t => {
  const file = join(t.testdir(), 'db.json')
  const killed = await startCli(['--db', file])
  await killCli(killed, 'SIGKILL')
  t.ok(existsSync(`${file}.lock`), 'the dead holder\'s lock is still there')
  const next = await startCli(['--db', file])
  t.pass('the next start took it over at once')
  const token = await loginOver(next.url)
  t.equal((await postOver(next.url, FA + 'create', createBody(token))).status.code, 'OK')
  await killCli(next, 'SIGTERM')
  t.notOk(existsSync(`${file}.lock`), 'SIGTERM released the lock')
})

t.test('a lock left without its pid (its holder died while taking or letting go of it) is taken over', async t => {
  const file = join(t.testdir(), 'db.json')
  mkdirSync(`${file}.lock`)
  const past = new Date(Date.now() - 5_000)
  utimesSync(`${file}.lock`, past, past)
  const server = await createMockServer({ store: { file } })
  t.pass('started')
  await server.stop()
  t.notOk(existsSync(`${file}.lock`), 'and released it on stop')
})
