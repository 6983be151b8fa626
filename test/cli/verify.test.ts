/** The built CLI's subcommands and contract options (npm test builds dist/ first). */
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { buildOpenApi } from '../../src/docs/openapi.js'
import { runScenario } from '../../src/verify/index.js'
import { build, CLI } from '../helper.js'

const credentials = { username: 'MPAdministrator', password: '1234', organisation: 'CRMDEMO' }
const cli = async (args: string[]): Promise<{ status: number | null, stdout: string, stderr: string }> => await new Promise(resolve => {
  // Asynchronous, so a mock in this process can answer the CLI's calls.
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  child.on('close', status => { resolve({ status, stdout, stderr }) })
})

t.test('crmcom-mock openapi prints the document; --out writes it', async t => {
  const printed = spawnSync(process.execPath, [CLI, 'openapi'], { encoding: 'utf8', timeout: 60_000 })
  t.equal(printed.status, 0, printed.stderr)
  t.same(JSON.parse(printed.stdout), buildOpenApi())
  const file = join(mkdtempSync(join(tmpdir(), 'crmcom-openapi-')), 'openapi.json')
  const written = spawnSync(process.execPath, [CLI, 'openapi', '--release', 'R15.0.0', '--out', file], { encoding: 'utf8', timeout: 60_000 })
  t.equal(written.status, 0, written.stderr)
  const doc = JSON.parse((await import('node:fs')).readFileSync(file, 'utf8'))
  t.equal(doc.paths['/customer_events/financial_achievements/list'].post.deprecated, true)
})

t.test('crmcom-mock verify: exit 0 for kept traffic, 1 with pointers for broken, 2 when it cannot check', async t => {
  const server = await build(t)
  const url = await server.start()
  const { exchanges } = await runScenario({ target: url, ...credentials })
  const dir = mkdtempSync(join(tmpdir(), 'crmcom-verify-cli-'))
  const pairs = exchanges.map(({ request, response }) => ({ request, response }))
  writeFileSync(join(dir, 'good.ndjson'), pairs.map(p => JSON.stringify(p)).join('\n'))
  const cancel = pairs.findIndex(p => p.request.url.endsWith('/cancel'))
  writeFileSync(join(dir, 'bad.json'), JSON.stringify([...pairs.slice(0, cancel + 1), pairs[cancel], ...pairs.slice(cancel + 1)]))

  const good = await cli(['verify', join(dir, 'good.ndjson')])
  t.equal(good.status, 0, good.stdout + good.stderr)
  t.match(good.stdout, /calls checked: every one keeps the contract/)
  const bad = await cli(['verify', join(dir, 'bad.json')])
  t.equal(bad.status, 1)
  t.match(bad.stdout, `bad.json item ${cancel + 1}: POST customer_events/financial_achievements/cancel`)
  t.match(bad.stdout, /\/response\/body\/status\/code {2}\[cancel-twice\]/)
  const none = await cli(['verify'])
  t.equal(none.status, 2)
  t.match(none.stderr, /give traffic files/)

  const live = await cli(['verify', '--target', new URL(url).origin, '--username', 'MPAdministrator', '--password', '1234', '--organisation', 'CRMDEMO'])
  t.equal(live.status, 0, live.stdout + live.stderr)
  const wrongRelease = await cli(['verify', '--target', url, '--username', 'MPAdministrator', '--password', '1234', '--organisation', 'CRMDEMO', '--release', 'R11.0.0', '--strict', '--json'])
  t.equal(wrongRelease.status, 1, 'a non-strict R14 server checked as a strict R11 one breaks that contract')
  t.ok(JSON.parse(wrongRelease.stdout).mismatches.length > 0)
})

t.test('the server refuses a release outside R10-R18', async t => {
  const run = spawnSync(process.execPath, [CLI, '--in-memory', '--port', '0', '--release', 'R9.0.0'], { encoding: 'utf8', timeout: 30_000 })
  t.equal(run.status, 1)
  t.match(run.stderr, /crmcom-mock: release R9\.0\.0 is outside the emulated range R10\.0\.0 to R18\.x/)
})
