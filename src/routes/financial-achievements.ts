/** The four customer_events/financial_achievements methods. */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { cancel, create, list, show, type Context, type CreateParams, type ListParams } from '../domain/financial-achievements.js'
import { listJson, showJson } from '../domain/render-json.js'
import { okEnvelope } from '../errors.js'
import { OPERATIONS, type OperationName } from '../operations.js'
import { schemas } from '../schemas.js'
import { deprecationHeaders, gateParameters } from './contract.js'
import { applyFaults, authenticate, parseQueryIdentifiers, requireObjectBody } from './hooks.js'

type Identifier = Record<string, unknown>

function routeOptions (name: OperationName): object {
  const op = OPERATIONS[name]
  return {
    schema: { [op.part]: schemas[op.request], response: { 200: schemas[op.response] } },
    preValidation: op.method === 'GET' ? [authenticate, applyFaults, parseQueryIdentifiers, gateParameters] : [requireObjectBody, authenticate, applyFaults, gateParameters],
    onSend: [deprecationHeaders]
  }
}

const body = <T>(request: FastifyRequest): T => request.body as T
const JSON_TYPE = 'application/json; charset=utf-8'

export default async function financialAchievementRoutes (app: FastifyInstance): Promise<void> {
  // The store is the tenant's the token belongs to; the clock is the instance's.
  const context = (request: FastifyRequest): Context => ({ store: request.tenant!.store, clock: app.crm.clock })

  // A whole event (no fields_set) is answered as ready JSON built from cached references (render-json.ts);
  // the create and cancel answers have the show answer's schema.
  app.get('/customer_events/financial_achievements/show', routeOptions('customer_events/financial_achievements/show'), async (request, reply) => {
    const params = request.query as { customer_event_identifier: Identifier, fields_set?: string }
    const event = show(context(request), params)
    return params.fields_set === undefined ? await reply.type(JSON_TYPE).send(showJson(event)) : okEnvelope(event)
  })

  app.post('/customer_events/financial_achievements/list', routeOptions('customer_events/financial_achievements/list'), async (request, reply) => {
    const params = body<ListParams>(request)
    const events = list(context(request), params)
    return params.fields_set === undefined ? await reply.type(JSON_TYPE).send(listJson(events)) : okEnvelope(events)
  })

  app.post('/customer_events/financial_achievements/create', routeOptions('customer_events/financial_achievements/create'), async (request, reply) => {
    const params = body<CreateParams>(request)
    const event = await create(context(request), request.crmSession!, params)
    return params.fields_set === undefined ? await reply.type(JSON_TYPE).send(showJson(event)) : okEnvelope(event)
  })

  app.post('/customer_events/financial_achievements/cancel', routeOptions('customer_events/financial_achievements/cancel'), async (request, reply) => {
    const params = body<{ customer_event_identifier: Identifier, fields_set?: string }>(request)
    const event = await cancel(context(request), request.crmSession!, params)
    return params.fields_set === undefined ? await reply.type(JSON_TYPE).send(showJson(event)) : okEnvelope(event)
  })
}
