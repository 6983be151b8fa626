/**
 * The admin API under /__admin/: the library's test controls over HTTP, for the standalone
 * server. Off unless enabled; with an admin token every call must present it. Answers use
 * the vendor envelope like everything else.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { CODES, crmError, InvalidParameterValueError, describe, okEnvelope } from '../contract/errors.js'
import { faultProblem, type FaultSpec } from '../controls/faults.js'
import type { Dataset } from '../store/model.js'
import type { TestControls } from '../controls/test-controls.js'

export interface AdminOptions { controls: TestControls, adminToken?: string | undefined }

const digest = (s: string): Buffer => createHash('sha256').update(s).digest()

/** The token a request presents: `Authorization: Bearer X` or `x-admin-token: X`. */
function presented (request: FastifyRequest): string | undefined {
  const auth = request.headers.authorization
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice(7)
  const header = request.headers['x-admin-token']
  return typeof header === 'string' ? header : undefined
}

const organisationOf = (request: FastifyRequest): string | undefined => {
  const q = request.query as Record<string, unknown>
  const b = (request.body ?? {}) as Record<string, unknown>
  const o = q.organisation ?? b.organisation
  return typeof o === 'string' && o !== '' ? o : undefined
}

const invalid = (name: string, problem: string): Error => describe(new InvalidParameterValueError(name, problem), 'See the README, section "Admin API"')

export default async function adminRoutes (app: FastifyInstance, { controls: server, adminToken }: AdminOptions): Promise<void> {
  // Snapshots of large stores exceed the API's body limit.
  const big = { bodyLimit: 512 * 1024 * 1024 }
  app.addHook('onRequest', async request => {
    if (!request.url.startsWith('/__admin/') || adminToken === undefined) return
    const token = presented(request)
    // Compared as digests so the comparison takes the same time whatever the token's length.
    if (token === undefined || !timingSafeEqual(digest(token), digest(adminToken))) {
      throw crmError(CODES.INVALID_TOKEN, 'The admin token is missing or wrong', 'Send Authorization: Bearer <the --admin-token value>')
    }
  })

  app.post('/__admin/reset', async request => { await server.reset(organisationOf(request)); return okEnvelope(null) })

  app.get('/__admin/snapshot', async request => okEnvelope(await server.snapshot(organisationOf(request))))
  app.put('/__admin/snapshot', big, async request => {
    // restore() refuses what the store could not reopen, with the vendor error to answer.
    const body = request.body as Dataset
    const query = request.query as Record<string, unknown>
    await server.restore(body as Dataset, typeof query.organisation === 'string' ? query.organisation : undefined)
    return okEnvelope(null)
  })

  app.get('/__admin/requests', async request => {
    const q = request.query as Record<string, string | undefined>
    return okEnvelope(await server.requests({ operation: q.operation, code: q.code, organisation: q.organisation }))
  })
  app.delete('/__admin/requests', async request => { await server.clearRequests(organisationOf(request)); return okEnvelope(null) })

  app.get('/__admin/clock', async () => okEnvelope({ now: server.clock.now().toISOString(), frozen: server.clock.frozen }))
  app.put('/__admin/clock', async request => {
    const body = (request.body ?? {}) as { now?: unknown, advanceMs?: unknown, real?: unknown }
    if (body.real === true) server.clock.useRealTime()
    if (body.now !== undefined) {
      if ((typeof body.now !== 'string' && typeof body.now !== 'number') || Number.isNaN(new Date(body.now).getTime())) throw invalid('now', 'must be a date (ISO-8601) or epoch milliseconds')
      server.clock.set(body.now)
    }
    if (body.advanceMs !== undefined) {
      if (typeof body.advanceMs !== 'number' || !Number.isFinite(body.advanceMs)) throw invalid('advanceMs', 'must be a number of milliseconds')
      server.clock.advance(body.advanceMs)
    }
    return okEnvelope({ now: server.clock.now().toISOString(), frozen: server.clock.frozen })
  })

  app.post('/__admin/faults', async request => {
    const spec = (request.body ?? {}) as FaultSpec & { organisation?: string }
    const problem = faultProblem(spec)
    if (problem !== undefined) throw invalid('fault', problem)
    await server.faults.inject(spec)
    return okEnvelope(null)
  })
  app.delete('/__admin/faults', async request => { await server.faults.clear(organisationOf(request)); return okEnvelope(null) })

  app.get('/__admin/events', async request => okEnvelope(await server.events(organisationOf(request))))
}
