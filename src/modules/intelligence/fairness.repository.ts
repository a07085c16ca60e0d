import { sql, type RawBuilder } from 'kysely'
import type { Queryable } from '../../platform/database/database.js'

/**
 * Counts for the fairness view, set-based: one pass over people for the population of each
 * group, and one pass over a period's flags (or suggestions) joined to people, grouped by rule
 * and by sex, ethnicity and age band together through GROUPING SETS.
 */

export type Dimension = 'sex' | 'ethnicity' | 'age' | 'all'

/** An age band, by age in completed years on the day the view is for. */
export interface AgeBand {
  label: string
  /** The youngest age in the band. */
  from: number
}

/** People born on or before this day are `years` old or more on `day`. */
function bornOnOrBefore(day: string, years: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number]
  const date = new Date(Date.UTC(y - years, m - 1, d))
  // On 29 February, in a year without one, the last such birthday was 28 February.
  const day0 = date.getUTCMonth() === m - 1 ? date : new Date(Date.UTC(y - years, m - 1 + 1, 0))
  return day0.toISOString().slice(0, 10)
}

function groupColumns(bands: AgeBand[], day: string): RawBuilder<unknown> {
  const older = [...bands].sort((a, b) => b.from - a.from)
  const cases = older.map(
    (b) => sql`when p.date_of_birth <= ${bornOnOrBefore(day, b.from)}::date then ${b.label}::text`,
  )
  const youngest = `Under ${Math.min(...bands.map((b) => b.from))}`
  return sql`p.gender as sex, coalesce(nullif(p.ethnicity, ''), 'Not recorded') as ethnicity,
    case ${sql.join(cases, sql` `)} else ${youngest}::text end as age_band`
}

const DIMENSION = sql<Dimension>`case when grouping(sex) = 0 then 'sex' when grouping(ethnicity) = 0
  then 'ethnicity' when grouping(age_band) = 0 then 'age' else 'all' end`
const GROUP = sql<string>`coalesce(case when grouping(sex) = 0 then sex when grouping(ethnicity) = 0
  then ethnicity when grouping(age_band) = 0 then age_band end, 'All')`

/** How many people (living records, not merged away) are in each group. */
export async function countPopulation(db: Queryable, bands: AgeBand[], day: string) {
  const { rows } = await sql<{ dimension: Dimension; grp: string; people: number }>`
    with p as (select ${groupColumns(bands, day)} from people p where p.merged_into is null)
    select ${DIMENSION} as dimension, ${GROUP} as grp, count(*)::int as people
    from p group by grouping sets ((sex), (ethnicity), (age_band), ())`.execute(db)
  return rows
}

/** What is counted: flags raised by rules, or suggestions made, with the outcomes that matter. */
export const SUBJECTS = {
  flag: {
    table: 'flags',
    at: 'raised_at',
    rule: 'rule_code',
    outcomes: { dismissed: sql`status = 'dismissed'` },
  },
  suggestion: {
    table: 'suggestions',
    at: 'created_at',
    rule: 'kind',
    outcomes: { accepted: sql`status = 'accepted'`, dismissed: sql`status = 'dismissed'` },
  },
} as const
export type Subject = keyof typeof SUBJECTS

export interface CountRow {
  /** null for every rule together. */
  rule: string | null
  dimension: Dimension
  grp: string
  /** Distinct people with at least one. */
  people: number
  items: number
  accepted: number
  dismissed: number
}

/**
 * For each rule and for all rules together, in each group: how many people had at least one
 * flag (or suggestion) in [from, to), how many there were, and how many were dismissed or accepted.
 */
export async function countBySubject(
  db: Queryable,
  subject: Subject,
  filter: { from: Date; to: Date; rule: string | null },
  bands: AgeBand[],
  day: string,
) {
  const s = SUBJECTS[subject]
  const outcomes = s.outcomes as Record<string, RawBuilder<unknown>>
  const outcome = (name: string) => (outcomes[name] ? sql`count(*) filter (where ${outcomes[name]})` : sql`0`)
  // x: one row per person and rule; xp: the same with the person's groups (people is read once);
  // then per rule (each person once per rule) and for all rules (each person once).
  const { rows } = await sql<CountRow>`
    with x as (
      select person_id, ${sql.ref(s.rule)} as rule, count(*) as items,
        ${outcome('accepted')} as accepted, ${outcome('dismissed')} as dismissed
      from ${sql.table(s.table)}
      where ${sql.ref(s.at)} >= ${filter.from}::timestamptz and ${sql.ref(s.at)} < ${filter.to}::timestamptz
        and (${filter.rule}::text is null or ${sql.ref(s.rule)} = ${filter.rule}::text)
      group by person_id, ${sql.ref(s.rule)}
    ),
    xp as (
      select x.*, ${groupColumns(bands, day)}
      from x join people p on p.id = x.person_id where p.merged_into is null
    ),
    y as (
      select person_id, sex, ethnicity, age_band, sum(items) as items, sum(accepted) as accepted,
        sum(dismissed) as dismissed
      from xp group by person_id, sex, ethnicity, age_band
    )
    select rule, ${DIMENSION} as dimension, ${GROUP} as grp, count(*)::int as people,
      sum(items)::int as items, sum(accepted)::int as accepted, sum(dismissed)::int as dismissed
    from xp group by grouping sets ((rule, sex), (rule, ethnicity), (rule, age_band), (rule))
    union all
    select null, ${DIMENSION}, ${GROUP}, count(*)::int, sum(items)::int, sum(accepted)::int, sum(dismissed)::int
    from y group by grouping sets ((sex), (ethnicity), (age_band), ())`.execute(db)
  return rows
}

/** The flag rules there are (any version), with the name of the newest. */
export async function findFlagRules(db: Queryable) {
  const { rows } = await sql<{ code: string; name: string }>`
    select distinct on (code) code, name from rules order by code, version desc`.execute(db)
  return rows
}
