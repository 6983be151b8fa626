/**
 * The vendor's error codes, one constant each, and the envelope every failure is sent in.
 * Messages name the parameter at fault; `description` carries the detail (a JSON pointer,
 * the allowed values). Each code also has the HTTP status used by the REST-status option.
 */
import createError, { type FastifyErrorConstructor } from '@fastify/error'

/**
 * The vendor's error codes (API.md's table), each stated once: its name here, the code the
 * client receives in `status.code`, the HTTP status of the REST-status option, and when it
 * happens. Everything else (the constants below, the error-response schema's enum, the
 * OpenAPI document, the README's table, the schemas' `x-crm-error` annotations) reads it.
 */
export const ERROR_TABLE = [
  { name: 'INVALID_TOKEN', code: 'COM.CRM.EXCEPTION.AUTHENTICATION.INVALIDTOKENEXCEPTION', restStatus: 401, situation: 'token missing, unknown, released or expired (or a wrong admin token)' },
  { name: 'INVALID_CREDENTIALS', code: 'COM.CRM.EXCEPTION.AUTHENTICATION.INVALIDCREDENTIALSEXCEPTION', restStatus: 401, situation: 'login refused' },
  { name: 'MANDATORY_PARAMETER', code: 'COM.CRM.EXCEPTION.GENERAL.MANDATORYPARAMETERNOTSPECIFIEDEXCEPTION', restStatus: 400, situation: 'mandatory parameter missing' },
  { name: 'SEMI_OPTIONAL', code: 'COM.CRM.EXCEPTION.GENERAL.SEMIOPTIONALPARAMETERSEXCEPTION', restStatus: 400, situation: 'semi-optional rule broken (none, or too many)' },
  { name: 'INVALID_PARAMETER_VALUE', code: 'COM.CRM.EXCEPTION.GENERAL.INVALIDPARAMETERVALUEEXCEPTION', restStatus: 400, situation: 'malformed value (date, number, identifier shape, JSON, content type, body not an object)' },
  { name: 'ENTITY_NOT_FOUND', code: 'COM.CRM.EXCEPTION.GENERAL.ENTITYNOTFOUNDEXCEPTION', restStatus: 404, situation: 'identifier matches nothing' },
  { name: 'AMBIGUOUS_IDENTIFIER', code: 'COM.CRM.EXCEPTION.GENERAL.AMBIGUOUSIDENTIFIEREXCEPTION', restStatus: 409, situation: 'identifier matches several' },
  { name: 'INVALID_CUSTOMER_EVENT_TYPE', code: 'COM.CRM.EXCEPTION.CUSTOMEREVENTS.INVALIDCUSTOMEREVENTTYPEEXCEPTION', restStatus: 422, situation: 'event or classification not a financial achievement one' },
  { name: 'PAYMENT_MEDIUM_NOT_ALLOWED', code: 'COM.CRM.EXCEPTION.CUSTOMEREVENTS.PAYMENTMEDIUMNOTALLOWEDEXCEPTION', restStatus: 422, situation: 'payment medium type/brand not allowed on the account' },
  { name: 'INVALID_LIFE_CYCLE_STATE_TRANSITION', code: 'COM.CRM.EXCEPTION.CUSTOMEREVENTS.INVALIDLIFECYCLESTATETRANSITIONEXCEPTION', restStatus: 409, situation: 'cancel of an event that is not POSTED' },
  { name: 'PARAMETER_NOT_AVAILABLE_IN_RELEASE', code: 'COM.CRM.EXCEPTION.GENERAL.PARAMETERNOTAVAILABLEINRELEASEEXCEPTION', restStatus: 400, situation: 'parameter newer than the emulated release (strict mode)' },
  { name: 'METHOD_NOT_FOUND', code: 'COM.CRM.EXCEPTION.GENERAL.METHODNOTFOUNDEXCEPTION', restStatus: 404, situation: 'unknown method, path or HTTP method' },
  { name: 'REQUEST_TOO_LARGE', code: 'COM.CRM.EXCEPTION.GENERAL.REQUESTTOOLARGEEXCEPTION', restStatus: 413, situation: 'request body over the limit' },
  { name: 'UNEXPECTED', code: 'COM.CRM.EXCEPTION.GENERAL.UNEXPECTEDEXCEPTION', restStatus: 500, situation: 'anything unexpected (a bug, a store that cannot be written)' }
] as const

type ErrorRow = typeof ERROR_TABLE[number]

/** The vendor's error codes, by name. */
export const CODES = Object.freeze(Object.fromEntries(ERROR_TABLE.map(r => [r.name, r.code]))) as { readonly [R in ErrorRow as R['name']]: R['code'] }

/** The name of an error code in the table (`SEMI_OPTIONAL`), as the schemas' `x-crm-error` annotations write it. */
export type CrmErrorName = ErrorRow['name']

/** One of the vendor error codes. */
export type CrmErrorCode = ErrorRow['code']

/** HTTP status per code, used only when the REST-status option is on; otherwise every answer is 200. */
export const REST_STATUS = Object.freeze(Object.fromEntries(ERROR_TABLE.map(r => [r.code, r.restStatus]))) as Readonly<Record<CrmErrorCode, number>>

/** When each code is answered, in words (the README's and the OpenAPI document's tables). */
export const SITUATION = Object.freeze(Object.fromEntries(ERROR_TABLE.map(r => [r.code, r.situation]))) as Readonly<Record<CrmErrorCode, string>>

const ALL_CODES = new Set<string>(Object.values(CODES))
/** True when `code` is one of the vendor codes of the table. */
export const isCrmErrorCode = (code: unknown): code is CrmErrorCode => typeof code === 'string' && ALL_CODES.has(code)

/** The code an `x-crm-error` annotation names (`SEMI_OPTIONAL`), or undefined when it names none. */
export const codeNamed = (name: unknown): CrmErrorCode | undefined =>
  typeof name === 'string' && Object.hasOwn(CODES, name) ? CODES[name as CrmErrorName] : undefined

const make = (code: CrmErrorCode, message: string): FastifyErrorConstructor => createError(code, message, REST_STATUS[code])

export const InvalidTokenError = make(CODES.INVALID_TOKEN, 'The token %s')
export const InvalidCredentialsError = make(CODES.INVALID_CREDENTIALS, 'Login refused: %s')
export const MandatoryParameterError = make(CODES.MANDATORY_PARAMETER, 'The mandatory parameter %s was not specified')
export const SemiOptionalParametersError = make(CODES.SEMI_OPTIONAL, '%s')
export const InvalidParameterValueError = make(CODES.INVALID_PARAMETER_VALUE, 'The %s %s')
export const EntityNotFoundError = make(CODES.ENTITY_NOT_FOUND, 'The %s %s matches no %s')
export const AmbiguousIdentifierError = make(CODES.AMBIGUOUS_IDENTIFIER, 'The %s %s matches several %s; name it by a field that is unique')
export const InvalidCustomerEventTypeError = make(CODES.INVALID_CUSTOMER_EVENT_TYPE, 'The %s names %s, which is not of type FINANCIAL_ACHIEVEMENT')
export const PaymentMediumNotAllowedError = make(CODES.PAYMENT_MEDIUM_NOT_ALLOWED, 'The %s names %s, which accounts receivable %s does not allow')
export const InvalidLifeCycleStateTransitionError = make(CODES.INVALID_LIFE_CYCLE_STATE_TRANSITION, 'The %s names event %s, which is %s: only POSTED events can be cancelled')
export const ParameterNotAvailableInReleaseError = make(CODES.PARAMETER_NOT_AVAILABLE_IN_RELEASE, 'The parameter %s is available from CRM.COM %s; this server emulates %s')
export const MethodNotFoundError = make(CODES.METHOD_NOT_FOUND, 'No method %s')
export const RequestTooLargeError = make(CODES.REQUEST_TOO_LARGE, 'The request body is larger than the limit of %s bytes')
export const UnexpectedError = make(CODES.UNEXPECTED, 'Unexpected error: %s')

/** A vendor error: an Error whose `code` is a vendor code, with an optional `description`. */
export interface CrmError extends Error {
  code: CrmErrorCode
  statusCode: number
  description?: string
}

/** Attaches the detail shown in `status.description`. */
export function describe (error: Error, description: string): CrmError {
  return Object.assign(error, { description }) as CrmError
}

/** True for errors built from the constants above. */
export function isCrmError (error: unknown): error is CrmError {
  return error instanceof Error && isCrmErrorCode((error as { code?: unknown }).code)
}

/** The vendor's response envelope. */
export interface Envelope<T = unknown> {
  data: T
  status: { code: string, description: string, message: string }
}

/** The envelope of a failure: `data` null, the code, a one-line message and the detail. */
export function errorEnvelope (error: CrmError): Envelope<null> {
  // The message is one line whatever went into it (names echoed from the request included).
  return { data: null, status: { code: error.code, description: error.description ?? '', message: error.message.replace(/\s*[\r\n]+\s*/g, ' ') } }
}

/** The envelope of a success. */
export function okEnvelope<T> (data: T): Envelope<T> {
  return { data, status: { code: 'OK', description: '', message: '' } }
}

/** A vendor error of any code with a ready message, for rules whose code comes from a schema annotation. */
export function crmError (code: CrmErrorCode, message: string, description = ''): CrmError {
  return Object.assign(new Error(message), { name: 'CrmError', code, statusCode: REST_STATUS[code], description })
}
