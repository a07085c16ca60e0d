import { sql, type RawBuilder } from 'kysely'

/** One figure: a count (and sometimes a median) for an area, cohort, period, measure and key. */
export interface FigureRow {
  level: string
  area_id: string | null
  cohort_id: string | null
  period: string
  measure: string
  key: string
  /** Null on a row that only carries a median. */
  value: number | null
  median: number | null
}

/** Where each period starts: the London day, and the instant that day began. */
export interface PeriodBounds {
  code: string
  startsOn: string
  startsAt: Date
  bucketDays: number
}

export interface Moments {
  now: Date
  /** Today in London, YYYY-MM-DD. */
  today: string
  /** Longest period last: its start bounds every scan. */
  periods: PeriodBounds[]
}

/** Everyone (for the stored figures) or one practitioner's own caseload (worked out live). */
export type Scope = 'everyone' | { leadUserId: string }

const current = (today: string) =>
  sql`m.started_on <= ${today}::date and (m.ended_on is null or m.ended_on > ${today}::date)`

/**
 * One row per person: where they are held, the cohorts they count towards (null, for everyone,
 * then each cohort they are in now, sorted so that people in the same cohorts group together),
 * and their risk, tier and status. For everyone, one pass over the memberships; for a
 * caseload, person by person.
 */
export function peopleSql(scope: Scope, today: string) {
  const columns = sql`p.id as person_id, p.lead_team_id as team_id, p.pdu_id, p.region_id,
    array[null::uuid] || coalesce(m.cohorts, '{}') as cohort_ids, p.rosh_level, p.tier, p.custody_status`
  if (scope === 'everyone')
    return sql`select ${columns} from people p
      left join (select m.person_id, array_agg(distinct m.cohort_id order by m.cohort_id) as cohorts
        from cohort_memberships m where ${current(today)} group by m.person_id) m on m.person_id = p.id
      where p.merged_into is null`
  return sql`select ${columns} from people p
    left join lateral (select array_agg(distinct m.cohort_id order by m.cohort_id) as cohorts
      from cohort_memberships m where m.person_id = p.id and ${current(today)}) m on true
    where p.merged_into is null and p.id in (select a.person_id from allocations a
      where a.user_id = ${scope.leadUserId}::uuid and a.is_lead and a.ended_at is null)`
}

/** The periods, and where people released lived on release and three months (91 days) on. */
function periodsAndReleases(people: RawBuilder<unknown>, moments: Moments) {
  const { today, periods } = moments
  const earliest = periods[periods.length - 1]!
  return sql`${periodsSql(moments)},
    checkpoints as (
      select c.person_id, c.on_day, c.point, case
          when a.best <= 2 then 'settled' when a.best <= 4 then 'transitional' when a.best = 5 then 'homeless'
          else 'not_known' end as class
      from (
        select e.person_id, e.released_on as on_day, 'release' as point from custody_episodes e
        where e.released_on >= ${earliest.startsOn}::date and e.released_on <= ${today}::date
        union all
        select e.person_id, e.released_on + 91, 'three_months' from custody_episodes e
        where e.released_on + 91 >= ${earliest.startsOn}::date and e.released_on + 91 <= ${today}::date
      ) c
      join ${people} d on d.person_id = c.person_id
      -- The best address that day: settled (their own home), transitional (approved premises,
      -- temporary), homeless; found as the lowest rank, so with no sorting per release.
      left join lateral (
        select min(array_position(array['main', 'secondary', 'approved_premises', 'temporary', 'no_fixed_abode'],
          pa.kind)) as best
        from person_addresses pa
        where pa.person_id = c.person_id and pa.starts_on <= c.on_day and (pa.ends_on is null or pa.ends_on >= c.on_day)
      ) a on true
    )`
}

/** Per-period counts from one pass over a large table: `count(*) filter (...)` for each start. */
function perPeriod(moments: Moments, at: RawBuilder<unknown>) {
  return {
    counts: sql.join(
      moments.periods.map(
        (p, i) => sql`count(*) filter (where ${at} >= ${p.startsAt}) as ${sql.raw(`n${i}`)}`,
      ),
    ),
    unpivot: sql.join(moments.periods.map((p, i) => sql`(${p.code}::text, f.${sql.raw(`n${i}`)})`)),
  }
}

const DIMS = sql`d.team_id, d.pdu_id, d.region_id, d.cohort_ids`

/**
 * Every count, by team and the set of cohorts people are in: one pass over each table however
 * many cohorts there are. Rows: measure, team_id, pdu_id, region_id, cohort_ids, period, key, n.
 */
function counted(people: RawBuilder<unknown>, moments: Moments) {
  const { now, today } = moments
  const from = moments.periods[moments.periods.length - 1]!.startsAt
  const appointments = perPeriod(moments, sql`a.starts_at`)
  return sql.join(
    [
      sql`select 'caseload' as measure, ${DIMS}, 'now' as period,
          coalesce(d.rosh_level, 'not_assessed') || ':' || coalesce(d.tier, 'not_assessed') as key, count(*) as n
        from ${people} d where d.custody_status <> 'order_ended'
        group by 2, 3, 4, 5, 7`,
      sql`select 'flags', ${DIMS}, p.period,
          e.what || ':' || (((e.at at time zone 'Europe/London')::date - p.starts_on) / p.bucket_days), count(*)
        from (
          select f.person_id, 'raised' as what, f.raised_at as at from flags f
          where f.raised_at >= ${from} and f.raised_at <= ${now}
          union all
          select f.person_id, f.status, f.closed_at from flags f
          where f.status in ('resolved', 'dismissed') and f.closed_at >= ${from} and f.closed_at <= ${now}
        ) e
        join ${people} d on d.person_id = e.person_id
        join periods p on e.at >= p.starts_at
        group by 2, 3, 4, 5, 6, 7`,
      sql`select 'acknowledgement', ${DIMS}, p.period,
          case when f.acknowledged_at is null then 'not_acknowledged:' else 'acknowledged:' end || f.severity, count(*)
        from flags f
        join ${people} d on d.person_id = f.person_id
        join periods p on f.raised_at >= p.starts_at
        where f.raised_at >= ${from} and f.raised_at <= ${now}
        group by 2, 3, 4, 5, 6, 7`,
      sql`select 'attendance', f.team_id, f.pdu_id, f.region_id, f.cohort_ids, u.period, f.key, u.n
        from (
          select ${DIMS}, coalesce(a.outcome, 'not_recorded') as key, ${appointments.counts}
          from appointments a join ${people} d on d.person_id = a.person_id
          where a.starts_at >= ${from} and a.starts_at <= ${now}
          group by 1, 2, 3, 4, 5
        ) f
        cross join lateral (values ${appointments.unpivot}) u (period, n)
        where u.n > 0`,
      sql`select 'accommodation', ${DIMS}, p.period, c.point || ':' || c.class, count(*)
        from checkpoints c
        join periods p on c.on_day >= p.starts_on
        join ${people} d on d.person_id = c.person_id
        group by 2, 3, 4, 5, 6, 7`,
      // The cohort measure is about each cohort, so it counts towards that cohort only.
      sql`select 'cohorts', d.team_id, d.pdu_id, d.region_id, array[m.cohort_id], x.period, x.key, count(*)
        from cohort_memberships m
        join ${people} d on d.person_id = m.person_id
        cross join lateral (
          select 'now' as period, 'members' as key where ${current(today)}
          union all
          select p.period, 'joined' from periods p where m.started_on >= p.starts_on and m.started_on <= ${today}::date
          union all
          select p.period, 'left' from periods p where m.ended_on >= p.starts_on and m.ended_on <= ${today}::date
        ) x
        group by 2, 3, 4, 5, 6, 7`,
      sql`select 'plans', f.team_id, f.pdu_id, f.region_id, f.cohort_ids, 'now', u.key, u.n
        from (
          select ${DIMS}, a.owner_agency_id, count(*) as open,
            count(*) filter (where a.due_on < ${today}::date) as overdue
          from plan_actions a join ${people} d on d.person_id = a.person_id
          where a.status in ('not_started', 'in_progress')
          group by 1, 2, 3, 4, 5
        ) f
        cross join lateral (values ('open:' || f.owner_agency_id, f.open), ('overdue:' || f.owner_agency_id, f.overdue)) u (key, n)
        where u.n > 0`,
    ],
    sql` union all `,
  )
}

/**
 * Every count shared out to the cohorts it is for and summed by team: the finest level, which
 * delivery units, regions and the nation are sums of. Rows: team_id, pdu_id, region_id,
 * cohort_id, period, measure, key, n.
 */
export function teamCountsSql(people: RawBuilder<unknown>, moments: Moments, withPeriods = true) {
  return sql`${withPeriods ? sql`with ${periodsAndReleases(people, moments)},` : sql`with`}
    counts (measure, team_id, pdu_id, region_id, cohort_ids, period, key, n) as (${counted(people, moments)})
    select c.team_id, c.pdu_id, c.region_id, x.cohort_id, c.period::text as period, c.measure::text as measure,
      c.key::text as key, sum(c.n)::bigint as n
    from counts c cross join lateral unnest(c.cohort_ids) x (cohort_id)
    group by 1, 2, 3, 4, 5, 6, 7`
}

export const LEVELS = ['team', 'pdu', 'region', 'nation'] as const

/** The figure rows of one level, summed from the teams' counts in `teams`. */
export function levelSql(teams: RawBuilder<unknown>, level: (typeof LEVELS)[number]) {
  const area = level === 'nation' ? null : sql.ref(`t.${level}_id`)
  return sql`select ${sql.lit(level)}::text as level, ${area ?? sql`null::uuid`} as area_id, t.cohort_id,
      t.period, t.measure, t.key, sum(t.n)::bigint as value, null::numeric as median
    from ${teams} t ${area ? sql`where ${area} is not null` : sql``}
    group by 2, 3, 4, 5, 6`
}

/**
 * Median hours to acknowledge, which need the flags one by one: for acknowledged flags raised in
 * each period, by severity and for all severities, at every level. Needs the periods CTE.
 */
export function mediansSql(people: RawBuilder<unknown>, { now, periods }: Moments) {
  const from = periods[periods.length - 1]!.startsAt
  return sql`select * from (
    select case when grouping(d.team_id) = 0 then 'team' when grouping(d.pdu_id) = 0 then 'pdu'
        when grouping(d.region_id) = 0 then 'region' else 'nation' end as level,
      case when grouping(d.team_id) = 0 then d.team_id when grouping(d.pdu_id) = 0 then d.pdu_id
        when grouping(d.region_id) = 0 then d.region_id end as area_id,
      x.cohort_id, p.period::text as period, 'acknowledgement' as measure,
      'acknowledged:' || case when grouping(f.severity) = 0 then f.severity else 'all' end as key,
      null::bigint as value, (percentile_cont(0.5) within group (order by f.hours))::numeric as median
    from (
      select f.person_id, f.raised_at, f.severity, extract(epoch from f.acknowledged_at - f.raised_at) / 3600.0 as hours
      from flags f where f.acknowledged_at is not null and f.raised_at >= ${from} and f.raised_at <= ${now}
    ) f
    join ${people} d on d.person_id = f.person_id
    join periods p on f.raised_at >= p.starts_at
    cross join lateral unnest(d.cohort_ids) x (cohort_id)
    group by x.cohort_id, p.period, rollup (f.severity), grouping sets (d.team_id, d.pdu_id, d.region_id, ())
  ) g where g.level = 'nation' or g.area_id is not null`
}

/** The periods CTE on its own, for statements that need no releases. */
export function periodsSql(moments: Moments) {
  return sql`periods (period, starts_on, starts_at, bucket_days) as (values ${sql.join(
    moments.periods.map(
      (p) => sql`(${p.code}::text, ${p.startsOn}::date, ${p.startsAt}::timestamptz, ${p.bucketDays}::int)`,
    ),
  )})`
}

/**
 * A practitioner's own caseload, counted in one statement when they open the page: a few dozen
 * people, so there is nothing to store. Figure rows at the level 'nation' (the whole caseload).
 */
export function caseloadSql(leadUserId: string, moments: Moments) {
  const mine = sql.raw('mine')
  return sql<FigureRow>`with mine as materialized (${peopleSql({ leadUserId }, moments.today)}),
    ${periodsAndReleases(mine, moments)},
    teams as (${teamCountsSql(mine, moments, false)})
    select * from (${levelSql(sql.raw('teams'), 'nation')} union all ${mediansSql(mine, moments)}) q
    where q.level = 'nation'`
}
