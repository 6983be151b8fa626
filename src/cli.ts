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
  .option('--admin', 'serve the admin API under /__admin/ (reset, snapshot, requests, clock, faults, events)', false)
  .option('--admin-token <token>', 'require this token on admin calls (Authorization: Bearer <token>); mandatory with --admin beyond loopback')
  .addOption(new Option('--tenants <mode>', 'shared: one dataset; per-organisation: each organisation at login gets its own copy').choices(['shared', 'per-organisation']).default('shared'))
  .option('--journal-limit <n>', 'calls the request journal keeps per tenant', whole(0), 1000)
  .showHelpAfterError()

program.parse()
const opts = program.opts<{
  port: number, host: string, db: string, inMemory: boolean, size: number, seed?: number, restStatus: boolean, bodyLimit: number, log: boolean,
  admin: boolean, adminToken?: string, tenants: 'shared' | 'per-organisation', journalLimit: number
}>()

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/
if (opts.admin && opts.adminToken === undefined && !LOOPBACK.test(opts.host)) {
  // The admin API can wipe and rewrite the store: never open it to the network without a token.
  console.error(`crmcom-mock: --admin on ${opts.host} (beyond loopback) needs --admin-token`)
  process.exit(1)
}

let server
try {
  server = await createMockServer({
    store: opts.inMemory ? 'memory' : { file: opts.db },
    size: opts.size,
    seed: opts.seed,
    restStatus: opts.restStatus,
    bodyLimit: opts.bodyLimit,
    logger: opts.log ? { level: 'info' } : false,
    admin: opts.admin,
    adminToken: opts.adminToken,
    tenants: opts.tenants,
    journalLimit: opts.journalLimit
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
if (opts.admin) console.log(`admin API: ${url.replace(/\/crmapi\/rest\/v2\/$/, '/__admin/')}${opts.adminToken === undefined ? '' : ' (token required)'}`)
console.log(`store: ${server.storeFile === undefined ? 'in memory' : `${server.storeFile}${server.created ? ' (created from the fixtures)' : ''}`}`)

let stopping = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(130)
    stopping = true
    server.stop().then(() => process.exit(0), (err: Error) => { console.error(`crmcom-mock: ${err.message}`); process.exit(1) })
  })
}
