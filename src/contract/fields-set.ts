/**
 * `fields_set`: comma-separated top-level names of the event object; surrounding spaces and
 * unknown names are ignored, a name given twice counts once, and blank means every field.
 * The known names are the event schema's properties. The server renders answers by it, and
 * `verify` checks recorded answers by it.
 */
import { schemas } from './schemas.js'

/** The event object's top-level fields, in the schema's order. */
export const EVENT_FIELDS: readonly string[] = Object.keys((schemas['financial-achievement-event.json'] as { properties: object }).properties)
const KNOWN = new Set(EVENT_FIELDS)

/** The fields `fields_set` asks for, or undefined for every field. */
export function parseFieldsSet (fieldsSet: string | undefined): string[] | undefined {
  if (fieldsSet === undefined || fieldsSet.trim() === '') return undefined
  return [...new Set(fieldsSet.split(',').map(s => s.trim()).filter(s => KNOWN.has(s)))]
}
