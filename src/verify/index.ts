/**
 * `crmcom-mock verify`: recorded traffic (or a live server) checked against the contract.
 * Each file is its own sequence: the state rules (a cancel of an event cancelled earlier,
 * a token used after its release, ...) span the calls of one file.
 */
import { ContractChecker, type CheckOptions, type Mismatch } from './checker.js'
import { markerOf, readTraffic, type Exchange } from './traffic.js'

export { ContractChecker, type CheckOptions, type Mismatch } from './checker.js'
export { parseTraffic, readTraffic, TrafficFormatError, type Exchange, type Traffic } from './traffic.js'
export { apiBase, runScenario, TargetUnreachableError, type ScenarioOptions, type ScenarioResult } from './scenario.js'

export interface VerifyReport {
  /** How many calls were checked. */
  checked: number
  /** Calls left out (HAR entries that are not API calls or got no response). */
  skipped: Array<{ source: string, reason: string }>
  mismatches: Mismatch[]
}

/** Checks one sequence of calls, in order. */
export function verifyExchanges (exchanges: Exchange[], options: CheckOptions = {}): Mismatch[] {
  const checker = new ContractChecker(options)
  return exchanges.flatMap(e => checker.check(e))
}

/** Reads and checks traffic files (JSON array, NDJSON or HAR); throws TrafficFormatError for a file that is not traffic. */
export function verifyFiles (files: string[], options: CheckOptions = {}): VerifyReport {
  const report: VerifyReport = { checked: 0, skipped: [], mismatches: [] }
  for (const file of files) {
    const traffic = readTraffic(file)
    // A reset or restore marker starts a new state; it is not a call to check.
    report.checked += traffic.exchanges.filter(e => markerOf(e) === undefined).length
    report.skipped.push(...traffic.skipped)
    report.mismatches.push(...verifyExchanges(traffic.exchanges, options))
  }
  return report
}

/** The report as text: mismatches grouped by call, then one summary line. */
export function formatReport (report: VerifyReport): string {
  const lines: string[] = []
  let current = ''
  for (const m of report.mismatches) {
    const head = `${m.source}: ${m.call}`
    if (head !== current) { lines.push(head); current = head }
    lines.push(`  ${m.pointer}  [${m.rule}]  ${m.message}`)
  }
  const calls = new Set(report.mismatches.map(m => m.source)).size
  const skipped = report.skipped.length === 0 ? '' : ` (${report.skipped.length} skipped: not API calls or no response)`
  lines.push(report.mismatches.length === 0
    ? `${report.checked} calls checked${skipped}: every one keeps the contract`
    : `${report.checked} calls checked${skipped}: ${report.mismatches.length} mismatch${report.mismatches.length === 1 ? '' : 'es'} in ${calls} call${calls === 1 ? '' : 's'}`)
  return lines.join('\n')
}
