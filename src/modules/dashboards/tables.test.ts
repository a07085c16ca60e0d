import { describe, expect, it } from 'vitest'
import { Cells, toCsv, type Table } from './tables.js'

const texts = (cells: { text: string }[]) => cells.map((c) => c.text)

describe('figures tables', () => {
  it('hides counts from 1 to 4 only where hiding applies', () => {
    expect(texts([0, 1, 4, 5].map((n) => new Cells(true).count(n)))).toEqual([
      '0',
      'fewer than 5',
      'fewer than 5',
      '5',
    ])
    expect(texts([1, 1234].map((n) => new Cells(false).count(n)))).toEqual(['1', '1,234'])
  })

  it('hides one more count wherever a hidden one could be worked out by subtraction', () => {
    const c = new Cells(true)
    const row = [c.count(3), c.count(20), c.count(9), c.count(32)]
    c.protect([row])
    expect(texts(row)).toEqual(['fewer than 5', '20', 'fewer than 5', '32'])
    expect(row[1]!.hidden).toBe(false)
    expect(row[2]!.hidden).toBe(true)
  })

  it('hides the total when the other counts are nought, and leaves two hidden counts alone', () => {
    const c = new Cells(true)
    const lone = [c.count(0), c.count(2), c.count(0), c.count(2)]
    const pair = [c.count(2), c.count(3), c.count(10), c.count(15)]
    c.protect([lone, pair])
    expect(lone.map((x) => x.hidden)).toEqual([false, true, false, true])
    expect(pair.map((x) => x.hidden)).toEqual([true, true, false, false])
  })

  it('hides a rate when it would give a hidden count away', () => {
    const c = new Cells(true)
    expect(c.rate(3, 40).text).toBe('fewer than 5')
    expect(c.rate(10, 40).text).toBe('25.0%')
    expect(c.rate(10, 40, [c.count(2)]).hidden).toBe(true)
    expect(c.rate(0, 0).text).toBe('–')
    expect(new Cells(false).rate(1, 3).text).toBe('33.3%')
  })

  it('writes CSV with every field quoted, hidden counts as *, and no formulas', () => {
    const c = new Cells(true)
    const table: Table = {
      caption: 'Test',
      columns: ['Agency', 'Open', 'Rate'],
      rows: [
        { header: '=cmd|"/c calc"!A1', cells: [c.count(12), c.rate(6, 12)] },
        { header: '+plus', cells: [c.count(2), c.rate(0, 0)] },
        { header: '-minus @at', cells: [c.count(0), c.rate(0, 7)] },
      ],
    }
    expect(toCsv(table)).toBe(
      [
        '"Agency","Open","Rate"',
        `"'=cmd|""/c calc""!A1","12","50"`,
        `"'+plus","*",""`,
        `"'-minus @at","0","0"`,
        '"* fewer than 5: small numbers are hidden so that nobody can be identified"',
        '',
      ].join('\r\n'),
    )
  })
})
