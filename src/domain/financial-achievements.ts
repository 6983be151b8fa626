/**
 * The four methods, as the vendor's rule list. The request's shape (mandatory, semi-optional,
 * value types) was checked by its schema before a function here runs; what is left is what
 * needs the data: resolving identifiers, the type and life cycle rules (also schemas, checked
 * against the resolved records), and the payment medium rule.
 */
import type { Session } from './sessions.js'
import type { Clock } from '../controls/clock.js'
import { formatCrmDate, parseCrmDate, toCrmDate } from '../contract/dates.js'
import { CODES, InvalidCustomerEventTypeError, InvalidLifeCycleStateTransitionError, InvalidParameterValueError, PaymentMediumNotAllowedError, describe } from '../contract/errors.js'
import type { AccountReceivable, Classification, CustomerEvent } from '../store/model.js'
import type { Lookup } from '../store/lookup.js'
import { PAGE_CACHE_EVENTS, answersFor } from './answers.js'
import type { Store } from '../store/store.js'
import { randomHex } from './random.js'
import { checkAgainst } from '../contract/validation.js'
import { resolve } from './identifiers.js'
import { keptShowAnswer, listAnswer, showAnswer, showJson } from './render-json.js'
import { parseFieldsSet } from '../contract/fields-set.js'
import { pickFields, renderEvent, type RenderOptions } from './render.js'

type Identifier = Record<string, unknown>

export interface Context { store: Store, clock: Clock }

const isFinancialAchievementEvent = checkAgainst('preconditions.json#/$defs/financial_achievement_event')
const isFinancialAchievementClassification = checkAgainst('preconditions.json#/$defs/financial_achievement_classification')
const isCancellable = checkAgainst('preconditions.json#/$defs/cancellable_event')

const eventTypeError = (parameter: string, identifier: Identifier) => () =>
  describe(new InvalidCustomerEventTypeError(parameter, JSON.stringify(identifier)), 'Only financial achievement customer events and classifications may be named here')

/** A customer event named by an identifier, which must be a financial achievement. */
function financialAchievement (lookup: Lookup, identifier: Identifier, parameter = 'customer_event_identifier'): CustomerEvent {
  const event = resolve(lookup, 'customer_event_identifier', identifier, parameter)
  isFinancialAchievementEvent(event, parameter, eventTypeError(parameter, identifier))
  return event
}

/** A classification named by an identifier, which must be a financial achievement classification. */
function financialAchievementClassification (lookup: Lookup, identifier: Identifier): Classification {
  const classification = resolve(lookup, 'classification_identifier', identifier)
  isFinancialAchievementClassification(classification, 'classification_identifier', eventTypeError('classification_identifier', identifier))
  return classification
}

/** The accounts receivable of a rewards participant identifier. */
function accountOfParticipant (lookup: Lookup, identifier: Identifier): AccountReceivable {
  const participant = resolve(lookup, 'rewards_participant_identifier', identifier)
  return lookup.byId('accounts_receivable', participant.accounts_receivable_id)!
}

/** `"11.50"` → 11.5; the schema already refused anything that is not a number or numeric string. */
function toNumber (value: unknown, parameter: string): number | null {
  if (value === undefined || value === null) return null
  const n = typeof value === 'number' ? value : Number((value as string).trim())
  if (!Number.isFinite(n)) throw describe(new InvalidParameterValueError(parameter, 'must be a finite number'), `Got ${JSON.stringify(value)}`)
  return n
}

const toDate = (value: unknown): string | null => typeof value === 'string' ? toCrmDate(value) : null
const toText = (value: unknown): string | null => typeof value === 'string' ? value : null

/**
 * An answer: ready JSON for whole events (cached per event, see render-json.ts; a kept
 * list page as its UTF-8 bytes), or, with `fields_set`, the envelope of the picked fields
 * for the response serializer.
 */
export type Answer = { json: string | Buffer } | { data: unknown }

/**
 * The answer of one event (show, create, cancel). Only show keeps the answer in the
 * dataset's cache: an event's answer is read there by show and list, and a create-heavy
 * load would otherwise keep 3 KB for every new event, most never read, for V8 to promote.
 */
export function answerOne (lookup: Lookup, event: CustomerEvent, fieldsSet: string | undefined, options: RenderOptions & { keep?: boolean } = {}): Answer {
  if (fieldsSet === undefined) return { json: options.keep === true ? showAnswer(lookup, event) : showJson(renderEvent(lookup, event, options)) }
  return { data: pickFields(renderEvent(lookup, event, options), parseFieldsSet(fieldsSet)) }
}

/** The answer of a page of events (list). */
export function answerMany (lookup: Lookup, events: readonly CustomerEvent[], fieldsSet: string | undefined): Answer {
  if (fieldsSet === undefined) return { json: listAnswer(lookup, events) }
  const fields = parseFieldsSet(fieldsSet)
  return { data: events.map(e => pickFields(renderEvent(lookup, e), fields)) }
}

/** GET show: one financial achievement event. */
export function show (ctx: Context, params: { customer_event_identifier: Identifier, fields_set?: string }): Answer {
  const lookup = ctx.store.lookup
  const identifier = params.customer_event_identifier
  // The schema allows one field per identifier: an `id` is the whole identifier.
  if (params.fields_set === undefined && typeof identifier.id === 'string') {
    const json = keptShowAnswer(lookup, identifier.id)
    if (json !== undefined) return { json }
  }
  return answerOne(lookup, financialAchievement(lookup, identifier), params.fields_set, { keep: true })
}

export interface ListParams {
  rewards_participant_identifier?: Identifier
  accounts_receivable_identifier?: Identifier
  classification_identifier?: Identifier
  submitted_after_date?: string
  submitted_before_date?: string
  number_of_results?: number | string
  offset?: number | string
  fields_set?: string
}

/** `date` moved to a whole second, down (Math.floor) or up (Math.ceil). */
const wholeSecond = (date: Date, round: (x: number) => number): Date => new Date(round(date.getTime() / 1000) * 1000)

/** POST list: the financial achievements matching every semi-optional identifier given, oldest first. */
export function list (ctx: Context, params: ListParams): Answer {
  const lookup = ctx.store.lookup
  const accountIds = new Set<string>()
  if (params.accounts_receivable_identifier !== undefined) accountIds.add(resolve(lookup, 'accounts_receivable_identifier', params.accounts_receivable_identifier).id)
  if (params.rewards_participant_identifier !== undefined) accountIds.add(accountOfParticipant(lookup, params.rewards_participant_identifier).id)
  const classification = params.classification_identifier === undefined ? undefined : financialAchievementClassification(lookup, params.classification_identifier)
  // Every identifier given must match: an account and a participant of another account match nothing.
  if (accountIds.size > 1) return answerMany(lookup, [], params.fields_set)
  const [accountId] = accountIds
  // Stored dates are whole seconds; a bound with a fraction of a second is compared exactly by
  // moving it to the whole second that keeps the same events: down for after, up for before.
  const after = params.submitted_after_date === undefined ? undefined : formatCrmDate(wholeSecond(parseCrmDate(params.submitted_after_date)!, Math.floor))
  const beforeSecond = params.submitted_before_date === undefined ? undefined : wholeSecond(parseCrmDate(params.submitted_before_date)!, Math.ceil)
  // Past the last second a date can have, the bound keeps every event.
  const before = beforeSecond === undefined || beforeSecond.getUTCFullYear() > 9999 ? undefined : formatCrmDate(beforeSecond)
  const offset = Number(params.offset ?? 0)
  const limit = params.number_of_results === undefined ? Infinity : Number(params.number_of_results)
  // The same page asked for again, with nothing changed since, is the same answer.
  const page = params.fields_set === undefined ? JSON.stringify([accountId ?? null, classification?.id ?? null, after ?? null, before ?? null, offset, limit]) : undefined
  const kept = page === undefined ? undefined : answersFor(lookup).pages.get(page)
  if (kept !== undefined) return { json: kept }
  const candidates = accountId !== undefined ? lookup.eventsOfAccount(accountId) : lookup.eventsOfClassification(classification!.id)
  const out: CustomerEvent[] = []
  let skipped = 0
  for (const e of candidates) {
    if (out.length >= limit) break
    if (e.type !== 'FINANCIAL_ACHIEVEMENT') continue
    if (classification !== undefined && e.classification_id !== classification.id) continue
    if (accountId !== undefined && e.accounts_receivable_id !== accountId) continue
    const created = e.log_information.created_date
    // Both bounds are exclusive.
    if (after !== undefined && created <= after) continue
    if (before !== undefined && created >= before) continue
    if (skipped < offset) { skipped++; continue }
    out.push(e)
  }
  const answer = answerMany(lookup, out, params.fields_set)
  if (page === undefined || !('json' in answer) || out.length > PAGE_CACHE_EVENTS) return answer
  // Kept, and sent, as bytes (see answers.ts).
  const bytes = Buffer.from(answer.json)
  answersFor(lookup).pages.set(page, bytes)
  return { json: bytes }
}

export type CreateParams = Record<string, unknown> & {
  accounts_receivable_identifier?: Identifier
  rewards_participant_identifier?: Identifier
  classification_identifier: Identifier
  performed_by_unit_identifier: Identifier
  performed_on: string
  product_identifier?: Identifier
  payment_medium_type_identifier?: Identifier
  payment_medium_brand_identifier?: Identifier
  fields_set?: string
}

const UDF_STRINGS = [1, 2, 3, 4, 5, 6, 7, 8].map(i => `udf_string_${i}`)
const UDF_FLOATS = [1, 2, 3, 4].map(i => `udf_float_${i}`)
const UDF_DATES = [1, 2, 3, 4].map(i => `udf_date_${i}`)

/** POST create: a new POSTED financial achievement, stamped with the session's user and unit. */
export async function create (ctx: Context, session: Session, params: CreateParams): Promise<Answer> {
  const lookup = ctx.store.lookup
  const account = params.accounts_receivable_identifier !== undefined
    ? resolve(lookup, 'accounts_receivable_identifier', params.accounts_receivable_identifier)
    : accountOfParticipant(lookup, params.rewards_participant_identifier!)
  const classification = financialAchievementClassification(lookup, params.classification_identifier)
  const unit = resolve(lookup, 'unit_identifier', params.performed_by_unit_identifier, 'performed_by_unit_identifier')
  const product = params.product_identifier === undefined ? null : resolve(lookup, 'product_identifier', params.product_identifier)
  const type = params.payment_medium_type_identifier === undefined ? null : resolve(lookup, 'payment_medium_type_identifier', params.payment_medium_type_identifier)
  const brand = params.payment_medium_brand_identifier === undefined ? null : resolve(lookup, 'payment_medium_brand_identifier', params.payment_medium_brand_identifier)
  if (type !== null && !account.allowed_payment_medium_type_ids.includes(type.id)) {
    throw describe(new PaymentMediumNotAllowedError('payment_medium_type_identifier', type.name, account.number), `Allowed types: ${account.allowed_payment_medium_type_ids.map(id => lookup.byId('payment_medium_types', id)?.name ?? id).join(', ')}`)
  }
  if (brand !== null && !account.allowed_payment_medium_brand_ids.includes(brand.id)) {
    throw describe(new PaymentMediumNotAllowedError('payment_medium_brand_identifier', brand.name, account.number), `Allowed brands: ${account.allowed_payment_medium_brand_ids.map(id => lookup.byId('payment_medium_brands', id)?.name ?? id).join(', ')}`)
  }
  const udfs: Record<string, unknown> = {}
  for (const f of UDF_STRINGS) udfs[f] = toText(params[f])
  for (const f of UDF_FLOATS) udfs[f] = toNumber(params[f], f)
  for (const f of UDF_DATES) udfs[f] = toDate(params[f])
  const amount = toNumber(params.amount, 'amount')

  const event = await ctx.store.createEvent(current => {
    const now = formatCrmDate(ctx.clock.now())
    // The number is taken inside the serialised write, so concurrent creates never share one.
    const e = {
      id: randomHex(16),
      number: String(current.maxEventNumber + 1),
      type: 'FINANCIAL_ACHIEVEMENT',
      life_cycle_state: 'POSTED',
      accounts_receivable_id: account.id,
      classification_id: classification.id,
      product_id: product?.id ?? null,
      payment_medium_type_id: type?.id ?? null,
      payment_medium_brand_id: brand?.id ?? null,
      payment_medium_identifier: toText(params.payment_medium_identifier),
      amount,
      performed_on: toCrmDate(params.performed_on),
      performed_by_unit_id: unit.id,
      description: toText(params.description),
      external_system: toText(params.external_system),
      external_system_reference_number: toText(params.external_system_reference_number),
      ...udfs,
      log_information: {
        created_date: now, updated_date: now,
        created_by_user_id: session.userId, created_by_unit_id: session.unitId,
        updated_by_user_id: session.userId, updated_by_unit_id: session.unitId
      }
    } as CustomerEvent
    return e
  })
  return answerOne(ctx.store.lookup, event, params.fields_set)
}

/** POST cancel: POSTED → CANCELLED, the only transition. */
export async function cancel (ctx: Context, session: Session, params: { customer_event_identifier: Identifier, fields_set?: string }): Promise<Answer> {
  const identifier = params.customer_event_identifier
  const event = await ctx.store.updateEvent(current => {
    // Checked inside the serialised write: of concurrent cancels of one event, exactly one wins.
    const e = financialAchievement(current, identifier)
    isCancellable(e, 'customer_event_identifier', code =>
      code === CODES.INVALID_LIFE_CYCLE_STATE_TRANSITION
        ? describe(new InvalidLifeCycleStateTransitionError('customer_event_identifier', e.number, e.life_cycle_state), `${e.life_cycle_state} → CANCELLED is not a transition the vendor allows`)
        : undefined)
    return e
  }, e => {
    e.life_cycle_state = 'CANCELLED'
    e.log_information.updated_date = formatCrmDate(ctx.clock.now())
    e.log_information.updated_by_user_id = session.userId
    e.log_information.updated_by_unit_id = session.unitId
  })
  return answerOne(ctx.store.lookup, event, params.fields_set, { productType: false })
}
