import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { refreshDashboards } from '../../src/modules/dashboards/dashboards.service.js'
import { systemClock } from '../../src/platform/clock.js'
import { expectAccessible, hasChromium, newPage, signIn, startRig, type BrowserRig } from './browser.js'

let rig: BrowserRig

beforeAll(async () => {
  if (!hasChromium) return
  rig = await startRig()
  // The rig runs no worker: count the figures as its first pass would.
  await refreshDashboards(rig.database.db, systemClock)
}, 180_000)
afterAll(async () => {
  await rig?.close()
})

/** Axe over a page of tables and charts is slow on a busy two-core machine. */
const SLOW = 120_000

describe.runIf(hasChromium)('dashboards in a real browser', () => {
  it(
    "filters the national dashboard with JavaScript off, and downloads a measure's figures",
    async () => {
      const { page, context } = await newPage(rig, { javaScript: false })
      await signIn(page, 'analyst@tandem.example')
      await page.getByRole('link', { name: 'Dashboards' }).click()
      await page.waitForURL(/\/dashboards$/)
      expect(await page.locator('h1').textContent()).toBe('National')
      expect(await page.locator('.app-as-at').innerText()).toMatch(/^Figures as at /)
      // Each chart is one image with a name, and its table follows it.
      const chart = page.getByRole('img', { name: 'People by tier, each bar split by risk of serious harm' })
      expect(await chart.count()).toBe(1)
      expect(await page.locator('#table-caseload caption').innerText()).toContain('People by tier')
      expect(await page.locator('main').innerText()).toContain('fewer than 5')

      await page.getByLabel('Period', { exact: true }).selectOption('4w')
      await page.getByLabel('Cohort', { exact: true }).selectOption({ label: 'Short custodial sentences' })
      await page.getByRole('button', { name: 'Show figures' }).click()
      await page.waitForURL(/period=4w/)
      expect(page.url()).toContain('cohort=SHORT-SENTENCE')
      expect(await page.locator('main').innerText()).toContain('Only people who are members of')
      expect(await page.locator('#table-flags tbody tr').count()).toBe(5)

      const link = page.getByRole('link', { name: 'Download failed to attend (CSV)' })
      const href = (await link.getAttribute('href'))!
      expect(href).toBe('/dashboards/attendance.csv?area=nation&period=4w&cohort=SHORT-SENTENCE')
      const download = await context.request.get(href)
      expect(download.headers()['content-type']).toBe('text/csv; charset=utf-8')
      expect(download.headers()['content-disposition']).toContain(
        'attachment; filename="tandem-attendance-nation',
      )
      expect((await download.text()).split('\r\n')[0]).toBe('"Outcome","Appointments"')

      await page
        .getByRole('link', { name: /Greater Manchester/ })
        .first()
        .click()
      await page.waitForURL(/area=region/)
      expect(await page.locator('h1').textContent()).toBe('Greater Manchester')
      expect(await page.locator('#breakdown').innerText()).toBe('By delivery unit')
      await context.close()
    },
    SLOW,
  )

  it(
    'has no accessibility problems on the national dashboard, nor on a region’s',
    async () => {
      const { page, context, problems } = await newPage(rig)
      await signIn(page, 'analyst@tandem.example')
      await page.goto('/dashboards')
      await expectAccessible(page)
      await page.goto('/dashboards?area=region:GMR&period=52w')
      expect(await page.locator('h1').textContent()).toBe('Greater Manchester')
      await expectAccessible(page)
      expect(problems).toEqual([])
      await context.close()
    },
    SLOW,
  )

  it(
    "shows a practitioner their own caseload, and refuses them the nation's",
    async () => {
      const { page, context, problems } = await newPage(rig)
      await signIn(page, 'practitioner@tandem.example')
      expect(await page.locator('h1').textContent()).toBe('My day')
      await page.goto('/dashboards')
      expect(await page.locator('h1').textContent()).toBe('My caseload')
      expect(await page.locator('main').innerText()).toContain('Counted when you opened this page')
      await expectAccessible(page)
      const refused = await page.goto('/dashboards?area=nation')
      expect(refused!.status()).toBe(403)
      await expectAccessible(page)
      expect(problems).toEqual([])
      await context.close()
    },
    SLOW,
  )

  it(
    'shows a bad filter in the error summary, linked to its field',
    async () => {
      const { page, context, problems } = await newPage(rig)
      await signIn(page, 'manager@tandem.example')
      await page.goto('/dashboards?period=forever')
      await expect
        .poll(() => page.locator('.govuk-error-summary').textContent())
        .toContain('Choose a period from the list')
      await page.getByRole('link', { name: 'Choose a period from the list' }).click()
      await expect.poll(() => page.evaluate('document.activeElement.id')).toBe('period')
      await expectAccessible(page)
      expect(problems).toEqual([])
      await context.close()
    },
    SLOW,
  )
})
