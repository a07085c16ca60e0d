import { describe, expect, it } from 'vitest'
import { axisTicks, barChart } from './charts.js'

describe('bar charts', () => {
  it('picks round axis steps that reach the largest value', () => {
    expect(axisTicks(0)).toEqual([0, 1])
    expect(axisTicks(3)).toEqual([0, 1, 2, 3])
    expect(axisTicks(130)).toEqual([0, 50, 100, 150])
    expect(axisTicks(1042)).toEqual([0, 500, 1000, 1500])
  })

  it('draws one labelled image with a title and a description, escaping every label', () => {
    const svg = barChart({
      id: 'chart-test',
      title: 'Outcomes <by> "kind"',
      series: ['Appointments'],
      categories: [
        { label: 'Kept & complied', values: [12] },
        { label: 'Missed', values: [null] },
      ],
    })
    expect(svg).toContain('role="img" aria-labelledby="chart-test-title chart-test-desc"')
    expect(svg).toContain('<title id="chart-test-title">Outcomes &lt;by&gt; &quot;kind&quot;</title>')
    expect(svg).toContain('Kept &amp; complied')
    expect(svg).toContain('<title>Kept &amp; complied: 12</title>')
    // A value that may not be shown gets no bar, only the words.
    expect(svg).toContain('fewer than 5')
    expect(svg.match(/<rect /g)).toHaveLength(1)
  })

  it('stacks or groups several series, with a key, across or down the page', () => {
    const chart = {
      id: 'c',
      title: 'Two series',
      series: ['Raised', 'Resolved'],
      categories: [
        { label: 'Week 1', values: [3, 2] },
        { label: 'Week 2', values: [5, null] },
      ],
    }
    const stacked = barChart({ ...chart, layout: 'stacked' })
    expect(stacked).toContain('>Raised</text>')
    expect(stacked).toContain('5 + fewer than 5')
    const columns = barChart({ ...chart, orientation: 'vertical', colours: ['#d4351c', '#00703c'] })
    expect(columns.match(/<rect [^>]*fill="#d4351c"/g)).toHaveLength(3)
    expect(barChart({ ...chart, categories: [] })).toBe('')
    expect(barChart({ ...chart, categories: [{ label: 'None', values: [0, 0] }] })).toBe('')
  })
})
