/**
 * The records the store keeps. Events are stored normalised (they point at reference
 * records by id) and rendered into the vendor's nested shape on the way out, so a
 * 100,000-event store stays small and one account's details live in one place.
 */

/** A date as the server keeps it: `YYYY-MM-DDTHH:mm:ss` in UTC, which sorts as text. */
export type CrmDate = string

export interface Unit {
  id: string
  name: string
  alternative_code: string | null
  description: string | null
  group_name: string | null
  community_name: string | null
}

export interface User {
  id: string
  username: string
  person_name: string | null
  /** `scrypt$N$r$p$salt$hash`, never the password itself. */
  password_hash: string
  organisation: string
  unit_id: string
  /** Units the user may log in to besides their own. */
  unit_ids: string[]
}

export interface Country {
  id: string
  name: string
  alternative_code: string | null
  two_character_code: string | null
  three_character_code: string | null
}

export interface Contact {
  id: string
  type: 'PERSON' | 'COMPANY'
  life_cycle_state: string | null
  title: string | null
  first_name: string | null
  middle_name: string | null
  last_name: string | null
  name: string
  company_name: string | null
  company_profile: null
  demographics: {
    name_day: { month: number; day: number } | null
    id_number: string | null
    gender: string | null
    country_of_residence_id: string | null
    date_of_birth: { month: number; year: number; day: number } | null
    industry_sector: string | null
    passport_number: string | null
    industry: string | null
    social_security_number: string | null
    id_issued_by_country_id: string | null
    passport_issued_by_country_id: string | null
  }
}

export interface AccountReceivable {
  id: string
  number: string
  name: string
  life_cycle_state: string
  account_owner_id: string
  /** Payment medium types and brands a financial achievement on this account may name. */
  allowed_payment_medium_type_ids: string[]
  allowed_payment_medium_brand_ids: string[]
}

export interface AccessToken {
  identifier: string
  pass_code: string
  authentication_code: string
}

export interface RewardsParticipant {
  id: string
  number: string
  accounts_receivable_id: string
  access_tokens: AccessToken[]
}

export type CustomerEventType = 'FINANCIAL_ACHIEVEMENT' | 'PURCHASE' | 'REFERRAL' | 'SOCIAL_MEDIA' | 'WEB'

export interface Classification {
  id: string
  name: string
  alternative_code: string | null
  /** The type of customer event the classification is for. */
  event_type: CustomerEventType
}

export interface ProductType {
  id: string
  name: string
  alternative_code: string | null
  description: string | null
  service_type: string | null
  used_for_provisioning: boolean | null
  composition_method: string | null
  classification: string | null
  physical_good_type: string | null
}

export interface Product {
  id: string
  code: string
  alternative_code: string | null
  description: string | null
  product_type_id: string
}

export interface PaymentMediumKind {
  id: string
  name: string
  alternative_code: string | null
  description: string | null
}

export interface LogInformation {
  created_date: CrmDate
  updated_date: CrmDate
  created_by_user_id: string
  created_by_unit_id: string
  updated_by_user_id: string
  updated_by_unit_id: string
}

export type LifeCycleState = 'POSTED' | 'CANCELLED'

export interface CustomerEvent {
  id: string
  number: string
  type: CustomerEventType
  life_cycle_state: LifeCycleState
  accounts_receivable_id: string
  classification_id: string
  product_id: string | null
  payment_medium_type_id: string | null
  payment_medium_brand_id: string | null
  payment_medium_identifier: string | null
  amount: number | null
  performed_on: CrmDate
  performed_by_unit_id: string
  description: string | null
  external_system: string | null
  external_system_reference_number: string | null
  udf_string_1: string | null
  udf_string_2: string | null
  udf_string_3: string | null
  udf_string_4: string | null
  udf_string_5: string | null
  udf_string_6: string | null
  udf_string_7: string | null
  udf_string_8: string | null
  udf_float_1: number | null
  udf_float_2: number | null
  udf_float_3: number | null
  udf_float_4: number | null
  udf_date_1: CrmDate | null
  udf_date_2: CrmDate | null
  udf_date_3: CrmDate | null
  udf_date_4: CrmDate | null
  log_information: LogInformation
}

/** Reference data: everything but the events. Read-only at run time. */
export interface ReferenceData {
  units: Unit[]
  users: User[]
  countries: Country[]
  contacts: Contact[]
  accounts_receivable: AccountReceivable[]
  rewards_participants: RewardsParticipant[]
  classifications: Classification[]
  product_types: ProductType[]
  products: Product[]
  payment_medium_types: PaymentMediumKind[]
  payment_medium_brands: PaymentMediumKind[]
}

/** The whole state: what a JSON store file holds and what `snapshot()` returns. */
export interface Dataset extends ReferenceData {
  format: 'crmcom-mock/1'
  customer_events: CustomerEvent[]
}
