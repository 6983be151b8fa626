import t from 'tap'
import { FA, session, VENDOR_CREATE } from './helper.js'
import { CODES } from '../src/contract/errors.js'

t.test('login, create, show, list, cancel, cancel again', async t => {
  const { api } = await session(t)
  const created = await api(FA + 'create', { ...VENDOR_CREATE, amount: '11.50' })
  t.equal(created.body.status.code, 'OK')
  t.equal(created.body.data.amount, 11.5)
  t.equal(created.body.data.life_cycle_state, 'POSTED')
  const id = created.body.data.id
  const shown = await api(FA + 'show', { customer_event_identifier: `id=${id}` })
  t.equal(shown.body.data.number, created.body.data.number)
  const listed = await api(FA + 'list', { accounts_receivable_identifier: { number: 'ACR0000000069' } })
  t.ok(listed.body.data.some((e: { id: string }) => e.id === id))
  const cancelled = await api(FA + 'cancel', { customer_event_identifier: { id } })
  t.equal(cancelled.body.data.life_cycle_state, 'CANCELLED')
  const again = await api(FA + 'cancel', { customer_event_identifier: { id } })
  t.equal(again.body.status.code, CODES.INVALID_LIFE_CYCLE_STATE_TRANSITION)
  t.equal(again.body.data, null)
})
