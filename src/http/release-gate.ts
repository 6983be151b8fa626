/**
 * Hooks of the emulated contract: release gating, strict mode and the R15 deprecation.
 * Which parameter arrived in which release is read from the request schemas
 * (`x-crm-available-from`), so these hooks hold no parameter names.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { MockContext } from './context.js'
import { InvalidParameterValueError, ParameterNotAvailableInReleaseError, describe } from '../contract/errors.js'
import { BASE_PATH, type OperationName } from '../contract/operations.js'
import { DEFAULT_RELEASE, DEPRECATION_HEADER, hasArrived, isDeprecated, parametersOf, parseRelease, successorOf, type Release } from '../contract/releases.js'

const DEFAULT = parseRelease(DEFAULT_RELEASE)
const releaseOf = (ctx: MockContext): Release => ctx.release ?? DEFAULT

/**
 * A parameter newer than the emulated release is unknown there: dropped before validation
 * (the real CRM ignores unknown parameters), or, in strict mode, refused with
 * PARAMETERNOTAVAILABLEINRELEASEEXCEPTION. Strict mode also refuses parameters the method
 * does not have at all (a typo such as udf_float_5) with INVALIDPARAMETERVALUEEXCEPTION.
 * Runs after the token check, which the vendor makes first.
 *
 * The gate of one operation in one server: undefined when it could never do anything (not
 * strict, and every parameter of the method has arrived in the release), so a request to
 * that route skips it. The release and the mode are fixed for a server's life. `beforeDrop`
 * runs before the first parameter is dropped, so the caller can keep the parameters as sent.
 */
export function parameterGate (ctx: MockContext, operation: OperationName): ((params: Record<string, unknown> | null, beforeDrop?: () => void) => void) | undefined {
  const release = releaseOf(ctx)
  const strict = ctx.strict === true
  const known = parametersOf(operation)
  const late = new Map([...known].filter(([, from]) => !hasArrived(release, from)))
  if (!strict && late.size === 0) return undefined
  return function gateParameters (params, beforeDrop) {
    if (params === null || typeof params !== 'object') return
    const unknown: string[] = []
    for (const name of Object.keys(params)) {
      const from = late.get(name)
      if (from !== undefined) {
        if (strict) {
          throw describe(new ParameterNotAvailableInReleaseError(name, from, release.label), `${operation} gained ${name} in CRM.COM ${from}; start the server with a later --release to use it`)
        }
        beforeDrop?.()
        delete params[name]
      } else if (!known.has(name)) unknown.push(name)
    }
    if (strict && unknown.length > 0) {
      const names = unknown.join(', ')
      const problem = unknown.length === 1 ? `is not a parameter of ${operation}` : `are not parameters of ${operation}`
      throw describe(new InvalidParameterValueError(unknown.length === 1 ? `parameter ${names}` : `parameters ${names}`, problem),
        `Strict mode refuses unknown parameters (the real CRM ignores them). Known: ${[...known.keys()].join(', ')}`)
    }
  }
}

const warned = new WeakSet<MockContext>()

type OnSend = (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: Error | null, payload: unknown) => void) => void

/**
 * From R15.0.0 the financial achievement methods are deprecated: every answer (errors too)
 * carries `Deprecation` and a `Link` to the successor, and the log gets one warning per server.
 * The onSend hook of an operation, or undefined when the emulated release does not deprecate it.
 */
export function deprecationHeaders (ctx: MockContext, operation: OperationName): OnSend | undefined {
  const successor = successorOf(operation)
  if (successor === undefined || !isDeprecated(releaseOf(ctx))) return undefined
  const link = `<${BASE_PATH}${successor}>; rel="successor-version"`
  return function deprecation (request, reply, payload, done) {
    void reply.header('Deprecation', DEPRECATION_HEADER)
    void reply.header('Link', link)
    if (!warned.has(ctx)) {
      warned.add(ctx)
      request.log.warn({ operation, successor, release: releaseOf(ctx).label },
        `customer_events/financial_achievements/* are deprecated from CRM.COM R15.0.0 (emulating ${releaseOf(ctx).label}); use customer_events/achievements/*`)
    }
    done(null, payload)
  }
}
