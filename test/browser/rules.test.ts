import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectAccessible, hasChromium, newPage, signIn, type BrowserRig } from './browser.js'
import { startIntelligenceRig } from './intelligence-rig.js'

let rig: BrowserRig

beforeAll(async () => {
  if (hasChromium) rig = await startIntelligenceRig()
}, 180_000)
afterAll(async () => {
  await rig?.close()
})

describe.runIf(hasChromium)('the rule editor in a real browser', () => {
  it(
    'lists rules, shows a validation error, previews a draft and switches it on',
    { timeout: 120_000 },
    async () => {
      const { page, context, problems } = await newPage(rig)
      await signIn(page, 'coordinator@tandem.example')
      await page.goto('/rules')
      await expectAccessible(page)
      await page.getByRole('link', { name: 'Licence end approaching' }).click()
      await page.waitForURL(/\/rules\/LICENCE_END_APPROACHING$/)
      await expectAccessible(page)
      await page.getByRole('button', { name: 'Edit this rule' }).click()
      await page.waitForURL(/\/edit$/)
      await expectAccessible(page)
      await page.getByLabel('Number of days').fill('0')
      await page.getByRole('button', { name: 'Save as a draft and preview' }).click()
      await page.waitForLoadState('domcontentloaded')
      expect(await page.locator('.govuk-error-summary').innerText()).toContain(
        'The number of days must be 1 or more',
      )
      await expectAccessible(page)
      await page.getByLabel('Number of days').fill('365')
      await page.getByRole('button', { name: 'Save as a draft and preview' }).click()
      await page.waitForURL(/\/versions\/2\/preview$/)
      expect(await page.locator('#preview-total').innerText()).toMatch(/in total/)
      await expectAccessible(page)
      await page.getByRole('button', { name: 'Switch on version 2' }).click()
      await page.waitForURL(/\/rules\/LICENCE_END_APPROACHING$/)
      expect(await page.locator('table').innerText()).toMatch(/2\s+Switched on/)
      expect(problems).toEqual([])
      await context.close()
    },
  )
})
