/**
 * The house's shape, checked from the code: the import graph of src/ has no cycles (madge),
 * and only entry points sit at the top of src/. That every dependency is used and every import
 * declared is checked by knip in `npm run typecheck`, which CI runs before the tests.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import madge from 'madge'
import t from 'tap'
import { ROOT } from './helper.js'

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

t.test('the stored records\' types are made from schemas/store.json: src/store/model.ts only names them', async t => {
  const model = readFileSync(join(SRC, 'store', 'model.ts'), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '')
  t.notMatch(model, /\binterface\b/, 'no interface of its own')
  t.notMatch(model, /=\s*\{/, 'no object type of its own')
  t.match(model, /from '\.\/model\.generated\.js'/, 'it reads the generated types')
})
