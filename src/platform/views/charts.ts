/**
 * Bar charts as plain SVG, drawn on the server so they work without JavaScript. Each chart is
 * one image with a title and a description; the figures themselves belong in a table beside
 * it, which is what assistive technology reads.
 */

/** GOV.UK colours that keep 3:1 contrast with white and with each other's neighbours. */
export const CHART_COLOURS = ['#1d70b8', '#f47738', '#00703c', '#4c2c92', '#d4351c', '#505a5f', '#28a197']

export interface BarChart {
  /** Unique on the page: the title and description take their ids from it. */
  id: string
  title: string
  /** Names of the series; one colour each, and a key when there is more than one. */
  series: string[]
  /** One row (or column) of bars per category; null is a value that may not be shown. */
  categories: { label: string; values: (number | null)[] }[]
  layout?: 'grouped' | 'stacked'
  orientation?: 'horizontal' | 'vertical'
  /** How a value is written beside its bar. */
  format?: (value: number) => string
  /** What a hidden value is written as. */
  hiddenLabel?: string
  /** Width in the SVG's own units: about the pixels it will take, so its text reads at 12–14px. */
  width?: number
  /** A colour for each series, where the series have colours of their own (red for the highest risk). */
  colours?: string[]
}

export function escapeXml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  )
}

const FONT = 'font-family="GDS Transport, arial, sans-serif"'

/** Round steps for the value axis (1, 2 or 5 times a power of ten, whole numbers), up to at least `max`. */
export function axisTicks(max: number): number[] {
  const rough = Math.max(max, 1) / 4
  const magnitude = 10 ** Math.floor(Math.log10(rough))
  const step = Math.max(1, ([1, 2, 5, 10].find((s) => s * magnitude >= rough) ?? 10) * magnitude)
  const ticks = [0]
  while (ticks[ticks.length - 1]! < max) ticks.push(ticks.length * step)
  if (ticks.length === 1) ticks.push(step)
  return ticks
}

function key(chart: BarChart, y: number): string {
  if (chart.series.length < 2) return ''
  let x = 0
  return chart.series
    .map((name, s) => {
      const item =
        `<rect x="${x}" y="${y}" width="14" height="14" fill="${colourOf(chart, s)}"/>` +
        `<text x="${x + 20}" y="${y + 12}" font-size="14">${escapeXml(name)}</text>`
      x += 40 + name.length * 8
      return item
    })
    .join('')
}

const colourOf = (chart: BarChart, s: number) =>
  chart.colours?.[s] ?? CHART_COLOURS[s % CHART_COLOURS.length]!

interface Bar {
  category: number
  series: number
  value: number | null
  /** Where the bar starts along the value axis (non-zero for stacked segments). */
  from: number
}

function barsOf(chart: BarChart): { bars: Bar[]; ticks: number[]; max: number } {
  const bars: Bar[] = []
  let max = 0
  chart.categories.forEach((category, c) => {
    let from = 0
    category.values.forEach((value, s) => {
      bars.push({ category: c, series: s, value, from: chart.layout === 'stacked' ? from : 0 })
      if (chart.layout === 'stacked') from += value ?? 0
      else max = Math.max(max, value ?? 0)
    })
    max = Math.max(max, from)
  })
  const ticks = axisTicks(max)
  return { bars, ticks, max: ticks[ticks.length - 1]! }
}

function frame(chart: BarChart, height: number, body: string): string {
  const summary =
    `${chart.categories.length} ${chart.categories.length === 1 ? 'bar' : 'groups of bars'}` +
    (chart.series.length > 1 ? ` for ${chart.series.join(', ')}` : '') +
    '. The figures are in the table with this chart.'
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${chart.width ?? 640} ${height}" role="img" aria-labelledby="${chart.id}-title ${chart.id}-desc" ${FONT}>
<title id="${chart.id}-title">${escapeXml(chart.title)}</title>
<desc id="${chart.id}-desc">${escapeXml(summary)}</desc>
${body}
</svg>`
}

/** A bar chart: categories down the side (horizontal) or along the bottom (vertical). */
export function barChart(chart: BarChart): string {
  // Nothing to draw: the page says so in words instead.
  if (chart.categories.every((c) => c.values.every((v) => v === 0))) return ''
  return chart.orientation === 'vertical' ? columns(chart) : rows(chart)
}

/** A label cut to `max` characters, with an ellipsis, so it cannot run off the chart. */
const fit = (label: string, max: number) => (label.length > max ? `${label.slice(0, max - 1)}…` : label)

function rows(chart: BarChart): string {
  const WIDTH = chart.width ?? 640
  const format = chart.format ?? String
  const hidden = chart.hiddenLabel ?? 'fewer than 5'
  const stacked = chart.layout === 'stacked'
  const perCategory = stacked ? 1 : chart.series.length
  const barHeight = perCategory > 1 ? 14 : 20
  const groupHeight = perCategory * barHeight + 12
  const longest = Math.max(...chart.categories.map((c) => c.label.length))
  const left = Math.min(WIDTH * 0.4, Math.max(60, longest * 7.5 + 12))
  const right = 90
  const top = chart.series.length > 1 ? 54 : 30
  const { bars, ticks, max } = barsOf(chart)
  const scale = (v: number) => (v / max) * (WIDTH - left - right)
  const height = top + chart.categories.length * groupHeight + 10
  const axis = ticks
    .map((t) => {
      const x = (left + scale(t)).toFixed(1)
      return (
        `<line x1="${x}" x2="${x}" y1="${top - 6}" y2="${height - 10}" stroke="#b1b4b6"/>` +
        `<text x="${x}" y="${top - 10}" font-size="12" text-anchor="middle">${escapeXml(format(t))}</text>`
      )
    })
    .join('')
  const labels = chart.categories
    .map(
      (c, i) =>
        `<text x="${left - 8}" y="${top + i * groupHeight + (perCategory * barHeight) / 2 + 5}" font-size="14" text-anchor="end">${escapeXml(fit(c.label, Math.floor((left - 12) / 7.5)))}</text>`,
    )
    .join('')
  const drawn = bars
    .map((b) => {
      const y = top + b.category * groupHeight + (stacked ? 0 : b.series * barHeight)
      const name = `${chart.categories[b.category]!.label}${chart.series.length > 1 ? `, ${chart.series[b.series]}` : ''}`
      if (b.value === null)
        return stacked ? '' : `<text x="${left + 4}" y="${y + barHeight - 4}" font-size="12">${hidden}</text>`
      const x = left + scale(b.from)
      const w = scale(b.value)
      const label = stacked ? '' : barLabel(x + w + 4, y + barHeight - 4, format(b.value))
      return `<rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${barHeight - 2}" fill="${colourOf(chart, b.series)}" stroke="#ffffff"><title>${escapeXml(`${name}: ${format(b.value)}`)}</title></rect>${label}`
    })
    .join('')
  const totals = stacked
    ? chart.categories
        .map((c, i) => {
          const shown = c.values.filter((v): v is number => v !== null)
          const total = shown.reduce((a, b) => a + b, 0)
          const suffix = shown.length < c.values.length ? ` + ${hidden}` : ''
          return barLabel(
            left + scale(total) + 4,
            top + i * groupHeight + barHeight - 4,
            format(total) + suffix,
          )
        })
        .join('')
    : ''
  return frame(chart, height, `${key(chart, 4)}${axis}${labels}${drawn}${totals}`)
}

const barLabel = (x: number, y: number, text: string) =>
  `<text x="${x.toFixed(1)}" y="${y}" font-size="12">${escapeXml(text)}</text>`

function columns(chart: BarChart): string {
  const WIDTH = chart.width ?? 640
  const format = chart.format ?? String
  const stacked = chart.layout === 'stacked'
  const perCategory = stacked ? 1 : chart.series.length
  const left = 50
  const top = chart.series.length > 1 ? 44 : 16
  const plot = 220
  const height = top + plot + 56
  const groupWidth = (WIDTH - left - 10) / chart.categories.length
  const barWidth = Math.max(2, (groupWidth - 8) / perCategory)
  const { bars, ticks, max } = barsOf(chart)
  const scale = (v: number) => (v / max) * plot
  const baseline = top + plot
  const axis = ticks
    .map((t) => {
      const y = (baseline - scale(t)).toFixed(1)
      return (
        `<line x1="${left}" x2="${WIDTH - 10}" y1="${y}" y2="${y}" stroke="#b1b4b6"/>` +
        `<text x="${left - 6}" y="${y}" dy="4" font-size="12" text-anchor="end">${escapeXml(format(t))}</text>`
      )
    })
    .join('')
  // Every label when they fit; otherwise every second or third, so none overlap.
  const every = Math.ceil(chart.categories.length / Math.max(1, Math.floor((WIDTH - left) / 70)))
  const labels = chart.categories
    .map((c, i) =>
      i % every === 0
        ? `<text x="${(left + i * groupWidth + groupWidth / 2).toFixed(1)}" y="${baseline + 20}" font-size="12" text-anchor="middle">${escapeXml(c.label)}</text>`
        : '',
    )
    .join('')
  const drawn = bars
    .map((b) => {
      if (b.value === null) return ''
      const x = left + b.category * groupWidth + 4 + (stacked ? 0 : b.series * barWidth)
      const h = scale(b.value)
      const y = baseline - scale(b.from) - h
      const name = `${chart.categories[b.category]!.label}${chart.series.length > 1 ? `, ${chart.series[b.series]}` : ''}`
      return `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(barWidth - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="${colourOf(chart, b.series)}" stroke="#ffffff"><title>${escapeXml(`${name}: ${format(b.value)}`)}</title></rect>`
    })
    .join('')
  return frame(
    chart,
    height,
    `${key(chart, 4)}${axis}<line x1="${left}" x2="${WIDTH - 10}" y1="${baseline}" y2="${baseline}" stroke="#0b0c0c"/>${labels}${drawn}`,
  )
}
