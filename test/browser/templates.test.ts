import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { processSubscribersWith } from '../../src/modules/process/process.service.js'
import { systemClock } from '../../src/platform/clock.js'
import * as p from '../support/process-factories.js'
import { expectAccessible, hasChromium, newPage, signIn, startRig, type BrowserRig } from './browser.js'

let rig: BrowserRig

beforeAll(async () => {
  if (hasChromium) rig = await startRig()
}, 120_000)
afterAll(async () => {
  await rig?.close()
})

describe.runIf(hasChromium)('process templates in a real browser', () => {
  // axe runs as a script, so it checks the pages with JavaScript on; the journey is the same without.
  it.each([
    ['off', false],
    ['on', true],
  ])(
    'lets a coordinator build, check and publish a template by keyboard and forms, JavaScript %s',
    async (_, javaScript) => {
      const { page, context, problems } = await newPage(rig, { javaScript })
      const check = () => (javaScript ? expectAccessible(page) : Promise.resolve())
      await signIn(page, 'coordinator@tandem.example')
      await page.goto('/templates')
      await check()
      await page.getByRole('button', { name: 'Create a template' }).click()
      await page.getByLabel('Name').fill(`Resettlement ${javaScript ? 'A' : 'B'}`)
      await page.getByLabel('Cohort').selectOption({ label: 'IOM Fixed' })
      await check()
      await Promise.all([
        page.waitForURL(/\/templates\/[0-9a-f-]{36}$/),
        page.getByRole('button', { name: 'Create draft' }).click(),
      ])
      const templateUrl = page.url()
      await check()

      // A stage without a name, then a proper one.
      await page.getByLabel('Stage code').fill('release-day')
      await page.getByLabel('When an event happens').check()
      await page.getByRole('button', { name: 'Add stage' }).click()
      await expect
        .poll(() => page.locator('.govuk-error-summary').textContent())
        .toContain('Enter a stage name')
      await check()
      await page.getByLabel('Stage name').fill('Release day')
      await page.getByLabel('When an event happens').check()
      await page.getByLabel('Event', { exact: true }).selectOption({ label: 'Released from custody' })
      await page.getByRole('button', { name: 'Add stage' }).click()
      await expect.poll(() => page.locator('#stages + ol').textContent()).toContain('Release day')

      await page.getByRole('link', { name: /Change Release day/ }).click()
      await check()
      await page.getByLabel('Task title').fill('Hold the release day appointment')
      await page.getByLabel('Task code').fill('appointment')
      await page.getByLabel('Owner').selectOption({ label: 'Lead practitioner' })
      await page.getByLabel('Due in days').fill('0')
      await page.getByLabel('Required', { exact: true }).check()
      await page.getByRole('button', { name: 'Add task' }).click()
      await expect.poll(() => page.locator('#tasks + table').textContent()).toContain('Hold the release day')
      await page.getByRole('link', { name: 'Change Hold the release day appointment' }).click()
      await check()
      await page.getByLabel('Task title').fill('Hold the release day meeting')
      await page.getByRole('button', { name: 'Save task' }).click()
      await expect
        .poll(() => page.locator('#tasks + table').textContent())
        .toContain('Hold the release day meeting')
      await page.getByLabel('Milestone name').fill('Reported on the day')
      await page.getByRole('button', { name: 'Add milestone' }).click()
      await expect.poll(() => page.locator('main').textContent()).toContain('Reported on the day')
      await check()

      await page.goto(templateUrl)
      await page.getByRole('button', { name: 'Publish version 1' }).click()
      await expect.poll(() => page.locator('main').textContent()).toContain('cannot be changed')
      await check()
      // A second version, published, leads to moving people onto it.
      await page.getByRole('button', { name: 'Create a new version' }).click()
      await page.getByRole('button', { name: 'Publish version 2' }).click()
      await expect.poll(() => page.locator('h1').textContent()).toContain('Move people to version 2')
      await check()
      await page.goto('/templates')
      expect(await page.locator('table').innerText()).toContain(`Resettlement ${javaScript ? 'A' : 'B'}`)
      expect(problems).toEqual([])
      await context.close()
    },
    300_000,
  )

  it('shows a person’s stage and tasks and lets their practitioner complete one without JavaScript', async () => {
    const db = rig.database.db
    const person = await db
      .selectFrom('allocations as a')
      .innerJoin('users as u', 'u.id', 'a.user_id')
      .innerJoin('people as p', 'p.id', 'a.person_id')
      .select(['p.id', 'p.crn'])
      .where('u.email', '=', 'practitioner@tandem.example')
      .where('a.is_lead', '=', true)
      .where('a.ended_at', 'is', null)
      .orderBy('p.crn')
      .executeTakeFirstOrThrow()
    const cohort = await db
      .insertInto('cohorts')
      .values({ code: 'BROWSER', name: 'Browser cohort', criteria: '{}', region_id: null })
      .returning('id')
      .executeTakeFirstOrThrow()
    await p.makeTemplate(db, { cohortId: cohort.id, name: 'IOM resettlement' })
    const [stages] = processSubscribersWith(systemClock)
    await db
      .transaction()
      .execute((tx) =>
        stages!.handle(tx, p.outboxEvent('person.cohort.joined', person.id, { cohortId: cohort.id })),
      )

    for (const javaScript of [true, false]) {
      const { page, context, problems } = await newPage(rig, { javaScript })
      await signIn(page, 'practitioner@tandem.example')
      await page.goto(`/people/${person.crn}`)
      await page
        .getByRole('navigation', { name: 'About this person' })
        .getByRole('link', { name: 'Stage and tasks' })
        .click()
      await expect.poll(() => page.locator('h2.govuk-heading-l').textContent()).toContain('Stage and tasks')
      expect(await page.locator('main').innerText()).toContain('IOM resettlement, version 1')
      if (javaScript) await expectAccessible(page)
      else {
        const button = page.getByRole('button', { name: /^Mark as done/ }).first()
        const title = (await button.innerText()).replace(/^Mark as done:?\s*/, '')
        await button.click()
        await expect.poll(() => page.getByRole('button', { name: /^Reopen/ }).count()).toBe(1)
        expect(title).toBeTruthy()
      }
      expect(problems).toEqual([])
      await context.close()
    }
  }, 300_000)
})
