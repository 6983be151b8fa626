/**
 * One start-up measurement in a fresh process (so nothing is compiled or cached yet):
 * `mock` times createMockServer() in memory to its first app.inject answer (a login);
 * `bare` times a bare Fastify app built, made ready and injected the same way. Each also
 * times a second instance in the same process (what a test suite pays per test) and the
 * module import before any of it. Prints one JSON line.
 */
const mode = process.argv[2] as 'mock' | 'bare'
const LOGIN = { method: 'POST' as const, url: '/crmapi/rest/v2/authentication/token', payload: { username: 'MPAdministrator', password: '1234', organisation: 'CRMDEMO' } }

type Timing = { importMs: number, firstMs: number, secondMs: number }

/** Times the import, then two instances built and answering a login (`answer` gets what the import gave). */
async function time<M> (load: () => Promise<M>, answer: (module: M) => Promise<{ statusCode: number, body: string }>): Promise<Timing> {
  const t0 = performance.now()
  const module = await load()
  const t1 = performance.now()
  const instance = async (): Promise<void> => {
    const res = await answer(module)
    if (res.statusCode !== 200) throw new Error(res.body)
  }
  await instance()
  const t2 = performance.now()
  await instance()
  const t3 = performance.now()
  return { importMs: t1 - t0, firstMs: t2 - t1, secondMs: t3 - t2 }
}

const mock = async (): Promise<Timing> => await time(async () => await import('crmcom-mock'), async ({ createMockServer }) => await (await createMockServer()).app.inject(LOGIN))
const bare = async (): Promise<Timing> => await time(async () => await import('./bare.js'), async ({ buildBare }) =>
  await (await buildBare({ show: '{}', list: '[]', login: '{"data":{"token":"T"}}' })).inject(LOGIN))

console.log(JSON.stringify(await (mode === 'mock' ? mock() : bare())))
