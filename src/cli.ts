#!/usr/bin/env node
/**
 * `crmcom-mock` / `npm start`: parses arguments, creates the server, listens, and closes
 * cleanly on SIGINT/SIGTERM (a second signal exits at once; writes are atomic, so the
 * store file is whole either way). Subcommands: `verify` (traffic or a live server against
 * the contract) and `openapi` (the OpenAPI document).
 */
import { Command, InvalidArgumentError, Option } from 'commander'
import { writeFileSync } from 'node:fs'
import { DEFAULT_RELEASE, parseRelease } from './contract/releases.js'
import type { VerifyCommandOptions } from './verify/command.js'

const whole = (min: number) => (value: string): number => {
  const n = Number(value)
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`must be a whole number of at least ${min}`)
  return n
}

// An empty PORT or HOST (a CI template left blank) means unset, not "any port" or "every interface".
for (const name of ['PORT', 'HOST']) if (process.env[name]?.trim() === '') delete process.env[name]

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
  .addOption(new Option('--admin-token <token>', 'require this token on admin calls (Authorization: Bearer <token>); mandatory with --admin beyond loopback').env('CRMCOM_MOCK_ADMIN_TOKEN'))
  .addOption(new Option('--tenants <mode>', 'shared: one dataset; per-organisation: each organisation at login gets its own copy').choices(['shared', 'per-organisation']).default('shared'))
  .option('--journal-limit <n>', 'calls the request journal keeps per tenant', whole(0), 1000)
  .option('--max-tenants <n>', 'per-organisation: how many organisations at most', whole(1), 100)
  .option('--release <release>', 'CRM.COM release to emulate, R10.0.0 to R18.x: newer parameters are unknown, tokens opaque before R12, deprecation headers from R15', DEFAULT_RELEASE)
  .option('--strict', 'refuse unknown parameters, and parameters newer than --release, instead of ignoring them', false)
  .showHelpAfterError()
  // Program options only before a subcommand, so `verify --release` is verify's own.
  .enablePositionalOptions()
  .action(serve)

program.command('verify')
  .description('check recorded traffic (JSON array, NDJSON or HAR files) against the contract, or with --target run a scenario suite against a live server; exit 1 on any mismatch')
  .argument('[files...]', 'traffic files: [{"request":{"method","url","body"},"response":{"status","body"}}, ...], NDJSON of such pairs, or HAR')
  .option('--target <url>', 'instead of files, run the scenario suite against this server root (/crmapi/rest/v2/ is appended unless present)')
  .option('--username <username>', 'with --target')
  .option('--password <password>', 'with --target')
  .option('--organisation <organisation>', 'with --target')
  .option('--accounts-receivable <number>', 'with --target: the account the scenario uses', 'ACR0000000069')
  .option('--classification <name>', 'with --target: the financial achievement classification it uses', 'Financial Achievement 1')
  .option('--unit <name>', 'with --target: the unit it names as performed_by_unit', 'Admin Unit')
  .option('--record <file>', 'with --target: also write the calls made, as traffic verify reads')
  .option('--release <release>', 'the release the server emulates', DEFAULT_RELEASE)
  .option('--strict', 'the server refuses unknown parameters', false)
  .option('--rest-status', 'the server answers errors with REST statuses', false)
  .option('--calls-alone', 'check each call on its own: no rule that spans calls (for recordings of suites that reset the mock with no marker in them)', false)
  .option('--json', 'print the report as JSON', false)
  // Each command loads only what it needs, so `verify` and `openapi` start fast.
  .action(async (files: string[], options: VerifyCommandOptions) => { process.exitCode = await (await import('./verify/command.js')).verifyCommand(files, options) })

program.command('openapi')
  .description('print (or write) the OpenAPI 3.1 document of the API, built from the schemas')
  .option('-o, --out <file>', 'write it to this file instead of stdout')
  .option('--release <release>', 'describe a server emulating this release (default: release-neutral)')
  .option('--strict', 'describe a strict server', false)
  .option('--rest-status', 'describe a server answering errors with REST statuses', false)
  .action(async (options: { out?: string, release?: string, strict: boolean, restStatus: boolean }) => {
    const text = JSON.stringify((await import('./docs/openapi.js')).buildOpenApi(options), null, 2) + '\n'
    if (options.out === undefined) process.stdout.write(text)
    else writeFileSync(options.out, text)
  })

await program.parseAsync()

/** The default action: create the server and listen. */
async function serve (opts: {
  port: number, host: string, db: string, inMemory: boolean, size: number, seed?: number, restStatus: boolean, bodyLimit: number, log: boolean,
  admin: boolean, adminToken?: string, tenants: 'shared' | 'per-organisation', journalLimit: number, maxTenants: number,
  release: string, strict: boolean
}): Promise<void> {
  const { createMockServer, DEFAULT_CREDENTIALS } = await import('./server.js')
  const { StoreFileError } = await import('./store/store.js')
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
      journalLimit: opts.journalLimit,
      maxTenants: opts.maxTenants,
      release: opts.release,
      strict: opts.strict
    })
  } catch (err) {
    // Start-up failures (a bad store file, a --db path that cannot be a file) are one line; the file is left as it was.
    const message = (err as Error).message.replace(/\s*\n\s*/g, ' ')
    console.error(`crmcom-mock: ${err instanceof StoreFileError || err instanceof RangeError ? message : `cannot start: ${message}`}`)
    process.exit(1)
  }

  // Registered before the 'listening' line, so a SIGTERM sent as soon as it appears stops cleanly.
  let stopping = false
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) process.exit(130)
      stopping = true
      server!.stop().then(() => process.exit(0), (err: Error) => { console.error(`crmcom-mock: ${err.message}`); process.exit(1) })
    })
  }

  const url = await server.start(opts.port, opts.host).catch((err: Error) => {
    console.error(`crmcom-mock: cannot listen on ${opts.host}:${opts.port}: ${err.message}`)
    process.exit(1)
  })
  console.log(`crmcom-mock listening at ${url}`)
  console.log(`credentials: username ${DEFAULT_CREDENTIALS.username}, password ${DEFAULT_CREDENTIALS.password}, organisation ${DEFAULT_CREDENTIALS.organisation}`)
  if (opts.admin) console.log(`admin API: ${url.replace(/\/crmapi\/rest\/v2\/$/, '/__admin/')}${opts.adminToken === undefined ? '' : ' (token required)'}`)
  console.log(`emulating CRM.COM ${parseRelease(opts.release).label}${opts.strict ? ' in strict mode' : ''}; documentation: ${url.replace(/\/crmapi\/rest\/v2\/$/, '/documentation')}`)
  console.log(`store: ${server.storeFile === undefined ? 'in memory' : `${server.storeFile}${server.created ? ' (created from the fixtures)' : ''}`}`)
}
