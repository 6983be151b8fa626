import { spawn, spawnSync } from 'node:child_process'
import t from 'tap'
import { CLI } from '../helper.js'


t.test('CLI: --admin beyond loopback without --admin-token refuses to start', async t => {
  const run = spawnSync(process.execPath, [CLI, '--in-memory', '--admin', '--host', '0.0.0.0', '--port', '0'], { encoding: 'utf8', timeout: 30_000 })
  t.equal(run.status, 1)
  t.match(run.stderr, /--admin on 0\.0\.0\.0 \(beyond loopback\) needs --admin-token/)
})

t.test('CLI: --admin on loopback serves /__admin/ and says where', async t => {
  const child = spawn(process.execPath, [CLI, '--in-memory', '--admin', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] })
  t.teardown(() => { child.kill('SIGKILL') })
  let out = ''
  const admin = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /admin API: (\S+)/.exec(out)
      if (m !== null) resolve(m[1]!)
    })
    child.on('exit', code => reject(new Error(`exited ${code}: ${out}`)))
  })
  const res = await fetch(admin + 'clock')
  t.equal(((await res.json()) as { status: { code: string } }).status.code, 'OK')
  child.kill('SIGTERM')
  const code = await new Promise(resolve => child.on('exit', resolve))
  t.equal(code, 0, 'SIGTERM closes cleanly')
})
