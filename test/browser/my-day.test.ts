import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { evaluateForEvent } from '../../src/modules/intelligence/rules.service.js'
import * as i from '../support/intelligence-factories.js'
import { expectAccessible, hasChromium, newPage, signIn, type BrowserRig } from './browser.js'
import { startIntelligenceRig } from './intelligence-rig.js'

let rig: BrowserRig

beforeAll(async () => {
  if (hasChromium) rig = await startIntelligenceRig()
}, 180_000)
afterAll(async () => {
  await rig?.close()
})

/** Makes two unacceptable absences for one of the practitioner's people and runs the rules. */
async function flagSomeone(skip = 0) {
  const db = rig.database.db
  const row = await db
    .selectFrom('allocations as a')
    .innerJoin('users as u', 'u.id', 'a.user_id')
    .innerJoin('people as p', 'p.id', 'a.person_id')
    .select(['a.person_id', 'a.agency_id', 'p.crn', 'p.first_name', 'p.last_name'])
    .where('u.email', '=', 'practitioner@tandem.example')
    .where('a.ended_at', 'is', null)
    .orderBy('p.crn')
    .offset(skip)
    .executeTakeFirstOrThrow()
  const now = new Date()
  for (const days of [2, 1])
    await i.makeAppointment(db, {
      personId: row.person_id,
      agencyId: row.agency_id,
      startsAt: i.daysBefore(now, days),
      outcome: 'unacceptable_absence',
    })
  await db
    .transaction()
    .execute((tx) =>
      evaluateForEvent(tx, { type: 'appointment.outcome.recorded', personId: row.person_id }, now),
    )
  return row
}

describe.runIf(hasChromium)('My day in a real browser', () => {
  it(
    'shows flags and tasks, and a flag is acknowledged without JavaScript',
    { timeout: 120_000 },
    async () => {
      const flagged = await flagSomeone(0)
      const { page, context } = await newPage(rig, { javaScript: false })
      await signIn(page, 'practitioner@tandem.example')
      await page.goto('/')
      const flags = page.locator('#my-day-flags')
      expect(await flags.innerText()).toContain('2 unacceptable absences in 30 days')
      await page.goto(`/people/${flagged.crn}/flags`)
      await page
        .getByRole('button', { name: /Dismiss/ })
        .first()
        .click()
      expect(await page.locator('.govuk-error-summary').innerText()).toContain(
        'Enter why you are dismissing this flag',
      )
      await page
        .getByRole('button', { name: /^Acknowledge/ })
        .first()
        .click()
      await page.waitForLoadState('domcontentloaded')
      expect(await page.locator('.govuk-summary-card').first().innerText()).toMatch(/Acknowledged/)
      await context.close()
    },
  )

  it(
    'updates live over server-sent events, with no accessibility problems',
    { timeout: 120_000 },
    async () => {
      const { page, context, problems } = await newPage(rig)
      await signIn(page, 'practitioner@tandem.example')
      await page.goto('/')
      await expectAccessible(page)
      // Give the page time to open its event stream before the flag is raised.
      await page.waitForTimeout(700)
      const flagged = await flagSomeone(1)
      await expect
        .poll(() => page.locator('#my-day-flags').innerText(), { timeout: 5000 })
        .toContain(flagged.crn)
      expect(await page.locator('#my-day-live-status').innerText()).toMatch(/Flags updated/)
      await expectAccessible(page)
      await page.goto(`/people/${flagged.crn}/flags`)
      await expectAccessible(page)
      expect(problems).toEqual([])
      await context.close()
    },
  )
})
