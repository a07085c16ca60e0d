import { describe, expect, it } from 'vitest'
import {
  ageOn,
  formatDate,
  formatDateTime,
  formatTime,
  humanise,
  londonDate,
  londonDayBounds,
} from './format.js'

describe('formatting in the GOV.UK style, in London time', () => {
  it('writes dates in full, and never moves a calendar day across a zone', () => {
    expect(formatDate('2026-03-03')).toBe('3 March 2026')
    expect(formatDate('2026-06-30T23:30:00Z')).toBe('1 July 2026')
    expect(formatDate(null)).toBe('')
  })

  it('writes times on the 12-hour clock, with midday and midnight in words', () => {
    expect(formatTime('2026-01-15T09:05:00Z')).toBe('9:05am')
    expect(formatTime('2026-07-15T14:00:00Z')).toBe('3pm')
    expect(formatTime('2026-01-15T12:00:00Z')).toBe('midday')
    expect(formatTime('2026-01-15T00:00:00Z')).toBe('midnight')
    expect(formatTime('2026-01-15T12:30:00Z')).toBe('12:30pm')
    expect(formatTime('2026-01-15T00:30:00Z')).toBe('12:30am')
    expect(formatDateTime('2026-03-03T17:45:00Z')).toBe('3 March 2026 at 5:45pm')
  })

  it('counts age in whole years, birthdays included', () => {
    expect(ageOn('1996-05-17', '2026-05-16')).toBe(29)
    expect(ageOn('1996-05-17', '2026-05-17')).toBe(30)
    expect(ageOn('2000-02-29', '2026-02-28')).toBe(25)
  })

  it('finds the London day, including across the clock change', () => {
    expect(londonDate(new Date('2026-06-30T23:30:00Z'))).toBe('2026-07-01')
    const { start, end } = londonDayBounds(new Date('2026-03-29T12:00:00Z'))
    expect(start.toISOString()).toBe('2026-03-29T00:00:00.000Z')
    expect(end.toISOString()).toBe('2026-03-29T23:00:00.000Z')
  })

  it('turns codes into sentence-case labels', () => {
    expect(humanise('very_high')).toBe('Very high')
    expect(humanise('sign-in')).toBe('Sign in')
  })
})
