/**
 * End to end: starts the real CLI (`node dist/cli.js --in-memory --port 0`, as built by
 * `npm test`) and runs the README's walkthrough, its ```sh blocks exactly as written, as one
 * bash script with port 8080 replaced by the one the CLI took.
 */
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { CLI, ROOT } from '../helper.js'
import { CODES } from '../../src/contract/errors.js'

const README = readFileSync(join(ROOT, 'README.md'), 'utf8')

/** The walkthrough: the README between its markers. */
function walkthrough (): string {
  const start = README.indexOf('<!-- walkthrough:start -->')
  const end = README.indexOf('<!-- walkthrough:end -->')
  if (start < 0 || end < start) throw new Error('README.md has no walkthrough markers')
  return README.slice(start, end)
}

/** Its shell commands: every ```sh block, in order. */
const commands = (text: string): string[] => [...text.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map(m => m[1]!)

interface Answer { data: any, status: { code: string, description: string, message: string } }

t.test('README walkthrough: login, create, list, show, cancel, cancel again, against the real CLI over HTTP', async t => {
  t.ok(existsSync(CLI), `${CLI} exists (npm test builds it first)`)
  t.doesNotThrow(() => execFileSync('which', ['curl']), 'curl is installed')
  const blocks = commands(walkthrough())
  t.equal(blocks.length, 6, 'six command blocks: login, create, list, show, cancel, cancel again')
  const script = ['set -euo pipefail', ...blocks].join('\n')
  t.match(script, '127.0.0.1:8080', 'the commands use the default address')

  const cwd = t.testdir()
  const { PORT: _p, HOST: _h, ...env } = process.env
  const cli = spawn(process.execPath, [CLI, '--in-memory', '--port', '0'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = new Promise<number | null>(resolve => cli.on('exit', code => resolve(code)))
  t.teardown(() => { if (cli.exitCode === null) cli.kill('SIGKILL') })
  let banner = ''
  let errors = ''
  cli.stderr.on('data', (d: Buffer) => { errors += d.toString() })
  const url = await new Promise<string>((resolve, reject) => {
    cli.stdout.on('data', (d: Buffer) => {
      banner += d.toString()
      const m = /crmcom-mock listening at (\S+)/.exec(banner)
      if (m !== null) resolve(m[1]!)
    })
    void exited.then(code => reject(new Error(`the CLI exited (${code}) before listening: ${errors}`)))
  })
  const port = new URL(url).port
  t.match(url, /^http:\/\/127\.0\.0\.1:\d+\/crmapi\/rest\/v2\/$/, 'it prints its base URL')

  const run = spawn('bash', ['-c', script.replaceAll('127.0.0.1:8080', `127.0.0.1:${port}`)], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  run.stdout.on('data', (d: Buffer) => { out += d.toString() })
  run.stderr.on('data', (d: Buffer) => { err += d.toString() })
  const code = await new Promise<number | null>(resolve => run.on('exit', resolve))
  t.equal(code, 0, `the script succeeds (stderr: ${err})`)

  const lines = out.trimEnd().split('\n')
  t.match(lines[0], /^[\w-]+\.[\w-]+\.[\w-]+$/, 'step 1 prints the token (a JWT)')
  const answers = lines.slice(1).map(line => JSON.parse(line) as Answer)
  t.equal(answers.length, 5, 'one answer for each of create, list, show, cancel, cancel again')
  const [created, listed, shown, cancelled, again] = answers as [Answer, Answer, Answer, Answer, Answer]

  t.equal(created.status.code, 'OK', 'create: OK')
  t.match(created.data, { life_cycle_state: 'POSTED', amount: 11.5, description: 'My first financial achievement', accounts_receivable: { number: 'ACR0000000069' }, product: { code: 'Bronze' } })
  const number = created.data.number as string

  t.equal(listed.status.code, 'OK', 'list: OK')
  t.same(listed.data.at(-1), { number, amount: 11.5, life_cycle_state: 'POSTED', performed_on: '2016-10-07T15:00:00' }, 'list: the new event last, with the fields asked for')
  t.same(listed.data.slice(0, 2).map((e: { number: string }) => e.number), ['57', '92'], 'list: the fixture events first')

  t.equal(shown.status.code, 'OK', 'show: OK')
  t.match(shown.data, { number, life_cycle_state: 'POSTED', amount: 11.5, product: { code: 'Bronze' } })

  t.equal(cancelled.status.code, 'OK', 'cancel: OK')
  t.match(cancelled.data, { number, life_cycle_state: 'CANCELLED', log_information: { updated_by_user: { username: 'MPAdministrator' } } })

  t.same(again.data, null, 'cancel again: no data')
  t.equal(again.status.code, CODES.INVALID_LIFE_CYCLE_STATE_TRANSITION, 'cancel again: the vendor error')
  t.match(walkthrough(), again.status.code, 'the README shows that error')

  cli.kill('SIGTERM')
  t.equal(await exited, 0, 'the CLI stops cleanly on SIGTERM')
})
