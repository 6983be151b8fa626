import t from 'tap'
import { formatCrmDate, parseCrmDate, toCrmDate } from '../../src/contract/dates.js'

t.test('dates: the vendor form and any ISO-8601 date-time or date are accepted, as UTC unless an offset says otherwise', async t => {
  const cases: Array<[string, string]> = [
    ['2016-10-07T15:00:00', '2016-10-07T15:00:00'],
    ['2016-10-07', '2016-10-07T00:00:00'],
    ['2016-10-07T15:00', '2016-10-07T15:00:00'],
    ['2016-10-07T15', '2016-10-07T15:00:00'],
    ['2016-10-07 15:00:00', '2016-10-07T15:00:00'],
    ['2016-10-07T15:00:00.123Z', '2016-10-07T15:00:00'],
    ['2016-10-07T15:00:00,5Z', '2016-10-07T15:00:00'],
    ['2016-10-07T17:00:00+02:00', '2016-10-07T15:00:00'],
    ['2016-10-07T17:00:00+0200', '2016-10-07T15:00:00'],
    ['2016-10-07T12:00:00-03', '2016-10-07T15:00:00'],
    ['2016-10-08T01:30:00+10:30', '2016-10-07T15:00:00'],
    ['20161007', '2016-10-07T00:00:00'],
    ['20161007T150000Z', '2016-10-07T15:00:00'],
    ['20161007T1500', '2016-10-07T15:00:00'],
    ['2016-281', '2016-10-07T00:00:00'],
    ['2016281T15:00:00', '2016-10-07T15:00:00'],
    ['2016-W40-5', '2016-10-07T00:00:00'],
    ['2016W405T150000', '2016-10-07T15:00:00'],
    ['2020-W53-7', '2021-01-03T00:00:00'],
    ['2016-02-29', '2016-02-29T00:00:00'],
    ['2016-366', '2016-12-31T00:00:00'],
    ['  2016-10-07  ', '2016-10-07T00:00:00']
  ]
  for (const [input, stored] of cases) t.equal(toCrmDate(input), stored, input)
})

t.test('dates: anything else is refused, impossible dates included', async t => {
  for (const input of ['', 'yesterday', '2016-02-30', '2015-02-29', '2016-13-01', '2016-00-10', '2016-10-32', '2015-366', '2016-000',
    '2016-W54-1', '2021-W53-1', '2016-W40-8', '2016-10-07T24:00:00', '2016-10-07T15:60', '2016-10-07T15:00:61', '2016-10-07T15:00:00+25:00',
    '16-10-07', '2016/10/07', '2016-10-07T', '2016-10-07T15:00:00ZZ', '07.10.2016', '1475852400']) {
    t.equal(parseCrmDate(input), undefined, JSON.stringify(input))
  }
  t.throws(() => toCrmDate('nope'), TypeError)
})

t.test('dates are written as YYYY-MM-DDTHH:mm:ss in UTC', async t => {
  t.equal(formatCrmDate(new Date('2016-10-07T15:00:00.999Z')), '2016-10-07T15:00:00')
})

t.test('dates: years 0000 to 9999 are kept as written; an offset past 9999 is refused', async t => {
  t.equal(toCrmDate('0000-01-01T00:00:00'), '0000-01-01T00:00:00')
  t.equal(toCrmDate('0099-12-31'), '0099-12-31T00:00:00')
  t.equal(toCrmDate('0050-032'), '0050-02-01T00:00:00')
  t.equal(toCrmDate('9999-12-31T23:59:59'), '9999-12-31T23:59:59')
  t.equal(parseCrmDate('9999-12-31T23:59:59-05:00'), undefined)
  t.equal(parseCrmDate('0000-01-01T00:00:00+01:00'), undefined)
})
