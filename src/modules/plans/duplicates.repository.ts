import { sql, type SqlBool } from 'kysely'
import { accessFor } from '../../platform/access/access.js'
import type { Actor } from '../../platform/access/actor.js'
import type { Queryable } from '../../platform/database/database.js'
import { categoryOf } from './plans.repository.js'

/** Duplicate work: the same service for the same person from two agencies. */

/**
 * Other agencies' actions of the same service type for the person that are still open, or were
 * created (and not cancelled) since `windowStart`.
 */
export function findDuplicateCandidates(
  db: Queryable,
  c: { personId: string; actionId: string; serviceType: string; agencyId: string; windowStart: Date },
) {
  return db
    .selectFrom('plan_actions as a')
    .select(['a.id', 'a.owner_agency_id', 'a.owner_user_id', 'a.description'])
    .where('a.person_id', '=', c.personId)
    .where('a.id', '<>', c.actionId)
    .where('a.service_type', '=', c.serviceType)
    .where('a.owner_agency_id', '<>', c.agencyId)
    .where((eb) =>
      eb.or([
        eb('a.status', 'in', ['not_started', 'in_progress']),
        eb.and([eb('a.created_at', '>=', c.windowStart), eb('a.status', '<>', 'cancelled')]),
      ]),
    )
    .execute()
}

/** Records a pair once, whichever of the two was saved last; null if already recorded. */
export async function insertDuplicate(
  db: Queryable,
  d: { personId: string; serviceType: string; actionIds: [string, string]; at: Date },
) {
  const [first, second] = [...d.actionIds].sort() as [string, string]
  const row = await db
    .insertInto('duplicate_services')
    .values({
      person_id: d.personId,
      service_type: d.serviceType,
      first_action_id: first,
      second_action_id: second,
      detected_at: d.at,
      resolved_by: null,
      resolution: null,
    })
    .onConflict((oc) => oc.columns(['person_id', 'first_action_id', 'second_action_id']).doNothing())
    .returning('id')
    .executeTakeFirst()
  return row?.id ?? null
}

/** Whether the actor may see the action aliased `alias` (o = its objective, p = the person). */
function visibleAction(actor: Actor, alias: string, objective: string) {
  return sql<SqlBool>`(p.lead_agency_id = ${actor.agencyId}::uuid
    or ${categoryOf(`${objective}.pathway`)} = any(access.categories)
    or ${sql.ref(`${alias}.owner_agency_id`)} = ${actor.agencyId}::uuid)`
}

/** Open duplicates of a person's actions: for each, the other action, and whether the actor may see it. */
export function findOpenDuplicates(db: Queryable, actor: Actor, personId: string) {
  return db
    .selectFrom('duplicate_services as d')
    .innerJoin('people as p', 'p.id', 'd.person_id')
    .innerJoin(accessFor(actor, 'p'), (join) => join.onTrue())
    .innerJoin('plan_actions as a1', (j) =>
      j.onRef('a1.person_id', '=', 'd.person_id').onRef('a1.id', '=', 'd.first_action_id'),
    )
    .innerJoin('plan_objectives as o1', (j) =>
      j.onRef('o1.person_id', '=', 'a1.person_id').onRef('o1.id', '=', 'a1.objective_id'),
    )
    .innerJoin('agencies as g1', 'g1.id', 'a1.owner_agency_id')
    .innerJoin('plan_actions as a2', (j) =>
      j.onRef('a2.person_id', '=', 'd.person_id').onRef('a2.id', '=', 'd.second_action_id'),
    )
    .innerJoin('plan_objectives as o2', (j) =>
      j.onRef('o2.person_id', '=', 'a2.person_id').onRef('o2.id', '=', 'a2.objective_id'),
    )
    .innerJoin('agencies as g2', 'g2.id', 'a2.owner_agency_id')
    .where('d.person_id', '=', personId)
    .where('d.status', '=', 'open')
    .select([
      'd.id',
      'd.service_type',
      'd.detected_at',
      'a1.id as first_id',
      'g1.name as first_agency',
      visibleAction(actor, 'a1', 'o1').as('first_visible'),
      'a2.id as second_id',
      'g2.name as second_agency',
      visibleAction(actor, 'a2', 'o2').as('second_visible'),
    ])
    .execute()
}

export function findDuplicate(db: Queryable, personId: string, id: string) {
  return db
    .selectFrom('duplicate_services as d')
    .innerJoin('plan_actions as a1', (j) =>
      j.onRef('a1.person_id', '=', 'd.person_id').onRef('a1.id', '=', 'd.first_action_id'),
    )
    .innerJoin('plan_actions as a2', (j) =>
      j.onRef('a2.person_id', '=', 'd.person_id').onRef('a2.id', '=', 'd.second_action_id'),
    )
    .select([
      'd.id',
      'd.status',
      'd.service_type',
      'a1.owner_agency_id as first_agency_id',
      'a2.owner_agency_id as second_agency_id',
    ])
    .where('d.person_id', '=', personId)
    .where('d.id', '=', id)
    .executeTakeFirst()
}

/** Resolves an open duplicate; false if it was already resolved. */
export async function resolveDuplicate(
  db: Queryable,
  r: { personId: string; id: string; userId: string; resolution: string; at: Date },
) {
  const result = await db
    .updateTable('duplicate_services')
    .set({ status: 'resolved', resolved_by: r.userId, resolved_at: r.at, resolution: r.resolution })
    .where('person_id', '=', r.personId)
    .where('id', '=', r.id)
    .where('status', '=', 'open')
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/**
 * Open duplicates across the people the actor may see (optionally one cohort's current members),
 * only where the actor may see both actions.
 */
export function findDuplicateReport(db: Queryable, actor: Actor, cohortId: string | null) {
  let query = db
    .selectFrom('duplicate_services as d')
    .innerJoin('people as p', 'p.id', 'd.person_id')
    .innerJoin(accessFor(actor, 'p'), (join) => join.onTrue())
    .innerJoin('plan_actions as a1', (j) =>
      j.onRef('a1.person_id', '=', 'd.person_id').onRef('a1.id', '=', 'd.first_action_id'),
    )
    .innerJoin('plan_objectives as o1', (j) =>
      j.onRef('o1.person_id', '=', 'a1.person_id').onRef('o1.id', '=', 'a1.objective_id'),
    )
    .innerJoin('agencies as g1', 'g1.id', 'a1.owner_agency_id')
    .innerJoin('plan_actions as a2', (j) =>
      j.onRef('a2.person_id', '=', 'd.person_id').onRef('a2.id', '=', 'd.second_action_id'),
    )
    .innerJoin('plan_objectives as o2', (j) =>
      j.onRef('o2.person_id', '=', 'a2.person_id').onRef('o2.id', '=', 'a2.objective_id'),
    )
    .innerJoin('agencies as g2', 'g2.id', 'a2.owner_agency_id')
    .where('d.status', '=', 'open')
    .where('p.merged_into', 'is', null)
    .where(visibleAction(actor, 'a1', 'o1'))
    .where(visibleAction(actor, 'a2', 'o2'))
    .select([
      'd.id',
      'd.person_id',
      'd.service_type',
      'd.detected_at',
      'p.crn',
      'p.first_name',
      'p.last_name',
      'g1.name as first_agency',
      'g2.name as second_agency',
    ])
    .orderBy('d.detected_at', 'desc')
    .limit(500)
  if (cohortId)
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom('cohort_memberships as m')
          .select('m.person_id')
          .whereRef('m.person_id', '=', 'p.id')
          .where('m.cohort_id', '=', cohortId)
          .where('m.ended_on', 'is', null),
      ),
    )
  return query.execute()
}

export function findCohorts(db: Queryable) {
  return db.selectFrom('cohorts').select(['id', 'name']).orderBy('name').execute()
}
