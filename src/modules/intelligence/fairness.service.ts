import { ValidationError } from '../../errors.js'
import type { Clock } from '../../platform/clock.js'
import type { Db } from '../../platform/database/database.js'
import { humanise, londonDate, londonDayBounds } from '../../platform/views/format.js'
import { RULE_VERSIONS } from '../process/suggestions.rules.js'
import * as repo from './fairness.repository.js'
import type { FairnessQuery } from './fairness.schema.js'
import {
  count,
  hiddenCells,
  rateOf,
  shown as shownCount,
  SUPPRESS_BELOW,
  type Count,
  type Rate,
} from './suppression.js'

export { DISPARITY_RATIO, SUPPRESS_BELOW } from './suppression.js'

/**
 * The analyst's fairness view: for each rule, how often people in each group (sex, ethnicity,
 * age band) were flagged or offered a suggestion in a period, and how often those were dismissed
 * or accepted, beside the rate for everyone, so that a group treated differently stands out.
 */

export const AGE_BANDS: repo.AgeBand[] = [
  { label: '18 to 20', from: 18 },
  { label: '21 to 24', from: 21 },
  { label: '25 to 29', from: 25 },
  { label: '30 to 39', from: 30 },
  { label: '40 to 49', from: 40 },
  { label: '50 and over', from: 50 },
]
const SEX_NAMES: Record<string, string> = {
  male: 'Male',
  female: 'Female',
  non_binary: 'Non-binary',
  not_known: 'Not known',
}
const DIMENSIONS = [
  { dimension: 'sex', title: 'By sex' },
  { dimension: 'ethnicity', title: 'By ethnicity' },
  { dimension: 'age', title: 'By age band' },
] as const
const OUTCOMES = { flag: ['dismissed'], suggestion: ['accepted', 'dismissed'] } as const
type Outcome = 'accepted' | 'dismissed'

export interface GroupRow {
  group: string
  population: Count
  people: Rate
  outcomes: Record<Outcome, Rate | undefined>
}

export interface RuleSection {
  subject: repo.Subject
  rule: string | null
  name: string
  outcomes: readonly Outcome[]
  overall: GroupRow
  dimensions: { dimension: string; title: string; rows: GroupRow[] }[]
}

/** The rules an analyst may choose between: every flag rule and every suggestion rule. */
export async function fairnessRules(db: Db) {
  const flags = await repo.findFlagRules(db)
  return [
    ...flags.map((r) => ({ value: `flag:${r.code}`, text: `Flag: ${r.name}` })),
    ...Object.keys(RULE_VERSIONS).map((kind) => ({
      value: `suggestion:${kind}`,
      text: `Suggestion: ${humanise(kind)}`,
    })),
  ]
}

function groupLabel(dimension: string, group: string) {
  return dimension === 'sex' ? (SEX_NAMES[group] ?? humanise(group)) : group
}

function sections(
  subject: repo.Subject,
  rows: repo.CountRow[],
  population: Map<string, number>,
  names: Map<string | null, string>,
): RuleSection[] {
  const outcomes = OUTCOMES[subject]
  const rules = [...new Set<string | null>([null, ...rows.map((r) => r.rule).sort()])]
  return rules.map((rule) => {
    const mine = new Map(rows.filter((r) => r.rule === rule).map((r) => [`${r.dimension}|${r.grp}`, r]))
    const all = mine.get('all|All')
    const everyone = population.get('all|All') ?? 0
    // A suppressed overall figure must not be recoverable from the groups' ratios either.
    const overallRate = rateOf(all?.people ?? 0, everyone, null).rate
    const overallOutcome = (o: Outcome) => rateOf(all?.[o] ?? 0, all?.items ?? 0, null).rate
    const row = (
      dimension: string,
      group: string,
      base: number,
      r: repo.CountRow | undefined,
      hide?: Record<'base' | 'people' | Outcome, boolean>,
    ): GroupRow => {
      const h = hide ?? {
        base: false,
        people: small(r?.people),
        accepted: small(r?.accepted),
        dismissed: small(r?.dismissed),
      }
      const outcome = (o: Outcome) =>
        rateOf(r?.[o] ?? 0, r?.items ?? 0, overallOutcome(o), { count: h[o], base: h.people })
      return {
        group: groupLabel(dimension, group),
        population: hide ? shownCount(base, h.base) : count(base),
        people: rateOf(r?.people ?? 0, base, overallRate, { count: h.people, base: h.base }),
        outcomes: {
          accepted: outcomes.includes('accepted' as never) ? outcome('accepted') : undefined,
          dismissed: outcome('dismissed'),
        },
      }
    }
    // The groups of a dimension add up to the overall row, so each column is protected together.
    const table = (dimension: string, groups: [string, number][]) => {
      const found = groups.map(([key]) => mine.get(key))
      const hidden = {
        base: hiddenCells(groups.map(([, base]) => base)),
        people: hiddenCells(found.map((r) => r?.people ?? 0)),
        accepted: hiddenCells(found.map((r) => r?.accepted ?? 0)),
        dismissed: hiddenCells(found.map((r) => r?.dismissed ?? 0)),
      }
      return groups.map(([key, base], i) =>
        row(dimension, key.slice(dimension.length + 1), base, found[i], {
          base: hidden.base.has(i),
          people: hidden.people.has(i),
          accepted: hidden.accepted.has(i),
          dismissed: hidden.dismissed.has(i),
        }),
      )
    }
    return {
      subject,
      rule,
      name: names.get(rule) ?? rule ?? '',
      outcomes,
      overall: row('all', 'All', everyone, all),
      dimensions: DIMENSIONS.map(({ dimension, title }) => {
        const groups = [...population].filter(([key]) => key.startsWith(`${dimension}|`))
        if (dimension === 'age') groups.sort(([a], [b]) => bandOrder(a.slice(4)) - bandOrder(b.slice(4)))
        else groups.sort(([, a], [, b]) => b - a)
        return {
          dimension,
          title,
          rows: table(dimension, groups),
        }
      }),
    }
  })
}

const small = (n: number | undefined) => n !== undefined && n > 0 && n < SUPPRESS_BELOW
const bandOrder = (label: string) => AGE_BANDS.find((b) => b.label === label)?.from ?? 0

/** The largest and smallest ratio to the overall rate among a rule's groups, for the summary. */
export function extremes(section: RuleSection) {
  const rated = section.dimensions.flatMap((d) =>
    d.rows
      .filter((r) => r.people.ratio !== null && !r.people.count.suppressed)
      .map((r) => ({ ...r, title: d.title })),
  )
  const sorted = rated.sort((a, b) => b.people.ratio! - a.people.ratio!)
  return { highest: sorted[0] ?? null, lowest: sorted.at(-1) ?? null }
}

/**
 * The fairness figures for a rule (or every rule) over a period; by default the last 12 months.
 * @throws ValidationError when the rule is not one of the rules there are.
 */
export async function fairness(db: Db, query: FairnessQuery, clock: Clock) {
  const today = londonDate(clock.now())
  const to = query.to ?? today
  const from = query.from ?? shiftYears(to, -1)
  const rules = await fairnessRules(db)
  if (query.rule && !rules.some((r) => r.value === query.rule))
    throw new ValidationError([{ field: 'rule', message: 'Choose a rule from the list' }])
  const [subject, code] = query.rule ? (query.rule.split(':') as [repo.Subject, string]) : [null, null]
  const period = {
    from: londonDayBounds(new Date(`${from}T12:00:00Z`)).start,
    to: londonDayBounds(new Date(`${to}T12:00:00Z`)).end,
  }
  const subjects = (['flag', 'suggestion'] as const).filter((s) => !subject || subject === s)
  // Independent reads: on PostgreSQL they run side by side on the pool's connections.
  const [rows, ...counted] = await Promise.all([
    repo.countPopulation(db, AGE_BANDS, to),
    ...subjects.map((s) => repo.countBySubject(db, s, { ...period, rule: code }, AGE_BANDS, to)),
  ])
  const population = new Map(rows.map((r) => [`${r.dimension}|${r.grp}`, r.people]))
  const names = new Map<string | null, string>(
    rules.map((r) => [r.value.split(':')[1]!, r.text.replace(/^\w+: /, '')]),
  )
  const detail: RuleSection[] = []
  const summary: (RuleSection & ReturnType<typeof extremes>)[] = []
  for (const [i, s] of subjects.entries()) {
    const counts = counted[i] as repo.CountRow[]
    names.set(null, s === 'flag' ? 'All flag rules' : 'All suggestion rules')
    const [all, ...each] = sections(s, counts, population, names)
    // With one rule chosen the counts are that rule's alone, so "all rules" is that rule.
    if (code) detail.push({ ...all!, rule: code, name: names.get(code) ?? code })
    else {
      detail.push(all!)
      summary.push(...each.map((section) => ({ ...section, ...extremes(section) })))
    }
  }
  return {
    from,
    to,
    rule: query.rule ?? '',
    rules,
    detail,
    summary,
    population: count(population.get('all|All') ?? 0),
  }
}

function shiftYears(day: string, years: number) {
  const date = new Date(`${day}T12:00:00Z`)
  date.setUTCFullYear(date.getUTCFullYear() + years)
  return date.toISOString().slice(0, 10)
}
