import { AGENCY_KIND_NAMES, type AgencyKind } from '../../platform/access/actor.js'
import { barChart } from '../../platform/views/charts.js'
import { chartValues, expectedOf, type Figures, ftaRate, sum } from './figure-set.js'
import { FULL_WIDTH, view, type MeasureContext, type MeasureView } from './measure-view.js'
import type { Cells, Row } from './tables.js'

const HOUSING = [
  ['settled', 'Settled'],
  ['transitional', 'Transitional'],
  ['homeless', 'Homeless'],
  ['not_known', 'Not known'],
] as const

export function accommodation(f: Figures, c: Cells, cohort: string | null): MeasureView {
  const points = [
    ['release', 'On the day of release'],
    ['three_months', 'Three months after release'],
  ] as const
  const counts = points.map(([point]) =>
    HOUSING.map(([kind]) => f.value(cohort, 'accommodation', `${point}:${kind}`)),
  )
  const rows: Row[] = points.map(([, label], i) => ({
    header: label,
    cells: [...counts[i]!, sum(counts[i]!)].map((n) => c.count(n)),
  }))
  c.protect(rows.map((r) => r.cells))
  for (const [i, row] of rows.entries())
    row.cells.push(c.rate(counts[i]![0]!, sum(counts[i]!), [row.cells[0]!, row.cells[HOUSING.length]!]))
  const chart = barChart({
    id: 'chart-accommodation',
    title: 'Accommodation of people released, on release and three months later',
    series: HOUSING.map(([, label]) => label),
    colours: ['#00703c', '#1d70b8', '#d4351c', '#505a5f'],
    layout: 'stacked',
    width: FULL_WIDTH,
    categories: rows.map((r) => ({ label: r.header, values: chartValues(r.cells.slice(0, HOUSING.length)) })),
  })
  return view(
    'accommodation',
    {
      title: 'Settled accommodation on release and at three months',
      description:
        'Releases from custody in the period, and releases whose three months ended in the period, by where the person lived: settled (their own or a family home), transitional (approved premises, temporary), homeless, or not known.',
      summary: `Settled on release ${rows[0]!.cells[5]!.text}, at three months ${rows[1]!.cells[5]!.text}`,
    },
    {
      caption: 'Releases by accommodation',
      columns: ['When', ...HOUSING.map(([, label]) => label), 'Releases', 'Settled (%)'],
      rows,
    },
    chart,
  )
}

export function cohortOutcomes(f: Figures, c: Cells, ctx: MeasureContext): MeasureView {
  const shown = ctx.cohortId ? ctx.cohorts.filter((k) => k.id === ctx.cohortId) : ctx.cohorts
  const rows: Row[] = shown.map((k) => {
    const expected = c.count(expectedOf(f, k.id))
    return {
      header: k.name,
      cells: [
        c.count(f.value(k.id, 'cohorts', 'members')),
        c.count(f.value(k.id, 'cohorts', 'joined')),
        c.count(f.value(k.id, 'cohorts', 'left')),
        expected,
        ftaRate(f, c, k.id, [expected]),
      ],
    }
  })
  const chart = barChart({
    id: 'chart-cohorts',
    title: 'Members of each cohort now',
    series: ['Members'],
    width: FULL_WIDTH,
    categories: rows.map((r) => ({ label: r.header, values: chartValues(r.cells.slice(0, 1)) })),
  })
  return view(
    'cohorts',
    {
      title: 'Cohort outcomes',
      description:
        'Each cohort’s members now, who joined and left in the period, and the failed-to-attend rate of its current members.',
      summary: `${rows.length} ${rows.length === 1 ? 'cohort' : 'cohorts'}`,
    },
    {
      caption: 'Cohorts',
      columns: [
        'Cohort',
        'Members now',
        'Joined',
        'Left',
        'Appointments with an outcome',
        'Failed-to-attend rate',
      ],
      rows,
    },
    chart,
  )
}

export function plans(f: Figures, c: Cells, ctx: MeasureContext): MeasureView {
  const cohort = ctx.cohortId
  const groups = new Map<string, { open: number; overdue: number }>()
  for (const agencyId of f.keys(cohort, 'plans', 'open:')) {
    const agency = ctx.agencies.get(agencyId)
    const name = !agency
      ? 'Unknown agency'
      : ctx.byAgencyKind
        ? (AGENCY_KIND_NAMES[agency.kind as AgencyKind] ?? agency.kind)
        : agency.name
    const group = groups.get(name) ?? { open: 0, overdue: 0 }
    group.open += f.value(cohort, 'plans', `open:${agencyId}`)
    group.overdue += f.value(cohort, 'plans', `overdue:${agencyId}`)
    groups.set(name, group)
  }
  const ordered = [...groups].sort((a, b) => b[1].overdue - a[1].overdue || a[0].localeCompare(b[0]))
  const rows: Row[] = ordered.map(([name, g]) => ({
    header: name,
    cells: [c.count(g.open), c.count(g.overdue)],
  }))
  const open = sum(ordered.map(([, g]) => g.open))
  const overdue = sum(ordered.map(([, g]) => g.overdue))
  const all: Row = { header: 'All agencies', total: true, cells: [c.count(open), c.count(overdue)] }
  c.protect([0, 1].map((k) => [...rows, all].map((r) => r.cells[k]!)))
  for (const [i, row] of [...rows, all].entries()) {
    const g = ordered[i]?.[1] ?? { open, overdue }
    row.cells.push(c.rate(g.overdue, g.open, row.cells))
  }
  const agencyWord = ctx.byAgencyKind ? 'kind of agency' : 'agency'
  const chart = barChart({
    id: 'chart-plans',
    title: `Overdue plan actions by owning ${agencyWord}`,
    series: ['Overdue actions'],
    width: FULL_WIDTH,
    categories: rows.map((r) => ({ label: r.header, values: chartValues(r.cells.slice(1, 2)) })),
  })
  return view(
    'plans',
    {
      title: 'Plan actions overdue by agency',
      description:
        'Open actions in case plans (not started or in progress) now, and those past their due date.',
      summary: `${all.cells[1]!.text} overdue of ${all.cells[0]!.text} open`,
    },
    {
      caption: `Open plan actions by owning ${agencyWord}`,
      columns: [ctx.byAgencyKind ? 'Kind of agency' : 'Agency', 'Open', 'Overdue', 'Overdue (%)'],
      rows: [...rows, all],
    },
    chart,
  )
}
