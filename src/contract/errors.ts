/**
 * The vendor's error codes, one constant each, and the envelope every failure is sent in.
 * Messages name the parameter at fault; `description` carries the detail (a JSON pointer,
 * the allowed values). Each code also has the HTTP status used by the REST-status option.
 */
import createError, { type FastifyErrorConstructor } from '@fastify/error'

/** The vendor's error codes (API.md's table), by name. */
export const CODES = {
  INVALID_TOKEN: 'COM.CRM.EXCEPTION.AUTHENTICATION.INVALIDTOKENEXCEPTION',
  INVALID_CREDENTIALS: 'COM.CRM.EXCEPTION.AUTHENTICATION.INVALIDCREDENTIALSEXCEPTION',
  MANDATORY_PARAMETER: 'COM.CRM.EXCEPTION.GENERAL.MANDATORYPARAMETERNOTSPECIFIEDEXCEPTION',
  SEMI_OPTIONAL: 'COM.CRM.EXCEPTION.GENERAL.SEMIOPTIONALPARAMETERSEXCEPTION',
  INVALID_PARAMETER_VALUE: 'COM.CRM.EXCEPTION.GENERAL.INVALIDPARAMETERVALUEEXCEPTION',
  ENTITY_NOT_FOUND: 'COM.CRM.EXCEPTION.GENERAL.ENTITYNOTFOUNDEXCEPTION',
  AMBIGUOUS_IDENTIFIER: 'COM.CRM.EXCEPTION.GENERAL.AMBIGUOUSIDENTIFIEREXCEPTION',
  INVALID_CUSTOMER_EVENT_TYPE: 'COM.CRM.EXCEPTION.CUSTOMEREVENTS.INVALIDCUSTOMEREVENTTYPEEXCEPTION',
  PAYMENT_MEDIUM_NOT_ALLOWED: 'COM.CRM.EXCEPTION.CUSTOMEREVENTS.PAYMENTMEDIUMNOTALLOWEDEXCEPTION',
  INVALID_LIFE_CYCLE_STATE_TRANSITION: 'COM.CRM.EXCEPTION.CUSTOMEREVENTS.INVALIDLIFECYCLESTATETRANSITIONEXCEPTION',
  PARAMETER_NOT_AVAILABLE_IN_RELEASE: 'COM.CRM.EXCEPTION.GENERAL.PARAMETERNOTAVAILABLEINRELEASEEXCEPTION',
  METHOD_NOT_FOUND: 'COM.CRM.EXCEPTION.GENERAL.METHODNOTFOUNDEXCEPTION',
  REQUEST_TOO_LARGE: 'COM.CRM.EXCEPTION.GENERAL.REQUESTTOOLARGEEXCEPTION',
  UNEXPECTED: 'COM.CRM.EXCEPTION.GENERAL.UNEXPECTEDEXCEPTION'
} as const

/** One of the vendor error codes. */
export type CrmErrorCode = typeof CODES[keyof typeof CODES]

/** HTTP status per code, used only when the REST-status option is on; otherwise every answer is 200. */
export const REST_STATUS: Record<CrmErrorCode, number> = {
  [CODES.INVALID_TOKEN]: 401,
  [CODES.INVALID_CREDENTIALS]: 401,
  [CODES.MANDATORY_PARAMETER]: 400,
  [CODES.SEMI_OPTIONAL]: 400,
  [CODES.INVALID_PARAMETER_VALUE]: 400,
  [CODES.ENTITY_NOT_FOUND]: 404,
  [CODES.AMBIGUOUS_IDENTIFIER]: 409,
  [CODES.INVALID_CUSTOMER_EVENT_TYPE]: 422,
  [CODES.PAYMENT_MEDIUM_NOT_ALLOWED]: 422,
  [CODES.INVALID_LIFE_CYCLE_STATE_TRANSITION]: 409,
  [CODES.PARAMETER_NOT_AVAILABLE_IN_RELEASE]: 400,
  [CODES.METHOD_NOT_FOUND]: 404,
  [CODES.REQUEST_TOO_LARGE]: 413,
  [CODES.UNEXPECTED]: 500
}

const ALL_CODES = new Set<string>(Object.values(CODES))
/** True when `code` is one of the vendor codes of the table. */
export const isCrmErrorCode = (code: unknown): code is CrmErrorCode => typeof code === 'string' && ALL_CODES.has(code)

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
