import type { FigureRow } from './figures.repository.js'
import type { Level, PeriodCode } from './dashboards.schema.js'
import { ftaRate, Figures, sum } from './figure-set.js'
import { Cells, hasHidden, type Row, type Table } from './tables.js'

const LEVEL_NAMES: Record<string, string> = { region: 'Region', pdu: 'Delivery unit', team: 'Team' }

/**
 * The areas one level down, side by side: people, failed-to-attend rate, flags raised and
 * overdue plan actions, each linking to its own dashboard with the same cohort and period.
 */
export function childrenTable(input: {
  level: Exclude<Level, 'caseload'>
  areas: { id: string; code: string; name: string }[]
  rows: FigureRow[]
  cohortId: string | null
  period: PeriodCode
  hide: boolean
  query: { cohort: string | undefined; period: PeriodCode }
}): { table: Table; hidden: boolean } {
  const c = new Cells(input.hide)
  const byArea = new Map<string, FigureRow[]>()
  for (const r of input.rows) byArea.set(r.area_id ?? '', [...(byArea.get(r.area_id ?? '') ?? []), r])
  const cohort = input.cohortId
  const rows: Row[] = input.areas.map((area) => {
    const f = new Figures(byArea.get(area.id) ?? [], input.period)
    const params = new URLSearchParams({ area: `${input.level}:${area.code}` })
    if (input.query.cohort) params.set('cohort', input.query.cohort)
    params.set('period', input.query.period)
    return {
      header: area.name,
      href: `/dashboards?${params.toString()}`,
      cells: [
        c.count(sum(f.keys(cohort, 'caseload').map((k) => f.value(cohort, 'caseload', k)))),
        ftaRate(f, c, cohort),
        c.count(sum(f.keys(cohort, 'flags', 'raised:').map((k) => f.value(cohort, 'flags', `raised:${k}`)))),
        c.count(
          sum(f.keys(cohort, 'plans', 'overdue:').map((k) => f.value(cohort, 'plans', `overdue:${k}`))),
        ),
      ],
    }
  })
  const table = {
    caption: `By ${LEVEL_NAMES[input.level]!.toLowerCase()}`,
    columns: [
      LEVEL_NAMES[input.level]!,
      'People',
      'Failed-to-attend rate',
      'Flags raised',
      'Overdue plan actions',
    ],
    rows,
  }
  return { table, hidden: hasHidden(table) }
}
