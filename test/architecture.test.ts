/**
 * The house's shape, checked from the code: the import graph of src/ has no cycles (madge),
 * only entry points sit at the top of src/, and every dependency is used and every import is
 * declared (knip).
 */
import { execFile } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import madge from 'madge'
import t from 'tap'
import { ROOT } from './helper.js'

const run = promisify(execFile)
const SRC = join(ROOT, 'src')

t.test('the import graph of src/ has no cycles, type-only imports included', async t => {
  const graph = await madge(SRC, { fileExtensions: ['ts'], tsConfig: join(ROOT, 'tsconfig.json') })
  t.ok(Object.keys(graph.obj()).length > 40, 'madge read the whole of src/')
  t.same(graph.circular(), [], 'no cycles')
})

t.test('only entry points sit at the top of src/: the library, the CLI, and the app and server factories', async t => {
  const top = readdirSync(SRC, { withFileTypes: true }).filter(e => e.isFile()).map(e => e.name).sort()
  t.same(top, ['app.ts', 'cli.ts', 'index.ts', 'server.ts'])
})

t.test('every dependency is used and every import is declared (knip)', async t => {
  const knip = join(ROOT, 'node_modules', '.bin', 'knip')
  const result = await run(knip, ['--no-progress', '--include', 'dependencies,unlisted,files,binaries'], { cwd: ROOT })
    .then(({ stdout }) => ({ code: 0, stdout }), (err: { code: number, stdout: string }) => ({ code: err.code, stdout: err.stdout }))
  t.equal(result.code, 0, `knip finds nothing to report${result.stdout === '' ? '' : ':\n' + result.stdout}`)
})
