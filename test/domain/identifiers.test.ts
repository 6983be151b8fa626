/**
 * API.md "Identifiers": an object naming exactly one of its allowed fields; unknown field,
 * zero or two fields: INVALIDPARAMETERVALUE; no match: ENTITYNOTFOUND naming the parameter;
 * a name matching several records: AMBIGUOUSIDENTIFIER. GET takes `name=field=value` or JSON.
 */
import t from 'tap'
import { BASE, CODES, expectError, expectOk, FA, session, VENDOR_CREATE } from '../helper.js'
import { OPERATIONS, type OperationName } from '../../src/contract/operations.js'
import { schemas } from '../../src/contract/schemas.js'

const CREATE = FA + 'create'
const SHOW = FA + 'show'
const LIST = FA + 'list'
const CANCEL = FA + 'cancel'

interface IdentifierCase {
  parameter: string
  method: string
  /** Parameters the call needs besides the identifier. */
  base: Record<string, unknown>
  /** Each allowed field, a value naming the reference record, and the record's id. */
  fields: Record<string, string>
  id: string
  /** Where the answer shows the resolved record's id. */
  answered: (data: any) => string
}

const { accounts_receivable_identifier: _a, ...createWithoutAccount } = VENDOR_CREATE

const CASES: IdentifierCase[] = [
  {
    parameter: 'accounts_receivable_identifier', method: CREATE, base: createWithoutAccount,
    fields: { id: '8C1E866074D743EE834E910A28C1E582', number: 'ACR0000000069', name: 'ACR0000000069 Polina Kestora' },
    id: '8C1E866074D743EE834E910A28C1E582', answered: d => d.accounts_receivable.id
  },
  {
    parameter: 'classification_identifier', method: CREATE, base: VENDOR_CREATE,
    fields: { id: '39031C33C1AC4FB79140B27D1614CD6A', name: 'Financial Achievement 1', alternative_code: 'FA' },
    id: '39031C33C1AC4FB79140B27D1614CD6A', answered: d => d.classification.id
  },
  {
    parameter: 'performed_by_unit_identifier', method: CREATE, base: VENDOR_CREATE,
    fields: { id: '1', name: 'Admin Unit', alternative_code: 'adminunit' },
    id: '1', answered: d => d.performed_by_unit.id
  },
  {
    parameter: 'product_identifier', method: CREATE, base: VENDOR_CREATE,
    fields: { id: 'F50CC52934BD4F119B6E18E215A4FC55', code: 'Bronze', alternative_code: 'B' },
    id: 'F50CC52934BD4F119B6E18E215A4FC55', answered: d => d.product.id
  },
  {
    parameter: 'payment_medium_type_identifier', method: CREATE, base: VENDOR_CREATE,
    fields: { id: '68FAF1F833194091967F86B1AA352129', name: 'CREDIT CARD', alternative_code: 'CC' },
    id: '68FAF1F833194091967F86B1AA352129', answered: d => d.payment_medium_type.id
  },
  {
    parameter: 'payment_medium_brand_identifier', method: CREATE, base: VENDOR_CREATE,
    fields: { id: '02DEEA7F35B8413E9C017600653C1223', name: 'VISA', alternative_code: 'V' },
    id: '02DEEA7F35B8413E9C017600653C1223', answered: d => d.payment_medium_brand.id
  },
  {
    parameter: 'customer_event_identifier', method: CANCEL, base: {},
    fields: { id: '328B8B0AF30041169B889F4A39D774B7', number: '92' },
    id: '328B8B0AF30041169B889F4A39D774B7', answered: d => d.id
  },
  {
    parameter: 'accounts_receivable_identifier', method: LIST, base: {},
    fields: { id: '8C1E866074D743EE834E910A28C1E582', number: 'ACR0000000069', name: 'ACR0000000069 Polina Kestora' },
    id: '8C1E866074D743EE834E910A28C1E582', answered: d => d[0].accounts_receivable.id
  },
  {
    parameter: 'classification_identifier', method: LIST, base: {},
    fields: { id: '39031C33C1AC4FB79140B27D1614CD6A', name: 'Financial Achievement 1', alternative_code: 'FA' },
    id: '39031C33C1AC4FB79140B27D1614CD6A', answered: d => d[0].classification.id
  }
]

const label = (c: IdentifierCase): string => `${c.method.replace(FA, '')} ${c.parameter}`

t.test('identifiers: each allowed field alone names its record', async t => {
  for (const c of CASES) {
    for (const [field, value] of Object.entries(c.fields)) {
      t.test(`${label(c)} {${field}}`, async t => {
        const { api } = await session(t)
        const answer = await api(c.method, { ...c.base, [c.parameter]: { [field]: value } })
        expectOk(t, answer, c.method, { complete: true })
        t.equal(c.answered(answer.body.data), c.id)
      })
    }
  }
})

/** The mandatory parameters of a method, from its request schema. */
const mandatory = (method: string): Set<string> => new Set((schemas[OPERATIONS[method as OperationName].request]!.required ?? []) as string[])

t.test('identifiers: zero fields, two fields, an unknown field or a non-object is INVALIDPARAMETERVALUEEXCEPTION naming the parameter', async t => {
  for (const c of CASES) {
    const [first, second] = Object.entries(c.fields)
    const bad: Array<[string, unknown]> = [
      ['zero fields', {}],
      ['two fields', { [first![0]]: first![1], [second![0]]: second![1] }],
      ['an unknown field', { code_name: 'x' }],
      ['an allowed field and an unknown one', { [first![0]]: first![1], colour: 'red' }],
      ['a string', String(first![1])],
      ['a number', 69],
      ['an array', [{ [first![0]]: first![1] }]],
      // null means "not given" for an optional or semi-optional identifier (create.test.ts); a mandatory one is refused.
      ...(mandatory(c.method).has(c.parameter) ? [['null', null] as [string, unknown]] : [])
    ]
    t.test(label(c), async t => {
      const { server, api } = await session(t)
      const before = (await server.snapshot()).customer_events
      for (const [why, value] of bad) {
        const answer = await api(c.method, { ...c.base, [c.parameter]: value })
        t.test(why, async t => expectError(t, answer, CODES.INVALID_PARAMETER_VALUE, c.parameter))
      }
      t.same((await server.snapshot()).customer_events, before, 'nothing was stored')
    })
  }
})

t.test('identifiers: the message of an unknown field names the field and the allowed ones', async t => {
  const { api } = await session(t)
  const answer = await api(LIST, { accounts_receivable_identifier: { code: 'ACR0000000069' } })
  expectError(t, answer, CODES.INVALID_PARAMETER_VALUE, /accounts_receivable_identifier has an unknown field "code".*id, number, name/)
})

t.test('identifiers: a field value must be a non-empty string (INVALIDPARAMETERVALUEEXCEPTION naming parameter.field)', async t => {
  const { api } = await session(t)
  for (const value of [69, '', true, { nested: 'x' }, null]) {
    const answer = await api(LIST, { accounts_receivable_identifier: { number: value } })
    t.test(JSON.stringify(value), async t => expectError(t, answer, CODES.INVALID_PARAMETER_VALUE, 'accounts_receivable_identifier.number'))
  }
})

t.test('identifiers: no match is ENTITYNOTFOUNDEXCEPTION naming the parameter', async t => {
  for (const c of CASES) {
    for (const field of Object.keys(c.fields)) {
      t.test(`${label(c)} {${field}}`, async t => {
        const { server, api } = await session(t)
        const before = (await server.snapshot()).customer_events
        const answer = await api(c.method, { ...c.base, [c.parameter]: { [field]: 'NO-SUCH-VALUE' } })
        expectError(t, answer, CODES.ENTITY_NOT_FOUND, new RegExp(`${c.parameter}.*NO-SUCH-VALUE`))
        t.same((await server.snapshot()).customer_events, before, 'nothing was stored')
      })
    }
  }
})

t.test('identifiers: values match exactly (case and surrounding spaces matter)', async t => {
  const { api } = await session(t)
  expectError(t, await api(LIST, { accounts_receivable_identifier: { number: 'acr0000000069' } }), CODES.ENTITY_NOT_FOUND, 'accounts_receivable_identifier')
  expectError(t, await api(LIST, { accounts_receivable_identifier: { number: ' ACR0000000069' } }), CODES.ENTITY_NOT_FOUND, 'accounts_receivable_identifier')
})

t.test('identifiers: a name that matches several records is AMBIGUOUSIDENTIFIEREXCEPTION (two classifications are named Loyalty Bonus)', async t => {
  const { server, api } = await session(t)
  const before = (await server.snapshot()).customer_events
  expectError(t, await api(LIST, { classification_identifier: { name: 'Loyalty Bonus' } }), CODES.AMBIGUOUS_IDENTIFIER, 'classification_identifier')
  expectError(t, await api(CREATE, { ...VENDOR_CREATE, classification_identifier: { name: 'Loyalty Bonus' } }), CODES.AMBIGUOUS_IDENTIFIER, 'classification_identifier')
  t.same((await server.snapshot()).customer_events, before, 'nothing was stored')
  const unique = await api(CREATE, { ...VENDOR_CREATE, classification_identifier: { alternative_code: 'LB2' } })
  expectOk(t, unique, CREATE, { complete: true })
  t.equal(unique.body.data.classification.name, 'Loyalty Bonus', 'a unique field of the same classification names it')
})

t.test('identifiers: an ambiguous name is AMBIGUOUSIDENTIFIEREXCEPTION for every kind of record (accounts, units, payment medium types)', async t => {
  const { server, api } = await session(t)
  const d = await server.snapshot()
  const account = d.accounts_receivable.find(a => a.number === 'ACR0000000659')!
  account.name = 'ACR0000000069 Polina Kestora'
  d.units.find(u => u.id === '2')!.name = 'Admin Unit'
  d.payment_medium_types.find(p => p.name === 'DEBIT CARD')!.name = 'CREDIT CARD'
  await server.restore(d)
  expectError(t, await api(LIST, { accounts_receivable_identifier: { name: 'ACR0000000069 Polina Kestora' } }), CODES.AMBIGUOUS_IDENTIFIER, 'accounts_receivable_identifier')
  expectError(t, await api(CREATE, { ...VENDOR_CREATE, performed_by_unit_identifier: { name: 'Admin Unit' } }), CODES.AMBIGUOUS_IDENTIFIER, 'performed_by_unit_identifier')
  expectError(t, await api(CREATE, { ...VENDOR_CREATE, performed_by_unit_identifier: { id: '1' }, payment_medium_type_identifier: { name: 'CREDIT CARD' } }), CODES.AMBIGUOUS_IDENTIFIER, 'payment_medium_type_identifier')
})

t.test('identifiers (GET): the name=field=value form and the JSON form name the event', async t => {
  const { server, token } = await session(t)
  const forms = [
    'customer_event_identifier=id=328B8B0AF30041169B889F4A39D774B7',
    'customer_event_identifier=number=92',
    `customer_event_identifier=${encodeURIComponent('number=92')}`,
    `customer_event_identifier=${encodeURIComponent('{"number":"92"}')}`,
    `customer_event_identifier=${encodeURIComponent('{"id":"328B8B0AF30041169B889F4A39D774B7"}')}`,
    `customer_event_identifier=${encodeURIComponent(' { "number" : "92" } ')}`
  ]
  for (const form of forms) {
    const res = await server.app.inject({ method: 'GET', url: `${BASE}${SHOW}?token=${token}&${form}` })
    const answer = { statusCode: res.statusCode, body: res.json(), headers: res.headers }
    t.test(form, async t => {
      expectOk(t, answer, SHOW, { complete: true })
      t.equal(answer.body.data.id, '328B8B0AF30041169B889F4A39D774B7')
    })
  }
})

t.test('identifiers (GET): a value may itself hold "=" (only the first separates field from value)', async t => {
  const { server, token } = await session(t)
  const res = await server.app.inject({ method: 'GET', url: `${BASE}${SHOW}?token=${token}&customer_event_identifier=number=9=2` })
  expectError(t, { statusCode: res.statusCode, body: res.json(), headers: res.headers }, CODES.ENTITY_NOT_FOUND, /customer_event_identifier.*9=2/)
})

t.test('identifiers (GET): zero fields, two fields, an unknown field or an unreadable form is INVALIDPARAMETERVALUEEXCEPTION naming the parameter', async t => {
  const { server, token } = await session(t)
  const forms: Array<[string, string]> = [
    ['no field', 'customer_event_identifier=92'],
    ['empty', 'customer_event_identifier='],
    ['no field name', 'customer_event_identifier==92'],
    ['an unknown field', 'customer_event_identifier=code=92'],
    ['a field no identifier has', 'customer_event_identifier=colour=92'],
    ['__proto__ as the field', 'customer_event_identifier=__proto__=92'],
    ['an empty value', 'customer_event_identifier=number='],
    ['JSON with zero fields', `customer_event_identifier=${encodeURIComponent('{}')}`],
    ['JSON with two fields', `customer_event_identifier=${encodeURIComponent('{"id":"328B8B0AF30041169B889F4A39D774B7","number":"92"}')}`],
    ['JSON with an unknown field', `customer_event_identifier=${encodeURIComponent('{"code":"92"}')}`],
    ['JSON with a number value', `customer_event_identifier=${encodeURIComponent('{"number":92}')}`],
    ['broken JSON', `customer_event_identifier=${encodeURIComponent('{"number":')}`],
    ['given twice', 'customer_event_identifier=number=92&customer_event_identifier=number=93']
  ]
  for (const [why, form] of forms) {
    const res = await server.app.inject({ method: 'GET', url: `${BASE}${SHOW}?token=${token}&${form}` })
    t.test(why, async t => expectError(t, { statusCode: res.statusCode, body: res.json(), headers: res.headers }, CODES.INVALID_PARAMETER_VALUE, 'customer_event_identifier'))
  }
})

t.test('identifiers (GET): no match is ENTITYNOTFOUNDEXCEPTION naming customer_event_identifier', async t => {
  const { api } = await session(t)
  expectError(t, await api(SHOW, { customer_event_identifier: 'number=99999' }), CODES.ENTITY_NOT_FOUND, /customer_event_identifier.*99999/)
  expectError(t, await api(SHOW, { customer_event_identifier: 'id=00000000000000000000000000000000' }), CODES.ENTITY_NOT_FOUND, 'customer_event_identifier')
})
