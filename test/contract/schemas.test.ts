import t from 'tap'
import { createAjv, lazySerializerFor, lazyValidatorFor, schemas, serializerFor, validatorFor } from '../../src/contract/schemas.js'

t.test('every schema is valid against the JSON Schema meta-schema (the server skips this check at start-up)', async t => {
  t.doesNotThrow(() => createAjv({ validateSchemas: true }))
  t.throws(() => createAjv({ validateSchemas: true }).addSchema({ $id: 'bad.json', type: 'no-such-type' }), /schema is invalid/, 'the check would catch a bad schema')
})

t.test('lazy validators and serializers compile on first call and behave as the compiled ones', async t => {
  const id = 'financial-achievements-show-request.json'
  const lazy = lazyValidatorFor(id)
  t.equal(lazy({ token: 'T', customer_event_identifier: { number: '92' } }), true)
  t.equal(lazy({ token: 'T' }), false)
  const compiled = validatorFor(id)
  t.equal(compiled({ token: 'T' }), false)
  t.same(lazy.errors, compiled.errors, 'errors are those the compiled validator gives for the same input')
  t.ok(lazy.errors !== null && lazy.errors !== undefined && lazy.errors.length > 0, 'and are set on the lazy function, where Fastify reads them')
  t.equal(lazy({ token: 'T', customer_event_identifier: { number: '92' } }), true)
  t.equal(lazy.errors, null, 'a valid call clears them')
  const serialize = lazySerializerFor('authentication-token-response.json')
  const data = { data: { token: 'T' }, status: { code: 'OK', description: '', message: '' } }
  t.equal(serialize(data), serializerFor('authentication-token-response.json')(data))
})

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
