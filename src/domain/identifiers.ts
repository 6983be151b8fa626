/**
 * Resolves identifier objects to stored records. The schema has already checked the shape
 * (exactly one allowed field); here a field matches nothing (ENTITYNOTFOUND) or, for a
 * name that is not unique, several records (AMBIGUOUSIDENTIFIER).
 */
import { AmbiguousIdentifierError, EntityNotFoundError, describe } from '../contract/errors.js'
import { IDENTIFIER_KINDS, type IdentifierKind } from '../contract/identifiers.js'
import type { CollectionRecord, Lookup } from '../store/lookup.js'

type Identifier = Record<string, unknown>
type RecordOf<K extends IdentifierKind> = CollectionRecord[typeof IDENTIFIER_KINDS[K]['collection']]

function candidates<K extends IdentifierKind> (lookup: Lookup, kind: K, identifier: Identifier): ReadonlyArray<RecordOf<K>> {
  let field = ''
  for (const key in identifier) { field = key; break }
  const value = identifier[field]
  if (field === 'access_token_identifier') {
    const token = value as { identifier?: string, pass_code?: string, authentication_code?: string }
    if (token.authentication_code !== undefined) return lookup.authenticationCode(token.authentication_code) as ReadonlyArray<RecordOf<K>>
    return lookup.accessToken(token.identifier ?? '').filter(t => t.pass_code === token.pass_code).map(t => t.participant) as Array<RecordOf<K>>
  }
  return lookup.find(IDENTIFIER_KINDS[kind].collection, field, String(value)) as ReadonlyArray<RecordOf<K>>
}

/**
 * The one record an identifier names.
 * @param parameter the request parameter, for the message (performed_by_unit_identifier, say).
 */
export function resolve<K extends IdentifierKind> (lookup: Lookup, kind: K, identifier: Identifier, parameter: string = kind): RecordOf<K> {
  const found = candidates(lookup, kind, identifier)
  if (found.length === 1) return found[0]!
  const shown = JSON.stringify(identifier)
  const [one, many] = IDENTIFIER_KINDS[kind].label
  if (found.length === 0) throw describe(new EntityNotFoundError(parameter, shown, one), `No ${one} has ${shown.slice(1, -1)}`)
  if (found.length > 1) {
    throw describe(new AmbiguousIdentifierError(parameter, shown, many),
      `${found.length} ${many} match; their ids: ${found.map(r => (r as { id: string }).id).join(', ')}`)
  }
  return found[0]!
}
