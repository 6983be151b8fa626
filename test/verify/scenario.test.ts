/** `verify --target`: the scenario suite against the mock itself, listening on a real socket. */
import t from 'tap'
import { apiBase, runScenario, verifyExchanges } from '../../src/verify/index.js'
import { build } from '../helper.js'

const credentials = { username: 'MPAdministrator', password: '1234', organisation: 'CRMDEMO' }

t.test('the target URL gets /crmapi/rest/v2/ unless it has it', async t => {
  t.equal(apiBase('http://127.0.0.1:8080'), 'http://127.0.0.1:8080/crmapi/rest/v2/')
  t.equal(apiBase('http://127.0.0.1:8080/'), 'http://127.0.0.1:8080/crmapi/rest/v2/')
  t.equal(apiBase('https://crm.example.com/crmapi/rest/v2'), 'https://crm.example.com/crmapi/rest/v2/')
  t.equal(apiBase('https://crm.example.com/crmapi/rest/v2/authentication/token?x=1'), 'https://crm.example.com/crmapi/rest/v2/')
  t.equal(apiBase('https://gw.example.com/tenant-a'), 'https://gw.example.com/tenant-a/crmapi/rest/v2/')
})

for (const [release, strict] of [['R14.0.0', false], ['R11.0.0', false], ['R12.1.0', true], ['R15.0.0', true], ['R18.x', false]] as const) {
  t.test(`the scenario keeps the contract against the mock (${release}${strict ? ', strict' : ''})`, async t => {
    const server = await build(t, { release, strict })
    const url = await server.start()
    const result = await runScenario({ target: new URL(url).origin, ...credentials, release, strict })
    t.same(result.mismatches, [], 'no mismatches')
    t.ok(result.exchanges.length >= 18, `${result.exchanges.length} calls made`)
    const cancelled = (await server.events()).filter(e => String(e.description).startsWith('crmcom-mock verify scenario'))
    t.equal(cancelled.length, 1, 'it created one event')
    t.equal(cancelled[0]?.life_cycle_state, 'CANCELLED', 'and cancelled it')
    t.same(verifyExchanges(result.exchanges, { release, strict }), [], 'its calls, re-checked as recorded traffic, keep the contract too')
  })
}

t.test('the scenario reports a server that breaks the contract', async t => {
  // Checked with the wrong expectations, a conforming server must show mismatches, not pass silently.
  const server = await build(t, { release: 'R11.0.0', strict: true })
  const url = await server.start()
  const result = await runScenario({ target: url, ...credentials, release: 'R14.0.0', strict: false })
  t.ok(result.mismatches.some(m => m.rule === 'scenario' && /an unknown parameter is ignored: expected OK, got COM\.CRM\.EXCEPTION\.GENERAL\.INVALIDPARAMETERVALUEEXCEPTION/.test(m.message)))
  t.ok(result.mismatches.some(m => m.rule === 'error-code' && /PARAMETERNOTAVAILABLEINRELEASEEXCEPTION/.test(m.message)), 'a release refusal the checker does not expect')
})

t.test('the scenario stops when login fails', async t => {
  const server = await build(t)
  const url = await server.start()
  const result = await runScenario({ target: url, ...credentials, password: 'wrong' })
  t.equal(result.exchanges.length, 2)
  t.match(result.mismatches, [{ rule: 'scenario', message: /login: expected OK, got COM\.CRM\.EXCEPTION\.AUTHENTICATION\.INVALIDCREDENTIALSEXCEPTION/ }])
})

t.test('an unreachable target rejects with TargetUnreachableError', async t => {
  const server = await build(t)
  const url = await server.start()
  await server.stop()
  await t.rejects(runScenario({ target: url, ...credentials, timeoutMs: 5000 }), { name: 'TargetUnreachableError', message: /ECONNREFUSED/ })
})
