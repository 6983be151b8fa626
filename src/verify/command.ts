/** The `verify` subcommand: arguments in, a report out, and the exit code (0 kept, 1 mismatches, 2 could not check). */
import { writeFileSync } from 'node:fs'
import { formatReport, runScenario, TargetUnreachableError, TrafficFormatError, verifyFiles, type VerifyReport } from './index.js'

export interface VerifyCommandOptions {
  target?: string
  username?: string
  password?: string
  organisation?: string
  release?: string
  strict?: boolean
  /** Check each call on its own, with no rule that spans calls. */
  callsAlone?: boolean
  restStatus?: boolean
  /** Print the report as JSON. */
  json?: boolean
  /** With --target: also write the calls made, as traffic `verify` reads. */
  record?: string
  accountsReceivable?: string
  classification?: string
  unit?: string
}

export interface Output { out: (text: string) => void, err: (text: string) => void }
const console_: Output = { out: t => { process.stdout.write(t + '\n') }, err: t => { process.stderr.write(t + '\n') } }

export async function verifyCommand (files: string[], options: VerifyCommandOptions, io: Output = console_): Promise<number> {
  const check = { release: options.release, strict: options.strict ?? false, restStatus: options.restStatus ?? false, spanning: options.callsAlone !== true }
  let report: VerifyReport
  try {
    if (options.target !== undefined) {
      if (files.length > 0) { io.err('crmcom-mock verify: give traffic files or --target, not both'); return 2 }
      const missing = (['username', 'password', 'organisation'] as const).filter(k => options[k] === undefined)
      if (missing.length > 0) { io.err(`crmcom-mock verify: --target needs ${missing.map(k => `--${k}`).join(', ')}`); return 2 }
      const result = await runScenario({
        ...check, target: options.target, username: options.username!, password: options.password!, organisation: options.organisation!,
        ...(options.accountsReceivable === undefined ? {} : { accountsReceivable: options.accountsReceivable }),
        ...(options.classification === undefined ? {} : { classification: options.classification }),
        ...(options.unit === undefined ? {} : { unit: options.unit })
      })
      if (options.record !== undefined) writeFileSync(options.record, JSON.stringify(result.exchanges.map(({ request, response }) => ({ request, response })), null, 2) + '\n')
      report = { checked: result.exchanges.length, skipped: [], mismatches: result.mismatches }
    } else {
      if (files.length === 0) { io.err('crmcom-mock verify: give traffic files (JSON, NDJSON or HAR), or --target URL'); return 2 }
      report = verifyFiles(files, check)
    }
  } catch (err) {
    if (err instanceof TrafficFormatError || err instanceof TargetUnreachableError || err instanceof RangeError || err instanceof TypeError) {
      io.err(`crmcom-mock verify: ${err.message}`)
      return 2
    }
    throw err
  }
  io.out(options.json === true ? JSON.stringify(report, null, 2) : formatReport(report))
  if (report.checked === 0) {
    // A capture that holds no call of the API is a failed capture, not kept traffic.
    io.err('crmcom-mock verify: nothing was checked: the traffic holds no call of the API')
    return 2
  }
  return report.mismatches.length === 0 ? 0 : 1
}
