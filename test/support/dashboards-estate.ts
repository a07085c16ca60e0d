import { londonDate } from '../../src/platform/views/format.js'
import type { Db } from '../../src/platform/database/database.js'
import * as d from './dashboards-factories.js'
import * as f from './factories.js'
import * as i from './intelligence-factories.js'

const DAY = 86_400_000

/**
 * Two regions for the dashboards' tests. Region one has delivery units one (teams one and two)
 * and two (team three); region two has delivery unit three (team four). Team one holds eight
 * people with known flags, appointments, releases, cohort memberships and plan actions; the
 * expected figures are in the tests. Everything is placed relative to `now`, well away from
 * the edges of the periods and their weeks.
 */
export async function dashboardEstate(db: Db, now: Date) {
  const today = londonDate(now)
  const ago = (days: number) => new Date(now.getTime() - days * DAY)
  const dayAgo = (days: number) => i.dayOffset(now, -days)
  const r1 = await d.makeRegion(db, true)
  const r2 = await d.makeRegion(db, true)
  const nationalAgency = await f.makeAgency(db)
  const housing = await f.makeAgency(db, { kind: 'local_authority_housing', name: '=HYPERLINK("http://x")' })
  const [u1, u2, u3] = [await d.makePdu(db, r1.id), await d.makePdu(db, r1.id), await d.makePdu(db, r2.id)]
  const t1 = await d.makeTeamIn(db, r1.agencyId, u1, r1.id)
  const t2 = await d.makeTeamIn(db, r1.agencyId, u1, r1.id)
  const t3 = await d.makeTeamIn(db, r1.agencyId, u2, r1.id)
  const t4 = await d.makeTeamIn(db, r2.agencyId, u3, r2.id)
  const place = (team: { id: string }, pdu: { id: string }, region: typeof r1): d.Place => ({
    agencyId: region.agencyId,
    regionId: region.id,
    pduId: pdu.id,
    teamId: team.id,
  })
  const one = place(t1, u1, r1)

  // Team one: six high risk A2, one low risk D0, and one whose order has ended.
  const p: string[] = []
  for (let n = 0; n < 6; n++) p.push(await d.personIn(db, one))
  p.push(await d.personIn(db, one, { rosh: 'low', tier: 'D0' }))
  p.push(await d.personIn(db, one, { custody: 'order_ended' }))
  for (let n = 0; n < 2; n++) await d.personIn(db, place(t2, u1, r1), { rosh: 'medium', tier: 'C1' })
  await d.personIn(db, place(t3, u2, r1), { rosh: 'medium', tier: 'C1' })
  for (let n = 0; n < 10; n++) await d.personIn(db, place(t4, u3, r2))

  // Flags: raised 3, 10, 40 and 2 days ago.
  await d.flag(db, p[0]!, now, { raisedHoursAgo: 72, severity: 'critical', acknowledgedAfter: 2 })
  await d.flag(db, p[1]!, now, {
    raisedHoursAgo: 240,
    acknowledgedAfter: 6,
    closed: { status: 'resolved', hoursAgo: 120 },
  })
  await d.flag(db, p[2]!, now, {
    raisedHoursAgo: 960,
    acknowledgedAfter: 10,
    closed: { status: 'dismissed', hoursAgo: 456 },
  })
  await d.flag(db, p[3]!, now, { raisedHoursAgo: 48 })

  // Appointments: three kept and one missed recently; older absences; one unrecorded; one to come.
  for (const days of [5, 6, 7]) await d.appointment(db, one, p[0]!, ago(days), 'attended_complied')
  await d.appointment(db, one, p[0]!, ago(8), 'unacceptable_absence')
  await d.appointment(db, one, p[1]!, ago(50), 'acceptable_absence')
  await d.appointment(db, one, p[2]!, ago(200), 'unacceptable_absence')
  await d.appointment(db, one, p[5]!, ago(-3), null)
  await d.appointment(db, one, p[5]!, ago(4), null)

  // Releases: 10 days ago homeless; 30 days ago settled; 100 days ago to approved premises, then home.
  await d.release(db, p[6]!, today, 10, [{ kind: 'no_fixed_abode', from: 0 }])
  await d.release(db, p[4]!, today, 30, [{ kind: 'main', from: -100 }])
  await d.release(db, p[5]!, today, 100, [
    { kind: 'prison', from: -400, until: 0 },
    { kind: 'approved_premises', from: 0, until: 60 },
    { kind: 'main', from: 61 },
  ])

  // A cohort three people joined two weeks ago, and one left five days ago.
  const cohortId = await f.makeCohort(db, 'Dashboard cohort')
  const cohort = await db
    .selectFrom('cohorts')
    .select('code')
    .where('id', '=', cohortId)
    .executeTakeFirstOrThrow()
  for (const person of p.slice(0, 3)) await d.membership(db, person, cohortId, { startedOn: dayAgo(14) })
  await d.membership(db, p[3]!, cohortId, { startedOn: dayAgo(500), endedOn: dayAgo(5) })

  // Plan actions: probation has one overdue and one not yet due; housing one overdue; one done.
  await i.makePlanAction(db, { personId: p[0]!, agencyId: r1.agencyId, dueOn: dayAgo(1) })
  await i.makePlanAction(db, { personId: p[1]!, agencyId: r1.agencyId, dueOn: dayAgo(-1) })
  await i.makePlanAction(db, { personId: p[2]!, agencyId: housing, dueOn: dayAgo(3) })
  await i.makePlanAction(db, { personId: p[3]!, agencyId: r1.agencyId, dueOn: dayAgo(3), status: 'done' })

  const practitioner = await d.userWith(db, r1.agencyId, 'practitioner', [t1.id])
  for (const person of p.slice(0, 3))
    await f.allocate(db, person, practitioner, { agencyId: r1.agencyId, isLead: true })
  return {
    today,
    people: p,
    regions: [r1, r2],
    pdus: [u1, u2, u3],
    teams: [t1, t2, t3, t4],
    cohort: { id: cohortId, code: cohort.code },
    users: {
      practitioner,
      manager: await d.userWith(db, r1.agencyId, 'manager', [t1.id]),
      coordinator: await d.userWith(db, r1.agencyId, 'coordinator'),
      analyst: await d.userWith(db, nationalAgency, 'analyst'),
      regionalAnalyst: await d.userWith(db, r2.agencyId, 'analyst'),
      partner: await d.userWith(db, housing, 'partner_worker'),
      administrator: await d.userWith(db, nationalAgency, 'administrator'),
    },
  }
}
export type DashboardEstate = Awaited<ReturnType<typeof dashboardEstate>>
