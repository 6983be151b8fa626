/**
 * Checks a loaded dataset before anything indexes it: against `schemas/store.json`, then
 * the references between records that JSON Schema cannot express (an event's account must
 * exist, ids must be unique). A store that fails is refused with one line naming the file,
 * the first problem and its JSON pointer, and is never touched, so the user can fix it.
 */
import type { ErrorObject } from 'ajv'
import type { Dataset } from './model.js'
import { validatorFor } from '../contract/schemas.js'

const escape = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1')

function describeError (e: ErrorObject): [string, string] {
  const params = e.params as Record<string, unknown>
  const expects = (e.parentSchema as Record<string, unknown> | undefined)?.['x-crm-expects']
  if (typeof expects === 'string' && e.keyword !== 'required' && e.keyword !== 'additionalProperties') return [e.instancePath, `must be ${expects}`]
  switch (e.keyword) {
    case 'required': return [`${e.instancePath}/${escape(String(params.missingProperty))}`, 'is missing']
    case 'additionalProperties': return [`${e.instancePath}/${escape(String(params.additionalProperty))}`, 'is not a field a store record may have']
    case 'const': return [e.instancePath, `must be ${JSON.stringify(params.allowedValue)}`]
    case 'enum': return [e.instancePath, `must be one of ${(params.allowedValues as unknown[]).map(v => JSON.stringify(v)).join(', ')}`]
    case 'type': return [e.instancePath, `must be ${String(params.type).split(',').map(type => type === 'null' ? 'null' : `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`).join(' or ')}`]
    default: return [e.instancePath, e.message ?? 'is not valid']
  }
}

type Collection = Exclude<keyof Dataset, 'format'>

/** Each reference field, where it points. `[]` marks an array of ids; `?` a nullable one. */
const REFERENCES: Array<[Collection, string, Collection]> = [
  ['users', 'unit_id', 'units'],
  ['users', 'unit_ids[]', 'units'],
  ['contacts', 'demographics/country_of_residence_id?', 'countries'],
  ['contacts', 'demographics/id_issued_by_country_id?', 'countries'],
  ['contacts', 'demographics/passport_issued_by_country_id?', 'countries'],
  ['accounts_receivable', 'account_owner_id', 'contacts'],
  ['accounts_receivable', 'allowed_payment_medium_type_ids[]', 'payment_medium_types'],
  ['accounts_receivable', 'allowed_payment_medium_brand_ids[]', 'payment_medium_brands'],
  ['rewards_participants', 'accounts_receivable_id', 'accounts_receivable'],
  ['products', 'product_type_id', 'product_types'],
  ['customer_events', 'accounts_receivable_id', 'accounts_receivable'],
  ['customer_events', 'classification_id', 'classifications'],
  ['customer_events', 'product_id?', 'products'],
  ['customer_events', 'payment_medium_type_id?', 'payment_medium_types'],
  ['customer_events', 'payment_medium_brand_id?', 'payment_medium_brands'],
  ['customer_events', 'performed_by_unit_id', 'units'],
  ['customer_events', 'log_information/created_by_user_id', 'users'],
  ['customer_events', 'log_information/created_by_unit_id', 'units'],
  ['customer_events', 'log_information/updated_by_user_id', 'users'],
  ['customer_events', 'log_information/updated_by_unit_id', 'units']
]

/** The first broken reference or duplicate key of a schema-valid dataset, as [pointer, problem]. */
function firstIntegrityProblem (data: Dataset): [string, string] | undefined {
  const ids = new Map<Collection, Set<string>>()
  for (const collection of Object.keys(data).filter(k => k !== 'format') as Collection[]) {
    const seen = new Set<string>()
    // Every record of every collection has an id (the schema said so).
    for (const [i, record] of (data[collection] as Array<{ id: string }>).entries()) {
      if (seen.has(record.id)) return [`/${collection}/${i}/id`, `repeats the id ${JSON.stringify(record.id)}`]
      seen.add(record.id)
    }
    ids.set(collection, seen)
  }
  const numbers = new Set<string>()
  for (const [i, e] of data.customer_events.entries()) {
    // Leading zeros would let "092" and "92" both stand for event 92.
    const number = String(Number(e.number))
    if (numbers.has(number)) return [`/customer_events/${i}/number`, `repeats the event number ${e.number}`]
    numbers.add(number)
  }
  for (const [collection, path, target] of REFERENCES) {
    const nullable = path.endsWith('?')
    const many = path.endsWith('[]')
    const steps = path.replace(/\?$|\[\]$/, '').split('/')
    const known = ids.get(target)!
    const records = data[collection] as unknown[]
    for (let i = 0; i < records.length; i++) {
      let value = records[i]
      for (const step of steps) value = (value as Record<string, unknown>)[step]
      const values = many ? value as string[] : [value]
      for (let j = 0; j < values.length; j++) {
        const id = values[j]
        if ((id !== null || !nullable) && !known.has(id as string)) {
          return [`/${collection}/${i}/${steps.join('/')}${many ? `/${j}` : ''}`, `names ${JSON.stringify(id)}, which is no record of ${target}`]
        }
      }
    }
  }
  return undefined
}

/** The first problem of a dataset as [JSON pointer, what is wrong], or undefined for a valid store. */
export function firstProblem (data: unknown): [string, string] | undefined {
  const validate = validatorFor('store.json')
  if (!validate(data)) {
    return describeError(validate.errors![0]!)
  }
  return firstIntegrityProblem(data as Dataset)
}

const oneLine = (name: string, [pointer, problem]: [string, string]): string =>
  `${name}: not a valid crmcom-mock store: ${pointer === '' ? '/' : pointer} ${problem}`.replace(/\s+/g, ' ')

/**
 * One line naming the store, the first problem and its JSON pointer, or undefined when
 * `data` is a whole, consistent store. `name` is how to name the store (its file).
 */
export function storeProblem (data: unknown, name: string): string | undefined {
  const problem = firstProblem(data)
  return problem === undefined ? undefined : oneLine(name, problem)
}
