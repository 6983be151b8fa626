/**
 * Bad stores. A store file that is not JSON or fails schemas/store.json stops start-up with
 * one line naming the file, the problem and where it is, a non-zero exit, and the file left
 * byte for byte as it was. A store that cannot be written fails the write with the vendor
 * envelope, and memory and disk keep agreeing: nothing is acknowledged that is not stored.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Adapter } from 'lowdb'
import t, { type Test } from 'tap'
import { buildApp } from '../../src/app.js'
import { Sessions } from '../../src/domain/sessions.js'
import { createClock } from '../../src/controls/clock.js'
import { CODES } from '../../src/contract/errors.js'
import { createMockServer, loadFixtures, type Dataset } from '../../src/index.js'
import { StoreFileError, Store } from '../../src/store/store.js'
import { storeProblem } from '../../src/store/validate.js'
import { Tenants } from '../../src/controls/tenants.js'
import { ACCOUNT, createBody, FA, killCli, loginOver, postOver, runCli, startCli } from '../helper.js'

const tempDir = (t: Test): string => {
  const dir = mkdtempSync(join(tmpdir(), 'crmcom-bad-store-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** The fixtures with one thing broken. */
function broken (change: (d: Record<string, any>) => void): string {
  const dataset = loadFixtures() as unknown as Record<string, any>
  change(dataset)
  return JSON.stringify(dataset, null, 2)
}

const CASES: Array<{ name: string, content: string, expect: RegExp }> = [
  { name: 'not JSON (cut short)', content: broken(() => undefined).slice(0, 5000), expect: /JSON|Unexpected|Unterminated/ },
  { name: 'empty', content: '', expect: /JSON|Unexpected/ },
  { name: 'JSON, but not a store', content: '[1, 2, 3]', expect: /not a crmcom-mock store/ },
  { name: 'JSON null (not a missing file: never replaced by the fixtures)', content: 'null', expect: /not a crmcom-mock store/ },
  { name: 'an event number that is not a string', content: broken(d => { d.customer_events[3].number = 95 }), expect: /\/customer_events\/3\/number must be a string/ },
  { name: 'an event without its log information', content: broken(d => { delete d.customer_events[7].log_information }), expect: /\/customer_events\/7\/log_information is missing/ },
  { name: 'an event of an account that does not exist', content: broken(d => { d.customer_events[2].accounts_receivable_id = 'NOPE' }), expect: /\/customer_events\/2\/accounts_receivable_id names "NOPE", which is no record of accounts_receivable/ },
  { name: 'two units with one id', content: broken(d => { d.units[1].id = d.units[0].id }), expect: /\/units\/1\/id repeats the id "1"/ },
  { name: 'two events with one number', content: broken(d => { d.customer_events[5].number = d.customer_events[4].number }), expect: /\/customer_events\/5\/number repeats the event number/ },
  { name: 'a password in clear', content: broken(d => { d.users[0].password = '1234' }), expect: /\/users\/0\/password is not a field a store record may have/ },
  { name: 'a password hash that is not scrypt', content: broken(d => { d.users[0].password_hash = '1234' }), expect: /\/users\/0\/password_hash must be a scrypt hash/ },
  { name: 'a date in another form', content: broken(d => { d.customer_events[0].performed_on = '07/10/2016' }), expect: /\/customer_events\/0\/performed_on must match pattern/ }
]

t.test('a bad store file stops the CLI with one line naming the file and the problem, and is left byte for byte', async t => {
  // Through the CLI for an unreadable file and one that fails a rule; every kind in process below.
  for (const c of CASES.filter(c => ['not JSON (cut short)', 'an event of an account that does not exist'].includes(c.name))) {
    t.test(c.name, async t => {
      const dir = tempDir(t)
      const file = join(dir, 'db.json')
      writeFileSync(file, c.content)
      const before = { bytes: readFileSync(file), mtime: statSync(file).mtimeMs, files: readdirSync(dir) }
      const { code, stdout, stderr } = await runCli(['--db', file, '--port', '0'])
      t.not(code, 0, 'non-zero exit')
      t.equal(stdout, '', 'nothing on stdout: it never started')
      const lines = stderr.trimEnd().split('\n')
      t.equal(lines.length, 1, `one line: ${stderr}`)
      t.ok(lines[0]!.includes(file), 'names the file')
      t.match(lines[0], c.expect, 'names the problem')
      t.ok(readFileSync(file).equals(before.bytes), 'the file is byte for byte as it was')
      t.equal(statSync(file).mtimeMs, before.mtime, 'and was not rewritten')
      t.same(readdirSync(dir), before.files, 'and nothing was created beside it')
    })
  }
})

t.test('every kind of bad content is refused by createMockServer with a StoreFileError of one line, the file untouched', async t => {
  for (const c of CASES) {
    const dir = tempDir(t)
    const file = join(dir, 'db.json')
    writeFileSync(file, c.content)
    const error = await createMockServer({ store: { file } }).then(() => undefined, (err: Error) => err)
    t.type(error, StoreFileError, c.name)
    t.match(error?.message, c.expect, `${c.name}: ${error?.message ?? ''}`)
    t.notOk(error?.message.includes('\n'), `${c.name}: one line`)
    t.ok(readFileSync(file).equals(Buffer.from(c.content)), `${c.name}: file untouched`)
  }
})

t.test('schemas/store.json accepts the fixtures, a generated store and what the server writes', async t => {
  t.equal(storeProblem(loadFixtures(), 'fixtures'), undefined, 'fixtures')
  const dir = tempDir(t)
  const file = join(dir, 'db.json')
  const server = await createMockServer({ store: { file }, size: 300 })
  const token = await server.login()
  const made = await server.app.inject({ method: 'POST', url: `/crmapi/rest/v2/${FA}create`, payload: createBody(token, { product_identifier: { code: 'Bronze' }, payment_medium_type_identifier: { name: 'CREDIT CARD' }, payment_medium_brand_identifier: { name: 'VISA' }, udf_float_1: '2.5', udf_date_1: '2016-10-07', udf_string_1: 'x' }) })
  t.equal(made.json().status.code, 'OK', 'a create naming every optional reference')
  await server.app.inject({ method: 'POST', url: `/crmapi/rest/v2/${FA}cancel`, payload: { token, customer_event_identifier: { id: made.json().data.id } } })
  t.equal(storeProblem(await server.snapshot(), 'snapshot'), undefined, 'a snapshot after a create and a cancel')
  await server.stop()
  t.equal(storeProblem(JSON.parse(readFileSync(file, 'utf8')), file), undefined, 'the file after a stop')
})

/** A lowdb adapter over memory whose writes can be made to fail; it keeps what was last written, as a disk would. */
class FlakyDisk implements Adapter<Dataset> {
  written: Dataset | null = null
  failing = false
  writes = 0
  async read (): Promise<Dataset | null> { return this.written === null ? null : structuredClone(this.written) }
  async write (data: Dataset): Promise<void> {
    this.writes++
    if (this.failing) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' })
    this.written = structuredClone(data)
  }
}

t.test('a store whose writes fail: the envelope, nothing acknowledged, memory and disk agree', async t => {
  const disk = new FlakyDisk()
  const clock = createClock()
  const opened = await Store.open(disk, loadFixtures, 'flaky disk')
  const tenants = new Tenants({ mode: 'shared', openStore: async () => opened })
  const sessions = new Sessions({ clock, kind: 'jwt' })
  const app = buildApp({ clock, sessions, tenants })
  t.teardown(() => app.close())
  const store = opened.store
  const call = async (method: string, payload: Record<string, unknown>): Promise<{ data: any, status: { code: string, message: string } }> =>
    (await app.inject({ method: 'POST', url: `/crmapi/rest/v2/${method}`, payload })).json()
  const token = (await call('authentication/token', { username: 'MPAdministrator', password: '1234', organisation: 'CRMDEMO' })).data.token as string
  const posted = (await call(FA + 'create', createBody(token))).data as { id: string, number: string }
  t.same(store.snapshot(), disk.written, 'in step before the failure')

  disk.failing = true
  // Several at once, so they share a group commit that fails as a whole.
  const failed = await Promise.all([1, 2, 3].map(async () => await call(FA + 'create', createBody(token))))
  for (const answer of failed) {
    t.equal(answer.status.code, CODES.UNEXPECTED, 'a failed write is UNEXPECTEDEXCEPTION')
    t.equal(answer.data, null)
    t.match(answer.status.message, /could not be written \(ENOSPC\)/, 'saying why')
  }
  const cancel = await call(FA + 'cancel', { token, customer_event_identifier: { id: posted.id } })
  t.equal(cancel.status.code, CODES.UNEXPECTED, 'a cancel that cannot be written fails too')
  t.ok(disk.writes >= 2, 'the writes were attempted')
  t.same(store.snapshot(), disk.written, 'memory and disk agree after the failures')
  const listed = (await call(FA + 'list', { token, accounts_receivable_identifier: ACCOUNT, fields_set: 'id,life_cycle_state' })).data as Array<{ id: string, life_cycle_state: string }>
  t.same(listed.filter(e => !loadFixtures().customer_events.some(f => f.id === e.id)), [{ id: posted.id, life_cycle_state: 'POSTED' }], 'list shows only what was stored')

  disk.failing = false
  const again = await call(FA + 'create', createBody(token))
  t.equal(again.status.code, 'OK', 'once the disk works again, so do writes')
  t.ok(Number(again.data.number) > Number(posted.number), 'numbers keep increasing')
  t.same(store.snapshot(), disk.written, 'in step again')
})

t.test('a real file the OS refuses to grow (ulimit -f, EFBIG): failed writes are not acknowledged, the file agrees with memory', async t => {
  const dir = tempDir(t)
  const file = join(dir, 'db.json')
  // Created normally first; then served under a file size limit that the first journal appends outgrow.
  await (await createMockServer({ store: { file } })).stop()
  // Without tap's coverage hooks (which tap re-adds to every child's environment): their
  // signal-exit handler turns the SIGXFSZ that Node ignores into an exit.
  const cli = await startCli(['--db', file], { shell: 'unset NODE_OPTIONS && ulimit -f 8' })
  t.teardown(() => killCli(cli))
  const token = await loginOver(cli.url)
  const answers = []
  for (let i = 0; i < 12; i++) answers.push(await postOver(cli.url, FA + 'create', createBody(token, { fields_set: 'id' })))
  const ok = answers.filter(a => a.status.code === 'OK').map(a => (a.data as { id: string }).id)
  const refused = answers.filter(a => a.status.code !== 'OK')
  t.ok(refused.length > 0, `the limit was reached (${ok.length} OK, ${refused.length} refused)`)
  t.same([...new Set(refused.map(a => a.status.code))], [CODES.UNEXPECTED], 'refused with UNEXPECTEDEXCEPTION')
  t.match(refused[0]?.status.message, /could not be written \(EFBIG\)/, 'saying why')
  const listIds = async (url: string, tok: string): Promise<string[]> =>
    ((await postOver(url, FA + 'list', { token: tok, accounts_receivable_identifier: ACCOUNT, fields_set: 'id' })).data as Array<{ id: string }>).map(e => e.id).sort()
  const inMemory = await listIds(cli.url, token)
  t.same(ok.filter(id => !inMemory.includes(id)), [], 'every acknowledged create is listed')
  await killCli(cli, 'SIGTERM')

  const restarted = await createMockServer({ store: { file } })
  t.teardown(() => restarted.stop())
  const stored = (await restarted.events()).filter(e => (e.accounts_receivable as { number: string }).number === ACCOUNT.number).map(e => e.id as string).sort()
  t.same(stored, inMemory, 'after a restart the file holds exactly what memory held')
})

t.test('PUT /__admin/snapshot refuses what the store could not reopen, and the store stays as it was', async t => {
  const dir = tempDir(t)
  const file = join(dir, 'db.json')
  const server = await createMockServer({ store: { file }, admin: true })
  t.teardown(() => server.stop())
  const before = await server.snapshot()
  const bad: Array<[string, (d: Record<string, any>) => void, RegExp]> = [
    ['an event without log information', d => { delete d.customer_events[0].log_information }, /\/customer_events\/0\/log_information is missing/],
    ['an event of no account', d => { d.customer_events[1].accounts_receivable_id = 'NOPE' }, /\/customer_events\/1\/accounts_receivable_id names "NOPE"/],
    ['a user with a password', d => { d.users[0].password = '1234' }, /\/users\/0\/password is not a field/]
  ]
  for (const [name, change, expect] of bad) {
    const snapshot = loadFixtures() as unknown as Record<string, any>
    change(snapshot)
    const answer = (await server.app.inject({ method: 'PUT', url: '/__admin/snapshot', payload: snapshot })).json()
    t.equal(answer.status.code, CODES.INVALID_PARAMETER_VALUE, name)
    t.match(answer.status.message, expect, `${name}: names where`)
  }
  t.same(await server.snapshot(), before, 'the store is as it was')
  await server.stop()
  const reopened = await createMockServer({ store: { file } })
  t.teardown(() => reopened.stop())
  t.same(await reopened.snapshot(), before, 'and reopens as it was')
})
