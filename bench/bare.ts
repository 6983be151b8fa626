/**
 * The limit: a bare Fastify app on the same paths, with the same settings as the mock
 * (no logger, the same body limit, JSON bodies parsed), answering pre-built bodies taken
 * from the mock itself. Whatever the mock does beyond this is its own cost.
 *
 * Each body goes out in the form that is fastest for Fastify and that the mock uses too:
 * the page of 20 as bytes (Node writes a 55 KB string by joining it to the headers and
 * encoding it, about 30 µs a request more on this machine), the event and the login as
 * strings (for 3 KB, bytes measured no faster).
 */
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify'

/** The raw answers the bare app replays: one event, a page of 20, a login. */
export interface Bodies { show: string, list: string, login: string }

const BASE = '/crmapi/rest/v2/'
const FA = `${BASE}customer_events/financial_achievements/`

/** Builds the bare app (ready, not listening). */
export async function buildBare (bodies: Bodies): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 })
  const answer = (body: string | Buffer) => async (_request: unknown, reply: FastifyReply) => await reply.type('application/json; charset=utf-8').send(body)
  app.get(`${FA}show`, answer(bodies.show))
  app.post(`${FA}list`, answer(Buffer.from(bodies.list)))
  app.post(`${FA}create`, answer(bodies.show))
  app.post(`${FA}cancel`, answer(bodies.show))
  app.post(`${BASE}authentication/token`, answer(bodies.login))
  await app.ready()
  return app
}
