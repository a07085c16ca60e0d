import { existsSync } from 'node:fs'
import { AxeBuilder } from '@axe-core/playwright'
import type { FastifyInstance } from 'fastify'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { expect } from 'vitest'
import { seed } from '../../src/cli/seed/seed.js'
import { DEMO_PASSWORD } from '../../src/cli/seed/estate.js'
import { testApp } from '../support/app.js'
import { freshDatabase, type TestDatabase } from '../support/database.js'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
/** Browser tests need Debian's chromium; .ci/run installs it. Elsewhere they are skipped, saying why. */
export const hasChromium = existsSync(CHROMIUM)
if (!hasChromium)
  console.warn(
    `Skipping browser tests: no Chromium at ${CHROMIUM} (install Debian's chromium or set CHROMIUM_PATH)`,
  )

export interface BrowserRig {
  database: TestDatabase
  app: FastifyInstance
  browser: Browser
  baseUrl: string
  close(): Promise<void>
}

/** A served Tandem with the demo region seeded, and a headless Chromium to drive it. */
export async function startRig(): Promise<BrowserRig> {
  const database = await freshDatabase()
  await seed(database, { people: 300, regions: 1 })
  const app = await testApp(database.db)
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  return {
    database,
    app,
    browser,
    baseUrl: address,
    async close() {
      await browser.close()
      await app.close()
      await database.destroy()
    },
  }
}

/** A new browser tab that fails the test on any script error or Content Security Policy violation. */
export async function newPage(
  rig: BrowserRig,
  options: { javaScript?: boolean } = {},
): Promise<{ page: Page; context: BrowserContext; problems: string[] }> {
  const context = await rig.browser.newContext({
    baseURL: rig.baseUrl,
    javaScriptEnabled: options.javaScript ?? true,
  })
  // Fail a missing element in seconds, naming it, rather than at the test's own timeout.
  context.setDefaultTimeout(10_000)
  const page = await context.newPage()
  const problems: string[] = []
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  // Error pages answer with 4xx on purpose; what must never fail is a script, style or image.
  page.on('response', (response) => {
    if (response.request().resourceType() !== 'document' && response.status() >= 400)
      problems.push(`${response.status()} for ${response.url()}`)
  })
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
      problems.push(`console error: ${message.text()}`)
  })
  return { page, context, problems }
}

/** Checks the page against WCAG 2.2 AA with axe-core: there must be no violations at all. */
export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'])
    .analyze()
  const summary = results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  )
  expect(summary, `axe violations on ${page.url()}`).toEqual([])
}

export async function signIn(page: Page, email: string, password = DEMO_PASSWORD) {
  await page.goto('/sign-in')
  await page.getByLabel('Email address').fill(email)
  await page.getByLabel('Password', { exact: true }).fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForLoadState('domcontentloaded')
}
