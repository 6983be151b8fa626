// Writes src/store/model.generated.ts, the TypeScript types of stored records, from
// schemas/store.json: the schema is the one statement of the record shape, and the types are
// made from it at build time (`npm run build`, `npm run typecheck`), never kept by hand.
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { compile } from 'json-schema-to-typescript'

const schemaFile = fileURLToPath(new URL('../../schemas/store.json', import.meta.url))
const target = fileURLToPath(new URL('./model.generated.ts', import.meta.url))
const schema = JSON.parse(readFileSync(schemaFile, 'utf8'))

// The root's title is a sentence; without it the root type takes the name given here.
const { title, ...root } = schema
const ts = await compile({ ...root, description: [title, root.description].filter(Boolean).join('. ') }, 'StoreFile', {
  bannerComment: '// Generated from schemas/store.json by src/store/model-from-schema.mjs. Do not edit.',
  additionalProperties: false,
  format: false,
  // $refs to other schema files (common.json) resolve beside store.json.
  cwd: fileURLToPath(new URL('../../schemas/', import.meta.url))
})
let current = ''
try { current = readFileSync(target, 'utf8') } catch {}
// Unchanged types are not rewritten, so tsc's incremental build stays warm.
if (current !== ts) writeFileSync(target, ts)
