import type { FigureRow } from './figures.repository.js'
import type { Measure, PeriodCode } from './dashboards.schema.js'
import { hasHidden, type Table } from './tables.js'

export interface MeasureContext {
  rows: FigureRow[]
  cohortId: string | null
  period: PeriodCode
  today: string
  hide: boolean
  cohorts: { id: string; code: string; name: string }[]
  agencies: Map<string, { name: string; kind: string }>
  /** Nationally, plan actions are grouped by kind of agency rather than listed by agency. */
  byAgencyKind: boolean
}

export interface MeasureView {
  measure: Measure
  title: string
  description: string
  summary: string
  table: Table
  chart: string
  /** A narrow table goes beside its chart; a wide one below it. */
  beside: boolean
  hidden: boolean
}

/** Chart widths in SVG units, about the pixels a full-width and a half-width column give them. */
export const FULL_WIDTH = 900
export const HALF_WIDTH = 460

export function view(
  measure: Measure,
  text: { title: string; description: string; summary: string },
  table: Table,
  chart: string,
  beside = false,
): MeasureView {
  return { measure, ...text, table, chart, beside, hidden: hasHidden(table) }
}
