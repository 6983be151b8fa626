/**
 * Keeps every answered call in the request log of the tenant it belongs to (in shared mode,
 * every call). In per-organisation mode a call that never reached a tenant (a bad token, say)
 * belongs to nobody and is not kept. A dropped connection was logged when it was dropped.
 */
import type { FastifyInstance } from 'fastify'
import type { MockContext } from './context.js'
import { DROPPED, recordCall, sentParamsOf } from './pipeline.js'

export function recordCalls (app: FastifyInstance, ctx: MockContext): void {
  const shared = ctx.tenants.mode === 'shared'
  app.addHook('onResponse', (request, reply, done) => {
    const tenant = request.tenant ?? (shared ? ctx.tenants.opened() : undefined)
    if (tenant !== undefined && reply.crmCode !== DROPPED && !request.url.startsWith('/__admin/') && !request.url.startsWith('/documentation')) {
      recordCall(request, tenant, reply.crmCode ?? 'OK', sentParamsOf(request) ?? {})
    }
    done()
  })
}
