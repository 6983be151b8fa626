/**
 * The store: lowdb over a JSON file, created from the fixtures on first start and
 * reused afterwards; a create or cancel is on disk before its answer is sent; --in-memory
 * keeps nothing on disk; --size N adds N seeded events; a file that is not a store stops
 * start-up with one line naming it and is left as it was. Through createMockServer and
 * through the real CLI (dist/cli.js, built by `npm test`).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { createMockServer, loadFixtures, type Dataset, type MockServer } from '../../src/index.js'
import { BASE, call, CLI, FA, VENDOR_CREATE } from '../helper.js'
import { CODES } from '../../src/contract/errors.js'


/** The environment without PORT and HOST, which would override the CLI's defaults. */
function cliEnv (): NodeJS.ProcessEnv {
  const { PORT: _p, HOST: _h, ...env } = process.env
  return env
}

const fileServer = async (t: Test, file: string, options: Parameters<typeof createMockServer>[0] = {}): Promise<MockServer> => {
  const server = await createMockServer({ ...options, store: { file } })
  t.teardown(async () => { await server.stop() })
  return server
}

/** The store's own files in a directory: its lock (which names the live server) is not store data. */
const storeFiles = (dir: string): string[] => readdirSync(dir).filter(name => !name.endsWith('.lock'))

/** A copy of a store directory's files as they are on disk now, as a crash at this instant would leave them. */
function copyAsIfCrashed (dir: string, to: string): void {
  mkdirSync(to, { recursive: true })
  for (const name of storeFiles(dir)) cpSync(join(dir, name), join(to, name))
}

t.test('store file: created from the fixtures on first start (missing directories too)', async t => {
  const dir = t.testdir()
  const file = join(dir, 'nested', 'deeper', 'db.json')
  const server = await fileServer(t, file)
  t.equal(server.created, true, 'created')
  t.equal(server.storeFile, file, 'the file given')
  t.ok(existsSync(file), 'the file exists at once, before any write')
  t.same(JSON.parse(readFileSync(file, 'utf8')), loadFixtures(), 'it holds exactly the fixtures')
})

t.test('store file: reused afterwards: a create and a cancel survive a restart', async t => {
  const file = join(t.testdir(), 'db.json')
  const first = await createMockServer({ store: { file } })
  const token = await first.login()
  const created = await call(first, FA + 'create', { token, ...VENDOR_CREATE, description: 'survives a restart' })
  await call(first, FA + 'cancel', { token, customer_event_identifier: { number: '92' } })
  await first.stop()

  const second = await fileServer(t, file)
  t.equal(second.created, false, 'not created again')
  const events = await second.events()
  t.match(events.find(e => e.id === created.body.data.id), { description: 'survives a restart', life_cycle_state: 'POSTED' }, 'the created event')
  t.equal(events.find(e => e.number === '92')?.life_cycle_state, 'CANCELLED', 'the cancel')
  const again = await call(second, FA + 'create', { token: await second.login(), ...VENDOR_CREATE })
  t.equal(Number(again.body.data.number), Number(created.body.data.number) + 1, 'numbering continues where it stopped')
})

t.test('store file: after a stop the JSON file itself holds every change', async t => {
  const file = join(t.testdir(), 'db.json')
  const server = await createMockServer({ store: { file } })
  const created = await call(server, FA + 'create', { token: await server.login(), ...VENDOR_CREATE })
  await server.stop()
  const stored = JSON.parse(readFileSync(file, 'utf8')) as Dataset
  t.ok(stored.customer_events.some(e => e.id === created.body.data.id), 'the created event is in db.json')
})

t.test('store file: a create or a cancel is on disk by the time its answer arrives', async t => {
  const dir = join(t.testdir(), 'live')
  const server = await fileServer(t, join(dir, 'db.json'))
  const token = await server.login()
  const created = await call(server, FA + 'create', { token, ...VENDOR_CREATE, description: 'durable' })
  t.equal(created.body.status.code, 'OK')
  // Copy the files the instant the answer is in, while the server still runs: a crash now.
  copyAsIfCrashed(dir, join(dir, '..', 'after-create'))
  const cancelled = await call(server, FA + 'cancel', { token, customer_event_identifier: { id: created.body.data.id } })
  t.equal(cancelled.body.status.code, 'OK')
  copyAsIfCrashed(dir, join(dir, '..', 'after-cancel'))

  const afterCreate = await fileServer(t, join(dir, '..', 'after-create', 'db.json'))
  t.equal(afterCreate.created, false)
  t.match((await afterCreate.events()).find(e => e.id === created.body.data.id), { description: 'durable', life_cycle_state: 'POSTED' }, 'the create was on disk')
  const afterCancel = await fileServer(t, join(dir, '..', 'after-cancel', 'db.json'))
  t.equal((await afterCancel.events()).find(e => e.id === created.body.data.id)?.life_cycle_state, 'CANCELLED', 'the cancel was on disk')
})

t.test('store file: a refused call writes nothing', async t => {
  const dir = t.testdir()
  const file = join(dir, 'db.json')
  const server = await fileServer(t, file)
  const token = await server.login()
  const before = Object.fromEntries(storeFiles(dir).map(n => [n, readFileSync(join(dir, n), 'utf8')]))
  await call(server, FA + 'create', { token, ...VENDOR_CREATE, payment_medium_type_identifier: { name: 'DEBIT CARD' } })
  await call(server, FA + 'cancel', { token, customer_event_identifier: { number: '122' } })
  await call(server, FA + 'list', { token, accounts_receivable_identifier: { number: 'ACR0000000069' } })
  t.same(Object.fromEntries(storeFiles(dir).map(n => [n, readFileSync(join(dir, n), 'utf8')])), before, 'the files are as they were')
})

t.test('store file: size N adds N seeded events when the store is created, the same ones every time', async t => {
  const dir = t.testdir()
  const one = await fileServer(t, join(dir, 'one.json'), { size: 25 })
  const two = await fileServer(t, join(dir, 'two.json'), { size: 25 })
  const fixtures = loadFixtures().customer_events
  const a = (await one.snapshot()).customer_events
  t.equal(a.length, fixtures.length + 25, '25 more events than the fixtures')
  t.same(a.slice(0, fixtures.length), fixtures, 'the fixtures first, unchanged')
  const highest = Math.max(...fixtures.map(e => Number(e.number)))
  t.same(a.slice(fixtures.length).map(e => Number(e.number)), Array.from({ length: 25 }, (_, i) => highest + 1 + i), 'numbered after the fixtures')
  t.same((await two.snapshot()).customer_events, a, 'seeded: the same events every time')
  await one.stop()
  const reopened = await fileServer(t, join(dir, 'one.json'), { size: 100 })
  t.equal((await reopened.snapshot()).customer_events.length, fixtures.length + 25, 'only on first start: a reused file is not grown')
})

const NOT_STORES: Array<[string, string]> = [
  ['not JSON', 'this is not JSON\nbut two lines of text {\n'],
  ['not JSON, broken across lines at once', 'a:\n  b: 1\n'],
  ['truncated JSON', '{"format": "crmcom-mock/1", "customer_events": ['],
  ['JSON that is not a store', '{"hello": "world"}\n'],
  ['an empty file', '']
]

t.test('store file: a file that is not a store stops start-up with one line naming the file, and is left untouched', async t => {
  for (const [why, content] of NOT_STORES) {
    t.test(why, async t => {
      const dir = t.testdir()
      const file = join(dir, 'db.json')
      writeFileSync(file, content)
      const error = await createMockServer({ store: { file } }).then(() => undefined, (err: Error) => err)
      t.ok(error, 'start-up fails')
      t.match(error?.message, file, 'the message names the file')
      t.notMatch(error?.message, /\n/, 'the message is one line')
      t.equal(readFileSync(file, 'utf8'), content, 'the file is untouched')
      t.same(readdirSync(dir), ['db.json'], 'nothing else was written beside it')
    })
  }
})

// --- the real CLI ---

interface Cli { child: ChildProcess, url: string, stdout: () => string, stderr: () => string, stop: () => Promise<number | null> }

/** Starts `node dist/cli.js args` in `cwd` and waits for its banner (or its exit). */
async function startCli (t: Test, args: string[], cwd: string): Promise<Cli> {
  t.ok(existsSync(CLI), `${CLI} exists (npm test builds it)`)
  const child = spawn(process.execPath, [CLI, '--port', '0', ...args], { cwd, env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout!.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr!.on('data', (d: Buffer) => { err += d.toString() })
  const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)))
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  const url = await new Promise<string>((resolve, reject) => {
    const check = (): void => {
      const m = /crmcom-mock listening at (\S+)/.exec(out)
      if (m !== null && /^store: /m.test(out)) resolve(m[1]!)
    }
    child.stdout!.on('data', check)
    void exited.then(code => reject(new Error(`the CLI exited (${code}) before listening: ${err}`)))
  })
  return {
    child, url, stdout: () => out, stderr: () => err,
    stop: async () => { child.kill('SIGTERM'); return await exited }
  }
}

/** Runs the CLI expecting it to fail at start-up; resolves to its exit code and output. */
async function failingCli (args: string[], cwd: string): Promise<{ code: number | null, stdout: string, stderr: string }> {
  const child = spawn(process.execPath, [CLI, '--port', '0', ...args], { cwd, env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''; let stderr = ''
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  const code = await new Promise<number | null>(resolve => child.on('exit', resolve))
  return { code, stdout, stderr }
}

async function api (url: string, method: string, body: Record<string, unknown>): Promise<any> {
  const res = await fetch(url + method, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  return await res.json()
}
const loginOver = async (url: string): Promise<string> => (await api(url, 'authentication/token', { username: 'MPAdministrator', password: '1234', organisation: 'CRMDEMO' })).data.token

t.test('CLI: without --db the store is ./data/db.json, created from the fixtures on first start and reused afterwards', async t => {
  const cwd = t.testdir()
  const file = join(cwd, 'data', 'db.json')
  const first = await startCli(t, [], cwd)
  t.match(first.stdout(), `store: ${file} (created from the fixtures)`)
  t.match(first.url, /^http:\/\/127\.0\.0\.1:\d+\/crmapi\/rest\/v2\/$/, 'the base URL')
  const token = await loginOver(first.url)
  const created = await api(first.url, FA + 'create', { token, ...VENDOR_CREATE, description: 'from the CLI' })
  t.equal(created.status.code, 'OK')
  t.equal(await first.stop(), 0, 'SIGTERM: a clean exit')
  t.ok(existsSync(file), 'the file is there')

  const second = await startCli(t, [], cwd)
  t.match(second.stdout(), `store: ${file}\n`, 'reused: not "created" this time')
  t.notMatch(second.stdout(), /created from the fixtures/)
  const listed = await api(second.url, FA + 'list', { token: await loginOver(second.url), accounts_receivable_identifier: { number: 'ACR0000000069' }, fields_set: 'id,description' })
  t.ok(listed.data.some((e: { id: string }) => e.id === created.data.id), 'the event created before the restart')
  t.equal(await second.stop(), 0)
})

t.test('CLI: --db PATH chooses the file; --size N adds N seeded events when it is created', async t => {
  const cwd = t.testdir()
  const file = join(cwd, 'elsewhere', 'mine.json')
  const cli = await startCli(t, ['--db', file, '--size', '40'], cwd)
  t.match(cli.stdout(), `store: ${file} (created from the fixtures)`)
  const listed = await api(cli.url, FA + 'list', { token: await loginOver(cli.url), accounts_receivable_identifier: { number: 'ACR0000000069' }, fields_set: 'number' })
  t.equal(listed.status.code, 'OK', 'it serves the file\'s data')
  t.equal(await cli.stop(), 0)
  const stored = JSON.parse(readFileSync(file, 'utf8')) as Dataset
  const fixtures = loadFixtures().customer_events
  t.equal(stored.customer_events.length, fixtures.length + 40, '40 events more than the fixtures')
  t.same(stored.customer_events.slice(0, fixtures.length), fixtures, 'the fixtures, then the new ones')
  t.notOk(existsSync(join(cwd, 'data')), 'no ./data/db.json')
})

t.test('CLI: --in-memory writes nothing, even after creates and cancels (and --rest-status answers errors with REST statuses)', async t => {
  const cwd = t.testdir()
  const cli = await startCli(t, ['--in-memory', '--db', join(cwd, 'ignored.json'), '--rest-status'], cwd)
  t.match(cli.stdout(), 'store: in memory')
  const token = await loginOver(cli.url)
  const created = await api(cli.url, FA + 'create', { token, ...VENDOR_CREATE })
  t.equal(created.status.code, 'OK')
  t.equal((await api(cli.url, FA + 'cancel', { token, customer_event_identifier: { id: created.data.id } })).status.code, 'OK')
  const again = await fetch(cli.url + FA + 'cancel', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, customer_event_identifier: { id: created.data.id } }) })
  t.equal(again.status, 409, '--rest-status: a refused transition is 409')
  t.equal((await again.json() as any).status.code, CODES.INVALID_LIFE_CYCLE_STATE_TRANSITION)
  const unknown = await fetch(cli.url.replace(BASE, '/nowhere'))
  t.equal(unknown.status, 404, '--rest-status: an unknown path is 404')
  t.equal(await cli.stop(), 0)
  t.same(readdirSync(cwd), [], 'the directory is still empty')
})

t.test('CLI: a store file that is not JSON stops start-up with a one-line error naming the file and leaves it untouched', async t => {
  // Two of the cases above (each start of the CLI costs seconds): text that is not JSON, and JSON that is not a store.
  for (const [why, content] of NOT_STORES.filter(([why]) => why === 'not JSON, broken across lines at once' || why === 'JSON that is not a store')) {
    t.test(why, async t => {
      const cwd = t.testdir()
      const file = join(cwd, 'db.json')
      writeFileSync(file, content)
      const { code, stdout, stderr } = await failingCli(['--db', file], cwd)
      t.not(code, 0, 'a failing exit code')
      t.notMatch(stdout, /listening/, 'it never listens')
      const lines = stderr.trimEnd().split('\n')
      t.equal(lines.length, 1, `one line: ${JSON.stringify(stderr)}`)
      t.match(lines[0], file, 'naming the file')
      t.notMatch(stderr, /\n\s+at /, 'no stack trace')
      t.equal(readFileSync(file, 'utf8'), content, 'the file is untouched')
      t.same(readdirSync(cwd), ['db.json'], 'nothing written beside it')
    })
  }
})
