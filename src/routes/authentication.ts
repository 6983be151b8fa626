/** POST authentication/token and authentication/token/release. */
import type { FastifyInstance } from 'fastify'
import { login, type Credentials } from '../domain/authentication.js'
import { okEnvelope } from '../errors.js'
import { OPERATIONS } from '../operations.js'
import { schemas } from '../schemas.js'
import { gateParameters } from './contract.js'
import { applyFaults, authenticate, loginTenant, requireObjectBody } from './hooks.js'

const schemaOf = (name: keyof typeof OPERATIONS): { body: object, response: { 200: object } } => {
  const op = OPERATIONS[name]
  return { body: schemas[op.request]!, response: { 200: schemas[op.response]! } }
}

export default async function authenticationRoutes (app: FastifyInstance): Promise<void> {
  app.post('/authentication/token', { schema: schemaOf('authentication/token'), preValidation: [requireObjectBody, loginTenant, applyFaults, gateParameters] }, async request => {
    const { sessions, tenants } = app.crm
    return okEnvelope({ token: await login(request.tenant!.store.lookup, sessions, request.body as Credentials, tenants.mode === 'per-organisation') })
  })

  app.post('/authentication/token/release', { schema: schemaOf('authentication/token/release'), preValidation: [requireObjectBody, authenticate, applyFaults, gateParameters] }, async request => {
    request.crmSession!.released = true
    return okEnvelope(null)
  })
}
