import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ingest } from '../../src/modules/integration/ingest.service.js'
import { event } from '../support/domain-events.js'
import { expectAccessible, hasChromium, newPage, signIn, startRig, type BrowserRig } from './browser.js'

let rig: BrowserRig

beforeAll(async () => {
  if (hasChromium) rig = await startRig()
}, 120_000)
afterAll(async () => {
  await rig?.close()
})

describe.runIf(hasChromium)('messages not applied, in a real browser', () => {
  it('lets an administrator read why a message was kept, replay it and discard another', async () => {
    const source = { origin: { route: 'test', requestId: null }, actor: null, label: 'test' }
    const known = await rig.database.db.selectFrom('people').select('crn').limit(1).executeTakeFirstOrThrow()
    await ingest(
      rig.database.db,
      [
        event('staff.available.hours.changed', { crn: known.crn, noms: 'A0000AA' }),
        '{"eventType": "tier.calculation.complete", "occurredAt": ',
      ],
      source,
    )
    const { page, context, problems } = await newPage(rig)
    await signIn(page, 'admin@tandem.example')
    await page.goto('/admin')
    await page.getByRole('link', { name: 'Messages not applied' }).first().click()
    await expect.poll(() => page.locator('h1').textContent()).toBe('Messages not applied')
    await expect.poll(() => page.locator('table').innerText()).toContain('The message is not JSON')
    await page.locator('.govuk-details__summary').first().click()
    await expect.poll(() => page.locator('pre').first().innerText()).toContain('occurredAt')
    await expectAccessible(page)

    await page
      .getByRole('button', { name: /^Replay message/ })
      .first()
      .click()
    await expect
      .poll(() => page.locator('.govuk-notification-banner').innerText())
      .toContain('still could not be applied')
    await page
      .getByRole('button', { name: /^Discard message/ })
      .first()
      .click()
    await expect.poll(() => page.locator('.govuk-notification-banner').innerText()).toContain('discarded')
    await expectAccessible(page)
    await page.getByRole('link', { name: 'Resolved' }).click()
    await expect.poll(() => page.locator('table').innerText()).toContain('Discarded by')
    await expectAccessible(page)
    expect(problems).toEqual([])
    await context.close()
  })
})
