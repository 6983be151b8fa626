import t from 'tap'
import { randomHex } from '../../src/domain/random.js'

t.test('randomHex gives upper-case hex ids, never the same twice, across pool refills', async t => {
  const seen = new Set<string>()
  // 4 KiB a pool: 2,000 ids of 16 bytes refill it several times.
  for (let i = 0; i < 2000; i++) seen.add(randomHex(16))
  t.equal(seen.size, 2000, 'no id repeats')
  t.ok([...seen].every(id => /^[0-9A-F]{32}$/.test(id)), '32 upper-case hex digits each')
  t.match(randomHex(1), /^[0-9A-F]{2}$/)
  t.match(randomHex(4096), /^[0-9A-F]{8192}$/, 'a whole pool at once')
  t.throws(() => randomHex(4097), RangeError, 'more than a pool is refused')
})
