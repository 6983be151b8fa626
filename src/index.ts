/**
 * crmcom-mock: a mock of CRM.COM's V4 financial achievement customer events API.
 * @packageDocumentation
 */
export { createMockServer, DEFAULT_CREDENTIALS, loadFixtures, type MockServer, type MockServerOptions } from './server.js'
export { buildApp, type AppOptions, type MockContext } from './app.js'
export { CODES, REST_STATUS, type CrmErrorCode, type Envelope } from './contract/errors.js'
export { BASE_PATH, OPERATIONS, type OperationName } from './contract/operations.js'
export { schemas, SCHEMAS_DIR, createAjv } from './contract/schemas.js'
export { buildOpenApi, loadExamples, type OpenApiOptions, type VendorExample } from './docs/openapi.js'
export { DEFAULT_RELEASE, RELEASE_OF, parseRelease, type Release } from './contract/releases.js'
export {
  ContractChecker, formatReport, parseTraffic, readTraffic, runScenario, verifyExchanges, verifyFiles,
  type CheckOptions, type Exchange, type Mismatch, type ScenarioOptions, type ScenarioResult, type Traffic, type VerifyReport
} from './verify/index.js'
export { createClock, type Clock } from './controls/clock.js'
export type { FaultSpec } from './controls/faults.js'
export type { JournalEntry, JournalFilter } from './controls/request-log.js'
export type { FaultControls, RequestsFilter, TestControls } from './controls/test-controls.js'
export type { TenantMode } from './controls/tenants.js'
export type { Dataset, CustomerEvent } from './store/model.js'
