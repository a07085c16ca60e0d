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

/** The name with one letter in the surname changed, as a hurried search would. */
function misspell(name: string) {
  const [first, last] = name.split(' ') as [string, string]
  const i = Math.floor(last.length / 2)
  return `${first} ${last.slice(0, i)}${last[i] === 'e' ? 'a' : 'e'}${last.slice(i + 1)}`
}

describe.runIf(hasChromium)('the person in a real browser', () => {
  // axe runs as a script, so it checks the pages with JavaScript on; the journey is the same without.
  it.each([
    ['off', false],
    ['on', true],
  ])(
    'finds a person by a misspelt name within their team, by keyboard, JavaScript %s',
    async (_, javaScript) => {
      const { page, context } = await newPage(rig, { javaScript })
      const check = () => (javaScript ? expectAccessible(page) : Promise.resolve())
      await signIn(page, 'practitioner@tandem.example')
      await page.goto('/caseload')
      const name = (await page.locator('table tbody a.govuk-link').first().textContent())!.trim()
      const { team } = await rig.database.db
        .selectFrom('people as p')
        .innerJoin('teams as t', 't.id', 'p.lead_team_id')
        .select('t.name as team')
        .where(({ eb, fn }) => eb(fn('concat_ws', [eb.val(' '), 'p.first_name', 'p.last_name']), '=', name))
        .executeTakeFirstOrThrow()
      await page.goto('/search')
      await page.getByLabel(/Name, CRN/).fill(misspell(name))
      await page.getByText('Narrow by region, team or cohort').click()
      await page.getByLabel('Team').selectOption({ label: team })
      await Promise.all([page.waitForURL(/\/search\?q=/), page.getByLabel(/Name, CRN/).press('Enter')])
      await check()
      const results = await page.locator('table').innerText()
      expect(results).toContain(name)
      await page.getByLabel('Team').selectOption({ index: 0 })
      await page.getByLabel(/Name, CRN/).fill('1990-02-30')
      await Promise.all([page.waitForURL(/\/search\?q=/), page.getByLabel(/Name, CRN/).press('Enter')])
      await check()
      await context.close()
    },
  )

  it('shows the single view, timeline filters, journey and personal details without accessibility problems', async () => {
    const { page, context, problems } = await newPage(rig)
    await signIn(page, 'practitioner@tandem.example')
    await page.goto('/caseload')
    await page.locator('table tbody a.govuk-link').first().click()
    await page.waitForURL(/\/people\/[A-Z]\d{6}$/)
    const crn = new URL(page.url()).pathname.split('/')[2]!
    expect(await page.locator('.app-identity-bar').innerText()).toContain(crn)
    await expectAccessible(page)

    const sections = page.getByRole('navigation', { name: 'About this person' })
    await sections.getByRole('link', { name: 'Timeline' }).click()
    await expect.poll(() => page.locator('h2, h1').first().textContent()).toBeTruthy()
    const items = await page.locator('.moj-timeline__item').count()
    expect(items).toBeGreaterThan(0)
    await expectAccessible(page)
    const kind = page.getByLabel('Kind')
    const chosen = (await kind.locator('option').nth(1).textContent())!.trim()
    await kind.selectOption({ index: 1 })
    await Promise.all([page.waitForURL(/kind=/), page.getByRole('button', { name: 'Filter' }).click()])
    const kinds = await page.locator('.moj-timeline__item').count()
    expect(kinds).toBeGreaterThan(0)
    expect(kinds).toBeLessThanOrEqual(items)
    expect(await kind.locator('option:checked').textContent()).toContain(chosen)
    await expectAccessible(page)
    await page.getByLabel('From (YYYY-MM-DD)').fill('last week')
    await page.getByRole('button', { name: 'Filter' }).click()
    await expect
      .poll(() => page.locator('.govuk-error-summary').textContent())
      .toContain('From must be a date like')
    await expectAccessible(page)

    await sections.getByRole('link', { name: 'Journey' }).click()
    await expect.poll(() => page.locator('svg[role="img"]').count()).toBe(1)
    await expectAccessible(page)
    await sections.getByRole('link', { name: 'Personal details' }).click()
    await expect.poll(() => page.locator('main').innerText()).toContain(crn)
    await expectAccessible(page)
    expect(problems).toEqual([])
    await context.close()
  })

  it('lets an administrator review a doubtful match side by side, merge two records and undo it', async () => {
    const db = rig.database.db
    const probation = await db
      .selectFrom('agencies')
      .select('id')
      .where('kind', '=', 'probation')
      .executeTakeFirstOrThrow()
    const client = await f.makeApiClient(db, probation.id, ['records:write'])
    const send = (payload: Record<string, unknown>) =>
      rig.app.inject({
        method: 'POST',
        url: '/api/v1/records',
        headers: { authorization: `Bearer ${client.token}` },
        payload,
      })
    const record = { lastName: 'Quennell', dateOfBirth: '1979-11-04', gender: 'female', postcode: 'M14 5RT' }
    expect(
      (
        await send({
          sourceSystem: 'nDelius',
          sourceRef: 'b-1',
          crn: 'Q100001',
          firstName: 'Harriet',
          ...record,
        })
      ).json(),
    ).toMatchObject({ outcome: 'new' })
    expect(
      (await send({ sourceSystem: 'Police', sourceRef: 'b-2', firstName: 'Georgia', ...record })).json(),
    ).toMatchObject({ outcome: 'pending' })
    await send({
      sourceSystem: 'nDelius',
      sourceRef: 'b-3',
      crn: 'Q100002',
      firstName: 'Rosa',
      lastName: 'Quennell',
      dateOfBirth: '1960-01-01',
      agencyId: probation.id,
    })

    const { page, context, problems } = await newPage(rig)
    await signIn(page, 'admin@tandem.example')
    await page.getByRole('link', { name: 'Identity' }).click()
    await expectAccessible(page)
    await page.getByRole('link', { name: 'Georgia Quennell' }).click()
    await expect.poll(() => page.locator('main').innerText()).toContain('How the score was worked out')
    await expectAccessible(page)
    await page.getByRole('button', { name: 'Save decision' }).click()
    await expect
      .poll(() => page.locator('.govuk-error-summary').textContent())
      .toContain('Choose whether these are the same person')
    await expectAccessible(page)
    await page.getByLabel('No, different people').check()
    await page.getByRole('button', { name: 'Save decision' }).click()
    await expect.poll(() => page.locator('main').innerText()).toContain('Nothing is waiting')

    await page.goto('/identity/merge')
    await expectAccessible(page)
    await page.getByLabel('CRN of the person to keep').fill('Q100001')
    await page.getByLabel('CRN of the duplicate to merge into them').fill('Q100002')
    await page.getByRole('button', { name: 'Merge' }).click()
    await expect.poll(() => page.locator('.govuk-error-summary').textContent()).toContain('10 characters')
    await expectAccessible(page)
    await page
      .getByLabel('How do you know they are the same person?')
      .fill('Same PNC on both records, confirmed by the court')
    await page.getByRole('button', { name: 'Merge' }).click()
    await page.goto('/identity')
    await page.getByRole('link', { name: 'Undo merge of Q100002' }).click()
    await expectAccessible(page)
    await page.getByLabel('Why was the merge wrong?').fill('Different dates of birth: mother and daughter')
    await page.getByRole('button', { name: 'Undo merge' }).click()
    await expect.poll(() => page.locator('main').innerText()).toContain('Undone')
    await expectAccessible(page)
    expect(problems).toEqual([])
    await context.close()
  })
})
