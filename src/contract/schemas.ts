/**
 * The JSON Schemas of `schemas/`: loaded once per process, compiled once per process, and
 * shared by every server instance, so creating an instance per test costs no compilation.
 * The same files validate requests (ajv), serialise responses (fast-json-stringify) and
 * are exported for consumers' own contract tests.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { Ajv, type AnySchema, type ValidateFunction } from 'ajv'
import fastJson from 'fast-json-stringify'
import { isCrmDate } from './dates.js'
import { packagePath } from './package-root.js'

/** Where the schema files live (the package's `schemas/` folder). */
export const SCHEMAS_DIR = packagePath('schemas') + '/'

/** Every schema of `schemas/`, by `$id` (the file name). */
export const schemas: Readonly<Record<string, Record<string, unknown>>> = Object.freeze(Object.fromEntries(
  readdirSync(SCHEMAS_DIR).filter(f => f.endsWith('.json')).sort().map(f => {
    const schema = JSON.parse(readFileSync(SCHEMAS_DIR + f, 'utf8')) as Record<string, unknown>
    if (schema.$id !== f) throw new Error(`schemas/${f}: $id must be "${f}"`)
    return [f, schema]
  })
))

/** Annotation keywords the schemas carry for the error mapper, the docs and release emulation. */
export const ANNOTATIONS = ['x-crm-error', 'x-crm-semi-optional', 'x-crm-identifier', 'x-crm-expects', 'x-crm-available-from'] as const

/**
 * Builds an ajv instance holding every schema. `verbose` keeps each error's parent schema,
 * which is where the error mapper reads the annotations. `allErrors` (off for the server,
 * which answers the first failure) lets `crmcom-mock verify` report every mismatch.
 * `validateSchemas` checks each schema against the JSON Schema meta-schema as it is added:
 * test/schemas.test.ts does, once; the server does not, since compiling the meta-schema is
 * a large part of its start-up and the files it would check are the package's own.
 */
export function createAjv ({ allErrors = false, validateSchemas = false }: { allErrors?: boolean, validateSchemas?: boolean } = {}): Ajv {
  const ajv = new Ajv({ allErrors, verbose: true, strict: true, strictRequired: false, allowUnionTypes: true, coerceTypes: false, useDefaults: false, removeAdditional: false, validateSchema: validateSchemas })
  for (const keyword of ANNOTATIONS) ajv.addKeyword({ keyword })
  ajv.addFormat('crm-date', { type: 'string', validate: isCrmDate })
  for (const schema of Object.values(schemas)) ajv.addSchema(schema as AnySchema)
  return ajv
}

const ajv = createAjv()
const validators = new Map<unknown, ValidateFunction>()
const serializers = new Map<unknown, (data: unknown) => string>()

/** The compiled validator of a schema (by `$id` or object), compiled on first use. */
export function validatorFor (schema: string | Record<string, unknown>): ValidateFunction {
  let fn = validators.get(schema)
  if (fn === undefined) {
    fn = typeof schema === 'string' ? ajv.getSchema(schema) : (typeof schema.$id === 'string' ? ajv.getSchema(schema.$id) : undefined) ?? ajv.compile(schema)
    if (fn === undefined) throw new Error(`no schema ${String(schema)}`)
    validators.set(schema, fn)
  }
  return fn
}

/**
 * A validator that compiles on its first call (Fastify compiles every route's schema when
 * the app is made ready; compiling only what is called keeps start-up, and a test that
 * calls one method, cheap). Fastify reads `errors` off the function it was given.
 */
export function lazyValidatorFor (schema: string | Record<string, unknown>): ValidateFunction {
  let fn: ValidateFunction | undefined
  const lazy = ((data: unknown): boolean => {
    fn ??= validatorFor(schema)
    const valid = fn(data) as boolean
    lazy.errors = fn.errors
    return valid
  }) as ValidateFunction
  return lazy
}

/** A serializer that compiles on its first call (see {@link lazyValidatorFor}). */
export function lazySerializerFor (schema: string | Record<string, unknown>): (data: unknown) => string {
  let fn: ((data: unknown) => string) | undefined
  return data => (fn ??= serializerFor(schema))(data)
}

/** The schema files a schema refers to, directly or through others (fast-json-stringify is given only these). */
function referencedFiles (root: Record<string, unknown>): Set<string> {
  const found = new Set<string>()
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return
    if (Array.isArray(node)) { for (const item of node) visit(item); return }
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') {
        const file = value.split('#')[0]!
        if (file !== '' && !found.has(file) && schemas[file] !== undefined) { found.add(file); visit(schemas[file]) }
      } else visit(value)
    }
  }
  visit(root)
  return found
}

/** The compiled fast-json-stringify serializer of a schema, compiled on first use. */
export function serializerFor (schema: string | Record<string, unknown>): (data: unknown) => string {
  let fn = serializers.get(schema)
  if (fn === undefined) {
    const root = typeof schema === 'string' ? schemas[schema] : schema
    if (root === undefined) throw new Error(`no schema ${String(schema)}`)
    const external = Object.fromEntries([...referencedFiles(root)].filter(id => id !== root.$id).map(id => [id, schemas[id]!]))
    type FjsSchema = Parameters<typeof fastJson>[0]
    fn = fastJson(root as unknown as FjsSchema, { schema: external as unknown as Record<string, FjsSchema> })
    serializers.set(schema, fn)
  }
  return fn
}
