import { londonDate } from '../../platform/views/format.js'

/**
 * Dates as the HMPPS systems actually send them. Upstream payloads mix ISO 8601 with an
 * offset, ISO with a Java zone id suffix (`2023-06-19T10:00:00+01:00[Europe/London]`), local
 * ISO times with no offset (meant as UK time), plain dates, and Java `Date.toString()`
 * (`Mon Jun 19 00:00:00 BST 2023`), so every date goes through here.
 */

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i
const JAVA =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) ([A-Z]{1,5}) (\d{4})$/
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
/** Zone abbreviations Java prints for the UK systems; anything else is refused, not guessed. */
const ZONE_OFFSETS: Record<string, number> = { GMT: 0, UTC: 0, UT: 0, Z: 0, BST: 60 }

export class BadDate extends Error {}

const londonParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
})

/** The offset of UK time from UTC, in minutes, at a UTC instant. */
function londonOffsetAt(utcMs: number): number {
  const parts = londonParts.formatToParts(new Date(utcMs))
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value)
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'))
  return Math.round((asUtc - Math.floor(utcMs / 60_000) * 60_000) / 60_000)
}

/** A wall-clock time in the UK as a UTC instant (the later reading when clocks go back). */
function fromLondonTime(wallMs: number): Date {
  const guess = wallMs - londonOffsetAt(wallMs) * 60_000
  return new Date(wallMs - londonOffsetAt(guess) * 60_000)
}

function checkedUtc(year: number, month: number, day: number, hour: number, minute: number, second: number) {
  const ms = Date.UTC(year, month - 1, day, hour, minute, second)
  const d = new Date(ms)
  if (
    d.getUTCFullYear() !== year ||
    d.getUTCMonth() !== month - 1 ||
    d.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  )
    throw new BadDate('not a real date or time')
  return ms
}

/** Parses an instant in any of the shapes above; times without a zone are UK times. */
export function parseInstant(value: unknown): Date {
  if (typeof value !== 'string' || value.trim() === '') throw new BadDate('missing')
  const text = value.trim().replace(/\[[A-Za-z_/+-]+\]$/, '')
  const iso = ISO.exec(text)
  if (iso) {
    const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zone] = iso
    const wall = checkedUtc(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s))
    const ms = wall + Math.floor(Number(`0.${fraction || '0'}`) * 1000)
    if (!zone) return fromLondonTime(ms)
    if (zone.toUpperCase() === 'Z') return new Date(ms)
    const sign = zone.startsWith('-') ? -1 : 1
    const digits = zone.slice(1).replace(':', '')
    const offset = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)))
    return new Date(ms - offset * 60_000)
  }
  const java = JAVA.exec(text)
  if (java) {
    const [, mon, d, h, mi, s, zone, y] = java
    const offset = ZONE_OFFSETS[zone!]
    if (offset === undefined) throw new BadDate(`unknown time zone ${zone}`)
    const wall = checkedUtc(Number(y), MONTHS.indexOf(mon!) + 1, Number(d), Number(h), Number(mi), Number(s))
    return new Date(wall - offset * 60_000)
  }
  throw new BadDate(`not a date this service understands: ${JSON.stringify(value.slice(0, 60))}`)
}

/** The UK calendar date of an instant or date string, as YYYY-MM-DD. */
export function parseLocalDate(value: unknown): string {
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value.trim())) {
    const [y, m, d] = value.trim().split('-').map(Number)
    checkedUtc(y!, m!, d!, 0, 0, 0)
    return value.trim()
  }
  return londonDate(parseInstant(value))
}
