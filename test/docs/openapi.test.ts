import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Validator } from '@seriousme/openapi-schema-validator'
import { Ajv } from 'ajv'
import t from 'tap'
import { CODES, OPERATIONS, schemas } from '../../src/index.js'
import { buildOpenApi, loadExamples } from '../../src/docs/openapi.js'
import { build, ROOT } from '../helper.js'

type Json = Record<string, any>
const doc = buildOpenApi() as Json

/** Follows a local $ref (#/a/b) inside the document. */
function deref (ref: string): unknown {
  let node: any = doc
  for (const part of ref.slice(2).split('/')) node = node?.[part.replace(/~1/g, '/').replace(/~0/g, '~')]
  return node
}

function refsOf (node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach(n => refsOf(n, out))
  else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) if (k === '$ref' && typeof v === 'string') out.push(v); else refsOf(v, out)
  }
  return out
}

t.test('the document is valid OpenAPI 3.1', async t => {
  const validator = new Validator()
  const result = await validator.validate(structuredClone(doc))
  t.same(result.errors, undefined, 'no schema errors')
  t.ok(result.valid)
  t.equal(validator.version, '3.1')
})

t.test('every $ref points inside the document and resolves', async t => {
  const refs = refsOf(doc)
  t.ok(refs.length > 50)
  for (const ref of new Set(refs)) {
    t.ok(ref.startsWith('#/components/schemas/'), ref)
    t.not(deref(ref), undefined, `${ref} resolves`)
  }
})

t.test('components are the schema files, not a copy: every file, same properties, no $id', async t => {
  const components = doc.components.schemas as Json
  t.same(Object.keys(components).sort(), Object.keys(schemas).sort())
  for (const [id, schema] of Object.entries(schemas)) {
    t.equal(components[id].$id, undefined, `${id} has no $id`)
    t.same(Object.keys(components[id].properties ?? {}), Object.keys(schema.properties ?? {}), `${id} properties`)
  }
})

t.test('the six operations, each with its method, request and response schemas', async t => {
  const names = Object.keys(doc.paths).map(p => p.slice(1)).sort()
  t.same(names, Object.keys(OPERATIONS).sort())
  for (const [name, op] of Object.entries(OPERATIONS)) {
    const operation = doc.paths[`/${name}`][op.method.toLowerCase()]
    t.ok(operation, `${op.method} ${name}`)
    t.same(operation.responses['200'].content['application/json'].schema.anyOf.map((s: Json) => s.$ref),
      [`#/components/schemas/${op.response}`, '#/components/schemas/error-response.json'])
    if (op.method === 'POST') t.equal(operation.requestBody.content['application/json'].schema.$ref, `#/components/schemas/${op.request}`)
  }
})

t.test('GET show lists its query parameters, with the name=field=value identifier form', async t => {
  const show = doc.paths['/customer_events/financial_achievements/show'].get
  t.same(show.parameters.map((p: Json) => [p.name, p.in, p.required]), [['token', 'query', true], ['customer_event_identifier', 'query', true], ['fields_set', 'query', false]])
  const identifier = show.parameters[1]
  t.match(identifier.description, /`field=value` \(one of id, number\)/)
  t.equal(identifier.examples['vendor-example-1'].value, 'id=328B8B0AF30041169B889F4A39D774B7')
  t.equal(identifier.examples['by-number'].value, 'number=92')
  t.match(show.description, /customer_event_identifier=number=92/)
})

t.test('semi-optional rules are stated and kept in the schemas\' own anyOf/oneOf', async t => {
  const list = doc.paths['/customer_events/financial_achievements/list'].post
  const create = doc.paths['/customer_events/financial_achievements/create'].post
  t.match(list.description, /at least one of `rewards_participant_identifier`, `accounts_receivable_identifier`, `classification_identifier` must be specified/)
  t.match(create.description, /exactly one of `accounts_receivable_identifier`, `rewards_participant_identifier` must be specified/)
  t.equal(doc.components.schemas['financial-achievements-list-request.json'].anyOf.length, 3)
  t.equal(doc.components.schemas['financial-achievements-create-request.json'].oneOf.length, 2)
})

t.test('the release column comes from x-crm-available-from', async t => {
  const create = doc.paths['/customer_events/financial_achievements/create'].post.description as string
  const list = doc.paths['/customer_events/financial_achievements/list'].post.description as string
  t.match(create, /\| `amount` \| optional \| R11\.0\.0 \|/)
  t.match(create, /\| `external_system_reference_number` \| optional \| R10\.1\.0 \|/)
  t.match(create, /\| `performed_on` \| mandatory \| R10\.0\.0 \|/)
  t.match(list, /\| `submitted_after_date` \| optional \| R12\.2\.0 \|/)
  t.match(list, /\| `number_of_results` \| optional \| R13\.0\.0 \|/)
  t.match(doc.info.description, /\| R12\.0\.0 \| tokens are JWTs/)
  t.match(doc.info.description, /\| R15\.0\.0 \| the financial achievement methods are deprecated/)
  const r11 = buildOpenApi({ release: 'R11.0.0' }) as Json
  t.match(r11.paths['/customer_events/financial_achievements/list'].post.description, /R13\.0\.0 \(not in the emulated R11\.0\.0: ignored, or refused in strict mode\)/)
  t.notOk(r11.paths['/customer_events/financial_achievements/list'].post.deprecated)
  t.equal((buildOpenApi({ release: 'R15.0.0' }) as Json).paths['/customer_events/financial_achievements/list'].post.deprecated, true)
  t.equal(doc.paths['/customer_events/financial_achievements/list'].post['x-crm-successor'], 'customer_events/achievements/list')
})

t.test('the error envelope and every code are documented', async t => {
  t.same([...doc.components.schemas['error-response.json'].properties.status.properties.code.enum].sort(), Object.values(CODES).sort())
  for (const code of Object.values(CODES)) t.match(doc.info.description, code)
  const cancel = doc.paths['/customer_events/financial_achievements/cancel'].post
  t.ok(cancel['x-crm-error-codes'].includes(CODES.INVALID_LIFE_CYCLE_STATE_TRANSITION))
  t.ok(cancel['x-crm-error-codes'].includes(CODES.INVALID_TOKEN))
  t.notOk(cancel['x-crm-error-codes'].includes(CODES.INVALID_CREDENTIALS))
  t.ok(doc.paths['/authentication/token'].post['x-crm-error-codes'].includes(CODES.INVALID_CREDENTIALS))
  const error = cancel.responses['200'].content['application/json'].examples.invalidlifecyclestatetransitionexception.value
  t.equal(error.data, null)
  t.equal(error.status.code, CODES.INVALID_LIFE_CYCLE_STATE_TRANSITION)
})

t.test('the vendor\'s examples are in the document verbatim, and the document\'s schemas accept them', async t => {
  const examples = loadExamples()
  const ajv = new Ajv({ strict: false, validateFormats: false })
  ajv.addSchema(doc, 'openapi')
  let count = 0
  for (const [name, list] of Object.entries(examples)) {
    const op = OPERATIONS[name as keyof typeof OPERATIONS]
    const operation = doc.paths[`/${name}`][op.method.toLowerCase()]
    for (const example of list!) {
      count++
      const response = operation.responses['200'].content['application/json'].examples[`vendor-${example.name}`].value
      t.same(response, example.response, `${name} ${example.name} response`)
      t.ok(ajv.validate(`openapi#/components/schemas/${op.response}`, response), `${name} ${example.name} response fits its schema`)
      if (op.method === 'POST') {
        const body = operation.requestBody.content['application/json'].examples[`vendor-${example.name}`].value
        t.same(body, example.request.body, `${name} ${example.name} request`)
        t.ok(ajv.validate(`openapi#/components/schemas/${op.request}`, body), `${name} ${example.name} request fits its schema`)
      }
    }
  }
  t.equal(count, 5, 'show 1, list 2, create 1, cancel 1')
  const create = JSON.parse(readFileSync(join(ROOT, 'schemas', 'examples', 'financial-achievements-create.json'), 'utf8'))
  t.equal(create.examples[0].request.body.amount, '11.50', 'the vendor sends amount as a string')
  t.equal(create.examples[0].response.data.amount, 11.5, 'and gets a number back')
})

t.test('GET /documentation/json serves the document of what the instance emulates', async t => {
  const server = await build(t, { release: 'R11.0.0', strict: true })
  const res = await server.app.inject({ method: 'GET', url: '/documentation/json' })
  t.equal(res.statusCode, 200)
  t.same(res.json(), buildOpenApi({ release: 'R11.0.0', strict: true }))
  t.match(res.json().info.description, /This server emulates CRM\.COM R11\.0\.0\*\* in strict mode/)
  t.equal((await server.requests()).length, 0, 'documentation calls are not journaled')
})

t.test('the page is built on first request and served through the server: page, assets, caching headers, HEAD, other documents', async t => {
  const server = await build(t)
  const page = await server.app.inject({ method: 'GET', url: '/documentation' })
  t.ok(page.statusCode === 200 || page.statusCode === 302, `GET /documentation answers (${page.statusCode})`)
  const index = await server.app.inject({ method: 'GET', url: '/documentation/' })
  t.equal(index.statusCode, 200)
  t.match(index.headers['content-type'], /text\/html/)
  t.match(index.body, /swagger-ui/i, 'the Swagger UI page')
  const asset = await server.app.inject({ method: 'GET', url: '/documentation/static/swagger-ui-bundle.js' })
  t.equal(asset.statusCode, 200, 'its assets are served locally')
  t.match(asset.headers['content-type'], /javascript/)
  t.equal(Number(asset.headers['content-length']), asset.rawPayload.length, 'with their own length')
  const head = await server.app.inject({ method: 'HEAD', url: '/documentation/json' })
  t.equal(head.statusCode, 200, 'HEAD works')
  t.equal(head.body, '', 'with no body')
  const etag = asset.headers.etag
  t.type(etag, 'string', 'assets carry an ETag')
  const again = await server.app.inject({ method: 'GET', url: '/documentation/static/swagger-ui-bundle.js', headers: { 'if-none-match': etag as string } })
  t.equal(again.statusCode, 304, 'a conditional request for an unchanged asset is 304')
  const other = await build(t, { restStatus: true })
  const restDoc = (await other.app.inject({ method: 'GET', url: '/documentation/json' })).json()
  t.same(restDoc, buildOpenApi({ release: 'R14.0.0', restStatus: true }), 'an instance with other options serves its own document')
  t.notSame(restDoc, (await server.app.inject({ method: 'GET', url: '/documentation/json' })).json())
  const missing = await server.app.inject({ method: 'GET', url: '/documentation/no-such-file' })
  t.equal(missing.statusCode, 200, 'a missing file is answered like any unknown path (HTTP 200 by default)...')
  t.equal(missing.json().status.code, CODES.METHOD_NOT_FOUND, '...with the vendor envelope, not the inner app\'s 404')
})

t.test('the committed openapi.json is the built document (npm run openapi regenerates it)', async t => {
  const committed = JSON.parse(readFileSync(join(ROOT, 'openapi.json'), 'utf8'))
  t.same(committed, doc, 'run `npm run openapi` after changing a schema or an example')
})
