/**
 * What the contract checks share: the JSON helpers, the JSON pointer of an ajv error, and the
 * response schemas checked with every error reported, so one answer yields every mismatch.
 * Kept apart so the per-call checks and the rules across calls use the same pointers.
 */
import type { ErrorObject, ValidateFunction } from 'ajv'
import { createAjv } from '../contract/schemas.js'

/** Reports one mismatch: JSON pointer, rule, message. */
export type Report = (p: string, r: string, m: string) => void

export type Json = Record<string, unknown>
export const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v)
export const escape = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1')

// Responses are checked with every error reported; requests with the server's own validators.
const reporting = createAjv({ allErrors: true })
const responseValidators = new Map<string, ValidateFunction>()
function responseValidator (id: string): ValidateFunction {
  let fn = responseValidators.get(id)
  if (fn === undefined) { fn = reporting.getSchema(id)!; responseValidators.set(id, fn) }
  return fn
}

/** The pointer of an ajv error under `base`. */
export function pointerOf (base: string, e: ErrorObject): string {
  const params = e.params as { missingProperty?: string, additionalProperty?: string }
  const extra = e.keyword === 'required' ? `/${escape(params.missingProperty!)}` : e.keyword === 'additionalProperties' ? `/${escape(params.additionalProperty!)}` : ''
  return base + e.instancePath + extra
}

/** Checks `value` against the schema `id`, reporting each error under `base` (or only those `only` keeps). */
export function checkSchema (id: string, value: unknown, base: string, rule: string, add: Report, only?: (e: ErrorObject) => boolean): boolean {
  const validate = responseValidator(id)
  if (validate(value)) return true
  for (const e of validate.errors ?? []) {
    if (only !== undefined && !only(e)) continue
    if (e.keyword === 'if' || e.keyword === 'allOf') continue
    add(pointerOf(base, e), rule, `${e.message ?? 'is not valid'} (${id}${e.schemaPath.startsWith('#') ? e.schemaPath : ` ${e.schemaPath}`})`)
  }
  return false
}
