import { describe, expect, it } from 'vitest'
import { count, hiddenCells, rateOf } from './suppression.js'

describe('small-number suppression', () => {
  it('hides counts from 1 to 4 and shows 0 and 5', () => {
    expect([0, 1, 4, 5].map(count)).toEqual([
      { value: 0, suppressed: false },
      { value: 0, suppressed: true },
      { value: 0, suppressed: true },
      { value: 5, suppressed: false },
    ])
  })

  it('hides the next smallest count when one hidden count could be found by subtraction', () => {
    expect([...hiddenCells([12, 2])].sort()).toEqual([0, 1])
    expect([...hiddenCells([40, 3, 9, 0])].sort()).toEqual([1, 2])
    // Two hidden counts adding up to less than 5 could still be pinned down: hide another.
    expect([...hiddenCells([1, 1, 7, 30])].sort()).toEqual([0, 1, 2])
    // Hidden counts adding up to 5 or more, two or more of them, are safe as they are.
    expect([...hiddenCells([3, 4, 50])].sort()).toEqual([0, 1])
    expect(hiddenCells([0, 6, 50]).size).toBe(0)
  })

  it('hides a rate with its count or its base, and marks a disparity only with enough to go on', () => {
    expect(rateOf(3, 100, 0.1)).toEqual({
      count: { value: 0, suppressed: true },
      rate: null,
      ratio: null,
      disparity: null,
    })
    expect(rateOf(20, 100, 0.1, { count: false, base: true }).rate).toBeNull()
    expect(rateOf(20, 100, 0.1)).toMatchObject({ rate: 0.2, disparity: 'higher' })
    expect(rateOf(20, 100, 0.1).ratio).toBeCloseTo(2)
    expect(rateOf(0, 1000, 0.1)).toMatchObject({ rate: 0, ratio: 0, disparity: 'lower' })
    // None among 10 where 0.1 would be expected at the overall rate: too little to say.
    expect(rateOf(0, 10, 0.01)).toMatchObject({ ratio: 0, disparity: null })
  })
})
