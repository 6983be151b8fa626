/** `node dist-bench/print.js bench/results/<file>.json`: prints a results file's tables again (targets re-evaluated). */
import { readFileSync } from 'node:fs'
import { evaluate, printTable, type Results } from './report.js'

const results = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Results
results.targets = evaluate(results)
printTable(results)
