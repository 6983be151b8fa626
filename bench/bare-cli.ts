/** The bare app as a command: listens on a free port and prints its URL, as the mock's CLI does. */
import { buildBare } from './bare.js'

const app = await buildBare({ show: '{}', list: '[]', login: '{"data":{"token":"T"}}' })
await app.listen({ port: 0, host: '127.0.0.1' })
const { port } = app.server.address() as { port: number }
console.log(`listening at http://127.0.0.1:${port}/crmapi/rest/v2/`)
