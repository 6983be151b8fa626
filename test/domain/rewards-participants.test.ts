/**
 * API.md: rewards_participant_identifier is id, number, access_token_identifier
 * {identifier, pass_code} (pass_code mandatory with identifier) or {authentication_code};
 * a rewards participant belongs to one accounts receivable and its events are that account's.
 */
import t from 'tap'
import { CODES, expectError, expectOk, FA, numbers, participantNotOf, participantOf, session, VENDOR_CREATE } from '../helper.js'

const LIST = FA + 'list'
const CREATE = FA + 'create'
const { accounts_receivable_identifier: _a, ...createWithoutAccount } = VENDOR_CREATE

t.test('rewards participant: id, number, access token {identifier, pass_code} and {authentication_code} each resolve to the participant\'s account', async t => {
  const { server, api } = await session(t)
  const p = await participantOf(server, 'ACR0000000069')
  const token = p.access_tokens[0]!
  const account = await api(LIST, { accounts_receivable_identifier: { number: 'ACR0000000069' } })
  t.same(numbers(account), ['57', '92', '93', '94'], 'the account\'s events')
  const forms: Array<[string, Record<string, unknown>]> = [
    ['id', { id: p.id }],
    ['number', { number: p.number }],
    ['access_token_identifier {identifier, pass_code}', { access_token_identifier: { identifier: token.identifier, pass_code: token.pass_code } }],
    ['access_token_identifier {authentication_code}', { access_token_identifier: { authentication_code: token.authentication_code } }]
  ]
  for (const [why, identifier] of forms) {
    const answer = await api(LIST, { rewards_participant_identifier: identifier })
    t.test(why, async t => {
      expectOk(t, answer, LIST, { complete: true })
      t.same(answer.body.data, account.body.data, 'exactly the account\'s events')
    })
  }
})

t.test('rewards participant: create through a participant creates the event on the participant\'s account', async t => {
  const { server, api } = await session(t)
  const { participant, account } = await participantNotOf(server, 'ACR0000000069')
  const answer = await api(CREATE, { ...createWithoutAccount, rewards_participant_identifier: { number: participant.number } })
  expectOk(t, answer, CREATE, { complete: true })
  t.equal(answer.body.data.accounts_receivable.number, account)
  const listed = await api(LIST, { accounts_receivable_identifier: { number: account } })
  t.ok(numbers(listed).includes(answer.body.data.number), 'listed under the account')
})

t.test('rewards participant: pass_code is mandatory with identifier (MANDATORYPARAMETERNOTSPECIFIEDEXCEPTION)', async t => {
  const { server, api } = await session(t)
  const p = await participantOf(server, 'ACR0000000069')
  const answer = await api(LIST, { rewards_participant_identifier: { access_token_identifier: { identifier: p.access_tokens[0]!.identifier } } })
  expectError(t, answer, CODES.MANDATORY_PARAMETER, 'rewards_participant_identifier.access_token_identifier.pass_code')
})

t.test('rewards participant: a wrong pass_code, an unknown identifier, authentication code, id or number match nothing (ENTITYNOTFOUNDEXCEPTION)', async t => {
  const { server, api } = await session(t)
  const p = await participantOf(server, 'ACR0000000069')
  const token = p.access_tokens[0]!
  const bad: Array<[string, Record<string, unknown>]> = [
    ['wrong pass_code', { access_token_identifier: { identifier: token.identifier, pass_code: `${token.pass_code}0` } }],
    ['empty pass_code', { access_token_identifier: { identifier: token.identifier, pass_code: '' } }],
    ['unknown identifier', { access_token_identifier: { identifier: '0000000000000', pass_code: token.pass_code } }],
    ['unknown authentication_code', { access_token_identifier: { authentication_code: 'NOSUCHCODE' } }],
    ['the pass code used as authentication code', { access_token_identifier: { authentication_code: token.pass_code } }],
    ['unknown id', { id: 'NOSUCHID' }],
    ['unknown number', { number: 'RP99999999' }]
  ]
  for (const [why, identifier] of bad) {
    const answer = await api(LIST, { rewards_participant_identifier: identifier })
    t.test(why, async t => expectError(t, answer, CODES.ENTITY_NOT_FOUND, 'rewards_participant_identifier'))
  }
})

t.test('rewards participant: access_token_identifier must be {identifier, pass_code} or {authentication_code} (INVALIDPARAMETERVALUEEXCEPTION)', async t => {
  const { server, api } = await session(t)
  const token = (await participantOf(server, 'ACR0000000069')).access_tokens[0]!
  const bad: Array<[string, unknown]> = [
    ['empty', {}],
    ['both forms', { identifier: token.identifier, pass_code: token.pass_code, authentication_code: token.authentication_code }],
    ['authentication_code with a pass_code', { authentication_code: token.authentication_code, pass_code: token.pass_code }],
    ['pass_code alone', { pass_code: token.pass_code }],
    ['an unknown field', { card: token.identifier }],
    ['a string', token.identifier],
    ['a number as identifier', { identifier: 4455409647587, pass_code: token.pass_code }]
  ]
  for (const [why, value] of bad) {
    const answer = await api(LIST, { rewards_participant_identifier: { access_token_identifier: value } })
    t.test(why, async t => expectError(t, answer, CODES.INVALID_PARAMETER_VALUE, 'rewards_participant_identifier.access_token_identifier'))
  }
  const two = await api(LIST, { rewards_participant_identifier: { number: 'RP00000001', access_token_identifier: { authentication_code: token.authentication_code } } })
  expectError(t, two, CODES.INVALID_PARAMETER_VALUE, 'rewards_participant_identifier')
})

t.test('rewards participant: payment medium types and brands must be allowed on the participant\'s account (PAYMENTMEDIUMNOTALLOWEDEXCEPTION)', async t => {
  const { server, api } = await session(t)
  const p = await participantOf(server, 'ACR0000000069')
  const base = { ...createWithoutAccount, rewards_participant_identifier: { id: p.id } }
  expectOk(t, await api(CREATE, { ...base, payment_medium_type_identifier: { name: 'CREDIT CARD' }, payment_medium_brand_identifier: { name: 'VISA' } }), CREATE, { complete: true })
  expectError(t, await api(CREATE, { ...base, payment_medium_type_identifier: { name: 'DEBIT CARD' } }), CODES.PAYMENT_MEDIUM_NOT_ALLOWED, 'payment_medium_type_identifier')
  expectError(t, await api(CREATE, { ...base, payment_medium_brand_identifier: { name: 'MASTERCARD' } }), CODES.PAYMENT_MEDIUM_NOT_ALLOWED, 'payment_medium_brand_identifier')
})
