import type { FigureRow } from './figures.repository.js'
import type { Cell, Cells } from './tables.js'

/** Appointments the person was expected at and an attendance outcome was recorded for. */
export const EXPECTED = [
  'attended_complied',
  'attended_failed_to_comply',
  'acceptable_absence',
  'unacceptable_absence',
]

/** The figures of one area, looked up by measure and key, for everyone or one cohort. */
export class Figures {
  #values = new Map<string, { value: number; median: number | null }>()

  constructor(rows: FigureRow[], period: string) {
    for (const r of rows) {
      if (r.period !== period && r.period !== 'now') continue
      // A count and its median may come as two rows.
      const name = `${r.cohort_id ?? ''}|${r.measure}|${r.key}`
      const known = this.#values.get(name)
      this.#values.set(name, {
        value: r.value ?? known?.value ?? 0,
        median: r.median ?? known?.median ?? null,
      })
    }
  }

  value(cohortId: string | null, measure: string, key: string): number {
    return this.#values.get(`${cohortId ?? ''}|${measure}|${key}`)?.value ?? 0
  }

  median(cohortId: string | null, measure: string, key: string): number | null {
    return this.#values.get(`${cohortId ?? ''}|${measure}|${key}`)?.median ?? null
  }

  /** Keys of a measure starting with `prefix`, without it. */
  keys(cohortId: string | null, measure: string, prefix = ''): string[] {
    const start = `${cohortId ?? ''}|${measure}|${prefix}`
    return [...this.#values.keys()].filter((k) => k.startsWith(start)).map((k) => k.slice(start.length))
  }
}

export const sum = (values: number[]) => values.reduce((a, b) => a + b, 0)
export const chartValues = (cells: Cell[]) => cells.map((c) => (c.hidden ? null : (c.value ?? 0)))

/** The failed-to-attend rate: unacceptable absences of appointments with an attendance outcome. */
export function ftaRate(f: Figures, c: Cells, cohort: string | null, dependsOn: Cell[] = []): Cell {
  return c.rate(f.value(cohort, 'attendance', 'unacceptable_absence'), expectedOf(f, cohort), dependsOn)
}

/** Appointments with an attendance outcome: the failed-to-attend rate's denominator. */
export const expectedOf = (f: Figures, cohort: string | null) =>
  sum(EXPECTED.map((o) => f.value(cohort, 'attendance', o)))
