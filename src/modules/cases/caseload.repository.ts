import { sql } from 'kysely'
import type { Actor, DataCategory } from '../../platform/access/actor.js'
import type { Queryable } from '../../platform/database/database.js'
import { preferGenericPlans } from './workload.repository.js'

export const CASELOAD_SORTS = ['name', 'risk', 'tier', 'stage', 'next', 'flags', 'overdue'] as const
export type CaseloadSort = (typeof CASELOAD_SORTS)[number]

export interface CaseloadFilters {
  risk?: string | undefined
  tier?: string | undefined
  stage?: string | undefined
  flagged?: boolean | undefined
  overdue?: boolean | undefined
}

export interface CaseloadRow {
  id: string
  crn: string
  first_name: string
  last_name: string
  is_lead: boolean
  role: string
  categories: DataCategory[]
  rosh_level: string | null
  tier: string | null
  stage: string | null
  next_appointment: Date | null
  active_flags: number | null
  overdue_actions: number | null
}

/**
 * Each sort as one of two keys (a number or a text), so that every order shares one statement
 * text and so one cached plan; withheld and empty values go last whichever way the column is sorted.
 */
function sortKeys(sort: CaseloadSort) {
  return {
    num: sql`case ${sort}
      when 'risk' then array_position(array['low', 'medium', 'high', 'very_high'], c.rosh_level)::float8
      when 'next' then extract(epoch from c.next_appointment)::float8
      when 'flags' then c.active_flags::float8
      when 'overdue' then c.overdue_actions::float8 end`,
    text: sql`case ${sort} when 'name' then c.last_name || ' ' || c.first_name
      when 'tier' then c.tier when 'stage' then c.stage end`,
  }
}

/**
 * The people `ownerUserId` is allocated to (lead or co-worker) as `actor` may see them, with
 * each column's value only where the actor's access shares its category: risk and tier (risk),
 * stage (sentence), next appointment and overdue plan actions and tasks (supervision), active
 * flags (risk). Filtering and sorting use the same masked values, so neither can reveal what
 * the page withholds. One statement: the stages on the whole caseload (for the filter) and the
 * filtered, sorted rows.
 */
export async function findCaseload(
  db: Queryable,
  actor: Actor,
  ownerUserId: string,
  query: { filters: CaseloadFilters; sort: CaseloadSort; descending: boolean },
  now: Date,
  today: string,
): Promise<{ total: number; stages: string[]; rows: CaseloadRow[] }> {
  const f = query.filters
  const key = sortKeys(query.sort)
  const desc = query.descending
  // A caseload is a few dozen rows whatever the parameters: one plan per connection serves them.
  await preferGenericPlans(db)
  const { rows } = await sql<CaseloadRow & { total: number; stages: string[] }>`
    with mine as (
      select distinct on (al.person_id) al.person_id, al.is_lead, al.role
      from allocations al
      where al.user_id = ${ownerUserId} and al.ended_at is null
      order by al.person_id, al.is_lead desc, al.started_at
    ),
    caseload as (
      select p.id, p.crn, p.first_name, p.last_name, m.is_lead, m.role, access.categories,
        case when 'risk' = any(access.categories) then p.rosh_level end as rosh_level,
        case when 'risk' = any(access.categories) then p.tier end as tier,
        case when 'sentence' = any(access.categories) then coalesce(
          (select pp.stage_code from person_processes pp
            where pp.person_id = p.id and pp.ended_at is null order by pp.started_at desc limit 1),
          case p.custody_status
            when 'in_custody' then 'in_custody'
            when 'released_on_licence' then 'on_licence'
            when 'unlawfully_at_large' then 'unlawfully_at_large'
            when 'order_ended' then 'order_ended'
            else 'community_supervision' end) end as stage,
        case when 'supervision' = any(access.categories) then (
          select min(a.starts_at) from appointments a
          where a.person_id = p.id and a.starts_at > ${now} and a.outcome is null) end as next_appointment,
        case when 'risk' = any(access.categories) then (
          select count(*)::int from flags fl
          where fl.person_id = p.id and fl.status in ('raised', 'acknowledged')) end as active_flags,
        case when 'supervision' = any(access.categories) then (
          (select count(*)::int from plan_actions pa where pa.person_id = p.id
            and pa.status in ('not_started', 'in_progress') and pa.due_on < ${today}::date)
          + (select count(*)::int from tasks t where t.person_id = p.id
            and t.status = 'open' and t.due_on < ${today}::date)) end as overdue_actions
      from mine m
      join people p on p.id = m.person_id and p.merged_into is null
      cross join lateral (select * from person_access(p, ${actor.userId}::uuid) offset 0) access
    ),
    facets as (
      select (select count(*)::int from caseload) as total,
        array(select distinct stage from caseload where stage is not null order by 1) as stages
    )
    select facets.total, facets.stages, r.*
    from facets
    left join lateral (
      select * from caseload c
      where (${f.risk ?? null}::text is null or c.rosh_level = ${f.risk ?? null}::text)
        and (${f.tier ?? null}::text is null or left(c.tier, 1) = ${f.tier ?? null}::text)
        and (${f.stage ?? null}::text is null or c.stage = ${f.stage ?? null}::text)
        and (not ${!!f.flagged}::boolean or c.active_flags > 0)
        and (not ${!!f.overdue}::boolean or c.overdue_actions > 0)
      order by case when ${desc}::boolean then ${key.num} end desc nulls last,
        case when not ${desc}::boolean then ${key.num} end asc nulls last,
        case when ${desc}::boolean then ${key.text} end desc nulls last,
        case when not ${desc}::boolean then ${key.text} end asc nulls last,
        c.last_name, c.first_name, c.crn
    ) r on true`.execute(db)
  const first = rows[0]
  return {
    total: first?.total ?? 0,
    stages: first?.stages ?? [],
    rows: rows.filter((r) => r.id !== null),
  }
}

/** A member of one of `teamIds`, for a manager looking at their caseload. */
export async function findTeamMember(db: Queryable, teamIds: string[], userId: string) {
  if (teamIds.length === 0) return null
  return (
    (await db
      .selectFrom('users as u')
      .innerJoin('team_members as tm', 'tm.user_id', 'u.id')
      .select(['u.id', 'u.display_name'])
      .where('u.id', '=', userId)
      .where('tm.team_id', 'in', teamIds)
      .executeTakeFirst()) ?? null
  )
}

export async function findTeamNames(db: Queryable, teamIds: string[]) {
  if (teamIds.length === 0) return []
  return db.selectFrom('teams').select(['id', 'name']).where('id', 'in', teamIds).orderBy('name').execute()
}
