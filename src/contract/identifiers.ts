/**
 * The identifier parameters, each stated once: the collection it resolves against and how a
 * message names what it names (one, several). The fields each allows are in identifiers.json.
 */
import { schemas } from './schemas.js'

export const IDENTIFIER_KINDS = {
  accounts_receivable_identifier: { collection: 'accounts_receivable', label: ['accounts receivable', 'accounts receivable'] },
  rewards_participant_identifier: { collection: 'rewards_participants', label: ['rewards participant', 'rewards participants'] },
  classification_identifier: { collection: 'classifications', label: ['customer event classification', 'customer event classifications'] },
  unit_identifier: { collection: 'units', label: ['unit', 'units'] },
  product_identifier: { collection: 'products', label: ['product', 'products'] },
  payment_medium_type_identifier: { collection: 'payment_medium_types', label: ['payment medium type', 'payment medium types'] },
  payment_medium_brand_identifier: { collection: 'payment_medium_brands', label: ['payment medium brand', 'payment medium brands'] },
  customer_event_identifier: { collection: 'customer_events', label: ['customer event', 'customer events'] }
} as const

export type IdentifierKind = keyof typeof IDENTIFIER_KINDS
export type CollectionName = typeof IDENTIFIER_KINDS[IdentifierKind]['collection']

// The fields each identifier allows come from identifiers.json, the one place they are written.
const identifierDefs = (schemas['identifiers.json'] as { $defs: Record<string, { properties: Record<string, unknown> }> }).$defs
/** The plain (string-valued) fields an identifier of this kind allows. */
export const scalarFields = (kind: IdentifierKind): string[] =>
  Object.keys(identifierDefs[kind]!.properties).filter(f => f !== 'access_token_identifier')
