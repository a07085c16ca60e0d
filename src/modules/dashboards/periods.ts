import { formatDate, londonDate, londonDayBounds } from '../../platform/views/format.js'
import type { Moments } from './figures.repository.js'
import { PERIOD_CODES, PERIODS, type PeriodCode } from './dashboards.schema.js'

const DAY = 86_400_000

/** The London day `days` after `iso` (YYYY-MM-DD); negative goes back. */
export function addDays(iso: string, days: number): string {
  return new Date(Date.parse(`${iso}T12:00:00Z`) + days * DAY).toISOString().slice(0, 10)
}

/**
 * Each period ends today (in London) and starts so that it holds a whole number of buckets:
 * the 4 and 13 week periods in weeks, the 52 week period in 4-week blocks. Longest last.
 */
export function momentsAt(now: Date): Moments {
  const today = londonDate(now)
  const periods = PERIOD_CODES.map((code) => {
    const startsOn = addDays(today, -(PERIODS[code].days - 1))
    return {
      code,
      startsOn,
      startsAt: londonDayBounds(new Date(`${startsOn}T12:00:00Z`)).start,
      bucketDays: PERIODS[code].bucketDays,
    }
  }).sort((a, b) => b.startsOn.localeCompare(a.startsOn))
  return { now, today, periods }
}

/** The buckets of a period in order, each labelled by its first day ("Week from 3 March"). */
export function bucketsOf(code: PeriodCode, today: string) {
  const { days, bucketDays } = PERIODS[code]
  const startsOn = addDays(today, -(days - 1))
  return Array.from({ length: days / bucketDays }, (_, index) => {
    const from = addDays(startsOn, index * bucketDays)
    const to = addDays(from, bucketDays - 1)
    const short = formatDate(from).replace(/ \d{4}$/, '')
    return {
      index,
      from,
      to,
      label: `${bucketDays === 7 ? 'Week' : '4 weeks'} from ${formatDate(from)}`,
      short,
    }
  })
}
