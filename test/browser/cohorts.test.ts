import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as f from '../support/factories.js'
import { expectAccessible, hasChromium, newPage, signIn, startRig, type BrowserRig } from './browser.js'

let rig: BrowserRig

beforeAll(async () => {
  if (hasChromium) rig = await startRig()
}, 120_000)
afterAll(async () => {
  await rig?.close()
})

/** A young adult the seeded IOM coordinator works with, so they are suggested for the young adults' cohort. */
async function youngAdultOfCoordinator(lastName: string) {
  const db = rig.database.db
  const coordinator = await db
    .selectFrom('users')
    .select(['id', 'agency_id'])
    .where('email', '=', 'coordinator@tandem.example')
    .executeTakeFirstOrThrow()
  const probation = await db
    .selectFrom('agencies')
    .select('id')
    .where('kind', '=', 'probation')
    .executeTakeFirstOrThrow()
  const person = await f.makePerson(db, {
    leadAgencyId: probation.id,
    firstName: 'Ada',
    lastName,
    dateOfBirth: `${new Date().getUTCFullYear() - 22}-06-15`,
  })
  await f.allocate(db, person.id, coordinator.id, {
    agencyId: coordinator.agency_id,
    role: 'police_iom_officer',
  })
  return person
}

describe.runIf(hasChromium)('cohorts in a real browser', () => {
  // Each page's axe check takes seconds on a busy machine, so the pages are split across tests.
  it('shows cohorts, members, suggestions and a decision accessibly', async () => {
    const person = await youngAdultOfCoordinator('Aardvark')
    const { page, context, problems } = await newPage(rig)
    await signIn(page, 'coordinator@tandem.example')
    await page.goto('/cohorts')
    await expect.poll(() => page.locator('h1').textContent()).toBe('Cohorts')
    expect(await page.locator('table').innerText()).toContain('IOM Fixed')
    await expectAccessible(page)

    await page.getByRole('link', { name: 'Young adults (18 to 25)', exact: true }).click()
    await page.waitForURL(/\/cohorts\/YOUTH-DIVERSION$/)
    expect(await page.locator('main').innerText()).toContain('Aged 18 or over')
    await expectAccessible(page)

    await page
      .getByRole('navigation', { name: 'About this cohort' })
      .getByRole('link', { name: 'Suggestions' })
      .click()
    await page.waitForURL(/\/suggestions$/)
    const row = page.locator('tr', { hasText: person.crn })
    expect(await row.innerText()).toContain('Aged 22')
    await expectAccessible(page)

    await row.getByRole('link', { name: /Decide/ }).click()
    await page.waitForURL(new RegExp(`/suggestions/${person.crn}$`))
    await expectAccessible(page)
    await page.getByRole('button', { name: 'Save decision' }).click()
    await expect
      .poll(() => page.locator('.govuk-error-summary').textContent())
      .toContain('Choose whether to select this person')
    await expectAccessible(page)
    expect(problems).toEqual([])
    await context.close()
  }, 180_000)

  it('shows the definition form with an error, and the responsibilities matrix, accessibly', async () => {
    const { page, context, problems } = await newPage(rig)
    await signIn(page, 'coordinator@tandem.example')
    await page.goto('/cohorts/IOM-FIXED/edit')
    await page.getByLabel('Youngest age').fill('twenty')
    await page.getByRole('button', { name: 'Save cohort' }).click()
    await expect
      .poll(() => page.locator('.govuk-error-summary').textContent())
      .toContain('Youngest age must be a whole number')
    await expectAccessible(page)

    await page.goto('/cohorts/IOM-FIXED/responsibilities')
    const matrix = await page.locator('table').innerText()
    expect(matrix).toContain('Intelligence sharing')
    expect(matrix).toContain('Police')
    await expectAccessible(page)
    expect(problems).toEqual([])
    await context.close()
  }, 180_000)

  it('changes a member’s review date with a reason, accessibly', async () => {
    const db = rig.database.db
    const person = await youngAdultOfCoordinator('Abernathy')
    const cohort = await db
      .selectFrom('cohorts')
      .select('id')
      .where('code', '=', 'YOUTH-DIVERSION')
      .executeTakeFirstOrThrow()
    await f.joinCohort(db, person.id, cohort.id)
    const { page, context, problems } = await newPage(rig)
    await signIn(page, 'coordinator@tandem.example')
    await page.goto(`/cohorts/YOUTH-DIVERSION/members/${person.crn}`)
    expect(await page.locator('main').innerText()).toContain('No decisions are recorded')
    await expectAccessible(page)
    await page.getByLabel('Day').fill('31')
    await page.getByLabel('Month').fill('2')
    const year = String(new Date().getUTCFullYear() + 2)
    await page.getByLabel('Year').fill(year)
    await page.getByRole('button', { name: 'Change review date' }).click()
    await expect
      .poll(() => page.locator('.govuk-error-summary').textContent())
      .toContain('Review date must be a real date')
    expect(await page.locator('.govuk-error-summary').textContent()).toContain(
      'Enter the reason for changing the review date',
    )
    await expectAccessible(page)
    await page.getByLabel('Day').fill('28')
    await page.getByLabel('Why is the review date changing?').fill('Panel meets in February')
    await page.getByRole('button', { name: 'Change review date' }).click()
    await page.waitForURL(/\?changed=1$/)
    expect(await page.locator('.govuk-notification-banner').innerText()).toContain(`28 February ${year}`)
    expect(await page.locator('table').innerText()).toContain('Panel meets in February')
    await expectAccessible(page)
    expect(problems).toEqual([])
    await context.close()
  }, 180_000)

  it('selects a suggested person through the form without JavaScript', async () => {
    const person = await youngAdultOfCoordinator('Abbott')
    const { page, context } = await newPage(rig, { javaScript: false })
    await signIn(page, 'coordinator@tandem.example')
    await page.goto(`/cohorts/YOUTH-DIVERSION/suggestions/${person.crn}`)
    await page.getByLabel('Select them for the cohort').check()
    const next = new Date(Date.now() + 90 * 86_400_000)
    await page.getByLabel('Day').fill(String(next.getUTCDate()))
    await page.getByLabel('Month').fill(String(next.getUTCMonth() + 1))
    await page.getByLabel('Year').fill(String(next.getUTCFullYear()))
    await page.getByLabel('Reason').fill('Agreed at the young adults panel')
    await Promise.all([
      page.waitForURL(/\/suggestions\?decided=select$/),
      page.getByRole('button', { name: 'Save decision' }).click(),
    ])
    expect(await page.locator('.govuk-notification-banner').innerText()).toContain('selected')
    const membership = await rig.database.db
      .selectFrom('cohort_memberships as m')
      .innerJoin('cohorts as c', 'c.id', 'm.cohort_id')
      .select(['m.reason', 'm.ended_on'])
      .where('m.person_id', '=', person.id)
      .where('c.code', '=', 'YOUTH-DIVERSION')
      .executeTakeFirstOrThrow()
    expect(membership).toEqual({ reason: 'Agreed at the young adults panel', ended_on: null })
    await context.close()
  }, 120_000)
})
