import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { renderEvent } from '../src/domain/render.js'
import { generateDataset } from '../src/fixtures/generate.js'
import type { Dataset } from '../src/model.js'
import { validatorFor } from '../src/schemas.js'
import { Lookup } from '../src/store/lookup.js'
import { ROOT } from './helper.js'

const committed = JSON.parse(readFileSync(join(ROOT, 'fixtures', 'default.json'), 'utf8')) as Dataset

t.test('the committed fixtures are exactly what `npm run fixtures` generates (fixed seed and reference date)', async t => {
  t.same(JSON.parse(JSON.stringify(generateDataset())), committed)
})

t.test('every fixture event renders to a complete, schema-valid financial achievement event', async t => {
  const lookup = new Lookup(committed)
  const complete = validatorFor('financial-achievement-event-complete.json')
  const bad = committed.customer_events
    .filter(e => e.type === 'FINANCIAL_ACHIEVEMENT')
    .filter(e => !complete(renderEvent(lookup, e)))
  t.same(bad.map(e => e.number), [], JSON.stringify(complete.errors))
})

t.test('the fixtures hold every reference entity API.md lists, with the vendor ids', async t => {
  const byNumber = (n: string): unknown => committed.customer_events.find(e => e.number === n)
  t.match(committed.accounts_receivable.find(a => a.number === 'ACR0000000069'), { id: '8C1E866074D743EE834E910A28C1E582', name: 'ACR0000000069 Polina Kestora' })
  t.ok(committed.accounts_receivable.find(a => a.number === 'ACR0000000659'))
  t.match(committed.classifications.find(c => c.alternative_code === 'FA'), { name: 'Financial Achievement 1', id: '39031C33C1AC4FB79140B27D1614CD6A' })
  t.match(committed.units.find(u => u.id === '1'), { name: 'Admin Unit', alternative_code: 'adminunit' })
  t.match(committed.users.find(u => u.id === '1'), { username: 'MPAdministrator' })
  t.match(committed.payment_medium_brands.find(b => b.name === 'VISA'), { alternative_code: 'V', id: '02DEEA7F35B8413E9C017600653C1223' })
  t.match(committed.payment_medium_types.find(b => b.name === 'CREDIT CARD'), { alternative_code: 'CC', id: '68FAF1F833194091967F86B1AA352129' })
  t.match(committed.products.find(p => p.code === 'Bronze'), { alternative_code: 'B', id: 'F50CC52934BD4F119B6E18E215A4FC55' })
  t.match(committed.product_types.find(p => p.name === 'Main Packages'), { id: 'E186E293AAAB49EE86A729540A4287FE' })
  for (const [n, id] of [['57', 'B8A73C74B2E7417F8B7159CF2BB036F3'], ['92', '328B8B0AF30041169B889F4A39D774B7'], ['93', '2DA40D40C50145FD898F73CB33F9EAE3'], ['94', '79845A8FF2D3407B84BC593536BBBFBB']] as const) {
    t.match(byNumber(n), { id }, `event ${n}`)
  }
  for (let n = 108; n <= 120; n++) t.ok(byNumber(String(n)), `event ${n}`)
  t.ok(byNumber('137'))
  t.ok(committed.classifications.some(c => c.event_type !== 'FINANCIAL_ACHIEVEMENT'), 'classifications of other event types')
  t.ok(committed.customer_events.some(e => e.type !== 'FINANCIAL_ACHIEVEMENT'), 'events of other types')
  t.ok(committed.rewards_participants.length > 0, 'rewards participants')
})

t.test('no password is stored in clear', async t => {
  for (const u of committed.users) t.match(u.password_hash, /^scrypt\$/)
  t.notOk(JSON.stringify(committed).includes('"1234"'))
})
