import { londonDate } from '../../platform/views/format.js'

/** Clock times as people type them: 14:30, 9:05, 9.30, 2pm, 2:30pm, 12 midday. Returns minutes after midnight. */
export function parseClockTime(text: string): number | null {
  const value = text.trim().toLowerCase().replace(/\s+/g, '')
  if (value === 'midday' || value === 'noon') return 12 * 60
  if (value === 'midnight') return 0
  const match = /^(\d{1,2})(?:[:.](\d{2}))?(am|pm)?$/.exec(value)
  if (!match) return null
  const [, h, m, period] = match
  let hour = Number(h)
  const minute = Number(m ?? '0')
  if (minute > 59) return null
  if (period) {
    if (hour < 1 || hour > 12) return null
    hour = (hour % 12) + (period === 'pm' ? 12 : 0)
  } else if (hour > 23 || m === undefined) {
    // A bare number such as "9" is ambiguous without am or pm.
    return null
  }
  return hour * 60 + minute
}

const clockFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
})

/** 'HH:MM' in London for an instant, to fill a time field again. */
export function londonClock(at: Date): string {
  return clockFormat.format(at)
}

/**
 * The instant at which the London wall clock shows `minutes` past midnight on `day`; null for
 * a time that does not exist there (the hour skipped when the clocks go forward).
 */
export function londonInstant(day: string, minutes: number): Date | null {
  const hh = String(Math.floor(minutes / 60)).padStart(2, '0')
  const mm = String(minutes % 60).padStart(2, '0')
  // London is UTC+0 or UTC+1: keep the offset that lands on the wall-clock time asked for.
  for (const offset of ['+00:00', '+01:00']) {
    const candidate = new Date(`${day}T${hh}:${mm}:00${offset}`)
    if (Number.isNaN(candidate.getTime())) return null
    if (londonDate(candidate) === day && londonClock(candidate) === `${hh}:${mm}`) return candidate
  }
  return null
}

/** Adds whole days to a calendar date (YYYY-MM-DD). */
export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T12:00:00Z`)
  date.setUTCDate(date.getUTCDate() + days)
  return date.toISOString().slice(0, 10)
}

/** The Monday of the week containing `day` (weeks run Monday to Sunday in the UK). */
export function mondayOf(day: string): string {
  const weekday = new Date(`${day}T12:00:00Z`).getUTCDay()
  return addDays(day, -((weekday + 6) % 7))
}
