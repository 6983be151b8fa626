/**
 * The schema files as OpenAPI components: each becomes a component under its `$id` with its
 * `$ref`s rewritten to point inside the document, and a request schema is read back into its
 * parameter rows (rule, release, description, identifier fields). Kept apart so the document
 * assembly and the markdown descriptions read the schemas the same way.
 */
import { OPERATIONS, type OperationName } from '../contract/operations.js'
import { parametersOf } from '../contract/releases.js'
import { schemas } from '../contract/schemas.js'

export type Json = Record<string, unknown>

export const component = (id: string, pointer = ''): string => `#/components/schemas/${id}${pointer}`

/** Splits `common.json#/$defs/token` (or `#/$defs/x`, relative to `own`) into file and pointer. */
function splitRef (ref: string, own: string): [string, string] {
  const at = ref.indexOf('#')
  const file = at < 0 ? ref : ref.slice(0, at)
  return [file === '' ? own : file, at < 0 ? '' : ref.slice(at + 1)]
}

/** A schema file as a component: no `$id` (the document is the base), every `$ref` inside the document. */
export function asComponent (value: unknown, own: string): unknown {
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

interface ParameterInfo { name: string, rule: string, from: string, description: string, identifier?: string[] }

/** The request schema's parameters with their rule, release and description. */
export function parameterInfo (name: OperationName): { params: ParameterInfo[], semiOptional?: { kind: string, names: string[] } } {
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
