import { barChart } from '../../platform/views/charts.js'
import { chartValues, EXPECTED, Figures, ftaRate, sum } from './figure-set.js'
import { accommodation, cohortOutcomes, plans } from './outcome-measures.js'
import { bucketsOf } from './periods.js'
import { Cells, type Row } from './tables.js'
import { FULL_WIDTH, HALF_WIDTH, view, type MeasureContext, type MeasureView } from './measure-view.js'

const ROSH = [
  ['very_high', 'Very high', '#d4351c'],
  ['high', 'High', '#f47738'],
  ['medium', 'Medium', '#1d70b8'],
  ['low', 'Low', '#00703c'],
  ['not_assessed', 'Not assessed', '#505a5f'],
] as const

const OUTCOMES = [
  ['attended_complied', 'Attended and complied', 'Complied'],
  ['attended_failed_to_comply', 'Attended, failed to comply', 'Failed to comply'],
  ['acceptable_absence', 'Acceptable absence', 'Acceptable absence'],
  ['unacceptable_absence', 'Failed to attend (unacceptable absence)', 'Failed to attend'],
  ['rescheduled', 'Rescheduled', 'Rescheduled'],
  ['cancelled', 'Cancelled', 'Cancelled'],
  ['not_recorded', 'Outcome not recorded', 'Not recorded'],
] as const

const SEVERITIES = [
  ['critical', 'Critical'],
  ['high', 'High'],
  ['medium', 'Medium'],
  ['low', 'Low'],
  ['all', 'All flags'],
] as const

/** Tiers in order of priority (A3 first), then anything else, then not assessed. */
function tierOrder(a: string, b: string): number {
  const rank = (t: string) =>
    t === 'not_assessed' ? 'Z' : /^[A-D][0-3]$/.test(t) ? `${t[0]}${3 - Number(t[1])}` : `Y${t}`
  return rank(a).localeCompare(rank(b))
}

/** Every measure's table and chart, in the order the page shows them. */
export function buildMeasures(ctx: MeasureContext): MeasureView[] {
  const f = new Figures(ctx.rows, ctx.period)
  const c = new Cells(ctx.hide)
  const cohort = ctx.cohortId
  return [
    caseload(f, c, cohort),
    flags(f, c, ctx),
    acknowledgement(f, c, cohort),
    attendance(f, c, cohort),
    accommodation(f, c, cohort),
    cohortOutcomes(f, c, ctx),
    plans(f, c, ctx),
  ]
}

function caseload(f: Figures, c: Cells, cohort: string | null): MeasureView {
  const count = (rosh: string, tier: string) => f.value(cohort, 'caseload', `${rosh}:${tier}`)
  const tiers = [...new Set(f.keys(cohort, 'caseload').map((k) => k.split(':')[1]!))].sort(tierOrder)
  const rows: Row[] = tiers.map((tier) => {
    const counts = ROSH.map(([rosh]) => count(rosh, tier))
    return {
      header: tier === 'not_assessed' ? 'Not assessed' : `Tier ${tier}`,
      cells: [...counts, sum(counts)].map((n) => c.count(n)),
    }
  })
  const totals = ROSH.map(([rosh]) => sum(tiers.map((tier) => count(rosh, tier))))
  const total = c.count(sum(totals))
  const all: Row = { header: 'All tiers', total: true, cells: [...totals.map((n) => c.count(n)), total] }
  c.protect([
    ...[...rows, all].map((r) => r.cells),
    ...ROSH.map((_, i) => [...rows, all].map((r) => r.cells[i]!)),
    [...rows, all].map((r) => r.cells[ROSH.length]!),
  ])
  const chart = barChart({
    id: 'chart-caseload',
    title: 'People by tier, each bar split by risk of serious harm',
    series: ROSH.map(([, label]) => label),
    colours: ROSH.map(([, , colour]) => colour),
    layout: 'stacked',
    width: FULL_WIDTH,
    categories: rows.map((r) => ({ label: r.header, values: chartValues(r.cells.slice(0, -1)) })),
  })
  return view(
    'caseload',
    {
      title: 'Caseload by risk and tier',
      description: 'People supervised now (not those whose order has ended), by tier and RoSH level.',
      summary: `${total.text} people`,
    },
    {
      caption: 'People by tier and risk of serious harm (RoSH)',
      columns: ['Tier', ...ROSH.map(([, label]) => `RoSH ${label.toLowerCase()}`), 'Total'],
      rows: [...rows, all],
    },
    chart,
  )
}

function flags(f: Figures, c: Cells, ctx: MeasureContext): MeasureView {
  const cohort = ctx.cohortId
  const kinds = [
    ['raised', 'Raised'],
    ['resolved', 'Resolved'],
    ['dismissed', 'Dismissed'],
  ] as const
  const buckets = bucketsOf(ctx.period, ctx.today)
  const counts = buckets.map((b) => kinds.map(([kind]) => f.value(cohort, 'flags', `${kind}:${b.index}`)))
  const rows: Row[] = buckets.map((b, i) => ({ header: b.label, cells: counts[i]!.map((n) => c.count(n)) }))
  const all: Row = {
    header: 'Whole period',
    total: true,
    cells: kinds.map((_, k) => c.count(sum(counts.map((row) => row[k]!)))),
  }
  c.protect(kinds.map((_, k) => [...rows, all].map((r) => r.cells[k]!)))
  const chart = barChart({
    id: 'chart-flags',
    title: 'Flags raised, resolved and dismissed in each part of the period',
    series: kinds.map(([, label]) => label),
    orientation: 'vertical',
    width: FULL_WIDTH,
    categories: buckets.map((b, i) => ({ label: b.short, values: chartValues(rows[i]!.cells) })),
  })
  return view(
    'flags',
    {
      title: 'Flags raised and resolved',
      description:
        'Flags raised by the rules, and flags closed as resolved or dismissed, by when it happened.',
      summary: `${all.cells[0]!.text} raised, ${all.cells[1]!.text} resolved`,
    },
    {
      caption: 'Flags by week or 4-week block',
      columns: ['From', ...kinds.map(([, l]) => l)],
      rows: [...rows, all],
    },
    chart,
  )
}

function acknowledgement(f: Figures, c: Cells, cohort: string | null): MeasureView {
  // Counts are stored by severity, and the row for all flags is their sum; medians come for both.
  const count = (state: string, severity: string): number =>
    severity === 'all'
      ? sum(SEVERITIES.filter(([s]) => s !== 'all').map(([s]) => count(state, s)))
      : f.value(cohort, 'acknowledgement', `${state}:${severity}`)
  const counts = SEVERITIES.map(([severity]) => ({
    acknowledged: c.count(count('acknowledged', severity)),
    waiting: c.count(count('not_acknowledged', severity)),
  }))
  c.protect([counts.map((x) => x.acknowledged), counts.map((x) => x.waiting)])
  const rows: Row[] = SEVERITIES.map(([severity, label], i) => ({
    header: label,
    total: severity === 'all',
    cells: [
      counts[i]!.acknowledged,
      c.measureOf(counts[i]!.acknowledged, f.median(cohort, 'acknowledgement', `acknowledged:${severity}`)),
      counts[i]!.waiting,
    ],
  }))
  const median = rows[rows.length - 1]!.cells[1]!
  const chart = barChart({
    id: 'chart-acknowledgement',
    title: 'Median hours from a flag being raised to its acknowledgement, by severity',
    series: ['Median hours'],
    width: FULL_WIDTH,
    categories: rows.map((r) => ({ label: r.header, values: chartValues(r.cells.slice(1, 2)) })),
  })
  return view(
    'acknowledgement',
    {
      title: 'Time to acknowledge flags',
      description:
        'For flags raised in the period: the median time until someone acknowledged them, and how many nobody has.',
      summary: median.text === '–' ? 'No flags acknowledged' : `Median ${median.text} hours`,
    },
    {
      caption: 'Flags raised in the period, by severity',
      columns: ['Severity', 'Acknowledged', 'Median time to acknowledge (hours)', 'Not acknowledged'],
      rows,
    },
    chart,
  )
}

function attendance(f: Figures, c: Cells, cohort: string | null): MeasureView {
  const counts = OUTCOMES.map(([outcome]) => f.value(cohort, 'attendance', outcome))
  const rows: Row[] = OUTCOMES.map(([, label], i) => ({ header: label, cells: [c.count(counts[i]!)] }))
  const all: Row = { header: 'All appointments', total: true, cells: [c.count(sum(counts))] }
  c.protect([[...rows, all].map((r) => r.cells[0]!)])
  const expected = OUTCOMES.flatMap(([outcome], i) =>
    EXPECTED.includes(outcome) ? [rows[i]!.cells[0]!] : [],
  )
  const rate = ftaRate(f, c, cohort, expected)
  const chart = barChart({
    id: 'chart-attendance',
    title: 'Appointments in the period by outcome',
    series: ['Appointments'],
    width: HALF_WIDTH,
    categories: OUTCOMES.map(([, , short], i) => ({ label: short, values: chartValues(rows[i]!.cells) })),
  })
  return view(
    'attendance',
    {
      title: 'Failed to attend',
      description:
        'Appointments due in the period by outcome. The failed-to-attend rate is unacceptable absences out of appointments with an attendance outcome (attended, or absent with or without an acceptable reason).',
      summary: `Failed-to-attend rate ${rate.text}`,
    },
    { caption: 'Appointments by outcome', columns: ['Outcome', 'Appointments'], rows: [...rows, all] },
    chart,
    true,
  )
}
