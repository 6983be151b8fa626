/**
 * Schemas as a product: a consumer imports them through the package name (the exports map),
 * and `npm pack` ships them, their examples and openapi.json. Needs the build (npm test
 * builds first).
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { schemas } from '../../src/index.js'
import { ROOT } from '../helper.js'

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))

t.test('package.json exports the schemas, openapi.json and the library', async t => {
  t.equal(pkg.exports['./schemas/*'], './schemas/*')
  t.equal(pkg.exports['./openapi.json'], './openapi.json')
  t.equal(pkg.exports['.'].import, './dist/index.js')
  t.ok(pkg.files.includes('schemas'))
  t.ok(pkg.files.includes('openapi.json'))
})

t.test('npm pack ships every schema, the vendor examples and openapi.json', async t => {
  const run = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 })
  t.equal(run.status, 0, run.stderr)
  const files = new Set((JSON.parse(run.stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map(f => f.path))
  for (const id of Object.keys(schemas)) t.ok(files.has(`schemas/${id}`), `schemas/${id}`)
  for (const name of ['show', 'list', 'create', 'cancel']) t.ok(files.has(`schemas/examples/financial-achievements-${name}.json`), `examples of ${name}`)
  t.ok(files.has('openapi.json'))
  t.ok(files.has('dist/index.js'), 'the built library (npm test builds before testing)')
  t.notOk([...files].some(f => f.startsWith('test/') || f.startsWith('src/')), 'no sources or tests')
})

t.test('a consumer imports the schemas by package name and validates with its own ajv', async t => {
  const project = mkdtempSync(join(tmpdir(), 'crmcom-consumer-'))
  mkdirSync(join(project, 'node_modules'))
  symlinkSync(ROOT, join(project, 'node_modules', 'crmcom-mock'), 'dir')
  symlinkSync(join(ROOT, 'node_modules', 'ajv'), join(project, 'node_modules', 'ajv'), 'dir')
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', private: true }))
  writeFileSync(join(project, 'consumer.mjs'), `
    import { readFileSync } from 'node:fs'
    import { Ajv } from 'ajv'
    import { schemas } from 'crmcom-mock'
    import showResponse from 'crmcom-mock/schemas/financial-achievements-show-response.json' with { type: 'json' }
    import examples from 'crmcom-mock/schemas/examples/financial-achievements-show.json' with { type: 'json' }
    // The recipe of docs/contract-testing.md: every schema file, annotations ignored, the date format declared.
    const ajv = new Ajv({ strict: false, allowUnionTypes: true })
    ajv.addFormat('crm-date', true)
    for (const schema of Object.values(schemas)) ajv.addSchema(schema)
    const example = examples.examples[0].response
    const statusFile = import.meta.resolve('crmcom-mock/schemas/status.json')
    console.log(JSON.stringify({
      ids: Object.keys(schemas).length,
      sameFile: showResponse.$id,
      valid: ajv.validate('financial-achievements-show-response.json', example),
      broken: ajv.validate('financial-achievements-show-response.json', { ...example, status: { code: 'OK' } }),
      statusFile,
      status: JSON.parse(readFileSync(new URL(statusFile), 'utf8')).$id
    }))
  `)
  const run = spawnSync(process.execPath, ['consumer.mjs'], { cwd: project, encoding: 'utf8', timeout: 60_000 })
  t.equal(run.status, 0, run.stderr)
  const out = JSON.parse(run.stdout)
  t.equal(out.ids, Object.keys(schemas).length, 'import { schemas } from \'crmcom-mock\'')
  t.equal(out.sameFile, 'financial-achievements-show-response.json', 'crmcom-mock/schemas/*.json')
  t.equal(out.valid, true, 'the vendor\'s show answer passes')
  t.equal(out.broken, false, 'an envelope without description and message does not')
  t.match(out.statusFile, /\/schemas\/status\.json$/)
  t.equal(out.status, 'status.json')
})
