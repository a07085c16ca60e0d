import { sql } from 'kysely'
import type { Queryable } from '../../platform/database/database.js'

/**
 * Workload: every lead case carries points for its tier, its risk of serious harm and its case
 * type, from the weights managers set; capacity compares a practitioner's points with what a
 * full-time practitioner carries at 100%, scaled by their contracted hours.
 */

/** The case type of the person aliased `p`: licence, custody, or the current community sentence. */
export const caseTypeOf = sql<string>`case p.custody_status
  when 'released_on_licence' then 'licence'
  when 'in_custody' then 'custody'
  else coalesce((
    select s.sentence_type from sentences s
    where s.person_id = p.id and s.ended_on is null and s.sentence_type in ('community', 'suspended')
    order by s.sentenced_on desc limit 1), 'community') end`

/** The points one case of the person aliased `p` adds, given the weights aliased `w` (a CTE). */
export const casePoints = sql<number>`coalesce((select w.points from w where w.factor = 'tier' and w.value = p.tier), 0)
  + coalesce((select w.points from w where w.factor = 'rosh' and w.value = p.rosh_level), 0)
  + coalesce((select w.points from w where w.factor = 'case_type' and w.value = ${caseTypeOf}), 0)`

/**
 * For the rest of the transaction, plan each statement once per connection: the workload and
 * queue statements touch a team's few thousand rows whatever their parameters, so a cached
 * plan serves them all, and planning them (with the access function inlined) costs more than
 * running them.
 */
export async function preferGenericPlans(tx: Queryable) {
  await sql`set local plan_cache_mode = force_generic_plan`.execute(tx)
}

export interface WorkloadRow {
  team_id: string
  user_id: string
  display_name: string
  contracted_hours: number
  cases: number
  points: number
  /** Percentage of capacity; null when the practitioner has no contracted hours. */
  capacity: number | null
  overdue: number
}

/**
 * The practitioners of `teamIds` (active, with the practitioner role) with their lead cases,
 * points and capacity, in one query; with `overdue`, also the overdue plan actions and tasks
 * on their cases (on or before `today` is not overdue; before it is).
 */
export async function findTeamWorkload(
  db: Queryable,
  teamIds: string[],
  options: { overdueBefore?: string } = {},
): Promise<WorkloadRow[]> {
  if (teamIds.length === 0) return []
  const overdue = options.overdueBefore
    ? sql<number>`(select count(*) from plan_actions pa where pa.person_id = p.id
          and pa.status in ('not_started', 'in_progress') and pa.due_on < ${options.overdueBefore}::date)
        + (select count(*) from tasks t where t.person_id = p.id and t.status = 'open'
          and t.due_on < ${options.overdueBefore}::date)`
    : sql<number>`0`
  const { rows } = await sql<WorkloadRow>`
    with w as (select factor, value, points from workload_weights),
    settings as (select full_time_hours, full_time_points from workload_settings),
    staff as (
      select distinct tm.team_id, u.id, u.display_name, u.contracted_hours
      from team_members tm
      join users u on u.id = tm.user_id and u.active and u.kind = 'person'
      where tm.team_id = any(${teamIds}::uuid[])
        and exists (select 1 from user_roles r where r.user_id = u.id and r.role = 'practitioner')
    ),
    cases as (
      select al.user_id, al.person_id, ${casePoints} as points, ${overdue} as overdue
      -- A join from the team's staff (not "user_id in staff"), so each practitioner's cases come
      -- from the allocations_user index instead of a scan of every allocation in the country.
      from (select distinct id from staff) su
      join allocations al on al.user_id = su.id and al.is_lead and al.ended_at is null
      join people p on p.id = al.person_id
    ),
    per_user as (
      select user_id, count(*) as cases, sum(points) as points, sum(overdue) as overdue
      from cases group by user_id
    )
    select s.team_id, s.id as user_id, s.display_name, s.contracted_hours::float8 as contracted_hours,
      coalesce(c.cases, 0)::int as cases,
      coalesce(c.points, 0)::float8 as points,
      round(coalesce(c.points, 0) * 100
        / nullif(st.full_time_points * s.contracted_hours / st.full_time_hours, 0), 1)::float8 as capacity,
      coalesce(c.overdue, 0)::int as overdue
    from staff s
    cross join settings st
    left join per_user c on c.user_id = s.id
    order by s.team_id, capacity nulls last, s.display_name`.execute(db)
  return rows
}

/** The points a case of this person would add to a practitioner's workload. */
export async function findCasePoints(db: Queryable, personId: string): Promise<number> {
  const { rows } = await sql<{ points: number }>`
    with w as (select factor, value, points from workload_weights)
    select (${casePoints})::float8 as points from people p where p.id = ${personId}`.execute(db)
  return rows[0]?.points ?? 0
}

export interface WeightRow {
  factor: 'tier' | 'rosh' | 'case_type'
  value: string
  points: number
}

export async function findWeights(db: Queryable): Promise<WeightRow[]> {
  const rows = await db
    .selectFrom('workload_weights')
    .select(['factor', 'value', 'points'])
    .orderBy('factor')
    .orderBy('value')
    .execute()
  return rows.map((r) => ({ ...r, points: Number(r.points) }))
}

export async function findSettings(db: Queryable) {
  const row = await db
    .selectFrom('workload_settings')
    .select(['full_time_hours', 'full_time_points'])
    .executeTakeFirstOrThrow()
  return { fullTimeHours: Number(row.full_time_hours), fullTimePoints: Number(row.full_time_points) }
}

export async function updateWeight(
  db: Queryable,
  factor: WeightRow['factor'],
  value: string,
  points: number,
) {
  await db
    .updateTable('workload_weights')
    .set({ points, updated_at: sql`now()` })
    .where('factor', '=', factor)
    .where('value', '=', value)
    .execute()
}

export async function updateSettings(
  db: Queryable,
  settings: { fullTimeHours: number; fullTimePoints: number },
) {
  await db
    .updateTable('workload_settings')
    .set({
      full_time_hours: settings.fullTimeHours,
      full_time_points: settings.fullTimePoints,
      updated_at: sql`now()`,
    })
    .execute()
}
