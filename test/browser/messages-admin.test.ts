import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ingest } from '../../src/modules/integration/ingest.service.js'
import { expectAccessible, hasChromium, newPage, signIn, startRig, type BrowserRig } from './browser.js'

let rig: BrowserRig

beforeAll(async () => {
  if (!hasChromium) return
  rig = await startRig()
}, 120_000)
afterAll(async () => {
  await rig?.close()
})

const source = { origin: { route: 'test', requestId: null }, actor: null, label: 'browser test' }

describe.runIf(hasChromium)('messages not applied, in a real browser', () => {
  it('lists an unknown event with its reason, and discards it into the resolved list', async () => {
    const [outcome] = await ingest(
      rig.database.db,
      [{ eventType: 'staff.available.hours.changed', occurredAt: '2026-03-01T10:00:00Z', version: 1 }],
      source,
    )
    expect(outcome!.outcome).toBe('dead-letter')

    const { page, context, problems } = await newPage(rig)
    await signIn(page, 'admin@tandem.example')
    await page.goto('/admin/messages')
    await expect.poll(() => page.locator('h1').textContent()).toBe('Messages not applied')
    const row = page.locator('tr', { hasText: 'staff.available.hours.changed' })
    expect(await row.innerText()).toContain(outcome!.reason!)
    await expectAccessible(page)

    await row.getByRole('button', { name: /Discard/ }).click()
    await expect.poll(() => page.locator('.govuk-notification-banner').innerText()).toContain('discarded')
    expect(await page.locator('tr', { hasText: 'staff.available.hours.changed' }).count()).toBe(0)
    await expectAccessible(page)
    await page.goto('/admin/messages?show=resolved')
    expect(await page.locator('tr', { hasText: 'staff.available.hours.changed' }).count()).toBe(1)
    await expectAccessible(page)
    expect(problems).toEqual([])
    await context.close()
  })
})
