/**
 * Drives GET /documentation in real headless Chromium: the page loads from this server alone,
 * shows the six operations, and a person can log in, create, list, show and cancel from it.
 *
 * The browser comes through npm: @sparticuz/chromium ships a compressed Chromium inside the
 * package and unpacks it on first use, and playwright-core drives it. CHROMIUM=/path/to/chrome
 * uses another build instead. If no browser can be started, this test fails; it never skips.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import packagedChromium from '@sparticuz/chromium'
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core'
import t, { type Test } from 'tap'
import { OPERATIONS } from '../../src/index.js'
import { TOKEN_KEY } from '../../src/docs/page.js'
import { build } from '../helper.js'

/** The Chromium to drive: $CHROMIUM when set, else the one @sparticuz/chromium unpacks. */
async function chromiumPath (): Promise<string> {
  return process.env.CHROMIUM ?? await packagedChromium.executablePath()
}
// A real browser on a small CI machine: allow it more than tap's default per-file budget.
t.setTimeout(300_000)

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

async function launch (t: Test, executablePath: string): Promise<BrowserContext> {
  const profile = mkdtempSync(join(tmpdir(), 'crmcom-mock-chromium-'))
  const browser = await chromium.launchPersistentContext(profile, { headless: true, executablePath, args: ARGS })
  t.teardown(async () => { await browser.close(); rmSync(profile, { recursive: true, force: true }) })
  return browser
}

const operation = (page: Page, name: string): Locator =>
  page.locator('.opblock', { has: page.locator(`.opblock-summary-path[data-path="/${name}"]`) })

/** Opens an operation, presses Execute, and returns the response body the page shows. */
async function execute (page: Page, name: string, edit?: (op: Locator) => Promise<void>): Promise<any> {
  const op = operation(page, name)
  if (!await op.locator('button.execute').isVisible()) await op.locator('.opblock-summary').click()
  if (edit !== undefined) await edit(op)
  const answered = page.waitForResponse(r => r.url().includes(`/crmapi/rest/v2/${name}`))
  await op.locator('button.execute').click()
  await answered
  const shown = op.locator('.live-responses-table .response-col_description pre').first()
  await shown.waitFor()
  return JSON.parse(await shown.innerText())
}

t.test('the documentation page: six operations, and login, create, list, show, cancel from the page', async t => {
  const executablePath = await chromiumPath()
  t.ok(existsSync(executablePath), `Chromium is at ${executablePath} (from @sparticuz/chromium, or $CHROMIUM)`)
  if (!existsSync(executablePath)) return

  const server = await build(t)
  const origin = new URL(await server.start()).origin
  const browser = await launch(t, executablePath)
  const page = browser.pages()[0] ?? await browser.newPage()
  // Generous waits, not timed assertions: a loaded CI machine renders Swagger UI slowly.
  page.setDefaultTimeout(120_000)
  const elsewhere: string[] = []
  page.on('request', r => { if (!r.url().startsWith(origin + '/') && !r.url().startsWith('data:')) elsewhere.push(r.url()) })

  await page.goto(`${origin}/documentation`)
  await page.locator('.opblock').first().waitFor()
  t.equal(await page.locator('.opblock').count(), 6, 'six operations')
  for (const [name, op] of Object.entries(OPERATIONS)) {
    t.equal(await operation(page, name).locator('.opblock-summary-method').innerText(), op.method, `${op.method} ${name} is shown`)
  }

  const login = await execute(page, 'authentication/token')
  t.equal(login.status.code, 'OK', 'logged in with the prefilled default credentials')
  t.equal(await page.evaluate(key => (globalThis as unknown as { localStorage: { getItem: (k: string) => string | null } }).localStorage.getItem(key), TOKEN_KEY), login.data.token, 'the page keeps the token')

  const created = await execute(page, 'customer_events/financial_achievements/create')
  t.equal(created.status.code, 'OK', 'the vendor\'s create example, {{token}} filled in by the page')
  t.equal(created.data.life_cycle_state, 'POSTED')
  t.equal(created.data.amount, 11.5)
  const number: string = created.data.number

  const listed = await execute(page, 'customer_events/financial_achievements/list')
  t.equal(listed.status.code, 'OK')
  t.ok(listed.data.some((e: { number: string }) => e.number === number), `the list done from the page holds the new event ${number}`)

  const shown = await execute(page, 'customer_events/financial_achievements/show', async op => {
    await op.locator('tr[data-param-name="customer_event_identifier"] input').fill(`number=${number}`)
  })
  t.equal(shown.status.code, 'OK', 'show by name=field=value')
  t.equal(shown.data.number, number)

  const cancelled = await execute(page, 'customer_events/financial_achievements/cancel', async op => {
    await op.locator('textarea.body-param__text').fill(JSON.stringify({ token: '{{token}}', customer_event_identifier: { number } }))
  })
  t.equal(cancelled.status.code, 'OK')
  t.equal(cancelled.data.life_cycle_state, 'CANCELLED')
  t.equal((await server.events()).find(e => e.number === number)?.life_cycle_state, 'CANCELLED', 'the server agrees')

  t.same(elsewhere, [], 'every asset and call stayed on this server (no CDN)')
})
