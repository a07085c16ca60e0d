import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deliverDueWebhooks } from '../../src/modules/integration/webhooks.service.js'
import { expectAccessible, hasChromium, newPage, signIn, startRig, type BrowserRig } from './browser.js'

let rig: BrowserRig
let receiver: Server
let receiverUrl: string
const received: string[] = []

beforeAll(async () => {
  if (!hasChromium) return
  rig = await startRig()
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (c: Buffer) => chunks.push(c))
    request.on('end', () => {
      received.push(Buffer.concat(chunks).toString('utf8'))
      response.writeHead(204).end()
    })
  })
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/events`
}, 120_000)
afterAll(async () => {
  await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve(undefined)))
  await rig?.close()
})

describe.runIf(hasChromium)('webhooks, in a real browser', () => {
  it('adds a subscription, shows its secret once, and shows the delivery log', async () => {
    const { page, context, problems } = await newPage(rig)
    await signIn(page, 'admin@tandem.example')
    await page.goto('/admin')
    await page.getByRole('link', { name: 'Webhooks' }).first().click()
    await expect.poll(() => page.locator('h1').textContent()).toBe('Webhooks')

    await page.getByRole('button', { name: 'Add subscription and create secret' }).click()
    await expect.poll(() => page.locator('.govuk-error-summary').innerText()).toContain('Enter a name')
    await expectAccessible(page)

    await page.getByLabel('Name', { exact: true }).fill('Police IOM system')
    await page.getByLabel('Partner agency').selectOption({ index: 1 })
    await page.getByLabel('Address to send events to').fill(receiverUrl)
    await page.getByLabel('Received into prison', { exact: true }).check()
    // 'All events' is exclusive: choosing it clears the single type chosen above.
    await page.getByLabel('All events').check()
    await expect.poll(() => page.getByLabel('Received into prison', { exact: true }).isChecked()).toBe(false)
    await page.getByRole('button', { name: 'Add subscription and create secret' }).click()
    await expect.poll(() => page.locator('h1').textContent()).toContain('Webhook subscription added')
    const secret = (await page.locator('#secret').textContent())!
    expect(secret).toMatch(/^whsec_/)
    await expectAccessible(page)

    await page.getByRole('link', { name: /View Police IOM system/ }).click()
    await expect.poll(() => page.locator('h1').textContent()).toBe('Police IOM system')
    expect(await page.content()).not.toContain(secret)
    await page.getByRole('button', { name: 'Send a test event' }).click()
    await expect.poll(() => page.locator('.govuk-notification-banner').innerText()).toContain('test event')
    await deliverDueWebhooks(rig.database.db, { now: new Date(Date.now() + 1000) })
    expect(received).toHaveLength(1)
    await page.reload()
    await expect.poll(() => page.locator('table').innerText()).toContain('Delivered')
    await expect.poll(() => page.locator('table').innerText()).toContain('HTTP 204')
    await expectAccessible(page)

    await page.getByRole('button', { name: /^Replay/ }).click()
    await expect.poll(() => page.locator('.govuk-notification-banner').innerText()).toContain('sent again')
    await expectAccessible(page)
    await page.getByRole('link', { name: 'Back to webhooks' }).click()
    await expect.poll(() => page.locator('table').first().innerText()).toContain('Police IOM system')
    expect(await page.content()).not.toContain(secret)
    await expectAccessible(page)
    expect(problems).toEqual([])
    await context.close()
  })
})
