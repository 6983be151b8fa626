import t from 'tap'
import { schemas, serializerFor, validatorFor } from '../src/schemas.js'

t.test('every schema has its file name as $id and compiles under ajv strict mode', async t => {
  for (const id of Object.keys(schemas)) {
    t.doesNotThrow(() => validatorFor(id), id)
  }
  for (const def of Object.keys((schemas['preconditions.json'] as { $defs: object }).$defs)) {
    t.doesNotThrow(() => validatorFor(`preconditions.json#/$defs/${def}`), def)
  }
})

t.test('every response schema compiles to a serializer', async t => {
  for (const id of Object.keys(schemas).filter(id => id.endsWith('-response.json'))) {
    t.doesNotThrow(() => serializerFor(id), id)
  }
})
