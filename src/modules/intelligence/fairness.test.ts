import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, testApp } from '../../../test/support/app.js'
import { freshDatabase, type TestDatabase } from '../../../test/support/database.js'
import * as f from '../../../test/support/factories.js'
import { systemClock } from '../../platform/clock.js'
import { fairness } from './fairness.service.js'

let database: TestDatabase
let app: FastifyInstance
let analyst: Client
let practitioner: Client
const recently = new Date(Date.now() - 10 * 24 * 60 * 60 * 1000)
const longAgo = new Date('2020-01-15T12:00:00Z')

/**
 * 31 people, all in their thirties: 21 men (19 of ethnicity A, 2 of C) and 10 women (B). In the
 * last year UNACCEPTABLE_ABSENCES flagged every woman and 6 men (the 2 of C, 4 of A): 16 of 31,
 * women 100 % (ratio 1.94), men 29 % (ratio 0.55). Six women's flags were dismissed. A RECALL flag
 * was raised in 2020. Suggestions: 8 men, 5 of them accepted.
 */
beforeAll(async () => {
  database = await freshDatabase()
  const db = database.db
  app = await testApp(db)
  const agency = await f.makeAgency(db)
  const born = `${new Date().getUTCFullYear() - 36}-01-01`
  for (let n = 0; n < 30; n++) {
    const woman = n >= 20
    const p = await f.makePerson(db, { leadAgencyId: agency, dateOfBirth: born })
    await db
      .updateTable('people')
      .set({
        gender: woman ? 'female' : 'male',
        ethnicity: woman ? 'Ethnicity B' : n < 2 ? 'Ethnicity C' : 'Ethnicity A',
      })
      .where('id', '=', p.id)
      .execute()
    if (woman || n < 6)
      await db
        .insertInto('flags')
        .values({
          person_id: p.id,
          rule_code: 'UNACCEPTABLE_ABSENCES',
          rule_version: 1,
          condition_key: `absences:${n}`,
          severity: 'high',
          title: 'Unacceptable absences',
          reason: '2 unacceptable absences',
          evidence: JSON.stringify({ fingerprint: String(n) }),
          raised_at: recently,
          status: woman && n < 26 ? 'dismissed' : 'raised',
        })
        .execute()
    if (n < 8)
      await db
        .insertInto('suggestions')
        .values({
          person_id: p.id,
          suggestion_key: `plan_gap:${n}`,
          kind: 'plan_gap',
          title: 'Add an objective',
          reason: 'A need has no objective',
          rank: 1,
          inputs: JSON.stringify({ categories: ['supervision'] }),
          rule_version: 1,
          status: n < 5 ? 'accepted' : 'open',
          created_at: recently,
        })
        .execute()
  }
  // Outside the default period: not counted unless the period includes it.
  const old = await f.makePerson(db, { leadAgencyId: agency, dateOfBirth: born })
  await db.updateTable('people').set({ ethnicity: 'Ethnicity A' }).where('id', '=', old.id).execute()
  await db
    .insertInto('flags')
    .values({
      person_id: old.id,
      rule_code: 'RECALL',
      rule_version: 1,
      condition_key: 'recall',
      severity: 'critical',
      title: 'Recall',
      reason: 'Recalled',
      evidence: '{}',
      raised_at: longAgo,
      status: 'resolved',
    })
    .execute()
  analyst = new Client(
    app,
    await f.sessionCookie(db, await f.makeUser(db, { agencyId: agency, roles: ['analyst'] })),
  )
  practitioner = new Client(
    app,
    await f.sessionCookie(db, await f.makeUser(db, { agencyId: agency, roles: ['practitioner'] })),
  )
})
afterAll(async () => {
  await app.close()
  await database.destroy()
})

describe('fairness figures', () => {
  it('gives each group its count, population, rate and ratio to the overall rate', async () => {
    const figures = await fairness(database.db, { rule: 'flag:UNACCEPTABLE_ABSENCES' }, systemClock)
    const [section] = figures.detail
    expect(section).toMatchObject({ rule: 'UNACCEPTABLE_ABSENCES', name: 'Unacceptable absences' })
    // 31 people in all (one flagged long ago), 16 flagged in the last year.
    expect(section!.overall.population).toEqual({ value: 31, suppressed: false })
    expect(section!.overall.people.count).toEqual({ value: 16, suppressed: false })
    expect(section!.overall.people.rate).toBeCloseTo(16 / 31)
    const bySex = section!.dimensions.find((d) => d.dimension === 'sex')!.rows
    const women = bySex.find((r) => r.group === 'Female')!
    expect(women.population).toEqual({ value: 10, suppressed: false })
    expect(women.people).toMatchObject({
      count: { value: 10, suppressed: false },
      rate: 1,
      disparity: 'higher',
    })
    expect(women.people.ratio).toBeCloseTo(31 / 16)
    const men = bySex.find((r) => r.group === 'Male')!
    expect(men.people).toMatchObject({ count: { value: 6, suppressed: false }, disparity: 'lower' })
    expect(men.people.ratio).toBeCloseTo(6 / 21 / (16 / 31))
    // Six of the women's ten flags were dismissed, against six of sixteen overall.
    expect(women.outcomes.dismissed).toMatchObject({ count: { value: 6, suppressed: false }, rate: 0.6 })
    expect(women.outcomes.dismissed!.ratio).toBeCloseTo(1.6)
    // Ethnicity C (2 people, both flagged) is hidden; so is the next smallest in each column, or
    // subtraction from the total would give it away; and a rate is hidden with its base.
    const byEthnicity = section!.dimensions.find((d) => d.dimension === 'ethnicity')!.rows
    expect(byEthnicity.map((r) => [r.group, r.population, r.people.count, r.people.rate])).toEqual([
      ['Ethnicity A', { value: 19, suppressed: false }, { value: 0, suppressed: true }, null],
      [
        'Ethnicity B',
        { value: 0, suppressed: true, secondary: true },
        { value: 10, suppressed: false },
        null,
      ],
      ['Ethnicity C', { value: 0, suppressed: true }, { value: 0, suppressed: true }, null],
    ])
    const byAge = section!.dimensions.find((d) => d.dimension === 'age')!.rows
    expect(byAge.map((r) => r.group)).toEqual(['30 to 39'])
  })

  it('counts suggestions and their acceptance, and only what falls in the period', async () => {
    const figures = await fairness(database.db, { rule: 'suggestion:plan_gap' }, systemClock)
    expect(figures.detail[0]!.overall.people.count.value).toBe(8)
    expect(figures.detail[0]!.overall.outcomes.accepted!.rate).toBeCloseTo(5 / 8)
    expect(figures.detail[0]!.overall.outcomes.dismissed!.count).toEqual({ value: 0, suppressed: false })
    const all = await fairness(database.db, {}, systemClock)
    expect(all.detail.map((d) => d.name)).toEqual(['All flag rules', 'All suggestion rules'])
    expect(all.summary.map((s) => s.rule)).toEqual(['UNACCEPTABLE_ABSENCES', 'plan_gap'])
    expect(all.summary[0]!.highest).toMatchObject({ group: 'Female' })
    const then = await fairness(
      database.db,
      { rule: 'flag:RECALL', from: '2020-01-01', to: '2020-01-31' },
      systemClock,
    )
    expect(then.detail[0]!.overall.people.count).toEqual({ value: 0, suppressed: true })
  })
})

describe('the fairness page', () => {
  it('shows analysts the table, with small numbers suppressed and disparities marked', async () => {
    const page = await analyst.get('/fairness?rule=flag%3AUNACCEPTABLE_ABSENCES')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Flags: Unacceptable absences, by sex')
    expect(page.body).toContain('fewer than 5')
    expect(page.body).toMatch(/1\.94 <strong class="govuk-tag govuk-tag--red">Higher<\/strong>/)
    expect(page.body).toMatch(/0\.55 <strong class="govuk-tag govuk-tag--blue">Lower<\/strong>/)
    expect(page.body).toContain('not shown')
    expect((await practitioner.get('/fairness')).statusCode).toBe(403)
  })

  it('explains bad filters instead of failing', async () => {
    for (const [query, message] of [
      ['rule=flag%3ANOT_A_RULE', 'Choose a rule from the list'],
      ['rule=%3Cscript%3E', 'Choose a rule from the list'],
      ['from=2025-02-30', 'From must be a real date'],
      ['to=yesterday', 'To must be a date like 2026-03-21'],
      ['from=2025-06-01&to=2025-01-01', 'To must be on or after From'],
      ['from=1900-01-01&to=2025-01-01', 'The period must be 10 years or shorter'],
      ['rule=a&rule=b', 'Choose a rule from the list'],
    ]) {
      const page = await analyst.get(`/fairness?${query}`)
      expect(page.statusCode, query).toBe(400)
      expect(page.body, query).toContain(message)
      expect(page.body, query).toContain('There is a problem')
    }
  })
})
