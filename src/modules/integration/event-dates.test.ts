import { describe, expect, it } from 'vitest'
import { BadDate, parseInstant, parseLocalDate } from './event-dates.js'

describe('dates from upstream systems', () => {
  it.each([
    ['2023-06-19T10:15:30Z', '2023-06-19T10:15:30.000Z'],
    ['2023-06-19T10:15:30+01:00', '2023-06-19T09:15:30.000Z'],
    ['2023-06-19T10:15:30.123456789+01:00', '2023-06-19T09:15:30.123Z'],
    ['2023-06-19T10:15:30+01:00[Europe/London]', '2023-06-19T09:15:30.000Z'],
    ['2023-01-19T10:15:30+00:00[Europe/London]', '2023-01-19T10:15:30.000Z'],
    ['2023-06-19T10:15:30-0500', '2023-06-19T15:15:30.000Z'],
    // No offset: UK wall-clock time, summer and winter.
    ['2023-06-19T10:15:30', '2023-06-19T09:15:30.000Z'],
    ['2023-12-19T10:15:30.5', '2023-12-19T10:15:30.500Z'],
    ['2023-06-19', '2023-06-18T23:00:00.000Z'],
    // Java Date.toString() in the zone the server ran in.
    ['Mon Jun 19 00:00:00 BST 2023', '2023-06-18T23:00:00.000Z'],
    ['Thu Jan 05 14:30:00 GMT 2023', '2023-01-05T14:30:00.000Z'],
    ['Thu Jan 05 14:30:00 UTC 2023', '2023-01-05T14:30:00.000Z'],
  ])('reads %s', (text, expected) => {
    expect(parseInstant(text).toISOString()).toBe(expected)
  })

  it('takes the later reading of a UK time that happens twice when the clocks go back', () => {
    // 01:30 on 29 October 2023 happened at 00:30Z (BST) and again at 01:30Z (GMT).
    expect(parseInstant('2023-10-29T01:30:00').toISOString()).toBe('2023-10-29T01:30:00.000Z')
    expect(parseInstant('2023-03-26T12:00:00').toISOString()).toBe('2023-03-26T11:00:00.000Z')
  })

  it.each([
    ['', 'missing'],
    [null, 'missing'],
    [42, 'missing'],
    ['2023-02-30T10:00:00Z', 'not a real date'],
    ['2023-06-19T25:00:00Z', 'not a real date'],
    ['yesterday', 'not a date'],
    ['Mon Jun 19 00:00:00 PDT 2023', 'unknown time zone PDT'],
  ])('refuses %s, saying why', (text, reason) => {
    expect(() => parseInstant(text)).toThrow(BadDate)
    expect(() => parseInstant(text)).toThrow(reason)
  })

  it('gives the UK calendar date, so a midnight BST date does not slip to the day before', () => {
    expect(parseLocalDate('Mon Jun 19 00:00:00 BST 2023')).toBe('2023-06-19')
    expect(parseLocalDate('2023-06-19T23:30:00Z')).toBe('2023-06-20')
    expect(parseLocalDate('2023-06-19')).toBe('2023-06-19')
    expect(() => parseLocalDate('2023-13-01')).toThrow(BadDate)
  })
})
