import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { engine, freshDatabase, type TestDatabase } from '../../../test/support/database.js'
import { canonicalCro, canonicalPnc, CRN, NOMS_NUMBER } from '../../modules/people/identifiers.js'
import { DEMO_ACCOUNTS } from './estate.js'
import { seed, type SeedSummary } from './seed.js'

const today = new Date('2026-11-23T08:00:00Z')
let database: TestDatabase
let summary: SeedSummary

beforeAll(async () => {
  database = await freshDatabase()
  summary = await seed(database, { people: 300, regions: 1, today })
}, 120_000)
afterAll(async () => {
  await database.destroy()
})

describe(`seed on ${engine}`, () => {
  it('creates the people asked for, with about 100 timeline events each', () => {
    expect(summary.people).toBe(300)
    const perPerson = summary.timelineEvents / summary.people
    expect(perPerson).toBeGreaterThan(85)
    expect(perPerson).toBeLessThan(125)
  })

  it('staffs the estate at about one practitioner per 36 people, in teams with managers', async () => {
    const counts = await sql<{
      role: string
      n: number
    }>`select role, count(*)::int as n from user_roles group by role`.execute(database.db)
    const by = Object.fromEntries(counts.rows.map((r) => [r.role, r.n]))
    expect(by.practitioner).toBe(Math.ceil(300 / 36))
    expect(by.manager).toBeGreaterThanOrEqual(1)
    for (const role of [
      'partner_worker',
      'provider',
      'coordinator',
      'analyst',
      'administrator',
      'data_protection_officer',
    ]) {
      expect(by[role], role).toBeGreaterThanOrEqual(1)
    }
  })

  it('uses real identifier formats with valid check letters', async () => {
    const people = await database.db
      .selectFrom('people')
      .select(['crn', 'noms_number', 'pnc_number', 'cro_number'])
      .execute()
    expect(new Set(people.map((p) => p.crn)).size).toBe(300)
    for (const p of people) {
      expect(p.crn).toMatch(CRN)
      if (p.noms_number) expect(p.noms_number).toMatch(NOMS_NUMBER)
      expect(canonicalPnc(p.pnc_number!)).toBe(p.pnc_number)
      if (p.cro_number) expect(canonicalCro(p.cro_number)).toBe(p.cro_number)
    }
  })

  it('gives every person a lead practitioner, and the demo accounts a working day', async () => {
    const leads = await sql<{
      n: number
    }>`select count(distinct person_id)::int as n from allocations where is_lead`.execute(database.db)
    expect(leads.rows[0]!.n).toBe(300)
    for (const account of DEMO_ACCOUNTS) {
      const user = await database.db
        .selectFrom('users')
        .select('id')
        .where('email', '=', account.email)
        .executeTakeFirst()
      expect(user, account.email).toBeDefined()
    }
    const caseload = await sql<{ n: number }>`
      select count(*)::int as n from allocations a join users u on u.id = a.user_id
      where u.email = 'practitioner@tandem.example' and a.is_lead`.execute(database.db)
    expect(caseload.rows[0]!.n).toBeGreaterThanOrEqual(30)
    expect(caseload.rows[0]!.n).toBeLessThanOrEqual(40)
    const monday = await sql<{ n: number }>`
      select count(*)::int as n from appointments a join users u on u.id = a.staff_user_id
      where u.email = 'practitioner@tandem.example' and a.starts_at >= ${today} and a.starts_at < ${new Date(today.getTime() + 86_400_000)}`.execute(
      database.db,
    )
    expect(monday.rows[0]!.n).toBeGreaterThan(0)
  })

  it('sets up sharing agreements, one of which has ended', async () => {
    const agreements = await database.db
      .selectFrom('sharing_agreements')
      .select(['reference', 'ends_on'])
      .execute()
    expect(agreements.length).toBe(5)
    expect(agreements.filter((a) => a.ends_on && a.ends_on < '2026-11-23')).toHaveLength(1)
  })

  it('refers some people to the region’s providers, each referral with its history', async () => {
    const referrals = await database.db.selectFrom('referrals').select(['source_system', 'status']).execute()
    expect(referrals.length).toBeGreaterThan(10)
    expect(new Set(referrals.map((r) => r.source_system))).toEqual(
      new Set(['Tandem', 'Refer and monitor an intervention']),
    )
    const bare = await sql<{ n: number }>`select count(*)::int as n from referrals r where not exists (
      select 1 from referral_updates u where u.person_id = r.person_id and u.referral_id = r.id)`.execute(
      database.db,
    )
    expect(bare.rows[0]!.n).toBe(0)
  })

  it('is repeatable: the same seed and day give the same people', async () => {
    const again = await freshDatabase()
    try {
      await seed(again, { people: 300, regions: 1, today })
      const names = (db: TestDatabase) =>
        db.db
          .selectFrom('people')
          .select(['crn', 'first_name', 'last_name', 'date_of_birth'])
          .orderBy('crn')
          .execute()
      expect(await names(again)).toEqual(await names(database))
    } finally {
      await again.destroy()
    }
  })
})
