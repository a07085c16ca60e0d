import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as f from '../support/factories.js'
import * as pf from '../support/plans-factories.js'
import { expectAccessible, hasChromium, newPage, signIn, startRig, type BrowserRig } from './browser.js'

let rig: BrowserRig

beforeAll(async () => {
  if (hasChromium) rig = await startRig()
}, 180_000)
afterAll(async () => {
  await rig?.close()
})

/** People the demo practitioner leads, each given a fresh assessed need to plan for. */
async function ledPeople() {
  const rows = await rig.database.db
    .selectFrom('allocations as al')
    .innerJoin('users as u', 'u.id', 'al.user_id')
    .innerJoin('people as p', 'p.id', 'al.person_id')
    .select(['p.id', 'p.crn', 'p.lead_agency_id'])
    .where('u.email', '=', 'practitioner@tandem.example')
    .where('al.is_lead', '=', true)
    .where('al.ended_at', 'is', null)
    .orderBy('p.crn')
    .limit(2)
    .execute()
  expect(rows).toHaveLength(2)
  return rows
}

async function addObjectiveFromGap(page: Page, crn: string, need: string, check: () => Promise<void>) {
  await page.goto(`/people/${crn}/plan`)
  await check()
  await page.getByRole('link', { name: `Add objective for ${need}` }).click()
  await page.waitForURL(/objectives\/new\?need=/)
  await check()
  await page.getByRole('button', { name: 'Add objective' }).click()
  await expect
    .poll(() => page.locator('.govuk-error-summary').textContent())
    .toContain('Enter what the objective is')
  await check()
  await page.getByLabel('What the objective is').fill('Settled accommodation within 3 months')
  await page.getByRole('button', { name: 'Add objective' }).click()
  await page.waitForURL(new RegExp(`/people/${crn}/plan#objective-`))
  expect(await page.locator('main').innerText()).toContain('Settled accommodation within 3 months')
}

async function addAction(page: Page, description: string, serviceType: string, check: () => Promise<void>) {
  await page.getByRole('link', { name: /Add an action to the objective: Settled accommodation/ }).click()
  await page.waitForURL(/actions\/new$/)
  await check()
  await page.getByLabel('What will be done').fill(description)
  await page.getByLabel('Service type (optional)').selectOption({ label: serviceType })
  // With several agencies working with the person, the owner must be chosen: take the first.
  const agency = page.getByLabel('Agency that owns this action')
  if ((await agency.locator('option[value=""]').count()) > 0) await agency.selectOption({ index: 1 })
  await page.getByLabel('Day').fill('30')
  await page.getByLabel('Month').fill('2')
  await page.getByLabel('Year').fill('2027')
  await page.getByLabel('The person being in the community').check()
  await page.getByRole('button', { name: 'Add action' }).click()
  await expect
    .poll(() => page.locator('.govuk-error-summary').textContent())
    .toContain('Due date must be a real date')
  await check()
  await page.getByLabel('Day').fill('28')
  await page.getByRole('button', { name: 'Add action' }).click()
  await page.waitForURL(/\/plan#action-/)
  await check()
}

describe.runIf(hasChromium)('the case plan in a real browser', () => {
  it('plans from a need, warns of duplicate work, and handles a stale edit, passing axe throughout', async () => {
    const db = rig.database.db
    const [person] = await ledPeople()
    const need = 'Lost tenancy after arrears (browser test)'
    await pf.makeNeed(db, person!.id, { pathway: 'accommodation', description: need })
    const housing = await db
      .selectFrom('agencies')
      .select('id')
      .where('kind', '=', 'local_authority_housing')
      .executeTakeFirstOrThrow()
    const { page, context, problems } = await newPage(rig)
    const check = () => expectAccessible(page)
    await signIn(page, 'practitioner@tandem.example')
    await addObjectiveFromGap(page, person!.crn, need, check)
    const objective = await db
      .selectFrom('plan_objectives')
      .select('id')
      .where('person_id', '=', person!.id)
      .where('description', '=', 'Settled accommodation within 3 months')
      .executeTakeFirstOrThrow()
    // Another agency already provides housing support: the new action duplicates it.
    await pf.makeAction(db, person!.id, objective.id, {
      ownerAgencyId: housing.id,
      description: 'Housing options interview',
      serviceType: 'housing',
    })
    await addAction(page, 'Approved premises referral', 'Housing', check)
    const main = await page.locator('main').innerText()
    expect(main).toContain('Approved premises referral')
    expect(main.match(/Possible duplicate/g)).toHaveLength(2)
    expect(await page.getByRole('link', { name: /See their action/ }).count()).toBe(2)

    await page.getByRole('link', { name: 'Approved premises referral', exact: true }).click()
    await page.waitForURL(/\/plan\/actions\//)
    await check()
    expect(await page.locator('.govuk-warning-text').innerText()).toContain('Possible duplicate')
    // Someone else saves while this page is open.
    const actionId = new URL(page.url()).pathname.split('/').at(-1)!
    await db
      .updateTable('plan_actions')
      .set({ description: 'Approved premises referral (sent)', version: 2 })
      .where('id', '=', actionId)
      .execute()
    await page.getByLabel('In progress').check()
    await page.getByRole('button', { name: 'Save changes' }).click()
    await expect
      .poll(() => page.locator('h2').first().textContent())
      .toContain('Someone else has changed this action')
    await check()
    expect(await page.locator('table').first().innerText()).toContain('Approved premises referral (sent)')
    await page.getByLabel('What will be done').fill('Approved premises referral (sent, chased)')
    await page.getByRole('button', { name: 'Save my change over the current version' }).click()
    await page.waitForURL(/\/plan#action-/)
    const saved = await db
      .selectFrom('plan_actions')
      .selectAll()
      .where('id', '=', actionId)
      .executeTakeFirstOrThrow()
    expect(saved).toMatchObject({
      description: 'Approved premises referral (sent, chased)',
      status: 'in_progress',
      version: 3,
    })

    await page.getByRole('link', { name: 'Approved premises referral (sent, chased)', exact: true }).click()
    await page.getByLabel('Add a progress note').fill('Referral chased by phone')
    await page.getByRole('button', { name: 'Add note' }).click()
    await page.waitForURL(/#notes$/)
    expect(await page.locator('main').innerText()).toContain('Referral chased by phone')
    await check()
    await page.getByRole('button', { name: 'Mark duplicate as resolved' }).click()
    await expect
      .poll(() => page.locator('.govuk-error-summary').textContent())
      .toContain('Enter how the duplication')
    await check()

    const manager = await db
      .selectFrom('users')
      .select(['id', 'agency_id'])
      .where('email', '=', 'manager@tandem.example')
      .executeTakeFirstOrThrow()
    await f.allocate(db, person!.id, manager.id, { agencyId: manager.agency_id })
    const report = await newPage(rig)
    await signIn(report.page, 'manager@tandem.example')
    await report.page.goto('/plans/duplicates')
    expect(await report.page.locator('main').innerText()).toContain(person!.crn)
    await expectAccessible(report.page)
    await report.page.getByLabel('Cohort').selectOption({ index: 1 })
    await report.page.getByRole('button', { name: 'Filter' }).click()
    await report.page.waitForURL(/cohort=/)
    await expectAccessible(report.page)
    expect([...problems, ...report.problems]).toEqual([])
    await report.context.close()
    await context.close()
  }, 300_000)

  it('marks an objective achieved, and withdraws one after confirming, passing axe throughout', async () => {
    const db = rig.database.db
    const [person] = await ledPeople()
    const achieved = await pf.makeObjective(db, person!.id, {
      pathway: 'education_training_employment',
      description: 'Start a college course (browser test)',
    })
    const dropped = await pf.makeObjective(db, person!.id, {
      pathway: 'finance_benefit_debt',
      description: 'Clear rent arrears (browser test)',
    })
    await pf.makeAction(db, person!.id, dropped, {
      ownerAgencyId: person!.lead_agency_id,
      description: 'Debt advice appointment (browser test)',
    })
    const { page, context, problems } = await newPage(rig)
    const check = () => expectAccessible(page)
    await signIn(page, 'practitioner@tandem.example')
    await page.goto(`/people/${person!.crn}/plan`)
    await page
      .getByRole('link', { name: 'Change or close the objective: Start a college course (browser test)' })
      .click()
    await page.waitForURL(new RegExp(`/plan/objectives/${achieved}$`))
    await check()
    await page.getByLabel('What the objective is').fill('')
    await page.getByRole('button', { name: 'Save changes' }).click()
    await expect
      .poll(() => page.locator('.govuk-error-summary').textContent())
      .toContain('Enter what the objective is')
    await check()
    await page.getByLabel('What the objective is').fill('Start and finish a college course (browser test)')
    await page.getByRole('radio', { name: 'Achieved' }).check()
    await page.getByLabel('Reason for the status').fill('Enrolled on a plumbing course')
    await page.getByRole('button', { name: 'Save changes' }).click()
    await page.waitForURL(new RegExp(`/plan#objective-${achieved}$`))
    await check()
    const heading = page.locator(`#objective-${achieved} h4`)
    expect(await heading.innerText()).toContain('Start and finish a college course (browser test)')
    expect(await heading.locator('.govuk-tag').innerText()).toMatch(/achieved/i)
    expect(
      await db
        .selectFrom('plan_objectives')
        .select(['status', 'version'])
        .where('id', '=', achieved)
        .executeTakeFirst(),
    ).toEqual({ status: 'achieved', version: 2 })

    // Withdrawing one with an unfinished action asks first.
    await page
      .getByRole('link', { name: 'Change or close the objective: Clear rent arrears (browser test)' })
      .click()
    await page.getByRole('radio', { name: 'Withdrawn' }).check()
    await page.getByLabel('Reason for the status').fill('Arrears paid by family')
    await page.getByRole('button', { name: 'Save changes' }).click()
    await expect
      .poll(() => page.locator('h2').first().textContent())
      .toContain('Withdraw this objective and cancel its 1 unfinished action?')
    await check()
    await page.getByRole('button', { name: 'Withdraw objective and cancel 1 action' }).click()
    await page.waitForURL(new RegExp(`/plan#objective-${dropped}$`))
    expect(await page.locator(`#objective-${dropped}`).innerText()).toContain(
      'Objective withdrawn: Arrears paid',
    )
    await check()
    expect(problems).toEqual([])
    await context.close()
  }, 180_000)

  it('works without JavaScript', async () => {
    const db = rig.database.db
    const [, person] = await ledPeople()
    const need = 'Sofa surfing (no-JavaScript test)'
    await pf.makeNeed(db, person!.id, { pathway: 'accommodation', description: need })
    const { page, context } = await newPage(rig, { javaScript: false })
    const nothing = () => Promise.resolve()
    await signIn(page, 'practitioner@tandem.example')
    await addObjectiveFromGap(page, person!.crn, need, nothing)
    await addAction(page, 'Hostel referral', 'Mentoring', nothing)
    await page.getByRole('link', { name: 'Hostel referral', exact: true }).click()
    await page.getByRole('radio', { name: 'Done' }).check()
    await page.getByRole('button', { name: 'Save changes' }).click()
    await page.waitForURL(/\/plan#action-/)
    expect(await page.locator('main').innerText()).toContain('Done')
    await context.close()
  }, 120_000)
})
