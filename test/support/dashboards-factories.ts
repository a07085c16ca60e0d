import type { Role } from '../../src/platform/access/actor.js'
import type { Db } from '../../src/platform/database/database.js'
import * as f from './factories.js'
import * as i from './intelligence-factories.js'

/** Builders for the dashboards module's tests: places, people in them, and what happens to them. */

let counter = 0
const next = () => ++counter
const HOUR = 3_600_000

export async function makeRegion(db: Db, agencyRegion = false) {
  const n = next()
  const region = await db
    .insertInto('regions')
    .values({ code: `DR${n}`, name: `Region ${n}` })
    .returning(['id', 'code'])
    .executeTakeFirstOrThrow()
  const agency = await f.makeAgency(db)
  if (agencyRegion)
    await db.updateTable('agencies').set({ region_id: region.id }).where('id', '=', agency).execute()
  return { ...region, agencyId: agency }
}

export async function makePdu(db: Db, regionId: string) {
  const n = next()
  return db
    .insertInto('probation_delivery_units')
    .values({ region_id: regionId, code: `DP${n}`, name: `Delivery unit ${n}` })
    .returning(['id', 'code'])
    .executeTakeFirstOrThrow()
}

export async function makeTeamIn(db: Db, agencyId: string, pdu: { id: string }, regionId: string) {
  const n = next()
  return db
    .insertInto('teams')
    .values({ code: `DT${n}`, name: `Team ${n}`, agency_id: agencyId, region_id: regionId, pdu_id: pdu.id })
    .returning(['id', 'code'])
    .executeTakeFirstOrThrow()
}

export interface Place {
  agencyId: string
  regionId: string
  pduId: string
  teamId: string
}

/** A person held by `place`'s team, with the risk, tier and custody status given. */
export async function personIn(
  db: Db,
  place: Place,
  props: { rosh?: string | null; tier?: string | null; custody?: string } = {},
) {
  const person = await f.makePerson(db, { leadAgencyId: place.agencyId, leadTeamId: place.teamId })
  await db
    .updateTable('people')
    .set({
      region_id: place.regionId,
      pdu_id: place.pduId,
      rosh_level: props.rosh === undefined ? 'high' : props.rosh,
      tier: props.tier === undefined ? 'A2' : props.tier,
      custody_status: (props.custody ?? 'community') as never,
    })
    .where('id', '=', person.id)
    .execute()
  return person.id
}

export async function userWith(db: Db, agencyId: string, role: Role, teamIds: string[] = []) {
  return f.makeUser(db, { agencyId, roles: [role], teamIds })
}

/** A flag raised `raisedHoursAgo` before `now`, acknowledged and closed as given (hours after raising). */
export async function flag(
  db: Db,
  personId: string,
  now: Date,
  props: {
    raisedHoursAgo: number
    severity?: string
    acknowledgedAfter?: number
    closed?: { status: 'resolved' | 'dismissed'; hoursAgo: number }
  },
) {
  const raised = new Date(now.getTime() - props.raisedHoursAgo * HOUR)
  await db
    .insertInto('flags')
    .values({
      person_id: personId,
      rule_code: 'TEST',
      rule_version: 1,
      condition_key: `test:${next()}`,
      severity: (props.severity ?? 'high') as never,
      title: 'A test flag',
      reason: 'Because',
      status: (props.closed?.status ??
        (props.acknowledgedAfter === undefined ? 'raised' : 'acknowledged')) as never,
      raised_at: raised,
      acknowledged_at:
        props.acknowledgedAfter === undefined
          ? null
          : new Date(raised.getTime() + props.acknowledgedAfter * HOUR),
      closed_at: props.closed ? new Date(now.getTime() - props.closed.hoursAgo * HOUR) : null,
    } as never)
    .execute()
}

export async function appointment(db: Db, place: Place, personId: string, at: Date, outcome: string | null) {
  await i.makeAppointment(db, { personId, agencyId: place.agencyId, startsAt: at, outcome })
}

/** A release `daysAgo` before `today`, and where the person lived from and until (days from release). */
export async function release(
  db: Db,
  personId: string,
  today: string,
  daysAgo: number,
  addresses: { kind: string; from: number; until?: number }[],
) {
  const releasedOn = i.dayOffset(new Date(`${today}T12:00:00Z`), -daysAgo)
  const at = new Date(`${releasedOn}T12:00:00Z`)
  await i.makeCustodyEpisode(db, { personId, receivedOn: i.dayOffset(at, -400), releasedOn })
  for (const a of addresses)
    await i.makeAddress(db, {
      personId,
      kind: a.kind,
      startsOn: i.dayOffset(at, a.from),
      endsOn: a.until === undefined ? null : i.dayOffset(at, a.until),
    })
}

export async function membership(
  db: Db,
  personId: string,
  cohortId: string,
  props: { startedOn: string; endedOn?: string | null },
) {
  await db
    .insertInto('cohort_memberships')
    .values({
      person_id: personId,
      cohort_id: cohortId,
      started_on: props.startedOn,
      ended_on: props.endedOn ?? null,
      review_on: null,
    })
    .execute()
}
