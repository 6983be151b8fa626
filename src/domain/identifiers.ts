/**
 * Resolves identifier objects to stored records. The schema has already checked the shape
 * (exactly one allowed field); here a field matches nothing (ENTITYNOTFOUND) or, for a
 * name that is not unique, several records (AMBIGUOUSIDENTIFIER).
 */
import { AmbiguousIdentifierError, EntityNotFoundError, describe } from '../contract/errors.js'
import { IDENTIFIER_COLLECTIONS, type CollectionRecord, type IdentifierKind, type Lookup } from '../store/lookup.js'

const LABELS: Record<IdentifierKind, [string, string]> = {
  accounts_receivable_identifier: ['accounts receivable', 'accounts receivable'],
  rewards_participant_identifier: ['rewards participant', 'rewards participants'],
  classification_identifier: ['customer event classification', 'customer event classifications'],
  unit_identifier: ['unit', 'units'],
  product_identifier: ['product', 'products'],
  payment_medium_type_identifier: ['payment medium type', 'payment medium types'],
  payment_medium_brand_identifier: ['payment medium brand', 'payment medium brands'],
  customer_event_identifier: ['customer event', 'customer events']
}

type Identifier = Record<string, unknown>
type RecordOf<K extends IdentifierKind> = CollectionRecord[typeof IDENTIFIER_COLLECTIONS[K]]

function candidates<K extends IdentifierKind> (lookup: Lookup, kind: K, identifier: Identifier): ReadonlyArray<RecordOf<K>> {
  let field = ''
  for (const key in identifier) { field = key; break }
  const value = identifier[field]
  if (field === 'access_token_identifier') {
    const token = value as { identifier?: string, pass_code?: string, authentication_code?: string }
    if (token.authentication_code !== undefined) return lookup.authenticationCode(token.authentication_code) as ReadonlyArray<RecordOf<K>>
    return lookup.accessToken(token.identifier ?? '').filter(t => t.pass_code === token.pass_code).map(t => t.participant) as Array<RecordOf<K>>
  }
  return lookup.find(IDENTIFIER_COLLECTIONS[kind], field, String(value)) as ReadonlyArray<RecordOf<K>>
}

/**
 * The one record an identifier names.
 * @param parameter the request parameter, for the message (performed_by_unit_identifier, say).
 */
export function resolve<K extends IdentifierKind> (lookup: Lookup, kind: K, identifier: Identifier, parameter: string = kind): RecordOf<K> {
  const found = candidates(lookup, kind, identifier)
  if (found.length === 1) return found[0]!
  const shown = JSON.stringify(identifier)
  const [one, many] = LABELS[kind]
  if (found.length === 0) throw describe(new EntityNotFoundError(parameter, shown, one), `No ${one} has ${shown.slice(1, -1)}`)
  if (found.length > 1) {
    throw describe(new AmbiguousIdentifierError(parameter, shown, many),
      `${found.length} ${many} match; their ids: ${found.map(r => (r as { id: string }).id).join(', ')}`)
  }
  return found[0]!
}
