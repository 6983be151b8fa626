/** The four customer_events/financial_achievements methods. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { cancel, create, list, show, type Answer, type Context, type CreateParams, type ListParams } from '../domain/financial-achievements.js'
import { okEnvelope } from '../contract/errors.js'
import type { OperationName } from '../contract/operations.js'
import { routeOptions } from './pipeline.js'

type Identifier = Record<string, unknown>

const body = <T>(request: FastifyRequest): T => request.body as T
const JSON_TYPE = 'application/json; charset=utf-8'

// Whole events go out as ready JSON (render-json.ts); picked fields through the response serializer.
function send (reply: FastifyReply, answer: Answer): void {
  if ('json' in answer) reply.type(JSON_TYPE).send(answer.json)
  else reply.send(okEnvelope(answer.data))
}

export default async function financialAchievementRoutes (app: FastifyInstance): Promise<void> {
  // The store is the tenant's the token belongs to; the clock is the instance's.
  const context = (request: FastifyRequest): Context => ({ store: request.tenant!.store, clock: app.crm.clock })
  const options = (name: OperationName): object => routeOptions(app.crm, name)

  // Show and list are synchronous (Fastify catches what they throw); create and cancel wait for the store.
  // Create and cancel answer with the show answer's schema.
  app.get('/customer_events/financial_achievements/show', options('customer_events/financial_achievements/show'), (request, reply) => {
    send(reply, show(context(request), request.query as { customer_event_identifier: Identifier, fields_set?: string }))
  })

  app.post('/customer_events/financial_achievements/list', options('customer_events/financial_achievements/list'), (request, reply) => {
    send(reply, list(context(request), body<ListParams>(request)))
  })

  app.post('/customer_events/financial_achievements/create', options('customer_events/financial_achievements/create'), async (request, reply) => {
    send(reply, await create(context(request), request.crmSession!, body<CreateParams>(request)))
  })

  app.post('/customer_events/financial_achievements/cancel', options('customer_events/financial_achievements/cancel'), async (request, reply) => {
    send(reply, await cancel(context(request), request.crmSession!, body<{ customer_event_identifier: Identifier, fields_set?: string }>(request)))
  })
}
