/**
 * The records the store keeps. Events are stored normalised (they point at reference
 * records by id) and rendered into the vendor's nested shape on the way out, so a
 * 100,000-event store stays small and one account's details live in one place.
 *
 * The shapes are schemas/store.json's: model.generated.ts is made from it at build time
 * (src/store/model-from-schema.mjs), and the names below only give its types the names the
 * code uses.
 */
import type * as Schema from './model.generated.js'

/** A date as the server keeps it: `YYYY-MM-DDTHH:mm:ss` in UTC, which sorts as text. */
export type CrmDate = string

/** The whole state: what a JSON store file holds and what `snapshot()` returns. */
export type Dataset = Schema.StoreJson
export type Unit = Schema.Unit
export type User = Schema.User
export type Country = Schema.Country
export type Contact = Schema.Contact
export type AccountReceivable = Schema.AccountsReceivable
export type RewardsParticipant = Schema.RewardsParticipant
export type AccessToken = RewardsParticipant['access_tokens'][number]
export type Classification = Schema.Classification
export type ProductType = Schema.ProductType
export type Product = Schema.Product
export type PaymentMediumKind = Schema.PaymentMediumKind
export type CustomerEvent = Schema.CustomerEvent
export type CustomerEventType = Schema.EventType
export type LifeCycleState = CustomerEvent['life_cycle_state']
export type LogInformation = CustomerEvent['log_information']

/** Reference data: everything but the events. Read-only at run time. */
export type ReferenceData = Omit<Dataset, 'format' | 'customer_events'>
