import { sql } from 'kysely'
import { ConflictError } from '../../errors.js'
import type { Queryable } from '../../platform/database/database.js'

export interface ResponsibilityRow {
  id: string
  cohort_id: string | null
  region_id: string | null
  pathway: string | null
  task_type: string | null
  lead_agency_kind: string
  allocation_role: string | null
  notes: string
  version: number
}

/**
 * Every row that can apply to this cohort: its own (any area) and those for any cohort; the
 * caller picks the most specific for the area it shows.
 */
export function responsibilitiesFor(db: Queryable, cohortId: string): Promise<ResponsibilityRow[]> {
  return db
    .selectFrom('responsibilities')
    .select([
      'id',
      'cohort_id',
      'region_id',
      'pathway',
      'task_type',
      'lead_agency_kind',
      'allocation_role',
      'notes',
      'version',
    ])
    .where((eb) => eb.or([eb('cohort_id', '=', cohortId), eb('cohort_id', 'is', null)]))
    .execute()
}

export interface Scope {
  cohortId: string
  regionId: string | null
  pathway: string | null
  taskType: string | null
}

/** Adds a row; if someone else added one for the same scope meanwhile, that is a conflict. */
export async function insertResponsibility(
  db: Queryable,
  scope: Scope,
  v: { lead: string; role: string | null },
) {
  const row = await db
    .insertInto('responsibilities')
    .values({
      cohort_id: scope.cohortId,
      region_id: scope.regionId,
      pathway: scope.pathway,
      task_type: scope.taskType,
      lead_agency_kind: v.lead,
      allocation_role: v.role,
    })
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst()
  if (!row) throw new ConflictError('Someone else set this responsibility while you were editing it')
}

export async function updateResponsibility(
  db: Queryable,
  id: string,
  version: number,
  v: { lead: string; role: string | null },
) {
  const result = await db
    .updateTable('responsibilities')
    .set({
      lead_agency_kind: v.lead,
      allocation_role: v.role,
      version: sql`version + 1`,
      updated_at: sql`now()`,
    })
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst()
  if (Number(result.numUpdatedRows) === 0) throw new ConflictError()
}

export async function deleteResponsibility(db: Queryable, id: string, version: number) {
  const result = await db
    .deleteFrom('responsibilities')
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst()
  if (Number(result.numDeletedRows) === 0) throw new ConflictError()
}

/**
 * The responsibility that applies to a pathway or task type for someone in these cohorts and
 * this area: cohort and area beat cohort alone, which beats the area's default, which beats
 * the national default.
 */
export async function mostSpecific(
  db: Queryable,
  q: { cohortIds: string[]; regionId: string | null; pathway?: string; taskType?: string },
) {
  let query = db
    .selectFrom('responsibilities')
    .select(['lead_agency_kind', 'allocation_role', 'cohort_id', 'region_id'])
    .where((eb) =>
      eb.or([
        eb('cohort_id', 'is', null),
        ...(q.cohortIds.length ? [eb('cohort_id', 'in', q.cohortIds)] : []),
      ]),
    )
    .where((eb) =>
      eb.or([eb('region_id', 'is', null), ...(q.regionId ? [eb('region_id', '=', q.regionId)] : [])]),
    )
  query = q.pathway ? query.where('pathway', '=', q.pathway) : query.where('task_type', '=', q.taskType ?? '')
  return query
    .orderBy(sql`cohort_id is not null`, 'desc')
    .orderBy(sql`region_id is not null`, 'desc')
    .orderBy('cohort_id')
    .limit(1)
    .executeTakeFirst()
}
