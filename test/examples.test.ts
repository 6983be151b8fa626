/**
 * The examples in examples/ run against the packed package, installed into a temporary
 * project outside the repo: this proves what `npm publish` would ship works (exports map,
 * types, schemas, fixtures), not just the source tree.
 */
import { execFileSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const npm = (args: string[], cwd: string): string =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000, env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' } })

t.test('the tap, node:test and Vitest examples pass against the packed package', { timeout: 600_000 }, async t => {
  const work = mkdtempSync(join(tmpdir(), 'crmcom-mock-examples-'))
  t.teardown(() => rmSync(work, { recursive: true, force: true }))
  // --ignore-scripts: dist/ is already built by pretest, and prepare would rebuild it needlessly.
  const [packed] = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', work], ROOT)) as Array<{ filename: string, files: Array<{ path: string }> }>
  const files = packed!.files.map(f => f.path)
  t.ok(files.includes('dist/index.js') && files.includes('dist/index.d.ts'), 'the package ships the build with its declarations')
  t.ok(files.includes('schemas/financial-achievement-event.json') && files.includes('fixtures/default.json'), 'and the schemas and fixtures')
  t.notOk(files.some(f => f.startsWith('test/') || f.startsWith('src/')), 'and no tests or sources')

  const project = join(work, 'project')
  cpSync(join(ROOT, 'examples'), project, { recursive: true, filter: src => !src.includes('node_modules') })
  const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'))
  pkg.devDependencies['crmcom-mock'] = `file:${join(work, packed!.filename)}`
  writeFileSync(join(project, 'package.json'), JSON.stringify(pkg, null, 2))
  npm(['install', '--prefer-offline', '--no-package-lock'], project)

  for (const runner of ['test:tap', 'test:node', 'test:vitest']) {
    let output = ''
    try {
      output = npm(['run', runner], project)
      t.pass(`${runner} passes`)
    } catch (err) {
      const e = err as { stdout?: string, stderr?: string }
      t.fail(`${runner} fails`, { output: `${e.stdout ?? ''}\n${e.stderr ?? ''}`.slice(-4000) })
    }
    t.comment(output.split('\n').filter(l => /pass|fail|✓|✗|# /.test(l)).slice(-6).join('\n'))
  }
})
