/**
 * Turns ajv's errors into the vendor's. The schemas say which code a failure means
 * (annotations `x-crm-error`, `x-crm-semi-optional`, `x-crm-identifier`, `x-crm-expects`);
 * this file only reads them, so a rule lives in its schema, not in an `if` in a handler.
 */
import type { ErrorObject } from 'ajv'
import {
  type CrmError, type CrmErrorCode, CODES, crmError, describe, InvalidParameterValueError, MandatoryParameterError, SemiOptionalParametersError, UnexpectedError, codeNamed
} from './errors.js'
import { lazyValidatorFor } from './schemas.js'

type Schema = Record<string, unknown>

/** `/a/b/0` → `a.b[0]`; the root is named `where` (the request body, say). */
export function parameterName (instancePath: string, where: string): string {
  if (instancePath === '') return where
  return instancePath.slice(1).split('/').map(s => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((name, part) => /^\d+$/.test(part) ? `${name}[${part}]` : name === '' ? part : `${name}.${part}`, '')
}

/** Errors inside a oneOf/anyOf branch only explain the combinator's failure: keep the combinator. */
function primary (errors: ErrorObject[]): ErrorObject | undefined {
  const combinators = errors.filter(e => e.keyword === 'oneOf' || e.keyword === 'anyOf')
  return errors.find(e => e.keyword !== 'if' && !combinators.some(c => c !== e && e.schemaPath.startsWith(c.schemaPath + '/'))) ?? errors[0]
}

function semiOptional (e: ErrorObject, parent: Schema, where: string): CrmError {
  const branches = (parent[e.keyword] as Schema[]).map(b => (b.required as string[])[0]!)
  const prefix = e.instancePath === '' ? '' : `${parameterName(e.instancePath, where)}.`
  const names = branches.map(b => prefix + b).join(', ')
  const passing = (e.params as { passingSchemas?: number[] | null }).passingSchemas
  const message = parent['x-crm-semi-optional'] === 'exactly-one'
    ? (Array.isArray(passing)
        ? `Only one of the semi-optional parameters ${names} may be specified; ${passing.map(i => prefix + branches[i]!).join(' and ')} were both given`
        : `Exactly one of the semi-optional parameters ${names} must be specified`)
    : `At least one of the semi-optional parameters ${names} must be specified`
  return describe(new SemiOptionalParametersError(message), `schema ${e.schemaPath}: ${e.message ?? ''}`)
}

// JSON Schema type names as a sentence says them ("must be a string", not "must be string").
const TYPE_NAMES: Record<string, string> = {
  string: 'a string', number: 'a number', integer: 'a whole number', boolean: 'true or false', object: 'an object', array: 'an array', null: 'null'
}

function expectation (e: ErrorObject, parent: Schema): string {
  if (typeof parent['x-crm-expects'] === 'string') return `must be ${parent['x-crm-expects']}`
  switch (e.keyword) {
    case 'type': return `must be ${String((e.params as { type: string }).type).split(',').map(t => TYPE_NAMES[t] ?? t).join(' or ')}`
    case 'const': return `must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`
    case 'enum': return `must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues).map(v => JSON.stringify(v)).join(', ')}`
    case 'maxLength': return `must be at most ${(e.params as { limit: number }).limit} characters long`
    case 'minLength': return 'must not be empty'
    default: return e.message ?? 'is not valid'
  }
}

/**
 * Maps the errors of one failed validation to a vendor error.
 * @param where what the data is, for messages about its root ("the request body").
 */
export function toCrmError (errors: ErrorObject[] | null | undefined, where: string, ruleError?: RuleError): CrmError {
  const e = primary(errors ?? [])
  if (e === undefined) return new UnexpectedError(`${where} failed validation without a reason`) as CrmError
  const parent = (e.parentSchema ?? {}) as Schema
  const name = parameterName(e.instancePath, where)
  const detail = `${e.instancePath === '' ? '/' : e.instancePath}: ${e.message ?? ''} (schema ${e.schemaPath})`

  if (parent['x-crm-semi-optional'] !== undefined && (e.keyword === 'anyOf' || e.keyword === 'oneOf')) return semiOptional(e, parent, where)
  // A missing parameter is always MANDATORYPARAMETER, even in a node whose x-crm-error is
  // another code (create's root carries SEMIOPTIONAL for its oneOf, not for its required).
  if (e.keyword === 'required') {
    const missing = (e.params as { missingProperty: string }).missingProperty
    return describe(new MandatoryParameterError(e.instancePath === '' ? missing : `${name}.${missing}`), detail)
  }
  const annotated = codeNamed(parent['x-crm-error'])
  if (annotated !== undefined && annotated !== CODES.INVALID_PARAMETER_VALUE) {
    // Rules on resolved entities (type, life cycle state) carry their own code.
    return ruleError?.(annotated, e) ?? crmError(annotated, `The ${name} ${expectation(e, parent)}`, detail)
  }
  if (parent['x-crm-identifier'] === true && ['minProperties', 'maxProperties', 'additionalProperties', 'oneOf', 'type'].includes(e.keyword)) {
    const fields = Object.keys(parent.properties as Schema).join(', ')
    const extra = e.keyword === 'additionalProperties' ? `has an unknown field ${JSON.stringify((e.params as { additionalProperty: string }).additionalProperty)}: it ` : ''
    return describe(new InvalidParameterValueError(name, `${extra}must name exactly one of ${fields}`), detail)
  }
  return describe(new InvalidParameterValueError(name, expectation(e, parent)), detail)
}

/** Builds the error of a rule annotated with its own code, where the caller can say more than the schema. */
export type RuleError = (code: CrmErrorCode, error: ErrorObject) => CrmError | undefined

/** A check of data against one schema; throws the mapped vendor error when it fails. */
export type Check = (data: unknown, where: string, ruleError?: RuleError) => void

/**
 * The check against a schema (by `$id`, with an optional `#/$defs/...` pointer). Its
 * validator is the lazy one the routes use: looked up on the first call and kept, so a
 * check made on every request (show's type rule) does not look it up each time.
 */
export function checkAgainst (schemaId: string): Check {
  const validate = lazyValidatorFor(schemaId)
  return (data, where, ruleError) => {
    if (!validate(data)) throw toCrmError(validate.errors, where, ruleError)
  }
}
