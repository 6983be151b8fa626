/**
 * The OpenAPI 3.1 document, built from `schemas/` (never a second copy): this module
 * assembles it (paths, operations, parameters, request and response examples, components)
 * from the schema components of `openapi-components.ts` and the markdown of
 * `openapi-descriptions.ts`. The vendor's examples come from `schemas/examples/`, copied
 * verbatim from the vendor's page; the error examples are made by the server's own constructors.
 */
import { readdirSync, readFileSync } from 'node:fs'
import {
  EntityNotFoundError, InvalidCredentialsError, InvalidLifeCycleStateTransitionError, InvalidTokenError, MandatoryParameterError,
  SemiOptionalParametersError, describe, errorEnvelope, type CrmError
} from '../contract/errors.js'
import { ADMIN_USER } from '../fixtures/reference.js'
import { BASE_PATH, OPERATIONS, type OperationName } from '../contract/operations.js'
import { RELEASE_OF, isDeprecated, parseRelease, successorOf, type Release } from '../contract/releases.js'
import { packagePath } from '../contract/package-root.js'
import { SCHEMAS_DIR, schemas } from '../contract/schemas.js'
import { asComponent, component, parameterInfo, type Json } from './openapi-components.js'
import { codesOf, infoDescription, operationDescription, type OpenApiOptions } from './openapi-descriptions.js'

export type { OpenApiOptions }

/** A vendor example as stored in `schemas/examples/*.json`. */
export interface VendorExample {
  name: string
  summary: string
  description?: string
  request: { body?: Json, query?: Record<string, string> }
  response: Json
}

/** The vendor's examples by operation, from `schemas/examples/`. */
export function loadExamples (): Partial<Record<OperationName, VendorExample[]>> {
  const dir = `${SCHEMAS_DIR}examples/`
  const byOperation: Partial<Record<OperationName, VendorExample[]>> = {}
  for (const file of readdirSync(dir).filter(f => f.endsWith('.json')).sort()) {
    const doc = JSON.parse(readFileSync(dir + file, 'utf8')) as { operation: OperationName, examples: VendorExample[] }
    byOperation[doc.operation] = [...(byOperation[doc.operation] ?? []), ...doc.examples]
  }
  return byOperation
}

/** One error answer per operation, made by the constructors the server uses, so the messages are the server's. */
const ERROR_EXAMPLE: Record<OperationName, () => CrmError> = {
  'authentication/token': () => describe(new InvalidCredentialsError('the username or password is wrong'), 'Check username and password'),
  'authentication/token/release': () => describe(new InvalidTokenError('has been released'), 'Log in again for a new token'),
  'customer_events/financial_achievements/show': () => describe(new EntityNotFoundError('customer_event_identifier', '{"number":"999999"}', 'customer event'), 'No customer event has "number":"999999"'),
  'customer_events/financial_achievements/list': () => describe(new SemiOptionalParametersError('At least one of the semi-optional parameters rewards_participant_identifier, accounts_receivable_identifier, classification_identifier must be specified'), ''),
  'customer_events/financial_achievements/create': () => describe(new MandatoryParameterError('performed_on'), ''),
  'customer_events/financial_achievements/cancel': () => describe(new InvalidLifeCycleStateTransitionError('customer_event_identifier', '94', 'CANCELLED'), '')
}

const SUMMARY: Record<OperationName, string> = {
  'authentication/token': 'Log in: get a token',
  'authentication/token/release': 'Log out: end a token',
  'customer_events/financial_achievements/show': 'Show one financial achievement event',
  'customer_events/financial_achievements/list': 'List financial achievement events',
  'customer_events/financial_achievements/create': 'Create a financial achievement event (POSTED)',
  'customer_events/financial_achievements/cancel': 'Cancel a POSTED financial achievement event'
}

const operationId = (name: string): string => name.replace(/[/_]+(.)/g, (_, c: string) => c.toUpperCase())

/** Our examples, where the vendor's page has none. */
function ourRequestExamples (name: OperationName): Record<string, Json> {
  switch (name) {
    case 'authentication/token': return { 'default-credentials': { summary: 'The mock\'s default credentials', value: { username: ADMIN_USER.username, password: ADMIN_USER.password, organisation: ADMIN_USER.organisation } } }
    case 'authentication/token/release': return { release: { summary: 'End the token of the last login', value: { token: '{{token}}' } } }
    case 'customer_events/financial_achievements/create': return { minimal: { summary: 'Only the mandatory parameters', value: { token: '{{token}}', accounts_receivable_identifier: { number: 'ACR0000000069' }, classification_identifier: { alternative_code: 'FA' }, performed_by_unit_identifier: { name: 'Admin Unit' }, performed_on: '2016-10-07T15:00:00' } } }
    default: return {}
  }
}

function operation (name: OperationName, examples: VendorExample[], release: Release | undefined): Json {
  const op = OPERATIONS[name]
  const info = parameterInfo(name)
  const codes = codesOf(name, info)
  const vendor = Object.fromEntries(examples.map(e => [`vendor-${e.name}`, { summary: `Vendor's ${e.summary}`, ...(e.description === undefined ? {} : { description: e.description }), value: e }]))
  const error = ERROR_EXAMPLE[name]()
  const shortCode = error.code.split('.').pop()!
  const responseExamples: Record<string, Json> = {
    ...Object.fromEntries(Object.entries(vendor).map(([key, e]) => [key, { summary: e.summary, value: e.value.response }])),
    [shortCode.toLowerCase()]: { summary: `An error: ${shortCode}`, value: errorEnvelope(error) }
  }
  const result: Json = {
    operationId: operationId(name),
    tags: [name.startsWith('authentication') ? 'authentication' : 'financial achievements'],
    summary: SUMMARY[name],
    description: operationDescription(name, info, codes, release),
    'x-crm-available-from': RELEASE_OF.methods,
    'x-crm-error-codes': codes,
    responses: {
      200: {
        description: `The envelope: \`status.code\` OK with \`data\` as in \`${op.response}\`, or an error code with \`data\` null (\`error-response.json\`).`,
        content: { 'application/json': { schema: { anyOf: [{ $ref: component(op.response) }, { $ref: component('error-response.json') }] }, examples: responseExamples } }
      },
      default: {
        description: 'With REST statuses on (`--rest-status`), errors come with HTTP 400, 401, 404, 409, 413, 422 or 500 and this body.',
        content: { 'application/json': { schema: { $ref: component('error-response.json') } } }
      }
    }
  }
  const successor = successorOf(name)
  if (successor !== undefined) {
    result['x-crm-deprecated-from'] = RELEASE_OF.deprecation
    result['x-crm-successor'] = successor
    if (release !== undefined && isDeprecated(release)) result.deprecated = true
  }
  if (op.method === 'GET') {
    const request = schemas[op.request]!
    const required = new Set((request.required ?? []) as string[])
    result.parameters = info.params.map(p => {
      const schema = (request.properties as Record<string, Json>)[p.name]!
      const queryExamples: Record<string, Json> = {}
      examples.forEach(e => { const v = e.request.query?.[p.name]; if (v !== undefined) queryExamples[`vendor-${e.name}`] = { summary: `Vendor's ${e.summary}`, value: v } })
      if (p.identifier !== undefined) {
        queryExamples['by-number'] = { summary: 'name=field=value form, by number', value: `${p.identifier.includes('number') ? 'number' : p.identifier[0]!}=92` }
        queryExamples.json = { summary: 'JSON form', value: JSON.stringify({ [p.identifier.includes('number') ? 'number' : p.identifier[0]!]: '92' }) }
      }
      return {
        name: p.name,
        in: 'query',
        required: p.name === 'token' || required.has(p.name),
        description: `${p.description}${p.identifier === undefined ? '' : ` Written \`field=value\` (one of ${p.identifier.join(', ')}) or as a JSON object.`} Available from ${p.from}.`,
        schema: p.identifier === undefined ? asComponent(schema, op.request) : { type: 'string', minLength: 3 },
        ...(Object.keys(queryExamples).length === 0 ? {} : { examples: queryExamples })
      }
    })
  } else {
    result.requestBody = {
      required: true,
      content: {
        'application/json': {
          schema: { $ref: component(op.request) },
          examples: {
            ...Object.fromEntries(Object.entries(vendor).map(([key, e]) => [key, { summary: e.summary, ...(e.description === undefined ? {} : { description: e.description }), value: e.value.request.body }])),
            ...ourRequestExamples(name)
          }
        }
      }
    }
  }
  return result
}

/** Builds the OpenAPI 3.1 document of the six methods. */
export function buildOpenApi (options: OpenApiOptions = {}): Json {
  const release = options.release === undefined ? undefined : typeof options.release === 'string' ? parseRelease(options.release) : options.release
  const examples = loadExamples()
  const paths: Json = {}
  for (const name of Object.keys(OPERATIONS) as OperationName[]) {
    paths[`/${name}`] = { [OPERATIONS[name].method.toLowerCase()]: operation(name, examples[name] ?? [], release) }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'CRM.COM V4 financial achievement customer events (crmcom-mock)',
      version: JSON.parse(readFileSync(packagePath('package.json'), 'utf8')).version as string,
      description: infoDescription(options, release),
      license: { name: 'MIT', identifier: 'MIT' }
    },
    servers: [{ url: BASE_PATH.slice(0, -1), description: 'The server this document came from' }],
    tags: [
      { name: 'authentication', description: 'Log in for a token; release it.' },
      { name: 'financial achievements', description: `customer_events/financial_achievements/*: available from ${RELEASE_OF.methods}, deprecated from ${RELEASE_OF.deprecation}.` }
    ],
    paths,
    components: { schemas: Object.fromEntries(Object.entries(schemas).map(([id, schema]) => [id, asComponent(schema, id)])) }
  }
}
