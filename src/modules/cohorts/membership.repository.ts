import { sql } from 'kysely'
import { accessFor } from '../../platform/access/access.js'
import type { Actor } from '../../platform/access/actor.js'
import type { Queryable } from '../../platform/database/database.js'
import type { CohortDecisionsTable } from '../../platform/database/schema.js'

/** What cohort_decisions keeps: selections, removals, decisions not to select, and review date changes. */
export type DecisionKind = CohortDecisionsTable['decision']

export interface MemberFilter {
  teamId?: string | undefined
  risk?: string | undefined
  reviewDue?: boolean | undefined
  /** A region id: only people of that area. */
  area?: string | undefined
}

/** Current members of a cohort whom the actor may see. */
function visibleMembers(db: Queryable, actor: Actor, cohortId: string) {
  return db
    .selectFrom('cohort_memberships as m')
    .innerJoin('people as p', 'p.id', 'm.person_id')
    .innerJoin(accessFor(actor, 'p'), (join) => join.onTrue())
    .where('m.cohort_id', '=', cohortId)
    .where('m.ended_on', 'is', null)
    .where('p.merged_into', 'is', null)
}

function filtered(db: Queryable, actor: Actor, cohortId: string, today: string, filter: MemberFilter) {
  let query = visibleMembers(db, actor, cohortId)
  if (filter.teamId) query = query.where('p.lead_team_id', '=', filter.teamId)
  // Risk is filtered only where the viewer may see it, so the filter cannot reveal it.
  if (filter.risk)
    query = query.where('p.rosh_level', '=', filter.risk).where(sql<boolean>`'risk' = any(access.categories)`)
  if (filter.reviewDue) query = query.where('m.review_on', '<=', today)
  if (filter.area && filter.area !== 'national') query = query.where('p.region_id', '=', filter.area)
  return query
}

export async function countMembers(
  db: Queryable,
  actor: Actor,
  cohortId: string,
  today: string,
  filter: MemberFilter = {},
): Promise<number> {
  const row = await filtered(db, actor, cohortId, today, filter)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

export function findMembers(
  db: Queryable,
  actor: Actor,
  cohortId: string,
  today: string,
  filter: MemberFilter,
  page: { limit: number; offset: number },
) {
  return filtered(db, actor, cohortId, today, filter)
    .leftJoin('teams as t', 't.id', 'p.lead_team_id')
    .leftJoin('users as u', 'u.id', 'm.selected_by')
    .select([
      'p.id',
      'p.crn',
      'p.first_name',
      'p.last_name',
      't.name as team_name',
      sql<string | null>`case when 'risk' = any(access.categories) then p.rosh_level end`.as('rosh_level'),
      'm.started_on',
      'm.review_on',
      'm.reason',
      'u.display_name as selected_by',
      'access.categories',
    ])
    .orderBy(sql`m.review_on asc nulls last`)
    .orderBy('p.last_name')
    .orderBy('p.crn')
    .limit(page.limit)
    .offset(page.offset)
    .execute()
}

/** Teams that hold a visible member's case, for the filter. */
export function memberTeams(db: Queryable, actor: Actor, cohortId: string) {
  return visibleMembers(db, actor, cohortId)
    .innerJoin('teams as t', 't.id', 'p.lead_team_id')
    .select(['t.id as value', 't.name as text'])
    .distinct()
    .orderBy('t.name')
    .execute()
}

/** One person the actor may see, with their current membership of the cohort (if any). */
export async function findVisiblePerson(db: Queryable, actor: Actor, cohortId: string, crn: string) {
  return db
    .selectFrom('people as p')
    .innerJoin(accessFor(actor, 'p'), (join) => join.onTrue())
    .leftJoin('cohort_memberships as m', (join) =>
      join.onRef('m.person_id', '=', 'p.id').on('m.cohort_id', '=', cohortId).on('m.ended_on', 'is', null),
    )
    .select([
      'p.id',
      'p.crn',
      'p.first_name',
      'p.last_name',
      'access.relationship',
      'access.categories',
      'm.started_on',
      'm.review_on',
      'm.reason',
    ])
    .where('p.crn', '=', crn)
    .where('p.merged_into', 'is', null)
    .executeTakeFirst()
}

/**
 * Starts a membership today. A membership that ended today is reopened (the key is one per
 * day); a current one is left alone and false returned, so two coordinators selecting the
 * same person at once cannot make two memberships.
 */
export async function startMembership(
  db: Queryable,
  m: { personId: string; cohortId: string; today: string; reason: string; reviewOn: string; by: string },
): Promise<boolean> {
  const row = await db
    .insertInto('cohort_memberships')
    .values({
      person_id: m.personId,
      cohort_id: m.cohortId,
      started_on: m.today,
      reason: m.reason,
      review_on: m.reviewOn,
      selected_by: m.by,
    })
    .onConflict((oc) =>
      oc
        .columns(['person_id', 'cohort_id', 'started_on'])
        .doUpdateSet({
          ended_on: null,
          ended_reason: null,
          ended_by: null,
          reason: m.reason,
          review_on: m.reviewOn,
          selected_by: m.by,
        })
        .where('cohort_memberships.ended_on', 'is not', null),
    )
    .returning('person_id')
    .executeTakeFirst()
  return !!row
}

/** Ends the current membership today; false if there is none (already ended by someone else). */
export async function endMembership(
  db: Queryable,
  m: { personId: string; cohortId: string; today: string; reason: string; by: string },
): Promise<boolean> {
  const result = await db
    .updateTable('cohort_memberships')
    .set({ ended_on: m.today, ended_reason: m.reason, ended_by: m.by })
    .where('person_id', '=', m.personId)
    .where('cohort_id', '=', m.cohortId)
    .where('ended_on', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

/** Whether the person is a current member (checked before selecting, for a clear message). */
export async function isMember(db: Queryable, personId: string, cohortId: string) {
  const row = await db
    .selectFrom('cohort_memberships')
    .select('person_id')
    .where('person_id', '=', personId)
    .where('cohort_id', '=', cohortId)
    .where('ended_on', 'is', null)
    .executeTakeFirst()
  return !!row
}

export async function insertDecision(
  db: Queryable,
  d: {
    personId: string
    cohortId: string
    decision: DecisionKind
    reason: string
    reviewOn: string | null
    by: string
    at: Date
  },
) {
  await db
    .insertInto('cohort_decisions')
    .values({
      person_id: d.personId,
      cohort_id: d.cohortId,
      decision: d.decision,
      reason: d.reason,
      review_on: d.reviewOn,
      decided_by: d.by,
      decided_at: d.at,
    })
    .execute()
}

/** The current membership's review date, locked for changing it; null when not a current member. */
export async function lockCurrentMembership(db: Queryable, personId: string, cohortId: string) {
  return (
    (await db
      .selectFrom('cohort_memberships')
      .select(['started_on', 'review_on'])
      .where('person_id', '=', personId)
      .where('cohort_id', '=', cohortId)
      .where('ended_on', 'is', null)
      .forUpdate()
      .executeTakeFirst()) ?? null
  )
}

export async function setReviewDate(
  db: Queryable,
  m: { personId: string; cohortId: string; startedOn: string; reviewOn: string },
) {
  await db
    .updateTable('cohort_memberships')
    .set({ review_on: m.reviewOn })
    .where('person_id', '=', m.personId)
    .where('cohort_id', '=', m.cohortId)
    .where('started_on', '=', m.startedOn)
    .execute()
}

/** Every decision about one person and one cohort, newest first. */
export function decisionsAbout(db: Queryable, personId: string, cohortId: string) {
  return db
    .selectFrom('cohort_decisions as d')
    .leftJoin('users as u', 'u.id', 'd.decided_by')
    .select(['d.id', 'd.decision', 'd.reason', 'd.review_on', 'd.decided_at', 'u.display_name as decided_by'])
    .where('d.person_id', '=', personId)
    .where('d.cohort_id', '=', cohortId)
    .orderBy('d.decided_at', 'desc')
    .execute()
}

/** Recent decisions about people the actor may see, newest first. */
export function recentDecisions(db: Queryable, actor: Actor, cohortId: string, limit: number) {
  return db
    .selectFrom('cohort_decisions as d')
    .innerJoin('people as p', 'p.id', 'd.person_id')
    .innerJoin(accessFor(actor, 'p'), (join) => join.onTrue())
    .leftJoin('users as u', 'u.id', 'd.decided_by')
    .select([
      'p.id',
      'p.crn',
      'p.first_name',
      'p.last_name',
      'd.decision',
      'd.reason',
      'd.review_on',
      'd.decided_at',
      'u.display_name as decided_by',
    ])
    .where('d.cohort_id', '=', cohortId)
    .orderBy('d.decided_at', 'desc')
    .limit(limit)
    .execute()
}
