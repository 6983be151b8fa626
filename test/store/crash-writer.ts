/**
 * The child of kill.test.ts: writes as fast as it can to a file store and prints each write
 * the moment it is acknowledged (`create <id>` / `cancel <id>`), until it is killed.
 * `server` mode goes through the HTTP layer (app.inject); `store` mode drives the store
 * directly with a journal that compacts all the time, so kills land mid-compaction too.
 */
// Imported per mode: a child that loads only the store starts in a fraction of the time.

const [file, mode] = process.argv.slice(2) as [string, 'server' | 'store']
const say = (line: string): void => { process.stdout.write(line + '\n') }
const IN_FLIGHT = 16

async function serverWorker (): Promise<void> {
  const { createMockServer } = await import('../../src/server.js')
  const server = await createMockServer({ store: { file } })
  const token = await server.login()
  const post = async (method: string, body: object): Promise<{ data: { id: string }, status: { code: string } }> =>
    (await server.app.inject({ method: 'POST', url: `/crmapi/rest/v2/customer_events/financial_achievements/${method}`, payload: { token, ...body } })).json()
  say('ready')
  const worker = async (): Promise<never> => {
    for (let i = 0; ; i++) {
      const created = await post('create', {
        accounts_receivable_identifier: { number: 'ACR0000000069' }, classification_identifier: { name: 'Financial Achievement 1' },
        performed_by_unit_identifier: { name: 'Admin Unit' }, performed_on: '2016-10-07T15:00:00', amount: '11.50'
      })
      if (created.status.code !== 'OK') throw new Error(created.status.code)
      say(`create ${created.data.id}`)
      if (i % 4 !== 0) continue
      const cancelled = await post('cancel', { customer_event_identifier: { id: created.data.id } })
      if (cancelled.status.code !== 'OK') throw new Error(cancelled.status.code)
      say(`cancel ${created.data.id}`)
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
}

async function storeWorker (): Promise<void> {
  const [{ WriteAheadLog }, { Store }, { cancelEvent, createEvent, fixtures }] = await Promise.all([
    import('../../src/store/write-ahead-log.js'), import('../../src/store/store.js'), import('../helper.js')])
  const { store } = await Store.open(new WriteAheadLog(file, { compactRatio: 0, compactMinBytes: 64 * 1024, sliceMs: 0 }), fixtures, file)
  say('ready')
  const worker = async (): Promise<never> => {
    for (let i = 0; ; i++) {
      const e = await createEvent(store)
      say(`create ${e.id}`)
      if (i % 4 !== 0) continue
      await cancelEvent(store, e.id)
      say(`cancel ${e.id}`)
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
}

await (mode === 'server' ? serverWorker() : storeWorker())
