// Fails the test run when line coverage of src/ drops under the floor (tap itself only knows 100% or nothing).
import { readFileSync } from 'node:fs'

const floor = Number(process.argv[2] ?? 90)
const summary = JSON.parse(readFileSync(new URL('../.tap/report/coverage-summary.json', import.meta.url), 'utf8'))
const lines = summary.total.lines.pct
console.log(`line coverage of src/: ${lines}% (floor ${floor}%)`)
if (!(lines >= floor)) {
  console.error(`line coverage ${lines}% is under the floor of ${floor}%`)
  process.exit(1)
}
