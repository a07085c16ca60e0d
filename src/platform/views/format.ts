/** Formatting in the GOV.UK style, in Europe/London whatever the server's time zone. */

const LONDON = 'Europe/London'

const dateFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: LONDON,
  day: 'numeric',
  month: 'long',
  year: 'numeric',
})
const timeParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: LONDON,
  hour: 'numeric',
  minute: '2-digit',
  // 12-hour clock with 12 (not 0) for the hour after midday and after midnight.
  hourCycle: 'h12',
})

function toDate(value: Date | string): Date {
  // A bare date is a calendar day, not an instant: pin it to midday UTC so no zone can move it.
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)
    ? new Date(`${value}T12:00:00Z`)
    : new Date(value)
}

/** 3 March 2026 */
export function formatDate(value: Date | string | null | undefined): string {
  if (value === null || value === undefined || value === '') return ''
  return dateFormat.format(toDate(value))
}

/** 9:05am, or midday / midnight as GOV.UK style asks. */
export function formatTime(value: Date | string | null | undefined): string {
  if (!value) return ''
  const parts = timeParts.formatToParts(toDate(value))
  const hour = parts.find((p) => p.type === 'hour')?.value ?? ''
  const minute = parts.find((p) => p.type === 'minute')?.value ?? '00'
  const period = (parts.find((p) => p.type === 'dayPeriod')?.value ?? '').toLowerCase().replace(/\./g, '')
  if (hour === '12' && minute === '00') return period.startsWith('p') ? 'midday' : 'midnight'
  return `${hour}${minute === '00' ? '' : `:${minute}`}${period.replace(/\s/g, '')}`
}

/** 3 March 2026 at 9:05am */
export function formatDateTime(value: Date | string | null | undefined): string {
  if (!value) return ''
  return `${formatDate(value)} at ${formatTime(value)}`
}

const isoDayFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: LONDON,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
})

/** The calendar date in London, as YYYY-MM-DD. */
export function londonDate(value: Date): string {
  return isoDayFormat.format(value)
}

/** Whole years between a date of birth and `today` (both YYYY-MM-DD). */
export function ageOn(dateOfBirth: string, today: string): number {
  const [by, bm, bd] = dateOfBirth.split('-').map(Number) as [number, number, number]
  const [ty, tm, td] = today.split('-').map(Number) as [number, number, number]
  return ty - by - (tm < bm || (tm === bm && td < bd) ? 1 : 0)
}

/** Turns codes into sentence case labels: 'very_high' → 'Very high', 'sign-in' → 'Sign in'. */
export function humanise(code: string | null | undefined): string {
  if (!code) return ''
  const words = code.replace(/[_-]/g, ' ')
  return words.charAt(0).toUpperCase() + words.slice(1)
}

/** The instants at which the London calendar day containing `at` starts and ends. */
export function londonDayBounds(at: Date): { start: Date; end: Date } {
  const day = londonDate(at)
  const start = londonMidnight(day)
  const next = new Date(`${day}T12:00:00Z`)
  next.setUTCDate(next.getUTCDate() + 1)
  return { start, end: londonMidnight(londonDate(next)) }
}

function londonMidnight(day: string): Date {
  // London is UTC+0 or UTC+1: try both offsets and keep the one that lands on midnight there.
  for (const offset of ['+00:00', '+01:00']) {
    const candidate = new Date(`${day}T00:00:00${offset}`)
    if (londonDate(candidate) === day && formatTime(candidate) === 'midnight') return candidate
  }
  return new Date(`${day}T00:00:00Z`)
}
