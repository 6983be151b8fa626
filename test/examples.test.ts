/**
 * The examples in examples/ run against the files `npm pack` would ship, laid out as an
 * installed package in a consumer project: this proves the exports map, the types, the schemas
 * and the fixtures work from outside, not just the source tree.
 *
 * The project is built offline. `npm pack --dry-run` names the files the tarball holds; they are
 * copied to the project's node_modules/crmcom-mock. The project sits under the repo's
 * node_modules/.cache, so the package's dependencies and the runners (tap, Vitest), which are this
 * repo's devDependencies, resolve from the repo's node_modules as they would from the project's.
 */
import { execFile, execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import t, { type Test } from 'tap'
import { ROOT } from './helper.js'

const BIN = join(ROOT, 'node_modules', '.bin')
const run = promisify(execFile)

interface Packed { filename: string, files: Array<{ path: string }> }

/** The files the published tarball would hold, as `npm pack` lists them (no scripts run: pretest built dist/). */
function packedFiles (): Packed {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' }
  })
  return (JSON.parse(out) as Packed[])[0]!
}

/** A consumer project holding examples/ and the packed files installed as node_modules/crmcom-mock. */
function consumerProject (t: Test, packed: Packed): string {
  const cache = join(ROOT, 'node_modules', '.cache')
  mkdirSync(cache, { recursive: true })
  const work = mkdtempSync(join(cache, 'crmcom-mock-examples-'))
  t.teardown(() => rmSync(work, { recursive: true, force: true }))
  const project = join(work, 'project')
  cpSync(join(ROOT, 'examples'), project, { recursive: true, filter: src => !src.includes('node_modules') })
  const installed = join(project, 'node_modules', 'crmcom-mock')
  for (const { path } of packed.files) {
    mkdirSync(dirname(join(installed, path)), { recursive: true })
    cpSync(join(ROOT, path), join(installed, path))
  }
  const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'))
  pkg.devDependencies['crmcom-mock'] = `file:./node_modules/crmcom-mock`
  writeFileSync(join(project, 'package.json'), JSON.stringify(pkg, null, 2))
  return project
}

t.test('the tap, node:test and Vitest examples pass against the packed package', async t => {
  const packed = packedFiles()
  const files = packed.files.map(f => f.path)
  t.ok(files.includes('dist/index.js') && files.includes('dist/index.d.ts'), 'the package ships the build with its declarations')
  t.ok(files.includes('schemas/financial-achievement-event.json') && files.includes('fixtures/default.json'), 'and the schemas and fixtures')
  t.notOk(files.some(f => f.startsWith('test/') || f.startsWith('src/')), 'and no tests or sources')

  const project = consumerProject(t, packed)
  // The three runners are independent (each mock listens on its own random port), so they run at once.
  const runners: Record<string, [string, string[]]> = {
    tap: [join(BIN, 'tap'), ['--disable-coverage', 'tap/']],
    'node:test': [process.execPath, ['--test', 'node-test/']],
    vitest: [join(BIN, 'vitest'), ['run', '--dir', 'vitest']]
  }
  // As from a fresh shell: none of this run's tap settings, loaders or coverage hooks.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(TAP|_TAPJS)|^NODE_OPTIONS$/.test(k)))
  const results = await Promise.all(Object.entries(runners).map(async ([name, [command, args]]) => {
    try {
      const { stdout } = await run(command, args, { cwd: project, env, timeout: 240_000, maxBuffer: 16 << 20 })
      return { name, ok: true, output: stdout }
    } catch (err) {
      const e = err as { stdout?: string, stderr?: string, message: string }
      return { name, ok: false, output: `${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}` }
    }
  }))
  for (const { name, ok, output } of results) {
    if (ok) t.pass(`${name} passes`)
    else t.fail(`${name} fails`, { output: output.slice(-4000) })
    t.comment(output.split('\n').filter(l => /pass|fail|✓|✗|# /.test(l)).slice(-6).join('\n'))
  }
})
