/**
 * crmcom-mock: a mock of CRM.COM's V4 financial achievement customer events API.
 * @packageDocumentation
 */
export { createMockServer, DEFAULT_CREDENTIALS, loadFixtures, type MockServer, type MockServerOptions } from './server.js'
export { buildApp, type AppOptions, type MockContext } from './app.js'
export { CODES, REST_STATUS, type CrmErrorCode, type Envelope } from './errors.js'
export { BASE_PATH, OPERATIONS, type OperationName } from './operations.js'
export { schemas, SCHEMAS_DIR, createAjv } from './schemas.js'
export { buildOpenApi, loadExamples, type OpenApiOptions, type VendorExample } from './openapi.js'
export { DEFAULT_RELEASE, RELEASE_OF, parseRelease, type Release } from './release.js'
export {
  ContractChecker, formatReport, parseTraffic, readTraffic, runScenario, verifyExchanges, verifyFiles,
  type CheckOptions, type Exchange, type Mismatch, type ScenarioOptions, type ScenarioResult, type Traffic, type VerifyReport
} from './verify/index.js'
export { createClock, type Clock } from './clock.js'
export type { FaultSpec } from './faults.js'
export type { JournalEntry, JournalFilter } from './journal.js'
export type { FaultControls, RequestsFilter } from './server.js'
export type { TenantMode } from './tenants.js'
export type { Dataset, CustomerEvent } from './model.js'
