import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectAccessible, hasChromium, newPage, signIn, startRig, type BrowserRig } from './browser.js'

let rig: BrowserRig

beforeAll(async () => {
  if (hasChromium) rig = await startRig()
}, 180_000)
afterAll(async () => {
  await rig?.close()
})

/**
 * A person the demo practitioner leads whom the demo provider's agency may also see: in a
 * cohort the region's accommodation agreement covers.
 */
async function sharedPerson() {
  const row = await rig.database.db
    .selectFrom('allocations as al')
    .innerJoin('users as u', 'u.id', 'al.user_id')
    .innerJoin('people as p', 'p.id', 'al.person_id')
    .innerJoin('cohort_memberships as m', 'm.person_id', 'p.id')
    .innerJoin('cohorts as c', 'c.id', 'm.cohort_id')
    .select(['p.id', 'p.crn'])
    .where('u.email', '=', 'practitioner@tandem.example')
    .where('al.is_lead', '=', true)
    .where('al.ended_at', 'is', null)
    .where('m.ended_on', 'is', null)
    .where('c.code', 'in', ['SHORT-SENTENCE', 'IOM-FIXED', 'IOM-FLEX', 'PPO'])
    .orderBy('p.crn')
    .executeTakeFirstOrThrow()
  return row
}

describe.runIf(hasChromium)('referrals in a real browser', () => {
  it('refers through the form, the provider takes it on, and a stale update conflicts, passing axe', async () => {
    const person = await sharedPerson()
    const provider = await rig.database.db
      .selectFrom('agencies')
      .select('name')
      .where('kind', '=', 'accommodation_provider')
      .executeTakeFirstOrThrow()
    const { page, context, problems } = await newPage(rig)
    const check = () => expectAccessible(page)
    await signIn(page, 'practitioner@tandem.example')
    await page.goto(`/people/${person.crn}`)
    await page.getByRole('link', { name: 'Referrals', exact: true }).click()
    await page.waitForURL(/\/referrals$/)
    await check()
    await page.getByRole('link', { name: 'Make a referral' }).click()
    await page.waitForURL(/\/referrals\/new$/)
    await check()
    await page.getByRole('button', { name: 'Send referral' }).click()
    await expect
      .poll(() => page.locator('.govuk-error-summary').textContent())
      .toContain('Choose the service the person is referred to')
    await check()
    await page.getByLabel('Service', { exact: true }).selectOption({ label: 'Housing' })
    await page.getByLabel('Resettlement pathway').selectOption({ label: 'Accommodation' })
    await page.getByLabel('Provider', { exact: true }).selectOption({ label: provider.name })
    await page.getByLabel('Reason for the referral').fill('Sofa surfing since release (browser test)')
    await page.getByRole('button', { name: 'Send referral' }).click()
    await page.waitForURL(/\/referrals\/[0-9a-f-]{36}$/)
    await check()
    const main = await page.locator('main').innerText()
    expect(main).toContain('Sofa surfing since release (browser test)')
    expect(main).toContain(`Referral sent to ${provider.name}`)
    const url = new URL(page.url()).pathname

    // The provider takes it on while the practitioner's page is still open.
    const theirs = await newPage(rig)
    await signIn(theirs.page, 'provider@tandem.example')
    await theirs.page.goto(`/people/${person.crn}/referrals`)
    await expectAccessible(theirs.page)
    await theirs.page
      .getByRole('link', { name: /^Housing referral/ })
      .first()
      .click()
    await theirs.page.waitForURL(/\/referrals\/[0-9a-f-]{36}$/)
    expect(new URL(theirs.page.url()).pathname).toBe(url)
    await theirs.page.getByLabel('What has happened').fill('Allocated to our Leeds team')
    await theirs.page.getByLabel('Assigned', { exact: true }).check()
    await theirs.page.getByLabel('Caseworker (if assigning)').fill('Jo Baxter')
    await theirs.page.getByRole('button', { name: 'Save update' }).click()
    await theirs.page.waitForURL(/#history$/)
    expect(await theirs.page.locator('main').innerText()).toContain('Assigned to Jo Baxter')
    await expectAccessible(theirs.page)

    await page.getByLabel('What has happened').fill('Person has found a room with family')
    await page.getByLabel('Cancelled', { exact: true }).check()
    await page.getByLabel('Reason (needed if it ended early or was cancelled)').fill('Needs met elsewhere')
    await page.getByRole('button', { name: 'Save update' }).click()
    await expect
      .poll(() => page.locator('h2').first().textContent())
      .toContain('Someone else has changed this referral')
    await check()
    expect(await page.locator('table').first().innerText()).toContain('Assigned')
    await page.getByRole('button', { name: 'Save my update' }).click()
    await page.waitForURL(/#history$/)
    const saved = await rig.database.db
      .selectFrom('referrals')
      .select(['status', 'end_reason', 'assigned_to_name', 'version'])
      .where('person_id', '=', person.id)
      .where('reason', '=', 'Sofa surfing since release (browser test)')
      .executeTakeFirstOrThrow()
    expect(saved).toEqual({
      status: 'cancelled',
      end_reason: 'Needs met elsewhere',
      assigned_to_name: 'Jo Baxter',
      version: 3,
    })
    expect([...problems, ...theirs.problems]).toEqual([])
    await theirs.context.close()
    await context.close()
  }, 300_000)
})
