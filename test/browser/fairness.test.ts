import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sweepTimedRules } from '../../src/modules/intelligence/rules.service.js'
import { systemClock } from '../../src/platform/clock.js'
import { expectAccessible, hasChromium, newPage, signIn, startRig, type BrowserRig } from './browser.js'

let rig: BrowserRig

beforeAll(async () => {
  if (!hasChromium) return
  rig = await startRig()
  // The sweep raises the timed rules' flags for everyone, as the worker would.
  await sweepTimedRules(rig.database.db, systemClock)
}, 180_000)
afterAll(async () => {
  await rig?.close()
})

describe.runIf(hasChromium)('scores and fairness in a real browser', () => {
  it('shows a person’s OGRS3 and tier with their inputs and terms', { timeout: 60_000 }, async () => {
    const { page, context, problems } = await newPage(rig)
    await signIn(page, 'practitioner@tandem.example')
    await page.goto('/caseload')
    const href = await page.locator('table tbody a.govuk-link').first().getAttribute('href')
    await page.goto(`${href}/scores`)
    expect(await page.locator('h2').first().innerText()).toBe('Scores')
    expect(await page.locator('#ogrs3-assumptions').innerText()).toContain('What Tandem assumes')
    expect(await page.locator('#tier-assumptions').innerText()).toContain('Only the protect level')
    expect(await page.locator('#tier-upstream').innerText()).toContain('Tier from the tier service')
    await expectAccessible(page)
    expect(problems).toEqual([])
    await context.close()
  })

  it(
    'lets an analyst compare rates by group, filter by rule and period, and see a clear error',
    {
      timeout: 90_000,
    },
    async () => {
      const { page, context, problems } = await newPage(rig)
      await signIn(page, 'analyst@tandem.example')
      const nav = await page.getByRole('navigation', { name: 'Main' }).innerText()
      expect(nav.indexOf('Fairness')).toBeGreaterThan(nav.indexOf('Insight'))
      await page.getByRole('link', { name: 'Fairness' }).click()
      await page.waitForURL(/\/fairness$/)
      expect(await page.locator('#flag-sex caption').innerText()).toBe('Flags: All flag rules, by sex')
      await expectAccessible(page)
      const rule = await page.locator('#fairness-rules tbody a').first()
      const name = (await rule.innerText()).replace(/^Flag: /, '')
      await rule.click()
      await page.waitForURL(/\/fairness\?rule=flag/)
      expect(await page.locator('#flag-ethnicity caption').innerText()).toBe(`Flags: ${name}, by ethnicity`)
      await expectAccessible(page)
      await page.getByLabel('From (YYYY-MM-DD)').fill('2025-02-30')
      await Promise.all([
        page.waitForURL(/from=2025-02-30/),
        page.getByRole('button', { name: 'Show figures' }).click(),
      ])
      expect(await page.locator('.govuk-error-summary').innerText()).toContain('From must be a real date')
      await expectAccessible(page)
      expect(problems).toEqual([])
      await context.close()
    },
  )

  it('lets a coordinator choose the disputed OGRS3 weights', { timeout: 60_000 }, async () => {
    const { page, context, problems } = await newPage(rig)
    await signIn(page, 'coordinator@tandem.example')
    await page.goto('/scores/weights')
    await expectAccessible(page)
    await page.getByLabel('0.0328, as OASys maps it').check()
    await Promise.all([
      page.waitForURL(/saved=1/),
      page.getByRole('button', { name: 'Save weights' }).click(),
    ])
    expect(await page.locator('.govuk-notification-banner').innerText()).toContain('have been saved')
    await expectAccessible(page)
    expect(problems).toEqual([])
    await context.close()
  })
})
