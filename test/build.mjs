// Builds what `npm test` runs:
// 1. src/ and test/ transpiled once into .build/ by esbuild, with source maps (coverage and
//    failures point at the .ts files). Types are checked by `npm run typecheck`, not here:
//    loading a TypeScript loader in every test process cost more CPU than the tests.
// 2. One tap entry per folder of test/ in .build/suites/, importing that folder's test files
//    in turn (the files at the top of test/ form one more entry). Under tap's runner every test
//    process costs seconds of CPU for its process tracking and coverage; one process per folder
//    pays that a dozen times, not once per file. A file still runs alone:
//    `node test/build.mjs && npx tap .build/test/<folder>/<name>.test.js`.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const TESTS = join(ROOT, '.build', 'test')
const SUITES = join(ROOT, '.build', 'suites')

// The sources git knows (and new ones not yet added), so a deleted file leaves nothing behind.
const sources = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', 'src', 'test'], { cwd: ROOT, encoding: 'utf8' })
  .split('\n').filter(f => f.endsWith('.ts') && existsSync(join(ROOT, f)))
rmSync(join(ROOT, '.build'), { recursive: true, force: true })
await build({
  entryPoints: sources.map(f => join(ROOT, f)),
  outdir: join(ROOT, '.build'),
  outbase: ROOT,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning'
})

const files = readdirSync(TESTS, { recursive: true }).map(String).filter(f => f.endsWith('.test.js')).sort()
const groups = new Map()
for (const file of files) {
  const folder = dirname(file) === '.' ? 'top' : dirname(file).split('/')[0]
  groups.set(folder, [...(groups.get(folder) ?? []), file])
}

mkdirSync(SUITES, { recursive: true })
for (const [folder, members] of groups) {
  const imports = members.map(f => `await import(${JSON.stringify('./' + relative(SUITES, join(TESTS, f)))})`)
  writeFileSync(join(SUITES, `${folder}.test.js`), `// test/${folder === 'top' ? '' : folder + '/'}: ${members.length} files, one process\n${imports.join('\n')}\n`)
}
console.log(`${files.length} test files in ${groups.size} suites`)
