// Writes one tap entry per folder of test/ into .build/suites/, each importing that folder's
// compiled test files in turn (the files at the top of test/ form one more entry).
//
// Why: under tap's runner every test process costs about 2.5 s of CPU before and after its
// tests (its process tracking and coverage), so 48 files paid two minutes of CPU for it on a
// 2-core machine. One process per folder pays it a dozen times. Each file still runs alone:
// `npx tap .build/test/<folder>/<name>.test.js`.
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const TESTS = join(ROOT, '.build', 'test')
const SUITES = join(ROOT, '.build', 'suites')

// Only files whose source is still in test/: a moved or deleted test leaves its old build behind.
const files = readdirSync(TESTS, { recursive: true }).map(String)
  .filter(f => f.endsWith('.test.js') && existsSync(join(ROOT, 'test', f.replace(/\.js$/, '.ts'))))
  .sort()
const groups = new Map()
for (const file of files) {
  const folder = dirname(file) === '.' ? 'top' : dirname(file).split('/')[0]
  groups.set(folder, [...(groups.get(folder) ?? []), file])
}

rmSync(SUITES, { recursive: true, force: true })
mkdirSync(SUITES, { recursive: true })
for (const [folder, members] of groups) {
  const imports = members.map(f => `await import(${JSON.stringify('./' + relative(SUITES, join(TESTS, f)))})`)
  writeFileSync(join(SUITES, `${folder}.test.js`), `// test/${folder === 'top' ? '' : folder + '/'}: ${members.length} files, one process\n${imports.join('\n')}\n`)
}
console.log(`${files.length} test files in ${groups.size} suites`)
