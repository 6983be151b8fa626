/**
 * The OpenAPI 3.1 document, built from `schemas/` (never a second copy): each schema file
 * becomes a component under its `$id`, with its `$ref`s rewritten to point inside the
 * document, and each operation's parameter table, semi-optional rules, release column and
 * error codes are read from its request schema and its annotations. The vendor's examples
 * come from `schemas/examples/`, copied verbatim from the vendor's page.
 */
import { readdirSync, readFileSync } from 'node:fs'
import {
  CODES, EntityNotFoundError, InvalidCredentialsError, InvalidLifeCycleStateTransitionError, InvalidTokenError, MandatoryParameterError, REST_STATUS, SITUATION,
  SemiOptionalParametersError, describe, errorEnvelope, type CrmError, type CrmErrorCode
} from '../contract/errors.js'
import { ADMIN_USER } from '../fixtures/reference.js'
import { BASE_PATH, OPERATIONS, type OperationName } from '../contract/operations.js'
import { DEFAULT_RELEASE, RELEASE_OF, hasArrived, isDeprecated, parametersOf, parseRelease, successorOf, type Release } from '../contract/releases.js'
import { packagePath } from '../contract/package-root.js'
import { SCHEMAS_DIR, schemas } from '../contract/schemas.js'

type Json = Record<string, unknown>

export interface OpenApiOptions {
  /** The release the documented server emulates; omitted, the document is release-neutral. */
  release?: string | Release
  /** The documented server refuses unknown parameters. */
  strict?: boolean
  /** The documented server answers errors with REST statuses. */
  restStatus?: boolean
}

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

const component = (id: string, pointer = ''): string => `#/components/schemas/${id}${pointer}`

/** Splits `common.json#/$defs/token` (or `#/$defs/x`, relative to `own`) into file and pointer. */
function splitRef (ref: string, own: string): [string, string] {
  const at = ref.indexOf('#')
  const file = at < 0 ? ref : ref.slice(0, at)
  return [file === '' ? own : file, at < 0 ? '' : ref.slice(at + 1)]
}

/** A schema file as a component: no `$id` (the document is the base), every `$ref` inside the document. */
function asComponent (value: unknown, own: string): unknown {
  if (Array.isArray(value)) return value.map(v => asComponent(v, own))
  if (value === null || typeof value !== 'object') return value
  const out: Json = {}
  for (const [key, v] of Object.entries(value)) {
    if (key === '$id') continue
    if (key === '$ref' && typeof v === 'string') {
      const [file, pointer] = splitRef(v, own)
      out.$ref = component(file, pointer)
    } else out[key] = asComponent(v, own)
  }
  return out
}

/** The schema a property stands for: follows a lone `$ref`, or the `$ref` in a one-item allOf. */
function target (schema: Json, own: string): { schema: Json, own: string } {
  const inner = Array.isArray(schema.allOf) && schema.allOf.length === 1 ? schema.allOf[0] as Json : schema
  if (typeof inner.$ref !== 'string') return { schema: inner, own }
  const [file, pointer] = splitRef(inner.$ref, own)
  let node: unknown = schemas[file]
  for (const part of pointer.split('/').filter(p => p !== '')) node = (node as Json)[part.replace(/~1/g, '/').replace(/~0/g, '~')]
  return target(node as Json, file)
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

interface ParameterInfo { name: string, rule: string, from: string, description: string, identifier?: string[] }

/** The request schema's parameters with their rule, release and description. */
function parameterInfo (name: OperationName): { params: ParameterInfo[], semiOptional?: { kind: string, names: string[] } } {
  const op = OPERATIONS[name]
  const request = schemas[op.request]!
  const required = new Set((request.required ?? []) as string[])
  const combinator = (request.anyOf ?? request.oneOf) as Json[] | undefined
  const semi = request['x-crm-semi-optional'] !== undefined && combinator !== undefined
    ? { kind: String(request['x-crm-semi-optional']), names: combinator.map(b => (b.required as string[])[0]!) }
    : undefined
  const releases = parametersOf(name)
  const params = Object.entries((request.properties ?? {}) as Record<string, Json>).map(([param, schema]): ParameterInfo => {
    const { schema: def } = target(schema, op.request)
    const rule = param === 'token' ? 'mandatory (checked first)' : required.has(param) ? 'mandatory' : semi?.names.includes(param) === true ? 'semi-optional' : 'optional'
    const identifier = def['x-crm-identifier'] === true ? Object.keys(def.properties as Json) : undefined
    const description = String(schema.description ?? def.description ?? (def['x-crm-expects'] !== undefined ? `A value that is ${String(def['x-crm-expects'])}.` : ''))
    return { name: param, rule, from: releases.get(param)!, description, ...(identifier === undefined ? {} : { identifier }) }
  })
  return semi === undefined ? { params } : { params, semiOptional: semi }
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ')

function codesOf (name: OperationName, info: ReturnType<typeof parameterInfo>): CrmErrorCode[] {
  const op = OPERATIONS[name]
  const codes = new Set<CrmErrorCode>()
  if (op.authenticated) codes.add(CODES.INVALID_TOKEN)
  else codes.add(CODES.INVALID_CREDENTIALS)
  if (((schemas[op.request]!.required ?? []) as string[]).length > 0) codes.add(CODES.MANDATORY_PARAMETER)
  if (info.semiOptional !== undefined) codes.add(CODES.SEMI_OPTIONAL)
  codes.add(CODES.INVALID_PARAMETER_VALUE)
  if (info.params.some(p => p.identifier !== undefined)) { codes.add(CODES.ENTITY_NOT_FOUND); codes.add(CODES.AMBIGUOUS_IDENTIFIER) }
  for (const error of op.recordErrors) codes.add(CODES[error])
  if (info.params.some(p => p.from !== RELEASE_OF.methods)) codes.add(CODES.PARAMETER_NOT_AVAILABLE_IN_RELEASE)
  codes.add(CODES.REQUEST_TOO_LARGE)
  codes.add(CODES.UNEXPECTED)
  return [...codes]
}

function operationDescription (name: OperationName, info: ReturnType<typeof parameterInfo>, codes: CrmErrorCode[], release: Release | undefined): string {
  const lines: string[] = []
  const successor = successorOf(name)
  if (successor !== undefined) {
    lines.push(`Available from CRM.COM ${RELEASE_OF.methods}. **Deprecated from CRM.COM ${RELEASE_OF.deprecation}**: replaced by \`${successor}\`; ` +
      `a server emulating ${RELEASE_OF.deprecation} or later answers with \`Deprecation\` and \`Link: <${BASE_PATH}${successor}>; rel="successor-version"\` headers.`, '')
  }
  lines.push('| Parameter | Rule | Available from | Description |', '|---|---|---|---|')
  for (const p of info.params) {
    const missing = release !== undefined && !hasArrived(release, p.from) ? ` (not in the emulated ${release.label}: ignored, or refused in strict mode)` : ''
    const shape = p.identifier === undefined ? '' : ` Identifier: an object naming exactly one of ${p.identifier.map(f => `\`${f}\``).join(', ')}.`
    lines.push(`| \`${p.name}\` | ${p.rule} | ${p.from}${missing} | ${cell(p.description + shape)} |`)
  }
  if (info.semiOptional !== undefined) {
    const names = info.semiOptional.names.map(n => `\`${n}\``).join(', ')
    lines.push('', info.semiOptional.kind === 'exactly-one'
      ? `**Semi-optional rule:** exactly one of ${names} must be specified (none or several: \`${CODES.SEMI_OPTIONAL}\`).`
      : `**Semi-optional rule:** at least one of ${names} must be specified, several are allowed and all must match (none: \`${CODES.SEMI_OPTIONAL}\`).`)
  }
  if (OPERATIONS[name].method === 'GET') {
    lines.push('', 'Identifiers in the query string are written `name=field=value` (the vendor\'s form), e.g. `customer_event_identifier=number=92`, or as JSON: `customer_event_identifier={"number":"92"}`.')
  } else if (OPERATIONS[name].authenticated) {
    lines.push('', 'The token goes **inside the JSON body** (`"token": "..."`), not in a header. On this page, `{{token}}` in a body is replaced by the token of the last login done here.')
  }
  lines.push('', '**Error codes** (answered with HTTP 200 and `data: null` unless the server runs with REST statuses):', '', '| Code | When |', '|---|---|')
  for (const code of codes) lines.push(`| \`${code}\` | ${SITUATION[code]} |`)
  return lines.join('\n')
}

function releaseTable (): string {
  const rows = new Map<string, string[]>()
  const add = (from: string, what: string): void => { rows.set(from, [...(rows.get(from) ?? []), what]) }
  add(RELEASE_OF.methods, 'the four financial achievement methods, login and logout')
  for (const name of Object.keys(OPERATIONS) as OperationName[]) {
    for (const [param, from] of parametersOf(name)) if (from !== RELEASE_OF.methods) add(from, `\`${param}\` (${name.split('/').pop()!})`)
  }
  add(RELEASE_OF.jwtTokens, 'tokens are JWTs valid 2 hours from issue (before: opaque 32-hex, expiring after 1 hour idle)')
  add(RELEASE_OF.deprecation, 'the financial achievement methods are deprecated (replaced by `customer_events/achievements/*`)')
  const sorted = [...rows.entries()].sort(([a], [b]) => parseRelease(a).major - parseRelease(b).major || parseRelease(a).minor - parseRelease(b).minor || parseRelease(a).patch - parseRelease(b).patch)
  return ['| From | What |', '|---|---|', ...sorted.map(([from, what]) => `| ${from} | ${[...new Set(what)].join('; ')} |`)].join('\n')
}

function infoDescription (options: OpenApiOptions, release: Release | undefined): string {
  return [
    'A mock of CRM.COM\'s V4 financial achievement customer events API (`crmcom-mock`). Every answer is the envelope ' +
    '`{"data": ..., "status": {"code": "OK", "description": "", "message": ""}}`; a failure has `data: null` and an error code in `status.code`.',
    '',
    '**Trying it on this page:** open `POST /authentication/token`, press *Execute* (the default credentials are filled in: ' +
    `\`${ADMIN_USER.username}\` / \`${ADMIN_USER.password}\` / \`${ADMIN_USER.organisation}\`). The page keeps the token it returns and puts it wherever ` +
    'a request says `{{token}}` (every example does), so *Execute* on create, list, show and cancel works straight away. You can also paste a token in place of `{{token}}`.',
    '',
    release === undefined
      ? `**Releases** (\`--release\`, default ${DEFAULT_RELEASE}): a parameter newer than the emulated release is unknown there: ignored, or refused in strict mode with \`${CODES.PARAMETER_NOT_AVAILABLE_IN_RELEASE}\`.`
      : `**This server emulates CRM.COM ${release.label}**${options.strict === true ? ' in strict mode (unknown parameters are refused)' : ''}. A parameter newer than that is unknown: ` +
        (options.strict === true ? `refused with \`${CODES.PARAMETER_NOT_AVAILABLE_IN_RELEASE}\`.` : 'ignored (strict mode would refuse it).'),
    '',
    releaseTable(),
    '',
    `**Error codes and their REST statuses** (used only with \`--rest-status\`${options.restStatus === true ? ', which this server runs with' : '; by default every answer is HTTP 200'}):`,
    '',
    '| Code | REST status | When |', '|---|---|---|',
    ...Object.values(CODES).map(code => `| \`${code}\` | ${REST_STATUS[code]} | ${SITUATION[code]} |`)
  ].join('\n')
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
