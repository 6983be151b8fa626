/**
 * Renders stored events into the vendor's nested shape. Reference records never change
 * while they are in the store, so their rendered forms are cached per record.
 */
import type { AccountReceivable, Country, CustomerEvent, PaymentMediumKind, Product, Unit, User } from '../store/model.js'
import type { Lookup } from '../store/lookup.js'

export type RenderedEvent = Record<string, unknown>

/** The event's top-level field names, in the vendor's order (from the event schema). */

const cache = new WeakMap<object, Record<string, unknown>>()
// What the caches hand out is shared and never changes, so render-json.ts caches its JSON too.
const shared = new WeakSet<object>()
/** True for a rendered reference (account, unit, ...) that is shared between events and never changes. */
export const isSharedRender = (value: object): boolean => shared.has(value)
function cached<T extends object> (record: T | undefined, render: (r: T) => Record<string, unknown>): Record<string, unknown> | null {
  if (record === undefined) return null
  let out = cache.get(record)
  if (out === undefined) { out = render(record); cache.set(record, out); shared.add(out) }
  return out
}

const unit = (u: Unit): Record<string, unknown> => ({
  alternative_code: u.alternative_code, group_name: u.group_name, community_name: u.community_name, name: u.name, description: u.description, id: u.id
})
const user = (u: User): Record<string, unknown> => ({ person_name: u.person_name, id: u.id, username: u.username })
const country = (c: Country): Record<string, unknown> => ({
  alternative_code: c.alternative_code, three_character_code: c.three_character_code, name: c.name, id: c.id, two_character_code: c.two_character_code
})
const medium = (m: PaymentMediumKind): Record<string, unknown> => ({ alternative_code: m.alternative_code, name: m.name, description: m.description, id: m.id })

function account (lookup: Lookup, a: AccountReceivable): Record<string, unknown> {
  const owner = lookup.dataset.contacts.find(c => c.id === a.account_owner_id)
  const countryOf = (id: string | null): Record<string, unknown> | null => id === null ? null : cached(lookup.dataset.countries.find(c => c.id === id), country)
  const d = owner?.demographics
  return {
    number: a.number,
    name: a.name,
    id: a.id,
    life_cycle_state: a.life_cycle_state,
    account_owner: owner === undefined || d === undefined
      ? null
      : {
          company_profile: owner.company_profile,
          company_name: owner.company_name,
          name: owner.name,
          last_name: owner.last_name,
          id: owner.id,
          life_cycle_state: owner.life_cycle_state,
          middle_name: owner.middle_name,
          title: owner.title,
          type: owner.type,
          first_name: owner.first_name,
          demographics: {
            name_day: d.name_day,
            id_number: d.id_number,
            gender: d.gender,
            country_of_residence: countryOf(d.country_of_residence_id),
            date_of_birth: d.date_of_birth,
            industry_sector: d.industry_sector,
            passport_number: d.passport_number,
            industry: d.industry,
            social_security_number: d.social_security_number,
            id_issued_by_country: countryOf(d.id_issued_by_country_id),
            passport_issued_by_country: countryOf(d.passport_issued_by_country_id)
          }
        }
  }
}

function product (lookup: Lookup, p: Product, withType: boolean): Record<string, unknown> {
  const type = lookup.dataset.product_types.find(t => t.id === p.product_type_id)
  const base = { code: p.code, alternative_code: p.alternative_code, description: p.description, id: p.id }
  if (!withType || type === undefined) return base
  return {
    code: p.code,
    product_type: {
      service_type: type.service_type, used_for_provisioning: type.used_for_provisioning, alternative_code: type.alternative_code,
      composition_method: type.composition_method, name: type.name, description: type.description, id: type.id,
      classification: type.classification, physical_good_type: type.physical_good_type
    },
    alternative_code: p.alternative_code,
    description: p.description,
    id: p.id
  }
}

const productCache = new WeakMap<object, Record<string, unknown>>()

export interface RenderOptions {
  /**
   * Whether the product carries its product_type. The vendor's cancel example answers the
   * product without it while create's includes it, and the mock answers as each example does.
   */
  productType?: boolean
}

/** The vendor's view of one stored event. */
export function renderEvent (lookup: Lookup, e: CustomerEvent, options: RenderOptions = {}): RenderedEvent {
  const log = e.log_information
  const withType = options.productType ?? true
  const productRecord = e.product_id === null ? undefined : lookup.byId('products', e.product_id)
  let renderedProduct: Record<string, unknown> | null = null
  if (productRecord !== undefined) {
    if (withType) {
      renderedProduct = productCache.get(productRecord) ?? product(lookup, productRecord, true)
      productCache.set(productRecord, renderedProduct)
      shared.add(renderedProduct)
    } else {
      renderedProduct = cached(productRecord, p => product(lookup, p, false))
    }
  }
  const userOf = (id: string): Record<string, unknown> | null => cached(lookup.dataset.users.find(u => u.id === id), user)
  const unitOf = (id: string | null): Record<string, unknown> | null => id === null ? null : cached(lookup.byId('units', id), unit)
  return {
    external_system_reference_number: e.external_system_reference_number,
    log_information: {
      created_by_unit: unitOf(log.created_by_unit_id),
      updated_by_unit: unitOf(log.updated_by_unit_id),
      created_date: log.created_date,
      updated_date: log.updated_date,
      updated_by_user: userOf(log.updated_by_user_id),
      created_by_user: userOf(log.created_by_user_id)
    },
    payment_medium_brand: e.payment_medium_brand_id === null ? null : cached(lookup.byId('payment_medium_brands', e.payment_medium_brand_id), medium),
    description: e.description,
    udf_date_2: e.udf_date_2,
    type: e.type,
    udf_date_1: e.udf_date_1,
    udf_date_4: e.udf_date_4,
    udf_date_3: e.udf_date_3,
    number: e.number,
    udf_float_3: e.udf_float_3,
    udf_float_4: e.udf_float_4,
    award_reward_transactions_set: null,
    id: e.id,
    udf_float_1: e.udf_float_1,
    udf_float_2: e.udf_float_2,
    udf_string_2: e.udf_string_2,
    udf_string_3: e.udf_string_3,
    udf_string_4: e.udf_string_4,
    amount: e.amount,
    product: renderedProduct,
    udf_string_5: e.udf_string_5,
    udf_string_1: e.udf_string_1,
    accounts_receivable: cached(lookup.byId('accounts_receivable', e.accounts_receivable_id), a => account(lookup, a)),
    life_cycle_state: e.life_cycle_state,
    performed_on: e.performed_on,
    classification: cached(lookup.byId('classifications', e.classification_id), c => ({ alternative_code: c.alternative_code, name: c.name, id: c.id })),
    process_immediately: false,
    payment_medium_type: e.payment_medium_type_id === null ? null : cached(lookup.byId('payment_medium_types', e.payment_medium_type_id), medium),
    payment_medium_identifier: e.payment_medium_identifier,
    udf_string_6: e.udf_string_6,
    udf_string_7: e.udf_string_7,
    performed_by_unit: unitOf(e.performed_by_unit_id),
    udf_string_8: e.udf_string_8,
    external_system: e.external_system
  }
}

/** Keeps only the named fields (a new object; never reveals anything renderEvent did not put there). */
export function pickFields (event: RenderedEvent, fields: string[] | undefined): RenderedEvent {
  if (fields === undefined) return event
  const out: RenderedEvent = {}
  for (const f of fields) out[f] = event[f]
  return out
}
