#!/usr/bin/env node
/**
 * `crmcom-mock` / `npm start`: parses arguments, creates the server, listens, and closes
 * cleanly on SIGINT/SIGTERM (a second signal exits at once; writes are atomic, so the
 * store file is whole either way).
 */
import { Command, InvalidArgumentError, Option } from 'commander'
import { StoreFileError } from './store/store.js'
import { createMockServer, DEFAULT_CREDENTIALS } from './server.js'

const whole = (min: number) => (value: string): number => {
  const n = Number(value)
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`must be a whole number of at least ${min}`)
  return n
}

const program = new Command()
  .name('crmcom-mock')
  .description('A mock of CRM.COM V4 financial achievement customer events, on a JSON-file store.')
  .addOption(new Option('-p, --port <port>', 'port to listen on (0: any free port)').env('PORT').default(8080).argParser(whole(0)))
  .addOption(new Option('-H, --host <host>', 'address to bind').env('HOST').default('127.0.0.1'))
  .option('--db <path>', 'JSON store file, created from the fixtures when missing', './data/db.json')
  .option('--in-memory', 'keep the store in memory only (nothing on disk)', false)
  .option('--size <n>', 'extra seeded events to generate when the store is created', whole(0), 0)
  .option('--seed <n>', 'faker seed of the --size events', whole(0))
  .option('--rest-status', 'answer errors with REST statuses (400, 401, 404, ...) instead of HTTP 200', false)
  .option('--body-limit <bytes>', 'largest request body accepted', whole(1), 1024 * 1024)
  .option('--log', 'log every request (pino, JSON lines on stdout)', false)
  .showHelpAfterError()

program.parse()
const opts = program.opts<{ port: number, host: string, db: string, inMemory: boolean, size: number, seed?: number, restStatus: boolean, bodyLimit: number, log: boolean }>()

let server
try {
  server = await createMockServer({
    store: opts.inMemory ? 'memory' : { file: opts.db },
    size: opts.size,
    seed: opts.seed,
    restStatus: opts.restStatus,
    bodyLimit: opts.bodyLimit,
    logger: opts.log ? { level: 'info' } : false
  })
} catch (err) {
  // A bad store file stops start-up with one line; the file is left as it was.
  console.error(`crmcom-mock: ${err instanceof StoreFileError ? err.message : (err as Error).stack}`)
  process.exit(1)
}

const url = await server.start(opts.port, opts.host).catch((err: Error) => {
  console.error(`crmcom-mock: cannot listen on ${opts.host}:${opts.port}: ${err.message}`)
  process.exit(1)
})
console.log(`crmcom-mock listening at ${url}`)
console.log(`credentials: username ${DEFAULT_CREDENTIALS.username}, password ${DEFAULT_CREDENTIALS.password}, organisation ${DEFAULT_CREDENTIALS.organisation}`)
console.log(`store: ${server.storeFile === undefined ? 'in memory' : `${server.storeFile}${server.created ? ' (created from the fixtures)' : ''}`}`)

let stopping = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(130)
    stopping = true
    server.stop().then(() => process.exit(0), (err: Error) => { console.error(`crmcom-mock: ${err.message}`); process.exit(1) })
  })
}
