import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectAccessible, hasChromium, newPage, signIn, startRig, type BrowserRig } from './browser.js'

let rig: BrowserRig
let waitingCrn: string
let teamCrn: string

beforeAll(async () => {
  if (!hasChromium) return
  rig = await startRig()
  const db = rig.database.db
  // The demo manager's team: make sure one of its cases waits in the queue.
  const team = await db
    .selectFrom('team_members as tm')
    .innerJoin('users as u', 'u.id', 'tm.user_id')
    .select('tm.team_id')
    .where('u.email', '=', 'manager@tandem.example')
    .executeTakeFirstOrThrow()
  const people = await db
    .selectFrom('people as p')
    .select(['p.id', 'p.crn'])
    .where('p.lead_team_id', '=', team.team_id)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb.selectFrom('case_restrictions as r').select('r.person_id').whereRef('r.person_id', '=', 'p.id'),
        ),
      ),
    )
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('allocation_requests as q')
            .select('q.person_id')
            .whereRef('q.person_id', '=', 'p.id'),
        ),
      ),
    )
    .orderBy('p.crn')
    .limit(2)
    .execute()
  waitingCrn = people[0]!.crn
  teamCrn = people[1]!.crn
  await db
    .insertInto('allocation_requests')
    .values({
      person_id: people[0]!.id,
      team_id: team.team_id,
      reason: 'Transfer in: moved address',
      requested_by: null,
    })
    .execute()
}, 180_000)
afterAll(async () => {
  await rig?.close()
})

const headerOf = (page: Page, title: string) =>
  page.locator('thead th', { has: page.getByRole('link', { name: new RegExp(`^${title}`) }) })

/** Axe over a full caseload table is slow on a busy two-core machine. */
const SLOW = 120_000

describe.runIf(hasChromium)('caseloads and allocation in a real browser', () => {
  it(
    'sorts and filters my caseload with JavaScript off',
    async () => {
      const { page, context } = await newPage(rig, { javaScript: false })
      await signIn(page, 'practitioner@tandem.example')
      await page.goto('/caseload')
      expect(await page.locator('h1').textContent()).toBe('My caseload')
      const all = await page.locator('tbody tr').count()
      expect(all).toBeGreaterThan(20)
      expect(await headerOf(page, 'Name and CRN').getAttribute('aria-sort')).toBe('ascending')
      await page.getByRole('link', { name: /^Risk/ }).click()
      await page.waitForURL(/sort=risk/)
      expect(await headerOf(page, 'Risk').getAttribute('aria-sort')).toBe('ascending')
      expect(await page.locator('tbody tr').first().innerText()).toContain('Low RoSH')
      await page.getByRole('link', { name: /^Risk/ }).click()
      await page.waitForURL(/order=descending/)
      expect(await headerOf(page, 'Risk').getAttribute('aria-sort')).toBe('descending')
      expect(await page.locator('tbody tr').first().innerText()).not.toContain('Low RoSH')

      await page.getByLabel('Risk of serious harm').selectOption('medium')
      await page.getByRole('button', { name: 'Apply filters' }).click()
      await page.waitForURL(/risk=medium/)
      const medium = await page.locator('tbody tr').allInnerTexts()
      expect(medium.length).toBeGreaterThan(0)
      expect(medium.length).toBeLessThan(all)
      for (const row of medium) expect(row).toContain('Medium RoSH')
      // The sort chosen before filtering is kept.
      expect(page.url()).toContain('sort=risk')
      await page.getByLabel('Has overdue actions').check()
      await page.getByRole('button', { name: 'Apply filters' }).click()
      await page.waitForURL(/overdue=yes/)
      for (const row of await page.locator('tbody tr').allInnerTexts()) expect(row).not.toMatch(/\t0\s*$/)
      await page.getByRole('link', { name: 'Clear filters' }).first().click()
      await page.waitForURL((url) => !url.search.includes('risk='))
      expect(await page.locator('tbody tr').count()).toBe(all)
      await context.close()
    },
    SLOW,
  )

  it(
    'shows my caseload and a manager’s team caseloads without accessibility problems',
    async () => {
      const { page, context, problems } = await newPage(rig)
      await signIn(page, 'practitioner@tandem.example')
      await page.goto('/caseload?sort=next')
      await expectAccessible(page)
      await page.goto('/caseload?risk=enormous')
      await expect
        .poll(() => page.locator('.govuk-error-summary').textContent())
        .toContain('Choose a risk level')
      await expectAccessible(page)
      await context.close()

      const manager = await newPage(rig)
      await signIn(manager.page, 'manager@tandem.example')
      await manager.page.goto('/caseload/team')
      expect(await manager.page.locator('h1').textContent()).toBe('Team caseloads')
      await expectAccessible(manager.page)
      await manager.page.getByRole('link', { name: 'Priya Shah' }).click()
      await expect.poll(() => manager.page.locator('h1').textContent()).toBe('Priya Shah’s caseload')
      expect(await manager.page.locator('tbody tr').count()).toBeGreaterThan(20)
      await expectAccessible(manager.page)
      await manager.page.goto('/allocations/workload-settings')
      await expectAccessible(manager.page)
      await manager.page.getByLabel('Points for tier A3').fill('lots')
      await manager.page.getByRole('button', { name: 'Save weights' }).click()
      await expect
        .poll(() => manager.page.locator('.govuk-error-summary').textContent())
        .toContain('Points for tier A3 must be a number')
      await expectAccessible(manager.page)
      expect([...problems, ...manager.problems]).toEqual([])
      await manager.context.close()
    },
    SLOW,
  )

  it(
    'allocates a waiting case through the form, with the suggestion chosen, JavaScript off',
    async () => {
      const { page, context } = await newPage(rig, { javaScript: false })
      await signIn(page, 'manager@tandem.example')
      await page.goto('/allocations')
      expect(await page.locator('main').innerText()).toContain('Suggested practitioner:')
      await page.locator(`a[href="/allocations/${waitingCrn}"]`).click()
      await page.waitForURL(`**/allocations/${waitingCrn}`)
      const chosen = page.locator('input[name="userId"]:checked')
      expect(await chosen.count()).toBe(1)
      const chosenId = await chosen.getAttribute('value')
      expect(
        await page.locator(`label[for="${await chosen.getAttribute('id')}"] + .govuk-hint`).innerText(),
      ).toContain('Suggested')
      await page.getByLabel('Note for the practitioner (optional)').fill('Moved from Bradford last week.')
      await page.getByRole('button', { name: 'Allocate' }).click()
      await page.waitForURL(/\/allocations\?allocated=/)
      expect(await page.locator('.govuk-notification-banner').innerText()).toContain(
        `Case ${waitingCrn} has been allocated`,
      )
      expect(await page.locator(`a[href="/allocations/${waitingCrn}"]`).count()).toBe(0)
      const lead = await rig.database.db
        .selectFrom('allocations as a')
        .innerJoin('people as p', 'p.id', 'a.person_id')
        .select(['a.user_id', 'a.handover_note'])
        .where('p.crn', '=', waitingCrn)
        .where('a.is_lead', '=', true)
        .where('a.ended_at', 'is', null)
        .executeTakeFirstOrThrow()
      expect(lead).toEqual({ user_id: chosenId, handover_note: 'Moved from Bradford last week.' })
      await context.close()
    },
    SLOW,
  )

  it(
    'shows the queue, the allocate form and a reallocation without a handover note accessibly',
    async () => {
      const { page, context, problems } = await newPage(rig)
      await signIn(page, 'manager@tandem.example')
      await page.goto('/allocations')
      await expectAccessible(page)
      const next = page.locator('tbody a[href^="/allocations/"]')
      if ((await next.count()) > 0) {
        await next.first().click()
        await page.waitForURL(/\/allocations\/[A-Z]\d{6}$/)
        await expectAccessible(page)
      }
      await page.goto(`/people/${teamCrn}/allocation`)
      expect(await page.locator('h2.govuk-heading-l').textContent()).toBe('Allocation')
      await expectAccessible(page)
      await page.getByRole('button', { name: 'Reallocate' }).click()
      await expect
        .poll(() => page.locator('.govuk-error-summary').textContent())
        .toContain('Enter a handover note for the new lead practitioner')
      await expectAccessible(page)
      await page.locator('.govuk-error-summary a').first().click()
      expect(await page.evaluate('document.activeElement.id')).toBe('lead-handoverNote')
      expect(problems).toEqual([])
      await context.close()
    },
    SLOW,
  )
})
