import { sql } from 'kysely'
import type { Actor, DataCategory } from '../../platform/access/actor.js'
import type { Queryable } from '../../platform/database/database.js'
import { caseTypeOf, casePoints } from './workload.repository.js'

export interface QueueRow {
  request_id: string
  person_id: string
  team_id: string
  team_name: string
  reason: string
  requested_at: Date
  crn: string
  first_name: string
  last_name: string
  categories: DataCategory[]
  tier: string | null
  rosh_level: string | null
  case_type: string | null
  points: number | null
  current_lead: string | null
}

/**
 * Cases waiting for allocation in `teamIds` that the actor may see, oldest first, with the
 * points each would add. Tier, risk and points need the risk category, case type the sentence
 * category; otherwise they come back as null.
 */
export async function findQueue(db: Queryable, actor: Actor, teamIds: string[], crn?: string) {
  if (teamIds.length === 0) return []
  const { rows } = await sql<QueueRow>`
    with w as (select factor, value, points from workload_weights)
    select r.id as request_id, r.person_id, r.team_id, t.name as team_name, r.reason, r.requested_at,
      p.crn, p.first_name, p.last_name, access.categories,
      case when 'risk' = any(access.categories) then p.tier end as tier,
      case when 'risk' = any(access.categories) then p.rosh_level end as rosh_level,
      case when 'sentence' = any(access.categories) then ${caseTypeOf} end as case_type,
      case when 'risk' = any(access.categories) and 'sentence' = any(access.categories)
        then (${casePoints})::float8 end as points,
      (select u.display_name from allocations al join users u on u.id = al.user_id
        where al.person_id = p.id and al.is_lead and al.ended_at is null) as current_lead
    from allocation_requests r
    join people p on p.id = r.person_id and p.merged_into is null
    join teams t on t.id = r.team_id
    cross join lateral (select * from person_access(p, ${actor.userId}::uuid) offset 0) access
    where r.status = 'waiting' and r.team_id = any(${teamIds}::uuid[])
      and (${crn ?? null}::text is null or p.crn = ${crn ?? null}::text)
    order by r.requested_at, p.crn`.execute(db)
  return rows
}

/**
 * Marks a waiting request allocated. Only one transaction can do this: a second one waits for
 * the first's row lock and then finds the request no longer waiting, so it changes nothing.
 */
export async function claimRequest(
  db: Queryable,
  claim: { personId: string; requestId: string; userId: string; by: string; at: Date },
) {
  const row = await db
    .updateTable('allocation_requests')
    .set({
      status: 'allocated',
      allocated_user_id: claim.userId,
      allocated_by: claim.by,
      allocated_at: claim.at,
    })
    .where('person_id', '=', claim.personId)
    .where('id', '=', claim.requestId)
    .where('status', '=', 'waiting')
    .returning('team_id')
    .executeTakeFirst()
  return row ?? null
}

/** Marks any waiting request for the person allocated (when the lead changes outside the queue). */
export async function settleWaitingRequests(
  db: Queryable,
  settle: { personId: string; userId: string; by: string; at: Date },
) {
  await db
    .updateTable('allocation_requests')
    .set({
      status: 'allocated',
      allocated_user_id: settle.userId,
      allocated_by: settle.by,
      allocated_at: settle.at,
    })
    .where('person_id', '=', settle.personId)
    .where('status', '=', 'waiting')
    .execute()
}

/** Who may take a case: an active practitioner in the team. */
export async function findEligiblePractitioner(db: Queryable, teamId: string, userId: string) {
  return (
    (await db
      .selectFrom('users as u')
      .innerJoin('team_members as tm', 'tm.user_id', 'u.id')
      .innerJoin('user_roles as r', 'r.user_id', 'u.id')
      .select(['u.id', 'u.display_name', 'u.agency_id'])
      .where('u.id', '=', userId)
      .where('tm.team_id', '=', teamId)
      .where('r.role', '=', 'practitioner')
      .where('u.active', '=', true)
      .executeTakeFirst()) ?? null
  )
}

export interface CurrentAllocation {
  id: string
  user_id: string
  display_name: string
  agency_id: string
  agency_name: string
  agency_kind: string
  team_name: string | null
  role: string
  is_lead: boolean
  started_at: Date
  handover_note: string | null
}

/** Everyone currently allocated to the person, the lead first. */
export async function findAllocations(db: Queryable, personId: string): Promise<CurrentAllocation[]> {
  return db
    .selectFrom('allocations as al')
    .innerJoin('users as u', 'u.id', 'al.user_id')
    .innerJoin('agencies as a', 'a.id', 'al.agency_id')
    .leftJoin('teams as t', 't.id', 'al.team_id')
    .select([
      'al.id',
      'al.user_id',
      'u.display_name',
      'al.agency_id',
      'a.name as agency_name',
      'a.kind as agency_kind',
      't.name as team_name',
      'al.role',
      'al.is_lead',
      'al.started_at',
      'al.handover_note',
    ])
    .where('al.person_id', '=', personId)
    .where('al.ended_at', 'is', null)
    .orderBy('al.is_lead', 'desc')
    .orderBy('al.started_at')
    .execute() as Promise<CurrentAllocation[]>
}

/** The person's keys the allocation rules need (the caller has already checked they are visible). */
export async function findPersonKeys(db: Queryable, crn: string) {
  return (
    (await db
      .selectFrom('people')
      .select(['id', 'lead_team_id', 'lead_agency_id', 'region_id'])
      .where('crn', '=', crn)
      .executeTakeFirst()) ?? null
  )
}

/** Ends the current lead allocation, returning whose it was. */
export async function endLead(db: Queryable, personId: string, at: Date) {
  const row = await db
    .updateTable('allocations')
    .set({ ended_at: at })
    .where('person_id', '=', personId)
    .where('is_lead', '=', true)
    .where('ended_at', 'is', null)
    .returning(['id', 'user_id'])
    .executeTakeFirst()
  return row ?? null
}

export async function insertAllocation(
  db: Queryable,
  allocation: {
    personId: string
    userId: string
    teamId: string | null
    agencyId: string
    role: string
    isLead: boolean
    handoverNote: string | null
    at: Date
  },
) {
  const row = await db
    .insertInto('allocations')
    .values({
      person_id: allocation.personId,
      user_id: allocation.userId,
      team_id: allocation.teamId,
      agency_id: allocation.agencyId,
      role: allocation.role,
      is_lead: allocation.isLead,
      handover_note: allocation.handoverNote,
      started_at: allocation.at,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

/** Ends one co-worker allocation (never the lead: a lead is replaced, not ended). */
export async function endCoWorker(db: Queryable, personId: string, allocationId: string, at: Date) {
  const row = await db
    .updateTable('allocations')
    .set({ ended_at: at })
    .where('person_id', '=', personId)
    .where('id', '=', allocationId)
    .where('is_lead', '=', false)
    .where('ended_at', 'is', null)
    .returning(['user_id', 'role'])
    .executeTakeFirst()
  return row ?? null
}

export async function setLeadTeam(db: Queryable, personId: string, teamId: string) {
  await db
    .updateTable('people')
    .set((eb) => ({ lead_team_id: teamId, updated_at: sql`now()`, version: eb('version', '+', 1) }))
    .where('id', '=', personId)
    .execute()
}

/** Staff of other agencies in the person's region who may be added as co-workers. */
export async function findCoWorkerCandidates(
  db: Queryable,
  person: { lead_agency_id: string; region_id: string | null },
) {
  return db
    .selectFrom('users as u')
    .innerJoin('agencies as a', 'a.id', 'u.agency_id')
    .select(['u.id', 'u.display_name', 'u.agency_id', 'a.name as agency_name', 'u.job_title'])
    .where('u.active', '=', true)
    .where('u.kind', '=', 'person')
    .where('u.agency_id', '<>', person.lead_agency_id)
    .where((eb) =>
      person.region_id
        ? eb.or([eb('a.region_id', '=', person.region_id), eb('a.region_id', 'is', null)])
        : eb.val(true),
    )
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('user_roles as r')
          .select('r.user_id')
          .whereRef('r.user_id', '=', 'u.id')
          .where('r.role', 'in', ['partner_worker', 'provider', 'coordinator', 'practitioner']),
      ),
    )
    .orderBy('a.name')
    .orderBy('u.display_name')
    .limit(300)
    .execute()
}

export async function findUser(db: Queryable, userId: string) {
  return (
    (await db
      .selectFrom('users')
      .select(['id', 'display_name', 'agency_id', 'active'])
      .where('id', '=', userId)
      .executeTakeFirst()) ?? null
  )
}
