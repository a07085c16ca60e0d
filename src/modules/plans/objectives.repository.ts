import { sql, type SqlBool } from 'kysely'
import type { Actor } from '../../platform/access/actor.js'
import type { Queryable } from '../../platform/database/database.js'
import { UNFINISHED_STATUSES, type ObjectiveStatus } from './plans.policy.js'

/**
 * Editing objectives: their SQL beside the plan's (plans.repository.ts reads them for the pages).
 * The caller has checked the person is visible; the lead-agency rule is checked here again.
 */

/**
 * Saves an edit of an objective made from `version`. Matches no row (returns false) when someone
 * else saved first, or when the actor's agency does not lead the person's case: checked here too,
 * so no caller can skip it.
 */
export async function updateObjective(
  db: Queryable,
  actor: Actor,
  u: {
    personId: string
    objectiveId: string
    version: number
    description: string
    status: ObjectiveStatus
    at: Date
  },
) {
  const result = await db
    .updateTable('plan_objectives as o')
    .set({
      description: u.description,
      status: u.status,
      updated_at: u.at,
      version: sql`o.version + 1`,
    })
    .where('o.person_id', '=', u.personId)
    .where('o.id', '=', u.objectiveId)
    .where('o.version', '=', u.version)
    .where(
      sql<SqlBool>`exists (select 1 from people p where p.id = o.person_id and p.lead_agency_id = ${actor.agencyId}::uuid)`,
    )
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** The objective's actions that are still live work, with their owners (whatever the actor may see). */
export function findUnfinishedActions(db: Queryable, personId: string, objectiveId: string) {
  return db
    .selectFrom('plan_actions as a')
    .innerJoin('agencies as ag', 'ag.id', 'a.owner_agency_id')
    .leftJoin('users as u', 'u.id', 'a.owner_user_id')
    .select([
      'a.id',
      'a.description',
      'a.status',
      'a.owner_agency_id',
      'ag.name as owner_agency_name',
      'a.owner_user_id',
      'u.display_name as owner_user_name',
    ])
    .where('a.person_id', '=', personId)
    .where('a.objective_id', '=', objectiveId)
    .where('a.status', 'in', [...UNFINISHED_STATUSES])
    .orderBy('a.created_at')
    .execute()
}
export type UnfinishedAction = Awaited<ReturnType<typeof findUnfinishedActions>>[number]

/**
 * Cancels these actions if they are still unfinished, bumping each version so that anyone editing
 * one of them meanwhile gets the conflict page rather than bringing it back. Returns the ids cancelled.
 */
export async function cancelActions(
  db: Queryable,
  personId: string,
  actionIds: string[],
  reason: string,
  at: Date,
) {
  if (actionIds.length === 0) return []
  const rows = await db
    .updateTable('plan_actions as a')
    .set({ status: 'cancelled', status_reason: reason, updated_at: at, version: sql`a.version + 1` })
    .where('a.person_id', '=', personId)
    .where('a.id', 'in', actionIds)
    .where('a.status', 'in', [...UNFINISHED_STATUSES])
    .returning('a.id')
    .execute()
  return rows.map((r) => r.id)
}
