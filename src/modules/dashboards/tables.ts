/** Counts under this are hidden where small numbers could pick someone out. */
export const SUPPRESS_BELOW = 5
export const HIDDEN_TEXT = 'fewer than 5'

/** A cell of a figures table; the same cells make the HTML table and the CSV download. */
export interface Cell {
  text: string
  /** The value as a number for charts; null when hidden or not applicable. */
  value: number | null
  hidden: boolean
}

export interface Row {
  header: string
  href?: string
  total?: boolean
  cells: Cell[]
}

export interface Table {
  caption: string
  /** Column titles, the row headers' column first. */
  columns: string[]
  rows: Row[]
}

const number = new Intl.NumberFormat('en-GB')

const small = (n: number) => n > 0 && n < SUPPRESS_BELOW

const hiddenCell = (): Cell => ({ text: HIDDEN_TEXT, value: null, hidden: true })

/** Counts and the figures worked out from them, each hidden when `hide` applies and it is small. */
export class Cells {
  constructor(readonly hide: boolean) {}

  count(n: number): Cell {
    return this.hide && small(n) ? hiddenCell() : { text: number.format(n), value: n, hidden: false }
  }

  /**
   * Hides more counts so that no hidden one can be worked out by subtraction. Each equation is
   * counts and, last, their total: while one has exactly one count hidden, the smallest other
   * count in it is hidden too (or the total, when the rest are nought).
   */
  protect(equations: Cell[][]): void {
    if (!this.hide) return
    for (let changed = true; changed;) {
      changed = false
      for (const equation of equations) {
        if (equation.filter((c) => c.hidden).length !== 1) continue
        const shown = equation.filter((c) => !c.hidden && (c.value ?? 0) > 0)
        const parts = shown.filter((c) => c !== equation[equation.length - 1])
        const pick = (parts.length ? parts : shown).sort((a, b) => a.value! - b.value!)[0]
        if (!pick) continue
        Object.assign(pick, hiddenCell())
        changed = true
      }
    }
  }

  /**
   * A percentage. Hidden when either count is small, or when any cell it depends on is hidden,
   * since with the rate the hidden count could be worked out.
   */
  rate(part: number, whole: number, dependsOn: Cell[] = []): Cell {
    if (whole === 0) return { text: '–', value: null, hidden: false }
    if (this.hide && (small(part) || small(whole) || dependsOn.some((c) => c.hidden))) return hiddenCell()
    const value = Math.round((1000 * part) / whole) / 10
    return { text: `${value.toFixed(1)}%`, value, hidden: false }
  }

  /** A median (or other measure) of a count of things; hidden when that count is. */
  measureOf(count: Cell, value: number | null): Cell {
    if (count.hidden) return hiddenCell()
    if (value === null || !count.value) return { text: '–', value: null, hidden: false }
    const rounded = Math.round(value * 10) / 10
    return { text: rounded.toFixed(1), value: rounded, hidden: false }
  }
}

/** Whether any cell of the table is hidden (so the page explains why). */
export function hasHidden(table: Table): boolean {
  return table.rows.some((r) => r.cells.some((c) => c.hidden))
}

/** Spreadsheet programs run a cell starting with one of these as a formula. */
const FORMULA = /^[=+\-@\t\r]/

function csvField(text: string): string {
  const safe = FORMULA.test(text) ? `'${text}` : text
  return `"${safe.replace(/"/g, '""')}"`
}

/**
 * The table as CSV: numbers as plain digits, hidden counts as "*", with a note saying why; every
 * field quoted, and text that a spreadsheet would run as a formula prefixed with an apostrophe.
 */
export function toCsv(table: Table): string {
  const cellText = (c: Cell) =>
    c.hidden ? '*' : c.value !== null ? String(c.value) : c.text === '–' ? '' : c.text
  const lines = [
    table.columns.map(csvField).join(','),
    ...table.rows.map((r) => [csvField(r.header), ...r.cells.map((c) => csvField(cellText(c)))].join(',')),
  ]
  if (hasHidden(table))
    lines.push(csvField(`* ${HIDDEN_TEXT}: small numbers are hidden so that nobody can be identified`))
  return `${lines.join('\r\n')}\r\n`
}
