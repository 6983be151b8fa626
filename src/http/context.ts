/**
 * What the app's plugins work on: the instance's clock, sessions and tenants, and the
 * contract it emulates; and what Fastify carries for them on the instance, each request and
 * each reply.
 */
import type { Clock } from '../controls/clock.js'
import type { Tenant, Tenants } from '../controls/tenants.js'
import type { Release } from '../contract/releases.js'
import type { OperationName } from '../contract/operations.js'
import type { Session, Sessions } from '../domain/sessions.js'

/** What the routes work on. */
export interface MockContext {
  readonly clock: Clock
  readonly sessions: Sessions
  readonly tenants: Tenants
  /** The CRM.COM release emulated (R14.0.0 when absent): newer parameters are unknown, R15+ adds deprecation headers. */
  readonly release?: Release
  /** Refuse unknown (and, per release, not yet available) parameters instead of ignoring them. */
  readonly strict?: boolean
}

declare module 'fastify' {
  interface FastifyInstance {
    crm: MockContext
  }
  interface FastifyRequest {
    crmSession: Session | null
    /** The dataset, journal and faults this request works on (set at login or from the token). */
    tenant: Tenant | null
    /** The vendor method, once its route's first hook has run. */
    crmOperation: OperationName | null
    /** The parameters as sent, when the pipeline dropped some (nulls, or ones newer than the release). */
    crmSentParams: Record<string, unknown> | null
  }
  interface FastifyReply {
    /** The vendor status code answered, for the journal (OK unless an error was sent). */
    crmCode: string | undefined
  }
}
