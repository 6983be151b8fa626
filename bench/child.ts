/** Starts a server child (bench/server-child.ts) and talks to it over IPC. */
import { fork, type ChildProcess } from 'node:child_process'
import type { ChildConfig, Request } from './server-child.js'

const SCRIPT = new URL('./server-child.js', import.meta.url)

/**
 * How often each server child's event-loop delay monitor samples, ms. The monitor records
 * the time between two ticks of a timer of this period, so its figures include the period
 * itself: at Node's default of 10 ms a loop that never blocks shows about 10 ms, and a stall
 * reads up to 10 ms longer than it was. At 1 ms a figure is within 1 ms of the stall.
 */
export const DELAY_RESOLUTION_MS = 1

type Op = Request['op']

export class ServerChild {
  readonly url: string
  /** Spawn to listening, ms (for a mock: opening or creating its store included). */
  readonly readyMs: number
  readonly #process: ChildProcess
  readonly #waiting = new Map<number, (value: unknown) => void>()
  #next = 0

  private constructor (child: ChildProcess, url: string, readyMs: number) {
    this.#process = child
    this.url = url
    this.readyMs = readyMs
    child.on('message', (message: { id: number, value: unknown }) => {
      this.#waiting.get(message.id)?.(message.value)
      this.#waiting.delete(message.id)
    })
  }

  /** Starts a child; BENCH_CHILD_FLAGS adds Node flags to it (`--trace-gc`, say, to see what a phase's figures come from). */
  static async start (config: ChildConfig): Promise<ServerChild> {
    const started = performance.now()
    const child = fork(SCRIPT, [JSON.stringify({ ...config, delayResolutionMs: DELAY_RESOLUTION_MS })], { execArgv: ['--expose-gc', ...(process.env.BENCH_CHILD_FLAGS?.split(' ').filter(f => f !== '') ?? [])], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    const url = await new Promise<string>((resolve, reject) => {
      child.once('message', (message: { ready?: string }) => { if (message.ready !== undefined) resolve(message.ready) })
      child.once('exit', code => reject(new Error(`the server child exited (${code}) before it was ready`)))
    })
    return new ServerChild(child, url, performance.now() - started)
  }

  /** Asks the child something (see server-child.ts). */
  async ask<T> (op: Op): Promise<T> {
    const id = this.#next++
    const answer = new Promise<unknown>(resolve => this.#waiting.set(id, resolve))
    this.#process.send({ id, op })
    const value = await answer as { error?: string }
    if (value !== null && typeof value === 'object' && typeof value.error === 'string') throw new Error(`server child: ${value.error}`)
    return value as T
  }

  /** Kills the child (SIGKILL: nothing to flush that a benchmark needs) and waits for it. */
  async stop (): Promise<void> {
    if (this.#process.exitCode !== null || this.#process.signalCode !== null) return
    const exited = new Promise(resolve => this.#process.once('exit', resolve))
    this.#process.kill('SIGKILL')
    await exited
  }
}
