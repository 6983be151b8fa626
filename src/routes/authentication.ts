/** POST authentication/token and authentication/token/release. */
import type { FastifyInstance } from 'fastify'
import { login, type Credentials } from '../domain/authentication.js'
import { okEnvelope } from '../errors.js'
import { OPERATIONS } from '../operations.js'
import { schemas } from '../schemas.js'
import { prepare } from './hooks.js'

const optionsOf = (name: keyof typeof OPERATIONS): object => {
  const op = OPERATIONS[name]
  return { schema: { body: schemas[op.request]!, response: { 200: schemas[op.response]! } }, preValidation: prepare(name) }
}

export default async function authenticationRoutes (app: FastifyInstance): Promise<void> {
  app.post('/authentication/token', optionsOf('authentication/token'), async request => {
    const { sessions, tenants } = app.crm
    return okEnvelope({ token: await login(request.tenant!.store.lookup, sessions, request.body as Credentials, tenants.mode === 'per-organisation') })
  })

  app.post('/authentication/token/release', optionsOf('authentication/token/release'), async request => {
    request.crmSession!.released = true
    return okEnvelope(null)
  })
}
