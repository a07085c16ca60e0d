import { sql, type SqlBool } from 'kysely'
import { jsonObjectFrom } from 'kysely/helpers/postgres'
import { accessFor } from '../../platform/access/access.js'
import type { Actor } from '../../platform/access/actor.js'
import type { Queryable } from '../../platform/database/database.js'
import { PATHWAY_CATEGORY, PATHWAYS, type ActionStatus } from './plans.policy.js'

/**
 * The shared case plan. Every read joins person_access, and what a partner sees is decided in
 * the query: the lead agency sees the whole plan; others the objectives in categories their
 * access row shares, plus every action their own agency owns (with the objective's pathway
 * but not its description when the category is not shared).
 */

/** The data category of a pathway column, as SQL (the map lives in plans.policy.ts). */
export function categoryOf(column: string) {
  const whens = PATHWAYS.map((p) => sql`when ${p} then ${PATHWAY_CATEGORY[p]}`)
  return sql<string>`(case ${sql.ref(column)} ${sql.join(whens, sql` `)} end)`
}

/** The actor's agency leads the person's case (p is the people row). */
const leadAgency = (actor: Actor) => sql<SqlBool>`p.lead_agency_id = ${actor.agencyId}::uuid`

/** The objective (o) is shared with the actor: lead agency, or its category is in the access row. */
export const objectiveShared = (actor: Actor) =>
  sql<SqlBool>`(${leadAgency(actor)} or ${categoryOf('o.pathway')} = any(access.categories))`

/** The action (a) is visible: its objective is shared, or the actor's agency owns it. */
const actionVisible = (actor: Actor) =>
  sql<SqlBool>`(${objectiveShared(actor)} or a.owner_agency_id = ${actor.agencyId}::uuid)`

/** The person, if visible, with what the plan pages need to know about the actor's access. */
export async function findPlanPerson(db: Queryable, actor: Actor, by: { crn: string } | { id: string }) {
  let query = db
    .selectFrom('people as p')
    .innerJoin(accessFor(actor, 'p'), (join) => join.onTrue())
    .select([
      'p.id',
      'p.crn',
      'p.lead_agency_id',
      'p.region_id',
      'access.relationship',
      'access.categories',
      leadAgency(actor).as('is_lead_agency'),
    ])
    .where('p.merged_into', 'is', null)
  query = 'crn' in by ? query.where('p.crn', '=', by.crn) : query.where('p.id', '=', by.id)
  return (await query.executeTakeFirst()) ?? null
}

const planScope = (db: Queryable, actor: Actor, personId: string) =>
  db
    .selectFrom('people as p')
    .innerJoin(accessFor(actor, 'p'), (join) => join.onTrue())
    .where('p.id', '=', personId)

/** Objectives the actor may know of; the description only where the category is shared. */
export function findObjectives(db: Queryable, actor: Actor, personId: string, objectiveId?: string) {
  let query = planScope(db, actor, personId)
    .innerJoin('plan_objectives as o', 'o.person_id', 'p.id')
    .select([
      'o.id',
      'o.pathway',
      'o.need_id',
      'o.status',
      'o.version',
      'o.created_at',
      objectiveShared(actor).as('shared'),
      sql<string | null>`case when ${objectiveShared(actor)} then o.description end`.as('description'),
    ])
    .where((eb) =>
      eb.or([
        objectiveShared(actor),
        eb.exists(
          eb
            .selectFrom('plan_actions as a')
            .select('a.id')
            .whereRef('a.person_id', '=', 'o.person_id')
            .whereRef('a.objective_id', '=', 'o.id')
            .where('a.owner_agency_id', '=', actor.agencyId),
        ),
      ]),
    )
    .orderBy('o.created_at')
  if (objectiveId) query = query.where('o.id', '=', objectiveId)
  return query.execute()
}

/** Actions the actor may see, with owners, the latest progress note and whether they may edit. */
export function findActions(db: Queryable, actor: Actor, personId: string, actionId?: string) {
  let query = planScope(db, actor, personId)
    .innerJoin('plan_actions as a', 'a.person_id', 'p.id')
    .innerJoin('plan_objectives as o', (join) =>
      join.onRef('o.person_id', '=', 'a.person_id').onRef('o.id', '=', 'a.objective_id'),
    )
    .innerJoin('agencies as ag', 'ag.id', 'a.owner_agency_id')
    .leftJoin('users as u', 'u.id', 'a.owner_user_id')
    .where(actionVisible(actor))
    .select((eb) => [
      'a.id',
      'a.objective_id',
      'o.pathway',
      'a.description',
      'a.service_type',
      'a.owner_agency_id',
      'ag.name as owner_agency_name',
      'a.owner_user_id',
      'u.display_name as owner_user_name',
      'a.due_on',
      'a.status',
      'a.status_reason',
      'a.depends_on',
      'a.version',
      'a.created_at',
      sql<boolean>`(${leadAgency(actor)} or a.owner_agency_id = ${actor.agencyId}::uuid)`.as('may_edit'),
      jsonObjectFrom(
        eb
          .selectFrom('plan_action_notes as n')
          .leftJoin('users as nu', 'nu.id', 'n.author_user_id')
          .select(['n.note', 'n.created_at', 'nu.display_name as author_name'])
          .whereRef('n.person_id', '=', 'a.person_id')
          .whereRef('n.action_id', '=', 'a.id')
          .orderBy('n.created_at', 'desc')
          .limit(1),
      ).as('latest_note'),
    ])
    .orderBy('a.due_on', (ob) => ob.asc().nullsLast())
    .orderBy('a.created_at')
  if (actionId) query = query.where('a.id', '=', actionId)
  return query.execute()
}
export type ActionRow = Awaited<ReturnType<typeof findActions>>[number]

/** Every progress note of one action (the caller has checked the action is visible). */
export function findNotes(db: Queryable, personId: string, actionId: string) {
  return db
    .selectFrom('plan_action_notes as n')
    .innerJoin('agencies as ag', 'ag.id', 'n.agency_id')
    .leftJoin('users as u', 'u.id', 'n.author_user_id')
    .select(['n.id', 'n.note', 'n.created_at', 'u.display_name as author_name', 'ag.name as agency_name'])
    .where('n.person_id', '=', personId)
    .where('n.action_id', '=', actionId)
    .orderBy('n.created_at', 'desc')
    .execute()
}

/** Assessed needs in categories the actor may see, and whether an active objective answers each. */
export function findNeeds(db: Queryable, actor: Actor, personId: string) {
  return planScope(db, actor, personId)
    .innerJoin('person_needs as n', 'n.person_id', 'p.id')
    .where(sql<SqlBool>`(${leadAgency(actor)} or ${categoryOf('n.pathway')} = any(access.categories))`)
    .where('n.level', '<>', 'none')
    .select((eb) => [
      'n.id',
      'n.pathway',
      'n.level',
      'n.description',
      'n.assessed_on',
      eb
        .exists(
          eb
            .selectFrom('plan_objectives as o')
            .select('o.id')
            .whereRef('o.person_id', '=', 'n.person_id')
            .whereRef('o.need_id', '=', 'n.id')
            .where('o.status', '=', 'active'),
        )
        .as('answered'),
    ])
    .orderBy('n.assessed_on', 'desc')
    .execute()
}

/** Who works with the person now (active allocations), by agency: the possible owners of actions. */
export function findWorkers(db: Queryable, personId: string) {
  return db
    .selectFrom('allocations as al')
    .innerJoin('users as u', 'u.id', 'al.user_id')
    .innerJoin('agencies as ag', 'ag.id', 'al.agency_id')
    .select([
      'al.user_id',
      'u.display_name',
      'al.agency_id',
      'ag.name as agency_name',
      'ag.kind as agency_kind',
      'al.role',
      'al.is_lead',
    ])
    .where('al.person_id', '=', personId)
    .where('al.ended_at', 'is', null)
    .orderBy('ag.name')
    .orderBy('u.display_name')
    .execute()
}

export function findAgency(db: Queryable, agencyId: string) {
  return db
    .selectFrom('agencies')
    .select(['id', 'name', 'kind'])
    .where('id', '=', agencyId)
    .executeTakeFirst()
}

/** Creates the person's plan on first use; returns nothing either way. */
export async function ensurePlan(db: Queryable, personId: string, userId: string | null, at: Date) {
  await db
    .insertInto('case_plans')
    .values({ person_id: personId, created_by: userId, created_at: at, updated_at: at })
    .onConflict((oc) => oc.column('person_id').doNothing())
    .execute()
}

/** Bumps the plan's version on every change, so a plan-level reader can tell it moved. */
export async function touchPlan(db: Queryable, personId: string, at: Date) {
  await db
    .updateTable('case_plans')
    .set((eb) => ({ version: eb('version', '+', 1), updated_at: at }))
    .where('person_id', '=', personId)
    .execute()
}

export async function findNeed(db: Queryable, personId: string, needId: string) {
  return db
    .selectFrom('person_needs')
    .select(['id', 'pathway', 'description', 'level'])
    .where('person_id', '=', personId)
    .where('id', '=', needId)
    .executeTakeFirst()
}

export async function insertObjective(
  db: Queryable,
  o: {
    personId: string
    pathway: string
    needId: string | null
    description: string
    userId: string
    at: Date
  },
) {
  const row = await db
    .insertInto('plan_objectives')
    .values({
      person_id: o.personId,
      pathway: o.pathway,
      need_id: o.needId,
      description: o.description,
      created_by: o.userId,
      created_at: o.at,
      updated_at: o.at,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

export interface ActionFields {
  description: string
  serviceType: string | null
  ownerAgencyId: string
  ownerUserId: string | null
  dueOn: string | null
  dependsOn: string[]
}

export async function insertAction(
  db: Queryable,
  a: ActionFields & { personId: string; objectiveId: string; userId: string | null; at: Date },
) {
  const row = await db
    .insertInto('plan_actions')
    .values({
      person_id: a.personId,
      objective_id: a.objectiveId,
      description: a.description,
      service_type: a.serviceType,
      owner_agency_id: a.ownerAgencyId,
      owner_user_id: a.ownerUserId,
      due_on: a.dueOn,
      status_reason: null,
      depends_on: a.dependsOn,
      created_by: a.userId,
      created_at: a.at,
      updated_at: a.at,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

/**
 * Saves an edit made from `version`. Matches no row (returns false) when someone else saved
 * first, or when the actor's agency neither leads the case nor owns the action: checked here
 * too, so no caller can skip it.
 */
export async function updateAction(
  db: Queryable,
  actor: Actor,
  u: ActionFields & {
    personId: string
    actionId: string
    version: number
    status: ActionStatus
    statusReason: string | null
    at: Date
  },
) {
  const result = await db
    .updateTable('plan_actions as a')
    .set({
      description: u.description,
      service_type: u.serviceType,
      owner_agency_id: u.ownerAgencyId,
      owner_user_id: u.ownerUserId,
      due_on: u.dueOn,
      depends_on: u.dependsOn,
      status: u.status,
      status_reason: u.statusReason,
      updated_at: u.at,
      version: sql`a.version + 1`,
    })
    .where('a.person_id', '=', u.personId)
    .where('a.id', '=', u.actionId)
    .where('a.version', '=', u.version)
    .where(
      sql<SqlBool>`(a.owner_agency_id = ${actor.agencyId}::uuid or exists (
        select 1 from people p where p.id = a.person_id and p.lead_agency_id = ${actor.agencyId}::uuid))`,
    )
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export async function insertNote(
  db: Queryable,
  n: { personId: string; actionId: string; note: string; userId: string; agencyId: string; at: Date },
) {
  await db
    .insertInto('plan_action_notes')
    .values({
      person_id: n.personId,
      action_id: n.actionId,
      note: n.note,
      author_user_id: n.userId,
      agency_id: n.agencyId,
      created_at: n.at,
    })
    .execute()
}
