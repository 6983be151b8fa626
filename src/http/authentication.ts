/** POST authentication/token and authentication/token/release. */
import type { FastifyInstance } from 'fastify'
import { login, type Credentials } from '../domain/authentication.js'
import { okEnvelope } from '../contract/errors.js'
import { routeOptions } from './pipeline.js'

export default async function authenticationRoutes (app: FastifyInstance): Promise<void> {
  app.post('/authentication/token', routeOptions(app.crm, 'authentication/token'), async request => {
    const { sessions, tenants } = app.crm
    return okEnvelope({ token: await login(request.tenant!.store.lookup, sessions, request.body as Credentials, tenants.mode === 'per-organisation') })
  })

  app.post('/authentication/token/release', routeOptions(app.crm, 'authentication/token/release'), async request => {
    request.crmSession!.released = true
    return okEnvelope(null)
  })
}
