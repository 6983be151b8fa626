/**
 * The test controls of one instance (reset, snapshot and restore, the request log, faults,
 * the clock, the stored events), over its tenants. The library exposes them on `MockServer`
 * and the admin API serves the same object over HTTP, so both always do the same thing.
 */
import type { Clock } from './clock.js'
import type { FaultSpec } from './faults.js'
import type { JournalEntry, JournalFilter } from './request-log.js'
import type { Tenant, Tenants } from './tenants.js'
import { renderEvent } from '../domain/render.js'
import type { Dataset } from '../store/model.js'
import { firstProblem } from '../store/validate.js'
import { InvalidParameterValueError, describe, type CrmError } from '../contract/errors.js'

/** Why `snapshot` cannot be restored, as the vendor error to answer; undefined when it can. */
function snapshotProblem (snapshot: unknown): CrmError | undefined {
  const s = snapshot as Partial<Dataset> | null | undefined
  if (s === null || typeof s !== 'object' || s.format !== 'crmcom-mock/1' || !Array.isArray(s.customer_events)) {
    return describe(new InvalidParameterValueError('snapshot', 'must be a snapshot as snapshot() and GET /__admin/snapshot return it ("format": "crmcom-mock/1")'), 'See schemas/store.json')
  }
  const problem = firstProblem(snapshot)
  return problem === undefined ? undefined : describe(new InvalidParameterValueError('snapshot', `is not a valid store: ${problem[0]} ${problem[1]}`), 'See schemas/store.json')
}

/** The controls of fault injection. */
export interface FaultControls {
  /** The next `times` calls of `operation` fail, are delayed or are dropped. */
  inject (spec: FaultSpec & { organisation?: string }): Promise<void>
  /** Removes pending faults (of one organisation, or all). */
  clear (organisation?: string): Promise<void>
}

export interface RequestsFilter extends JournalFilter {
  /** Per-organisation tenants: only this organisation's calls. */
  organisation?: string
}

export interface TestControls {
  /** The instance's clock: `set(date)`, `advance(ms)`, `now()`, `useRealTime()`. Timestamps, token expiry and date filters follow it. */
  readonly clock: Clock
  /** The stored financial achievement events, rendered as the API returns them. */
  events (organisation?: string): Promise<Array<Record<string, unknown>>>
  /** Back to the fixtures (plus `size` extra events): one organisation's, or every tenant's. Tokens stay valid. */
  reset (organisation?: string): Promise<void>
  /** The whole state of a tenant as plain JSON (per-organisation: the named one, CRMDEMO by default). */
  snapshot (organisation?: string): Promise<Dataset>
  /** Puts a snapshot back. */
  restore (snapshot: Dataset, organisation?: string): Promise<void>
  /** The request log in order of arrival (whatever the mock clock says), filterable by operation, code and organisation. */
  requests (filter?: RequestsFilter): Promise<JournalEntry[]>
  /** Empties the journal (of one organisation, or all). */
  clearRequests (organisation?: string): Promise<void>
  /** Fault injection. */
  readonly faults: FaultControls
}

export interface ControlsOptions {
  clock: Clock
  tenants: Tenants
  /** The tenant an organisation names (the shared one in shared mode), made if need be. */
  tenantOf: (organisation?: string) => Promise<Tenant>
  /** The same, for reads: rejects for an organisation never made, and never makes one. */
  existingTenantOf: (organisation?: string) => Promise<Tenant>
  /** The dataset a reset starts from. */
  initial: () => Dataset
}

/** The controls over an instance's tenants. */
export function createTestControls ({ clock, tenants, tenantOf, existingTenantOf, initial }: ControlsOptions): TestControls {
  const some = async (organisation?: string): Promise<Tenant[]> =>
    organisation === undefined ? await tenants.all() : [await existingTenantOf(organisation)]
  return {
    clock,
    async events (organisation) {
      const { lookup } = (await existingTenantOf(organisation)).store
      return lookup.dataset.customer_events.filter(e => e.type === 'FINANCIAL_ACHIEVEMENT').map(e => structuredClone(renderEvent(lookup, e)))
    },
    async reset (organisation) {
      for (const tenant of await some(organisation)) {
        await tenant.store.replace(initial())
        tenant.requestLog.recordMarker('reset', clock.nowMs(), tenant.organisation)
      }
    },
    async snapshot (organisation) { return (await existingTenantOf(organisation)).store.snapshot() },
    async restore (snapshot, organisation) {
      // Checked like a store file (the library and PUT /__admin/snapshot alike): a snapshot the
      // store could not reopen is refused whole, and the state stays as it was.
      const problem = snapshotProblem(snapshot)
      if (problem !== undefined) throw problem
      const tenant = await tenantOf(organisation)
      await tenant.store.replace(structuredClone(snapshot))
      tenant.requestLog.recordMarker('restore', clock.nowMs(), tenant.organisation)
    },
    async requests (filter = {}) {
      // In order of arrival: the mock's clock may have been set back between two calls.
      const entries = (await some(filter.organisation)).flatMap(t => t.requestLog.listInArrivalOrder(filter))
      return entries.sort(([a], [b]) => a - b).map(([, entry]) => entry)
    },
    async clearRequests (organisation) { for (const t of await some(organisation)) t.requestLog.clear() },
    faults: {
      async inject ({ organisation, ...spec }) { (await tenantOf(organisation)).faults.inject(spec) },
      async clear (organisation) { for (const t of await some(organisation)) t.faults.clear() }
    }
  }
}
