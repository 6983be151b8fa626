/**
 * The five measured operations and the request each sends. Mock and bare get the same
 * generators (the bare app ignores what it is sent), so the load generator does the same
 * work against both.
 */
import type { Shape } from './load.js'
import type { Targets } from './server-child.js'

export const OPS = ['show', 'list', 'login', 'create', 'cancel'] as const
export type Op = typeof OPS[number]

const FA = '/crmapi/rest/v2/customer_events/financial_achievements/'
const CREDENTIALS = { username: 'MPAdministrator', password: '1234', organisation: 'CRMDEMO' }

const cycle = <T>(values: readonly T[]): () => T => {
  let i = 0
  return () => values[i++ % values.length]!
}

/** The request shape of an operation. `cancelIds` are POSTED events, each cancelled once. */
export function shapeOf (op: Op, targets: Targets, cancelIds: readonly string[] = []): Shape {
  const token = targets.token
  switch (op) {
    case 'show': {
      // Ids spread over the whole store, so a big store is not measured on one hot event.
      const next = cycle(targets.eventIds)
      return { method: 'GET', path: () => `${FA}show?token=${token}&customer_event_identifier=id=${next()}` }
    }
    case 'list': {
      const next = cycle(targets.accounts)
      return { method: 'POST', path: () => `${FA}list`, body: () => ({ token, accounts_receivable_identifier: { number: next() }, number_of_results: 20 }) }
    }
    case 'login':
      return { method: 'POST', path: () => '/crmapi/rest/v2/authentication/token', body: () => CREDENTIALS }
    case 'create':
      return {
        method: 'POST',
        path: () => `${FA}create`,
        body: () => ({
          token,
          accounts_receivable_identifier: { number: 'ACR0000000069' },
          classification_identifier: { name: 'Financial Achievement 1' },
          performed_by_unit_identifier: { name: 'Admin Unit' },
          performed_on: '2016-10-07T15:00:00',
          amount: '11.50'
        })
      }
    case 'cancel': {
      const next = cycle(cancelIds.length > 0 ? cancelIds : targets.eventIds)
      return { method: 'POST', path: () => `${FA}cancel`, body: () => ({ token, customer_event_identifier: { id: next() } }) }
    }
  }
}
