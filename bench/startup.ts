/**
 * Start-up figures, each the median of fresh processes: the embedded mock
 * (createMockServer() in memory to the first app.inject answer) against a bare Fastify
 * app built and injected the same way, and each CLI from spawn to its first 200.
 */
import { execFile, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)
const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url))
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url))

export interface Startup {
  /** createMockServer() to first inject answer, first instance in a fresh process (schemas compiled then). */
  embeddedMs: number
  /** The same for a second instance in that process (what a test suite pays per test). */
  embeddedAgainMs: number
  /** import('crmcom-mock') before that. */
  embeddedImportMs: number
  bareMs: number
  bareAgainMs: number
  bareImportMs: number
  /** `crmcom-mock --in-memory` from spawn to its first 200. */
  cliMs: number
  /** A node process serving the bare app, from spawn to its first 200. */
  bareCliMs: number
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return Math.round(sorted[Math.floor(sorted.length / 2)]! * 10) / 10
}

async function embedded (mode: 'mock' | 'bare'): Promise<{ importMs: number, firstMs: number, secondMs: number }> {
  const { stdout } = await run(process.execPath, [here('./startup-child.js'), mode])
  return JSON.parse(stdout) as { importMs: number, firstMs: number, secondMs: number }
}

/** Spawns a command that prints `listening at <url>`, logs in, and returns spawn-to-200 in ms. */
async function cli (args: string[]): Promise<number> {
  const started = performance.now()
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] })
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = ''
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString()
        const match = /listening at (\S+)/.exec(out)
        if (match !== null) resolve(match[1]!)
      })
      child.once('exit', code => reject(new Error(`${args.join(' ')} exited (${code})`)))
    })
    const res = await fetch(`${url}authentication/token`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'MPAdministrator', password: '1234', organisation: 'CRMDEMO' })
    })
    if (res.status !== 200) throw new Error(`${args.join(' ')}: first answer ${res.status}`)
    await res.arrayBuffer()
    return performance.now() - started
  } finally {
    child.kill('SIGKILL')
  }
}

/** Measures each figure `repeats` times, alternating mock and bare, and keeps the medians. */
export async function measureStartup (repeats: number): Promise<Startup> {
  const mock: Array<{ importMs: number, firstMs: number, secondMs: number }> = []
  const bare: typeof mock = []
  const cliMs: number[] = []
  const bareCliMs: number[] = []
  for (let i = 0; i < repeats; i++) {
    bare.push(await embedded('bare'))
    mock.push(await embedded('mock'))
    bareCliMs.push(await cli([here('./bare-cli.js')]))
    cliMs.push(await cli([CLI, '--in-memory', '--port', '0']))
  }
  return {
    embeddedMs: median(mock.map(m => m.firstMs)),
    embeddedAgainMs: median(mock.map(m => m.secondMs)),
    embeddedImportMs: median(mock.map(m => m.importMs)),
    bareMs: median(bare.map(m => m.firstMs)),
    bareAgainMs: median(bare.map(m => m.secondMs)),
    bareImportMs: median(bare.map(m => m.importMs)),
    cliMs: median(cliMs),
    bareCliMs: median(bareCliMs)
  }
}
