import { sql } from 'kysely'
import type { Queryable } from '../../platform/database/database.js'
import type { Area } from './dashboards.policy.js'
import type { FigureRow } from './figures.repository.js'
import type { Level } from './dashboards.schema.js'

/** The user's teams with the delivery unit and region each is in, and their agency's region. */
export async function placesOf(db: Queryable, agencyId: string, teamIds: string[]) {
  const teams = teamIds.length
    ? await db
        .selectFrom('teams')
        .select(['id', 'pdu_id as pduId', 'region_id as regionId'])
        .where('id', 'in', teamIds)
        .execute()
    : []
  const agency = await db
    .selectFrom('agencies')
    .select('region_id')
    .where('id', '=', agencyId)
    .executeTakeFirst()
  return { teams, agencyRegionId: agency?.region_id ?? null }
}

/** A region, delivery unit or team by its code or id, with the places above it. */
export async function findArea(
  db: Queryable,
  level: 'region' | 'pdu' | 'team',
  by: { code: string } | { id: string },
): Promise<Area | undefined> {
  const match = 'code' in by ? sql`x.code = ${by.code}` : sql`x.id = ${by.id}::uuid`
  const query =
    level === 'region'
      ? sql<Area>`select x.id, x.code, x.name, null::uuid as "pduId", x.id as "regionId" from regions x where ${match}`
      : level === 'pdu'
        ? sql<Area>`select x.id, x.code, x.name, x.id as "pduId", x.region_id as "regionId"
            from probation_delivery_units x where ${match}`
        : sql<Area>`select x.id, x.code, x.name, x.pdu_id as "pduId", coalesce(x.region_id, u.region_id) as "regionId"
            from teams x left join probation_delivery_units u on u.id = x.pdu_id where ${match}`
  const { rows } = await query.execute(db)
  return rows[0] ? { ...rows[0], level } : undefined
}

/** Regions and delivery units for the area list, in name order: all of them, or those listed. */
export async function listPlaces(db: Queryable, only: { regionIds: string[]; pduIds: string[] } | 'all') {
  const all = only === 'all'
  const regionIds = all ? [] : only.regionIds
  const pduIds = all ? [] : only.pduIds
  const regions = await sql<{ id: string; code: string; name: string }>`
    select r.id, r.code, r.name from regions r
    where ${all} or r.id = any(${regionIds}::uuid[]) order by r.name`.execute(db)
  const pdus = await sql<{ id: string; code: string; name: string; regionName: string }>`
    select u.id, u.code, u.name, r.name as "regionName"
    from probation_delivery_units u join regions r on r.id = u.region_id
    where ${all} or u.region_id = any(${regionIds}::uuid[]) or u.id = any(${pduIds}::uuid[])
    order by r.name, u.name`.execute(db)
  return { regions: regions.rows, pdus: pdus.rows }
}

export async function teamsByIds(db: Queryable, ids: string[]) {
  if (ids.length === 0) return []
  return db
    .selectFrom('teams')
    .select(['id', 'code', 'name'])
    .where('id', 'in', ids)
    .orderBy('name')
    .execute()
}

/** The areas one level down: regions of the nation, delivery units of a region, teams of a delivery unit. */
export async function childAreas(db: Queryable, area: Area) {
  if (area.level === 'nation')
    return db.selectFrom('regions').select(['id', 'code', 'name']).orderBy('name').execute()
  if (area.level === 'region' && area.id)
    return db
      .selectFrom('probation_delivery_units')
      .select(['id', 'code', 'name'])
      .where('region_id', '=', area.id)
      .orderBy('name')
      .execute()
  if (area.level === 'pdu' && area.id)
    return db
      .selectFrom('teams')
      .select(['id', 'code', 'name'])
      .where('pdu_id', '=', area.id)
      .orderBy('name')
      .execute()
  return []
}

export async function activeCohorts(db: Queryable) {
  return db
    .selectFrom('cohorts')
    .select(['id', 'code', 'name'])
    .where('active', '=', true)
    .orderBy('name')
    .execute()
}

export async function agenciesByIds(db: Queryable, ids: string[]) {
  if (ids.length === 0) return []
  return db.selectFrom('agencies').select(['id', 'name', 'kind']).where('id', 'in', ids).execute()
}

/**
 * The stored figures for some areas of one level: those for the chosen cohort (or everyone),
 * plus the per-cohort figures the cohort outcomes table needs, for the period and the snapshots.
 */
export async function readFigures(
  db: Queryable,
  where: {
    level: Exclude<Level, 'caseload'>
    areaIds: string[] | null
    cohortId: string | null
    period: string
  },
): Promise<FigureRow[]> {
  const area =
    where.areaIds === null ? sql`f.area_id is null` : sql`f.area_id = any(${where.areaIds}::uuid[])`
  const cohort =
    where.cohortId === null ? sql`f.cohort_id is null` : sql`f.cohort_id = ${where.cohortId}::uuid`
  const { rows } = await sql<{
    area_id: string | null
    cohort_id: string | null
    period: string
    figures: Record<string, number>
  }>`
    select f.area_id, f.cohort_id, f.period, f.figures
    from dashboard_figures f
    where f.level = ${where.level} and ${area} and f.period in (${where.period}, 'now')
      and (${cohort} or f.cohort_id is not null)`.execute(db)
  const figures: FigureRow[] = []
  for (const row of rows) {
    const names = new Set(Object.keys(row.figures).map((name) => name.replace(/\|median$/, '')))
    for (const name of names) {
      const [measure, key] = name.split('|') as [string, string]
      if (row.cohort_id !== where.cohortId && measure !== 'cohorts' && measure !== 'attendance') continue
      figures.push({
        level: where.level,
        area_id: row.area_id,
        cohort_id: row.cohort_id,
        period: row.period,
        measure,
        key,
        value: row.figures[name] ?? null,
        median: row.figures[`${name}|median`] ?? null,
      })
    }
  }
  return figures
}
