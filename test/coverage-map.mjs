// tap's coverage map: every test file counts coverage of src/ only (through the source maps of
// .build/src/ and dist/), never of the tests or their helper.
import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const SRC = fileURLToPath(new URL('../src/', import.meta.url))
const sources = readdirSync(SRC, { recursive: true })
  .filter(f => String(f).endsWith('.ts'))
  .map(f => SRC + String(f))

export default () => sources
