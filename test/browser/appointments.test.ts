import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { londonDate } from '../../src/platform/views/format.js'
import { expectAccessible, hasChromium, newPage, signIn, startRig, type BrowserRig } from './browser.js'

let rig: BrowserRig

beforeAll(async () => {
  if (hasChromium) rig = await startRig()
}, 120_000)
afterAll(async () => {
  await rig?.close()
})

/** A person the demo practitioner leads whom a police officer also works with. */
async function sharedPerson() {
  return rig.database.db
    .selectFrom('allocations as mine')
    .innerJoin('users as me', 'me.id', 'mine.user_id')
    .innerJoin('people as p', 'p.id', 'mine.person_id')
    .innerJoin('allocations as theirs', 'theirs.person_id', 'mine.person_id')
    .innerJoin('users as them', 'them.id', 'theirs.user_id')
    .select(['p.crn', 'p.first_name', 'p.last_name', 'them.display_name as partner'])
    .where('me.email', '=', 'practitioner@tandem.example')
    .where('mine.is_lead', '=', true)
    .where('mine.ended_at', 'is', null)
    .where('theirs.role', '=', 'police_iom_officer')
    .where('theirs.ended_at', 'is', null)
    .orderBy('p.crn')
    .executeTakeFirstOrThrow()
}

describe.runIf(hasChromium)('appointments and contacts in a real browser', () => {
  // axe runs as a script, so it checks the pages with JavaScript on; the journey is the same without.
  it.each([
    ['off', false, 10],
    ['on', true, 11],
  ])(
    'schedules a multi-agency visit, views the day and week, records an outcome and a contact, JavaScript %s',
    async (_, javaScript, daysAhead) => {
      const { page, context, problems } = await newPage(rig, { javaScript })
      const check = () => (javaScript ? expectAccessible(page) : Promise.resolve())
      const person = await sharedPerson()
      const name = `${person.first_name} ${person.last_name}`
      await signIn(page, 'practitioner@tandem.example')

      // Schedule: early in the morning, clear of the seeded appointments.
      await page.goto(`/people/${person.crn}/appointments`)
      await check()
      const day = londonDate(new Date(Date.now() + daysAhead * 86_400_000))
      const [year, month, date] = day.split('-') as [string, string, string]
      await page.getByLabel('Day', { exact: true }).fill(String(Number(date)))
      await page.getByLabel('Month', { exact: true }).fill(String(Number(month)))
      await page.getByLabel('Year', { exact: true }).fill(year)
      await page.getByLabel('Start time').fill('7:15am')
      await page.getByLabel('How long').selectOption('45')
      await page.getByLabel('Multi-agency visit').check()
      await page.getByLabel('Location').fill('Home visit with police')
      await page.getByLabel(new RegExp(person.partner)).check()
      await Promise.all([
        page.waitForURL(/scheduled=1/),
        page.getByRole('button', { name: 'Schedule appointment' }).click(),
      ])
      expect(await page.locator('.govuk-notification-banner').innerText()).toContain('Appointment scheduled')
      const upcoming = await page.locator('table').first().innerText()
      expect(upcoming).toContain(person.partner)
      await check()

      // A bad time is an error in the page, not a failure.
      await page.getByLabel('Start time').fill('25:99')
      await page.getByLabel('Location').fill('Office')
      await page.getByRole('button', { name: 'Schedule appointment' }).click()
      await expect.poll(() => page.locator('.govuk-error-summary').innerText()).toContain('real time')
      await check()

      // My day and my week.
      await page.goto(`/appointments?view=day&date=${day}`)
      expect(await page.locator('main').innerText()).toContain(name)
      await check()
      await Promise.all([page.waitForURL(/view=week/), page.getByRole('link', { name: 'Week' }).click()])
      expect(await page.locator('main').innerText()).toContain('Home visit with police')
      await check()
      await Promise.all([page.waitForURL(/view=week/), page.getByRole('link', { name: /Next/ }).click()])
      await check()

      // The outcome of a past appointment: an absence needs notes.
      await page.goto(`/people/${person.crn}/appointments`)
      await Promise.all([
        page.waitForURL(/\/outcome$/),
        page.locator('table').last().getByRole('link').first().click(),
      ])
      await check()
      await page.getByLabel('Failed to attend (unacceptable absence)').check()
      await page.getByLabel('Notes').fill('')
      await page.getByRole('button', { name: 'Save outcome' }).click()
      await expect.poll(() => page.locator('.govuk-error-summary').innerText()).toContain('Enter the reason')
      await check()
      await page.getByLabel('Notes').fill('Did not attend and has not been in touch')
      await Promise.all([
        page.waitForURL(/recorded=1/),
        page.getByRole('button', { name: 'Save outcome' }).click(),
      ])
      expect(await page.locator('#enforcement-count').innerText()).toMatch(/\d+ unacceptable/)
      await check()

      // A contact in seconds, then a correction that keeps the first version.
      const summary = `Phoned about the missed appointment (${javaScript ? 'on' : 'off'})`
      await page
        .getByRole('navigation', { name: 'About this person' })
        .getByRole('link', { name: 'Contacts' })
        .click()
      await page.waitForURL(/\/contacts$/)
      await check()
      await page.getByLabel('Type of contact').selectOption('contact.phone')
      await page.getByLabel('Summary').fill(summary)
      await Promise.all([
        page.waitForURL(/recorded=1/),
        page.getByRole('button', { name: 'Save contact' }).click(),
      ])
      expect(await page.locator('#contact-log').innerText()).toContain(summary)
      await check()
      await Promise.all([
        page.waitForURL(/\/contacts\/[0-9a-f-]{36}$/),
        page.locator('#contact-log li').filter({ hasText: summary }).getByRole('link').click(),
      ])
      await check()
      await page.getByLabel('Summary').fill(`${summary}, corrected`)
      await Promise.all([
        page.waitForURL(/corrected=1/),
        page.getByRole('button', { name: 'Save correction' }).click(),
      ])
      const main = await page.locator('main').innerText()
      expect(main).toContain(`${summary}, corrected`)
      expect(main).toContain('Earlier versions')
      await check()
      expect(problems).toEqual([])
      await context.close()
    },
    // axe on thirteen pages is slow on a busy machine.
    400_000,
  )
})
