/**
 * Tenants: one dataset, request log and set of faults each. By default there is one, shared by
 * everybody. With `per-organisation`, each organisation named at login gets its own copy
 * of the fixtures, so parallel CI jobs sharing one server never see each other.
 */
import { Faults } from './faults.js'
import { RequestLog } from './request-log.js'
import { InvalidParameterValueError, describe } from '../contract/errors.js'
import type { Lookup } from '../store/lookup.js'
import type { Store } from '../store/store.js'

/** How many organisations a per-organisation server holds at most, by default. */
export const DEFAULT_MAX_TENANTS = 100

export type TenantMode = 'shared' | 'per-organisation'

export interface Tenant {
  /** The organisation (upper case), or undefined for the shared dataset. */
  readonly organisation: string | undefined
  readonly store: Store
  readonly requestLog: RequestLog
  readonly faults: Faults
  /** True when opening it created its store from the fixtures. */
  readonly created: boolean
}

export interface TenantsOptions {
  mode: TenantMode
  journalLimit?: number
  /** Per-organisation: how many organisations at most (default {@link DEFAULT_MAX_TENANTS}). */
  maxTenants?: number
  /** Opens (or creates) the store of a tenant. */
  openStore: (organisation: string | undefined) => Promise<{ store: Store, created: boolean }>
  /** Per-organisation: the indexes of the dataset a new tenant starts from, which a login to an organisation not yet made is checked against. */
  template?: () => Lookup
  /** Whether an organisation has a store already (made before a restart), though not opened yet. */
  hasStore?: (organisation: string) => boolean
}

export class Tenants {
  readonly #options: TenantsOptions
  readonly #tenants = new Map<string, Promise<Tenant>>()
  // The tenants whose store is open, for requests to find without waiting on a promise.
  readonly #open = new Map<string, Tenant>()

  constructor (options: TenantsOptions) { this.#options = options }

  get mode (): TenantMode { return this.#options.mode }

  /**
   * The tenant of an organisation (the shared one unless per-organisation), created on first
   * use. Only a successful login and the calls that set a tenant's state (restore, faults,
   * the library's login) create one; reads use {@link Tenants.existing}.
   */
  get (organisation?: string): Promise<Tenant> {
    const key = this.#keyOf(organisation)
    let tenant = this.#tenants.get(key)
    if (tenant === undefined) {
      const max = this.#options.maxTenants ?? DEFAULT_MAX_TENANTS
      if (this.#tenants.size >= max) {
        return Promise.reject(describe(new InvalidParameterValueError('organisation', `${JSON.stringify(organisation)} would be organisation ${this.#tenants.size + 1}: this server holds at most ${max}`), 'Start it with a higher --max-tenants, or reuse organisations'))
      }
      const name = key === '' ? undefined : key
      tenant = this.#options.openStore(name).then(({ store, created }) => {
        const open: Tenant = { organisation: name, store, created, requestLog: new RequestLog(this.#options.journalLimit), faults: new Faults() }
        this.#open.set(key, open)
        return open
      })
      // A store that fails to open is not cached, so the next call tries again.
      tenant.catch(() => this.#tenants.delete(key))
      this.#tenants.set(key, tenant)
    }
    return tenant
  }

  /**
   * The tenant of an organisation already made, or undefined: never makes one. One made before
   * a restart (its store exists) is opened.
   */
  existing (organisation?: string): Promise<Tenant> | undefined {
    const key = this.#keyOf(organisation)
    return this.#tenants.get(key) ?? (key !== '' && this.#options.hasStore?.(key) === true ? this.get(key) : undefined)
  }

  /** The dataset a new tenant starts from (see {@link TenantsOptions.template}). */
  template (): Lookup {
    if (this.#options.template === undefined) throw new Error('per-organisation tenants need a template dataset')
    return this.#options.template()
  }

  /** The tenant of an organisation if its store is open already (see {@link Tenants.get}). */
  opened (organisation?: string): Tenant | undefined {
    return this.#open.get(this.#keyOf(organisation))
  }

  #keyOf (organisation: string | undefined): string {
    return this.#options.mode === 'shared' || organisation === undefined ? '' : organisation.toUpperCase()
  }

  /** Every tenant opened so far. */
  async all (): Promise<Tenant[]> {
    return await Promise.all(this.#tenants.values())
  }
}
