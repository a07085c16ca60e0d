import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_ACCOUNTS } from '../../src/cli/seed/estate.js'
import { expectAccessible, hasChromium, newPage, signIn, startRig, type BrowserRig } from './browser.js'

let rig: BrowserRig

beforeAll(async () => {
  if (hasChromium) rig = await startRig()
}, 120_000)
afterAll(async () => {
  await rig?.close()
})

/** The start page and navigation each role should see. */
const SHELLS: Record<string, { heading: string; nav: string[]; notNav: string[] }> = {
  'practitioner@tandem.example': {
    heading: 'My day',
    nav: ['My day', 'Caseload', 'Search'],
    notNav: ['Admin', 'Access log'],
  },
  'manager@tandem.example': {
    heading: 'My day',
    nav: ['My day', 'Caseload', 'Search', 'Insight'],
    notNav: ['Admin'],
  },
  'police@tandem.example': { heading: 'My day', nav: ['Caseload', 'Search'], notNav: ['Admin', 'Insight'] },
  'health@tandem.example': { heading: 'My day', nav: ['Caseload', 'Search'], notNav: ['Admin'] },
  'housing@tandem.example': { heading: 'My day', nav: ['Caseload', 'Search'], notNav: ['Admin'] },
  'provider@tandem.example': { heading: 'My day', nav: ['Caseload'], notNav: ['Admin', 'Insight'] },
  'coordinator@tandem.example': {
    heading: 'My day',
    nav: ['Caseload', 'Search', 'Insight'],
    notNav: ['Admin'],
  },
  'analyst@tandem.example': { heading: 'Insight', nav: ['Insight'], notNav: ['My day', 'Search', 'Admin'] },
  'admin@tandem.example': {
    heading: 'Administration',
    nav: ['Admin'],
    notNav: ['My day', 'Search', 'Access log'],
  },
  'dpo@tandem.example': { heading: 'Access log', nav: ['Access log'], notNav: ['My day', 'Admin'] },
}

describe.runIf(hasChromium)('the service shell in a real browser', () => {
  it('signs in, refuses a wrong password with the error summary, and signs out', async () => {
    const { page, context, problems } = await newPage(rig)
    await page.goto('/sign-in')
    await expectAccessible(page)
    await page.getByLabel('Email address').fill('practitioner@tandem.example')
    await page.getByLabel('Password', { exact: true }).fill('not the password')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect.poll(() => page.title()).toBe('Error: Sign in – Tandem')
    await expect
      .poll(() => page.locator('.govuk-error-summary').textContent())
      .toContain('Your email address or password is not correct')
    expect(await page.getByLabel('Email address').inputValue()).toBe('practitioner@tandem.example')
    await expectAccessible(page)
    await signIn(page, 'practitioner@tandem.example')
    await expect.poll(() => page.locator('h1').textContent()).toBe('My day')
    await page.getByRole('button', { name: 'Sign out' }).click()
    await expect
      .poll(() => page.locator('.govuk-notification-banner').textContent())
      .toContain('You have been signed out')
    await expectAccessible(page)
    await page.goto('/caseload')
    expect(new URL(page.url()).pathname).toBe('/sign-in')
    expect(problems).toEqual([])
    await context.close()
  })

  it.each(DEMO_ACCOUNTS.map((a) => a.email))(
    '%s sees a shell that fits the role, with no accessibility problems',
    async (email) => {
      const { page, context, problems } = await newPage(rig)
      await signIn(page, email)
      const shell = SHELLS[email]!
      await expect.poll(() => page.locator('h1').textContent()).toBe(shell.heading)
      const nav = await page.locator('.govuk-service-navigation__list').innerText()
      for (const item of shell.nav) expect(nav, `${email} should have ${item}`).toContain(item)
      for (const item of shell.notNav) expect(nav, `${email} should not have ${item}`).not.toContain(item)
      await expectAccessible(page)
      expect(problems).toEqual([])
      await context.close()
    },
  )

  it('lets a practitioner find a person by keyboard and open their record, with JavaScript off', async () => {
    const { page, context } = await newPage(rig, { javaScript: false })
    await signIn(page, 'practitioner@tandem.example')
    await page.goto('/caseload')
    const name = (await page.locator('table tbody a.govuk-link').first().textContent())!.trim()
    await page.goto('/search')
    await page.getByLabel(/Name, CRN/).fill(name.split(' ')[1]!)
    await Promise.all([page.waitForURL(/\/search\?q=/), page.keyboard.press('Enter')])
    await page.getByRole('link', { name }).first().click()
    await expect.poll(() => page.locator('h1').textContent()).toBe(name)
    await page.getByRole('link', { name: 'Who has viewed this record' }).click()
    await expect.poll(() => page.locator('h1').textContent()).toBe('Who has viewed this record')
    expect(await page.locator('table').innerText()).toContain('Priya Shah')
    await context.close()
  })

  it('shows caseload, search results, a person and who has viewed them without accessibility problems', async () => {
    const { page, context, problems } = await newPage(rig)
    await signIn(page, 'practitioner@tandem.example')
    await page.goto('/caseload')
    await expectAccessible(page)
    const link = page.locator('table tbody a.govuk-link').first()
    const name = (await link.textContent())!.trim()
    await page.goto(`/search?q=${encodeURIComponent(name)}`)
    await expectAccessible(page)
    await page.getByRole('link', { name }).first().click()
    await expect.poll(() => page.locator('h1').textContent()).toBe(name)
    await expectAccessible(page)
    await page.getByRole('link', { name: 'Who has viewed this record' }).click()
    await expectAccessible(page)
    await page.goto('/account')
    await expectAccessible(page)
    expect(problems).toEqual([])
    await context.close()
  })

  it('asks for emergency access with a reason, and shows the problems in an accessible error summary', async () => {
    const { page, context } = await newPage(rig)
    await signIn(page, 'police@tandem.example')
    await page.goto('/people/A000000')
    await expectAccessible(page)
    await page.getByRole('link', { name: 'ask for emergency access' }).click()
    await page.getByRole('button', { name: 'Ask for access' }).click()
    await expect
      .poll(() => page.locator('.govuk-error-summary').textContent())
      .toContain('Explain why you need emergency access')
    await expectAccessible(page)
    await context.close()
  })

  it('runs the administration pages, including forms with errors, without accessibility problems', async () => {
    const { page, context, problems } = await newPage(rig)
    await signIn(page, 'admin@tandem.example')
    for (const path of [
      '/admin',
      '/admin/users',
      '/admin/users/new',
      '/admin/teams',
      '/admin/teams/new',
      '/admin/agencies',
      '/admin/agencies/new',
      '/admin/regions',
      '/admin/cohorts',
      '/admin/cohorts/new',
      '/admin/agreements',
      '/admin/agreements/new',
      '/admin/restrictions',
      '/admin/api-clients',
      '/account',
    ]) {
      await page.goto(path)
      await expectAccessible(page)
    }
    await page.goto('/admin/users')
    await page.locator('table a.govuk-link').first().click()
    await expectAccessible(page)
    await page.goto('/admin/agreements/new')
    await page.getByRole('button', { name: 'Save agreement' }).click()
    await expect.poll(() => page.locator('.govuk-error-summary').textContent()).toContain('Enter a reference')
    await expectAccessible(page)
    await page.locator('.govuk-error-summary a').first().click()
    expect(await page.evaluate('document.activeElement.id')).toBe('reference')
    await page.goto('/admin/agreements')
    await page.locator('table a.govuk-link').first().click()
    await expectAccessible(page)
    const crn = await rig.database.db.selectFrom('people').select('crn').limit(1).executeTakeFirstOrThrow()
    await page.goto(`/admin/restrictions?crn=${crn.crn}`)
    await expectAccessible(page)
    await page.getByRole('button', { name: 'Save' }).click()
    await expect
      .poll(() => page.locator('.govuk-error-summary').textContent())
      .toContain('Enter the email address of a Tandem user')
    await expectAccessible(page)
    await page.goto('/admin/api-clients')
    await page.getByLabel('Name', { exact: true }).fill('Browser test client')
    await page.getByLabel('Agency it acts for').selectOption({ index: 1 })
    await page.getByLabel('Read people (identity and shared categories)').check()
    await page.getByRole('button', { name: 'Create client and token' }).click()
    await expect.poll(() => page.locator('#token').textContent()).toMatch(/^tdm_/)
    await expectAccessible(page)
    expect(problems).toEqual([])
    await context.close()
  }, 90_000)

  it('gives the data protection officer the access log and emergency access review', async () => {
    const { page, context } = await newPage(rig)
    await signIn(page, 'dpo@tandem.example')
    await expectAccessible(page)
    await page.getByLabel('Action').selectOption('sign-in')
    await page.getByRole('button', { name: 'Filter' }).click()
    await expect.poll(() => page.locator('table').innerText()).toContain('Sign in')
    await expectAccessible(page)
    await page.goto('/access-log/break-glass')
    await expectAccessible(page)
    await page.goto('/access-log?from=not-a-date')
    await expectAccessible(page)
    await context.close()
  })

  it('shows the analyst aggregate figures with small numbers hidden', async () => {
    const { page, context } = await newPage(rig)
    await signIn(page, 'analyst@tandem.example')
    expect(await page.locator('table').innerText()).toContain('Greater Manchester')
    await expectAccessible(page)
    await page.goto('/no/such/page')
    expect(await page.locator('h1').textContent()).toBe('Page not found')
    await expectAccessible(page)
    await context.close()
  })
})
