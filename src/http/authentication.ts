/** POST authentication/token and authentication/token/release. */
import type { FastifyInstance } from 'fastify'
import { authenticateUser, login, type Credentials } from '../domain/authentication.js'
import { okEnvelope } from '../contract/errors.js'
import { routeOptions } from './pipeline.js'

export default async function authenticationRoutes (app: FastifyInstance): Promise<void> {
  app.post('/authentication/token', routeOptions(app.crm, 'authentication/token'), async request => {
    const { sessions, tenants } = app.crm
    const credentials = request.body as Credentials
    if (request.tenant === null) {
      // Per organisation, one not made yet: checked against the dataset it would start from,
      // and made only once the login has succeeded.
      const { user, unit } = await authenticateUser(tenants.template(), credentials, true)
      request.tenant = await tenants.get(credentials.organisation)
      return okEnvelope({ token: await sessions.issue(user, unit, credentials.organisation) })
    }
    return okEnvelope({ token: await login(request.tenant.store.lookup, sessions, credentials, tenants.mode === 'per-organisation') })
  })

  app.post('/authentication/token/release', routeOptions(app.crm, 'authentication/token/release'), async request => {
    request.crmSession!.released = true
    return okEnvelope(null)
  })
}
