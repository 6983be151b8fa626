/**
 * Query strings, as the vendor writes them: an identifier is `name=field=value`
 * (`customer_event_identifier=number=92`), or JSON (`customer_event_identifier={"number":"92"}`).
 * The server and `crmcom-mock verify` read a query parameter the same way, here.
 */
import { IDENTIFIER_KINDS, scalarFields, type IdentifierKind } from './identifiers.js'

/** One query parameter: an identifier written as text becomes an object; anything else is left for the schema to judge. */
export function queryValue (key: string, value: unknown): unknown {
  if (!key.endsWith('_identifier') || typeof value !== 'string') return value
  const text = value.trim()
  if (text.startsWith('{')) {
    try { return JSON.parse(text) } catch { return value /* left as text: the schema names the parameter */ }
  }
  const at = text.indexOf('=')
  if (at <= 0) return value
  const field = text.slice(0, at)
  const known = IDENTIFIER_FIELDS.get(field)
  // Object.fromEntries defines own properties, so a "__proto__" field is just an unknown field.
  return known !== undefined ? { [known]: text.slice(at + 1) } : Object.fromEntries([[field, text.slice(at + 1)]])
}

// The field names identifiers allow in the field=value form, as the program's own strings.
// A name cut from the URL is a new string: building the object with it makes V8 look the
// name up in its string table and find the object's shape in its runtime, on every call.
const IDENTIFIER_FIELDS = new Map((Object.keys(IDENTIFIER_KINDS) as IdentifierKind[]).flatMap(kind => scalarFields(kind)).map(name => [name, name]))
