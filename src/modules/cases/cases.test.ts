import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, testApp } from '../../../test/support/app.js'
import * as c from '../../../test/support/cases-factories.js'
import { engine, freshDatabase, type TestDatabase } from '../../../test/support/database.js'
import * as f from '../../../test/support/factories.js'
import { fixedClock } from '../../platform/clock.js'
import type { Db } from '../../platform/database/database.js'
import { teamWorkload, suggestPractitioner, type WorkloadRow } from './workload.service.js'

const clock = fixedClock('2026-11-23T10:00:00Z')
let database: TestDatabase
let db: Db
let app: FastifyInstance
let probation: string
let police: string
let team: string
const ids: Record<string, string> = {}
const crns: Record<string, string> = {}
const clients: Record<string, Client> = {}

async function client(userId: string) {
  return new Client(app, await f.sessionCookie(db, userId, clock.now()))
}

beforeAll(async () => {
  database = await freshDatabase()
  db = database.db
  probation = await f.makeAgency(db, { name: 'Probation North' })
  police = await f.makeAgency(db, { kind: 'police', name: 'North Police' })
  team = await f.makeTeam(db, probation, 'Leeds A')
  const user = (name: string, roles: Parameters<typeof f.makeUser>[1]['roles'], agencyId = probation) =>
    f.makeUser(db, { agencyId, roles, teamIds: agencyId === probation ? [team] : [], name })
  ids.manager = await user('Mia Manager', ['manager'])
  ids.manager2 = await user('Max Manager', ['manager'])
  ids.amy = await user('Amy Busy', ['practitioner'])
  ids.ben = await user('Ben Light', ['practitioner'])
  ids.cat = await user('Cat Away', ['practitioner'])
  await db.updateTable('users').set({ active: false }).where('id', '=', ids.cat).execute()
  ids.officer = await user('Olu Officer', ['partner_worker'], police)
  const cohort = await f.makeCohort(db, 'IOM Fixed')
  await f.makeAgreement(db, {
    agencyIds: [probation, police],
    cohortIds: [cohort],
    categories: ['identity', 'supervision'],
  })

  const person = async (key: string, lastName: string, facts: Parameters<typeof c.setCaseFacts>[2]) => {
    const p = await f.makePerson(db, { leadAgencyId: probation, leadTeamId: team, lastName })
    await c.setCaseFacts(db, p.id, facts)
    ids[key] = p.id
    crns[key] = p.crn
    return p.id
  }
  // Amy: 7 + 1 + 0 = 8 points, and 12 + 3 + 3 = 18 points (on licence).
  await person('low', 'Adams', { tier: 'B2', rosh: 'medium', sentenceType: 'community' })
  await person('high', 'Brown', { tier: 'A3', rosh: 'high', custodyStatus: 'released_on_licence' })
  await f.allocate(db, ids.low!, ids.amy, { agencyId: probation, isLead: true })
  await f.allocate(db, ids.high!, ids.amy, { agencyId: probation, isLead: true })
  // Ben: one case, 1 + 0 + 0 = 1 point.
  await person('small', 'Clarke', { tier: 'D0', rosh: 'low', sentenceType: 'suspended' })
  await f.allocate(db, ids.small!, ids.ben, { agencyId: probation, isLead: true })
  // Waiting: held by Amy until allocated.
  await person('waiting', 'Dunn', { tier: 'C1', rosh: 'medium', custodyStatus: 'in_custody' })
  await f.allocate(db, ids.waiting!, ids.amy, { agencyId: probation, isLead: true })
  ids.request = await c.requestAllocation(db, ids.waiting!, team)

  // Caseload columns for Amy's people.
  await c.addPlanAction(db, ids.high!, { agencyId: probation, dueOn: '2026-11-01' })
  await c.addPlanAction(db, ids.low!, { agencyId: probation, dueOn: '2026-12-01' })
  await c.addPlanAction(db, ids.low!, { agencyId: probation, dueOn: '2026-10-01', status: 'done' })
  await c.addTask(db, ids.high!, '2026-11-20')
  await c.addFlag(db, ids.low!)
  await c.addFlag(db, ids.high!, 'resolved')
  await c.addAppointment(db, ids.low!, { startsAt: new Date('2026-11-25T09:00:00Z'), agencyId: probation })
  await c.addAppointment(db, ids.low!, { startsAt: new Date('2026-11-20T09:00:00Z'), agencyId: probation })
  await c.setStage(db, ids.high!, 'licence_supervision')
  // The officer co-works Brown, in the IOM cohort shared for identity and supervision only.
  await f.joinCohort(db, ids.high!, cohort)
  await f.allocate(db, ids.high!, ids.officer, { agencyId: police, role: 'police_iom_officer' })

  app = await testApp(db, { clock })
  for (const key of ['manager', 'manager2', 'amy', 'ben', 'officer']) clients[key] = await client(ids[key]!)
})
afterAll(async () => {
  await app?.close()
  await database?.destroy()
})

const byName = (rows: WorkloadRow[], name: string) => rows.find((r) => r.display_name === name)!

describe(`workload on ${engine}`, () => {
  it('adds tier, risk and case type points per lead case, and scales capacity by contracted hours', async () => {
    let rows = await teamWorkload(db, [team])
    expect(rows.map((r) => r.display_name).sort()).toEqual(['Amy Busy', 'Ben Light'])
    // Amy also holds the waiting case: 3 (C1) + 1 (medium) + 1 (custody) = 5.
    expect(byName(rows, 'Amy Busy')).toMatchObject({ cases: 3, points: 31, capacity: 15.5 })
    await c.setContractedHours(db, ids.amy!, 18.5)
    rows = await teamWorkload(db, [team])
    expect(byName(rows, 'Amy Busy').capacity).toBe(31)
    await c.setContractedHours(db, ids.amy!, 37)
  })

  it('lets a manager change a weight, and refuses a weight that is not a number', async () => {
    const page = await clients.manager!.get('/allocations/workload-settings')
    expect(page.statusCode).toBe(200)
    const form: Record<string, string> = {}
    for (const [, name, value] of page.body.matchAll(
      /name="([a-zA-Z_-]+[A-Za-z0-9_-]*)"[^>]*value="([^"]*)"/g,
    ))
      if (name !== '_csrf') form[name!] = value!
    expect(form['case_type-licence']).toBe('3')
    const bad = await clients.manager!.post('/allocations/workload-settings', { ...form, 'tier-A3': 'lots' })
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('Points for tier A3 must be a number')
    const ok = await clients.manager!.post('/allocations/workload-settings', {
      ...form,
      'case_type-licence': '10',
    })
    expect(ok.statusCode).toBe(303)
    expect(byName(await teamWorkload(db, [team]), 'Amy Busy').points).toBe(38)
    await clients.manager!.post('/allocations/workload-settings', { ...form, 'case_type-licence': '3' })
    expect((await clients.amy!.get('/allocations/workload-settings')).statusCode).toBe(403)
  })

  it('suggests the least-loaded active practitioner of the team, preferring those under capacity', async () => {
    const rows = await teamWorkload(db, [team])
    expect(suggestPractitioner(rows)).toMatchObject({ userId: ids.ben })
    expect(suggestPractitioner(rows)!.reason).toContain('Lowest workload in the team')
    const row = (name: string, capacity: number | null, points: number): WorkloadRow => ({
      team_id: team,
      user_id: name,
      display_name: name,
      contracted_hours: 37,
      cases: 1,
      points,
      capacity,
      overdue: 0,
    })
    expect(
      suggestPractitioner([row('over', 120, 240), row('under', 99, 198), row('none', null, 0)])?.userId,
    ).toBe('under')
    expect(suggestPractitioner([row('a', 130, 260), row('b', 110, 220)])?.reason).toContain(
      'at or over capacity',
    )
    expect(suggestPractitioner([row('none', null, 0)])).toBeNull()
  })
})

describe(`allocation on ${engine}`, () => {
  it('shows the queue with the points each case adds and the suggested practitioner', async () => {
    const page = await clients.manager!.get('/allocations')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain(crns.waiting)
    expect(page.body).toMatch(/Suggested practitioner: <strong>Ben Light<\/strong>/)
    expect(page.body).not.toContain('Cat Away')
    expect((await clients.amy!.get('/allocations')).statusCode).toBe(403)
  })

  it('lets one of two managers allocate the same case; the other is told it is taken', async () => {
    const form = await clients.manager!.get(`/allocations/${crns.waiting}`)
    expect(form.body).toMatch(new RegExp(`value="${ids.ben}"[^>]*checked`))
    await clients.manager2!.get(`/allocations/${crns.waiting}`)
    const body = { requestId: ids.request!, userId: ids.ben!, note: 'Court report says housing is urgent' }
    const [first, second] = await Promise.all([
      clients.manager!.post(`/allocations/${crns.waiting}`, body),
      clients.manager2!.post(`/allocations/${crns.waiting}`, { ...body, note: 'My note' }),
    ])
    expect([first.statusCode, second.statusCode].sort()).toEqual([303, 409])
    const loser = first.statusCode === 409 ? first : second
    expect(loser.body).toContain('This case has already been allocated')
    const leads = await db
      .selectFrom('allocations')
      .select(['user_id', 'ended_at', 'handover_note'])
      .where('person_id', '=', ids.waiting!)
      .where('is_lead', '=', true)
      .orderBy(sql`ended_at is null`)
      .execute()
    expect(leads).toHaveLength(2)
    expect(leads[0]!.user_id).toBe(ids.amy)
    expect(leads[0]!.ended_at).not.toBeNull()
    expect(leads[1]!.ended_at).toBeNull()
    expect(leads[1]!.user_id).toBe(ids.ben)
    expect(leads[1]!.handover_note).toBe(first.statusCode === 303 ? body.note : 'My note')
    const request = await db
      .selectFrom('allocation_requests')
      .select(['status', 'allocated_user_id'])
      .where('id', '=', ids.request!)
      .executeTakeFirstOrThrow()
    expect(request.status).toBe('allocated')
    expect(request.allocated_user_id).toBe(leads[1]!.user_id)
    const event = await db
      .selectFrom('outbox')
      .select('payload')
      .where('event_type', '=', 'person.allocation.changed')
      .where('person_id', '=', ids.waiting!)
      .executeTakeFirstOrThrow()
    expect(event.payload).toMatchObject({ previousUserId: ids.amy, teamId: team })
    const timeline = await db
      .selectFrom('timeline_events')
      .select(['category'])
      .where('person_id', '=', ids.waiting!)
      .where('kind', '=', 'allocation.changed')
      .execute()
    expect(timeline).toEqual([{ category: 'identity' }])
  })

  it('reallocates only with a handover note, which the new lead then reads', async () => {
    const page = await clients.manager!.get(`/people/${crns.small}/allocation`)
    expect(page.statusCode).toBe(200)
    const currentLeadId = /name="currentLeadId" value="([^"]+)"/.exec(page.body)![1]!
    const missing = await clients.manager!.post(`/people/${crns.small}/allocation/lead`, {
      currentLeadId,
      userId: ids.amy!,
      handoverNote: '  ',
    })
    expect(missing.statusCode).toBe(400)
    expect(missing.body).toContain('Enter a handover note for the new lead practitioner')
    expect(missing.body).toContain('href="#lead-handoverNote"')
    const done = await clients.manager!.post(`/people/${crns.small}/allocation/lead`, {
      currentLeadId,
      userId: ids.amy!,
      handoverNote: 'Works nights: appointments after 2pm only.',
    })
    expect(done.statusCode).toBe(303)
    const stale = await clients.manager!.post(`/people/${crns.small}/allocation/lead`, {
      currentLeadId,
      userId: ids.ben!,
      handoverNote: 'Back again',
    })
    expect(stale.statusCode).toBe(409)
    const seen = await clients.amy!.get(`/people/${crns.small}/allocation`)
    expect(seen.body).toContain('Works nights: appointments after 2pm only.')
    expect(seen.body).not.toContain('Reallocate the lead')
    expect((await clients.ben!.get(`/people/${crns.small}/allocation`)).statusCode).toBe(403)
  })

  it('does not let a partner or the lead practitioner reallocate', async () => {
    const body = { currentLeadId: 'none', userId: ids.ben!, handoverNote: 'Taking over' }
    expect((await clients.officer!.post(`/people/${crns.high}/allocation/lead`, body)).statusCode).toBe(403)
    expect((await clients.officer!.get(`/people/${crns.high}/allocation`)).statusCode).toBe(403)
    expect((await clients.amy!.post(`/people/${crns.high}/allocation/lead`, body)).statusCode).toBe(403)
  })

  it('adds a co-worker from another agency with a role, and ends it with a reason', async () => {
    const officer2 = await f.makeUser(db, { agencyId: police, roles: ['partner_worker'], name: 'Pat Police' })
    const noRole = await clients.amy!.post(`/people/${crns.low}/allocation/co-workers`, { userId: officer2 })
    expect(noRole.statusCode).toBe(400)
    expect(noRole.body).toContain('Choose their role')
    const added = await clients.amy!.post(`/people/${crns.low}/allocation/co-workers`, {
      userId: officer2,
      role: 'police_iom_officer',
    })
    expect(added.statusCode).toBe(303)
    const page = await clients.amy!.get(`/people/${crns.low}/allocation`)
    expect(page.body).toContain('Pat Police')
    expect(page.body).toContain('Police IOM officer')
    const allocationId = /co-workers\/([0-9a-f-]{36})\/end/.exec(page.body)![1]!
    const noReason = await clients.amy!.post(
      `/people/${crns.low}/allocation/co-workers/${allocationId}/end`,
      {
        reason: '',
      },
    )
    expect(noReason.statusCode).toBe(400)
    expect(noReason.body).toContain('Enter why this allocation is ending')
    const ended = await clients.amy!.post(`/people/${crns.low}/allocation/co-workers/${allocationId}/end`, {
      reason: 'Left the IOM cohort',
    })
    expect(ended.statusCode).toBe(303)
    expect((await clients.amy!.get(`/people/${crns.low}/allocation`)).body).not.toContain(allocationId)
  })
})

/** The CRNs in the caseload table, in order. */
const rowsOf = (body: string) =>
  [...body.matchAll(/<span class="govuk-body-s">([A-Z]\d{6})/g)].map((m) => m[1])

describe(`caseload on ${engine}`, () => {
  it('lists my people with their columns, sorts and filters by query string, and audits the list', async () => {
    const page = await clients.amy!.get('/caseload')
    expect(page.statusCode).toBe(200)
    expect(rowsOf(page.body)).toEqual([crns.low, crns.high, crns.small])
    expect(page.body).toContain('Licence supervision')
    expect(page.body).toContain('25 November 2026 at 9am')
    expect(page.body).toMatch(/aria-sort="ascending"><a [^>]*href="\/caseload\?order=descending"/)
    const byRisk = await clients.amy!.get('/caseload?sort=risk&order=descending')
    expect(rowsOf(byRisk.body)).toEqual([crns.high, crns.low, crns.small])
    expect(byRisk.body).toContain('aria-sort="descending"')
    expect(rowsOf((await clients.amy!.get('/caseload?risk=high')).body)).toEqual([crns.high])
    expect(rowsOf((await clients.amy!.get('/caseload?tier=B')).body)).toEqual([crns.low])
    expect(rowsOf((await clients.amy!.get('/caseload?overdue=yes')).body)).toEqual([crns.high])
    expect(rowsOf((await clients.amy!.get('/caseload?flagged=yes')).body)).toEqual([crns.low])
    expect(rowsOf((await clients.amy!.get('/caseload?stage=licence_supervision')).body)).toEqual([crns.high])
    const bad = await clients.amy!.get('/caseload?risk=enormous')
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('Choose a risk level from the list')
    const audit = await db
      .selectFrom('audit_log')
      .select(['person_ids', 'categories'])
      .where('actor_user_id', '=', ids.amy!)
      .where('action', '=', 'list')
      .where('purpose', '=', 'My caseload')
      .orderBy('id')
      .executeTakeFirstOrThrow()
    expect([...audit.person_ids].sort()).toEqual([ids.low, ids.high, ids.small].sort())
    expect(audit.categories).toEqual(['identity', 'risk', 'sentence', 'supervision'])
  })

  it('withholds the columns a partner’s agreement does not share, and cannot be filtered to reveal them', async () => {
    const page = await clients.officer!.get('/caseload')
    expect(rowsOf(page.body)).toEqual([crns.high])
    expect(page.body).toContain('Withheld')
    expect(page.body).not.toContain('High RoSH')
    expect(page.body).not.toContain('Licence supervision')
    expect(rowsOf((await clients.officer!.get('/caseload?risk=high')).body)).toEqual([])
  })

  it('shows a manager each practitioner’s workload and caseload, audited', async () => {
    const page = await clients.manager!.get('/caseload/team')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain(`/caseload/team/${ids.amy}`)
    const amy = await clients.manager!.get(`/caseload/team/${ids.amy}`)
    expect(amy.statusCode).toBe(200)
    expect(amy.body).toContain('Amy Busy’s caseload')
    expect(rowsOf(amy.body)).toContain(crns.high)
    const audit = await db
      .selectFrom('audit_log')
      .select('purpose')
      .where('actor_user_id', '=', ids.manager!)
      .where('action', '=', 'list')
      .execute()
    expect(audit.map((a) => a.purpose)).toContain('Team caseload oversight: Amy Busy')
    expect((await clients.manager!.get(`/caseload/team/${ids.officer}`)).statusCode).toBe(404)
    expect((await clients.amy!.get('/caseload/team')).statusCode).toBe(403)
  })
})
