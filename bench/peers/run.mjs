#!/usr/bin/env node
/**
 * `npm run bench:peers [-- --quick] [-- --dir=/tmp/peers]`: optional, never in CI. Installs
 * WireMock (the `wiremock` npm package, run with Java), Prism, json-server and Mockoon CLI
 * into a temporary folder, has each serve the same show answer as this mock, and measures
 * them with the same autocannon settings, in the same run as the bare Fastify limit and
 * this server, so the comparison is of one machine at one time (see docs/performance.md).
 * Writes bench/results/peers-<time>.json. Needs `npm run bench`'s build (dist/, dist-bench/).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ServerChild } from '../../dist-bench/child.js'
import { load } from '../../dist-bench/load.js'
import { shapeOf } from '../../dist-bench/phases.js'

const quick = process.argv.includes('--quick')
const given = process.argv.find(a => a.startsWith('--dir='))?.slice(6)
const settings = { connections: 50, warmupS: quick ? 1 : 3, durationS: quick ? 3 : 10 }
const PACKAGES = ['wiremock@3', '@stoplight/prism-cli@5', 'json-server@0.17', '@mockoon/cli@9']
const SHOW = '/crmapi/rest/v2/customer_events/financial_achievements/show'
const log = line => process.stderr.write(`${line}\n`)
const dir = given ?? mkdtempSync(join(tmpdir(), 'crmcom-mock-peers-'))
const bin = name => join(dir, 'node_modules', '.bin', name)

/** A free port, found by listening on 0. */
async function freePort () {
  const { createServer } = await import('node:net')
  return await new Promise(resolve => { const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)) }) })
}

/** Polls until the show path answers 200 (peers print different things when ready). */
async function ready (url, child, seconds = 90) {
  for (let i = 0; i < seconds * 10; i++) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}`)
    try { const res = await fetch(url + SHOW + '?token=T&customer_event_identifier=id=X'); await res.arrayBuffer(); if (res.status === 200) return } catch {}
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  throw new Error('never answered 200')
}

const rssMb = pid => { try { return Math.round(Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)]).toString().trim()) / 1024) } catch { return null } }

/** Each peer: how to set it up to answer `body` on the show path, and the command that serves it. */
function peers (body, port) {
  const work = join(dir, 'serve')
  mkdirSync(join(work, 'wiremock', 'mappings'), { recursive: true })
  writeFileSync(join(work, 'wiremock', 'mappings', 'show.json'), JSON.stringify({ request: { method: 'GET', urlPath: SHOW }, response: { status: 200, body, headers: { 'Content-Type': 'application/json' } } }))
  const build = join(dir, 'node_modules', 'wiremock', 'build')
  const jar = join(build, readdirSync(build).find(f => f.endsWith('.jar')))
  writeFileSync(join(work, 'openapi.json'), JSON.stringify({
    openapi: '3.0.3', info: { title: 'show', version: '1' },
    paths: { [SHOW]: { get: { responses: { 200: { description: 'OK', content: { 'application/json': { example: JSON.parse(body) } } } } } } }
  }))
  writeFileSync(join(work, 'db.json'), JSON.stringify({ show: JSON.parse(body) }))
  // json-server serves `show` as a singular resource; the * lets the rewrite match with a query string.
  // It re-serialises the body indented, so its answer is larger than the others'.
  writeFileSync(join(work, 'routes.json'), JSON.stringify({ [`${SHOW}*`]: '/show' }))
  const require = createRequire(join(dir, 'node_modules', 'x.js'))
  const { BuildEnvironment, BuildHTTPRoute, BuildRouteResponse } = require('@mockoon/commons')
  const env = BuildEnvironment({ hasDefaultRoute: false, hasDefaultHeader: false, port })
  const route = { ...BuildHTTPRoute(false), method: 'get', endpoint: SHOW.slice(1), responses: [{ ...BuildRouteResponse(), body, headers: [{ key: 'Content-Type', value: 'application/json' }], default: true }] }
  env.routes = [route]
  env.rootChildren = [{ type: 'route', uuid: route.uuid }]
  writeFileSync(join(work, 'mockoon.json'), JSON.stringify(env))
  return [
    // No request journal: WireMock's default keeps every request, which under load only grows.
    { name: 'WireMock', command: 'java', args: ['-jar', jar, '--port', String(port), '--bind-address', '127.0.0.1', '--root-dir', join(work, 'wiremock'), '--no-request-journal', '--disable-banner'] },
    { name: 'Prism', command: bin('prism'), args: ['mock', join(work, 'openapi.json'), '-p', String(port), '-h', '127.0.0.1', '--errors', 'false'] },
    { name: 'json-server', command: bin('json-server'), args: [join(work, 'db.json'), '--routes', join(work, 'routes.json'), '--port', String(port), '--host', '127.0.0.1', '--quiet'] },
    { name: 'Mockoon', command: bin('mockoon-cli'), args: ['start', '--data', join(work, 'mockoon.json'), '--port', String(port), '--disable-log-to-file', '--max-transaction-logs', '0', '--disable-admin-api'] }
  ]
}

async function measure (url, targets) {
  const r = await load(url, shapeOf('show', targets), settings)
  return { rps: r.rps, p50Ms: r.p50Ms, p99Ms: r.p99Ms, non2xx: r.non2xx, errors: r.errors }
}

const results = { date: new Date().toISOString(), command: `npm run bench:peers${quick ? ' -- --quick' : ''}`, machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version }, settings, servers: [] }
try {
  if (given === undefined) {
    log(`installing ${PACKAGES.join(', ')} into ${dir}`)
    execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', dir, ...PACKAGES], { stdio: ['ignore', 'ignore', 'inherit'] })
  }
  results.versions = Object.fromEntries(['wiremock', '@stoplight/prism-cli', 'json-server', '@mockoon/cli'].map(p => [p, JSON.parse(readFileSync(join(dir, 'node_modules', p, 'package.json'), 'utf8')).version]))
  results.versions.java = spawnSync('java', ['-version']).stderr.toString().split('\n')[0]
  const mock = await ServerChild.start({ kind: 'mock', store: 'memory', size: 738 })
  const targets = await mock.ask('targets')
  const bare = await ServerChild.start({ kind: 'bare', bodies: targets.bodies })
  const push = (name, figures, rss) => { results.servers.push({ name, ...figures, rssMb: rss }); log(`  ${name.padEnd(12)} ${String(figures.rps).padStart(7)} req/s  p50 ${figures.p50Ms} ms  p99 ${figures.p99Ms} ms${figures.non2xx + figures.errors > 0 ? `  FAILED ${figures.non2xx + figures.errors}` : ''}`) }
  push('bare Fastify', await measure(bare.url, targets), null)
  await bare.stop()
  push('crmcom-mock', await measure(mock.url, targets), null)
  await mock.stop()
  for (const peer of peers(targets.bodies.show, await freePort())) {
    const port = Number(peer.args[peer.args.indexOf('--port') > -1 ? peer.args.indexOf('--port') + 1 : peer.args.indexOf('-p') + 1])
    const child = spawn(peer.command, peer.args, { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir })
    let stderr = ''
    child.stderr.on('data', chunk => { stderr = (stderr + chunk).slice(-2000) })
    try {
      await ready(`http://127.0.0.1:${port}`, child)
      push(peer.name, await measure(`http://127.0.0.1:${port}`, targets), rssMb(child.pid))
    } catch (err) {
      log(`  ${peer.name}: ${err.message}\n${stderr}`)
      results.servers.push({ name: peer.name, error: err.message })
    } finally {
      child.kill('SIGKILL')
    }
  }
  const limit = results.servers[0].rps
  process.stdout.write(`\n${results.command} — ${results.date.slice(0, 16).replace('T', ' ')} UTC — ${results.machine.cpus} × ${results.machine.cpu}, Node ${results.machine.node}\n`)
  process.stdout.write(`GET show, same ${Buffer.byteLength(targets.bodies.show)}-byte answer, autocannon -c ${settings.connections}, warm-up ${settings.warmupS} s, ${settings.durationS} s\n\n| server | req/s | ratio to bare Fastify | p50 ms | p99 ms |\n| --- | --- | --- | --- | --- |\n`)
  for (const s of results.servers) process.stdout.write(s.error !== undefined ? `| ${s.name} | failed: ${s.error} | | | |\n` : `| ${s.name} | ${s.rps} | ${(s.rps / limit).toFixed(2)}x | ${s.p50Ms} | ${s.p99Ms} |\n`)
  const out = fileURLToPath(new URL('../results/', import.meta.url))
  mkdirSync(out, { recursive: true })
  writeFileSync(join(out, `peers-${results.date.replace(/[:.]/g, '-')}${quick ? '-quick' : ''}.json`), JSON.stringify(results, null, 2) + '\n')
} finally {
  if (given === undefined) rmSync(dir, { recursive: true, force: true })
}
