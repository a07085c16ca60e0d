import { sql, type SqlBool } from 'kysely'
import type { Queryable } from '../../platform/database/database.js'
import type { ActionStatus } from './plans.policy.js'

/** SQL for adapting a plan to a change of circumstances (no actor: the worker runs it). */

export const PIVOT_ROUTE = 'worker plans.adaptPlanToChange'

/**
 * Takes the plan row's lock so two adaptations of one person's plan run one after the other,
 * and an idempotency check that follows cannot race. False when the person has no plan.
 */
export async function lockPlan(db: Queryable, personId: string) {
  const row = await db
    .selectFrom('case_plans')
    .select('person_id')
    .where('person_id', '=', personId)
    .forUpdate()
    .executeTakeFirst()
  return !!row
}

/** Of these people, those with a case plan: a batch of events skips everyone else at once. */
export async function peopleWithPlans(db: Queryable, personIds: string[]): Promise<Set<string>> {
  if (personIds.length === 0) return new Set()
  const rows = await db
    .selectFrom('case_plans')
    .select('person_id')
    .where('person_id', 'in', personIds)
    .execute()
  return new Set(rows.map((r) => r.person_id))
}

/** Claims the adaptation for this cause; false when a previous delivery already applied it. */
export async function claimAdaptation(db: Queryable, personId: string, causeRef: string, change: string) {
  const row = await db
    .insertInto('plan_adaptations')
    .values({ person_id: personId, cause_ref: causeRef, change })
    .onConflict((oc) => oc.columns(['person_id', 'cause_ref']).doNothing())
    .returning('cause_ref')
    .executeTakeFirst()
  return !!row
}

export function findPersonFacts(db: Queryable, personId: string) {
  return db
    .selectFrom('people as p')
    .leftJoin('allocations as lead', (j) =>
      j.onRef('lead.person_id', '=', 'p.id').on('lead.is_lead', '=', true).on('lead.ended_at', 'is', null),
    )
    .select(['p.id', 'p.lead_agency_id', 'p.region_id', 'lead.user_id as lead_user_id'])
    .where('p.id', '=', personId)
    .executeTakeFirst()
}

export interface PivotAction {
  id: string
  owner_agency_id: string
  owner_user_id: string | null
  due_on: string | null
  description: string
}

const ACTION_COLUMNS = ['id', 'owner_agency_id', 'owner_user_id', 'due_on', 'description'] as const

/** Open actions that rely on a circumstance; done, cancelled and suspended ones are left alone. */
export function findOpenDependent(
  db: Queryable,
  personId: string,
  circumstance: string,
): Promise<PivotAction[]> {
  return db
    .selectFrom('plan_actions')
    .select(ACTION_COLUMNS)
    .where('person_id', '=', personId)
    .where('status', 'in', ['not_started', 'in_progress'])
    .where(sql<SqlBool>`${circumstance} = any(depends_on)`)
    .execute()
}

/** Suspended actions whose reason starts with one of the given prefixes. */
export function findSuspendedWith(
  db: Queryable,
  personId: string,
  prefixes: string[],
): Promise<PivotAction[]> {
  return db
    .selectFrom('plan_actions')
    .select(ACTION_COLUMNS)
    .where('person_id', '=', personId)
    .where('status', '=', 'suspended')
    .where((eb) => eb.or(prefixes.map((prefix) => eb('status_reason', 'like', `${prefix}%`))))
    .execute()
}

export async function setStatus(
  db: Queryable,
  personId: string,
  ids: string[],
  status: ActionStatus,
  reason: string,
  at: Date,
) {
  if (!ids.length) return
  await db
    .updateTable('plan_actions')
    .set({ status, status_reason: reason, updated_at: at, version: sql`version + 1` })
    .where('person_id', '=', personId)
    .where('id', 'in', ids)
    .where('status', 'not in', ['done', 'cancelled'])
    .execute()
}

/** Resumes suspended actions: in progress if anyone had written progress on them, else not started. */
export async function resume(db: Queryable, personId: string, ids: string[], at: Date) {
  if (!ids.length) return
  await db
    .updateTable('plan_actions as a')
    .set({
      status: sql`case when exists (select 1 from plan_action_notes n
        where n.person_id = a.person_id and n.action_id = a.id) then 'in_progress' else 'not_started' end`,
      status_reason: null,
      updated_at: at,
      version: sql`a.version + 1`,
    })
    .where('a.person_id', '=', personId)
    .where('a.id', 'in', ids)
    .where('a.status', '=', 'suspended')
    .execute()
}

export async function moveDueDates(db: Queryable, personId: string, ids: string[], days: number, at: Date) {
  if (!ids.length) return
  await db
    .updateTable('plan_actions')
    .set({ due_on: sql`due_on + ${days}::integer`, updated_at: at, version: sql`version + 1` })
    .where('person_id', '=', personId)
    .where('id', 'in', ids)
    .where('due_on', 'is not', null)
    .execute()
}

/** The active accommodation objective and whether any accommodation work is still open. */
export async function findAccommodationWork(db: Queryable, personId: string) {
  const objective = await db
    .selectFrom('plan_objectives')
    .select('id')
    .where('person_id', '=', personId)
    .where('pathway', '=', 'accommodation')
    .where('status', '=', 'active')
    .orderBy('created_at')
    .executeTakeFirst()
  const open = await db
    .selectFrom('plan_actions as a')
    .innerJoin('plan_objectives as o', (j) =>
      j.onRef('o.person_id', '=', 'a.person_id').onRef('o.id', '=', 'a.objective_id'),
    )
    .select('a.id')
    .where('a.person_id', '=', personId)
    .where('a.status', 'in', ['not_started', 'in_progress'])
    .where((eb) => eb.or([eb('o.pathway', '=', 'accommodation'), eb('a.service_type', '=', 'housing')]))
    .executeTakeFirst()
  return { objectiveId: objective?.id ?? null, hasOpenAction: !!open }
}

/**
 * Who leads accommodation work for the person: the most specific responsibility for the
 * accommodation pathway (their cohort and region before "any"), and a worker of that kind of
 * agency allocated to them. Null when no such worker is allocated.
 */
export async function findAccommodationLead(db: Queryable, personId: string, regionId: string | null) {
  const row = await db
    .selectFrom('responsibilities as r')
    .innerJoin('allocations as al', (j) => j.on('al.person_id', '=', personId).on('al.ended_at', 'is', null))
    .innerJoin('agencies as ag', (j) =>
      j.onRef('ag.id', '=', 'al.agency_id').onRef('ag.kind', '=', 'r.lead_agency_kind'),
    )
    .select(['al.user_id', 'al.agency_id'])
    .where('r.pathway', '=', 'accommodation')
    .where((eb) => eb.or([eb('r.region_id', 'is', null), eb('r.region_id', '=', regionId)]))
    .where((eb) =>
      eb.or([
        eb('r.cohort_id', 'is', null),
        eb.exists(
          eb
            .selectFrom('cohort_memberships as m')
            .select('m.person_id')
            .where('m.person_id', '=', personId)
            .whereRef('m.cohort_id', '=', 'r.cohort_id')
            .where('m.ended_on', 'is', null),
        ),
      ]),
    )
    .where((eb) =>
      eb.or([eb('r.allocation_role', 'is', null), eb('r.allocation_role', '=', eb.ref('al.role'))]),
    )
    .orderBy(sql`r.cohort_id is null`)
    .orderBy(sql`r.region_id is null`)
    .orderBy('al.is_lead', 'desc')
    .limit(1)
    .executeTakeFirst()
  return row ?? null
}
