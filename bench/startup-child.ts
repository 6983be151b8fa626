/**
 * One start-up measurement in a fresh process (so nothing is compiled or cached yet):
 * `mock` times createMockServer() in memory to its first app.inject answer (a login);
 * `bare` times a bare Fastify app built, made ready and injected the same way. Each also
 * times a second instance in the same process (what a test suite pays per test) and the
 * module import before any of it. Prints one JSON line.
 */
const mode = process.argv[2] as 'mock' | 'bare'
const LOGIN = { method: 'POST' as const, url: '/crmapi/rest/v2/authentication/token', payload: { username: 'MPAdministrator', password: '1234', organisation: 'CRMDEMO' } }

async function mock (): Promise<{ importMs: number, firstMs: number, secondMs: number }> {
  const t0 = performance.now()
  const { createMockServer } = await import('crmcom-mock')
  const t1 = performance.now()
  const instance = async (): Promise<void> => {
    const server = await createMockServer()
    const answer = await server.app.inject(LOGIN)
    if (answer.statusCode !== 200) throw new Error(answer.body)
  }
  await instance()
  const t2 = performance.now()
  await instance()
  const t3 = performance.now()
  return { importMs: t1 - t0, firstMs: t2 - t1, secondMs: t3 - t2 }
}

async function bare (): Promise<{ importMs: number, firstMs: number, secondMs: number }> {
  const t0 = performance.now()
  const { buildBare } = await import('./bare.js')
  const t1 = performance.now()
  const instance = async (): Promise<void> => {
    const app = await buildBare({ show: '{}', list: '[]', login: '{"data":{"token":"T"}}' })
    const answer = await app.inject(LOGIN)
    if (answer.statusCode !== 200) throw new Error(answer.body)
  }
  await instance()
  const t2 = performance.now()
  await instance()
  const t3 = performance.now()
  return { importMs: t1 - t0, firstMs: t2 - t1, secondMs: t3 - t2 }
}

console.log(JSON.stringify(await (mode === 'mock' ? mock() : bare())))
