import { sql } from 'kysely'
import type { Queryable, Tx } from '../../platform/database/database.js'
import {
  caseloadSql,
  LEVELS,
  levelSql,
  mediansSql,
  peopleSql,
  periodsSql,
  teamCountsSql,
  type FigureRow,
  type Moments,
} from './figures.repository.js'

const REFRESH_LOCK = 7243015
const PEOPLE = sql.raw('dashboard_people')
const TEAMS = sql.raw('dashboard_teams')

/**
 * Replaces the stored figures with freshly counted ones, in one transaction: readers keep the
 * old figures until it commits. Returns null without counting when another process holds the
 * refresh, or refreshed less than `minimumAgeMs` ago.
 *
 * Three statements, each over a temporary table with statistics: everyone's facts; every count
 * by team and cohort; then the sums for delivery units, regions and the nation, and the medians,
 * stored as one row of figures per area, cohort and period. (Counted in a single statement, the
 * planner cannot see how few groups there are, and sorts a million rows instead of hashing them.)
 */
export async function rebuildFigures(tx: Tx, moments: Moments, minimumAgeMs: number) {
  const started = Date.now()
  const lock = await sql<{ ok: boolean }>`select pg_try_advisory_xact_lock(${REFRESH_LOCK}) as ok`.execute(tx)
  if (!lock.rows[0]?.ok) return null
  const last = await lastRefresh(tx)
  if (last && moments.now.getTime() - last.refreshed_at.getTime() < minimumAgeMs) return null
  // A batch job over everyone: room to count in memory, hashing rather than sorting (the
  // planner expects ten cohorts a person where there are one or two, so would sort a million
  // rows to group them). (JIT is off for every session: SESSION_OPTIONS.)
  await sql`set local work_mem = '128MB'`.execute(tx)
  await sql`set local enable_sort = off`.execute(tx)
  await sql`create temporary table ${PEOPLE} on commit drop as ${peopleSql('everyone', moments.today)}`.execute(
    tx,
  )
  await sql`analyze ${PEOPLE}`.execute(tx)
  await sql`create temporary table ${TEAMS} on commit drop as ${teamCountsSql(PEOPLE, moments)}`.execute(tx)
  await sql`analyze ${TEAMS}`.execute(tx)
  await sql`delete from dashboard_figures`.execute(tx)
  const inserted = await sql`insert into dashboard_figures (level, area_id, cohort_id, period, figures)
    with ${periodsSql(moments)}
    select f.level, f.area_id, f.cohort_id, f.period,
      coalesce(jsonb_object_agg(f.measure || '|' || f.key, f.value) filter (where f.value is not null), '{}')
        || coalesce(jsonb_object_agg(f.measure || '|' || f.key || '|median', f.median)
          filter (where f.median is not null), '{}')
    from (
      ${sql.join(
        LEVELS.map((level) => levelSql(TEAMS, level)),
        sql` union all `,
      )}
      union all ${mediansSql(PEOPLE, moments)}
    ) f
    group by f.level, f.area_id, f.cohort_id, f.period`.execute(tx)
  const figures = Number(inserted.numAffectedRows ?? 0)
  await sql`insert into dashboard_refreshes (id, refreshed_at, took_ms, figures)
    values (true, ${moments.now}, ${Date.now() - started}, ${figures})
    on conflict (id) do update set refreshed_at = excluded.refreshed_at, took_ms = excluded.took_ms,
      figures = excluded.figures`.execute(tx)
  return { figures, tookMs: Date.now() - started }
}

export async function lastRefresh(db: Queryable) {
  const { rows } = await sql<{ refreshed_at: Date; took_ms: number; figures: number }>`
    select refreshed_at, took_ms, figures from dashboard_refreshes`.execute(db)
  return rows[0] ?? null
}

/** A practitioner's own caseload, counted now. */
export async function caseloadFigures(
  db: Queryable,
  leadUserId: string,
  moments: Moments,
): Promise<FigureRow[]> {
  const { rows } = await caseloadSql(leadUserId, moments).execute(db)
  return rows
}
