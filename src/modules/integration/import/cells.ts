import { z } from 'zod'
import {
  canonicalCro,
  canonicalPnc,
  CRN,
  formatCro,
  formatPnc,
  NOMS_NUMBER,
} from '../../people/identifiers.js'
import { BadDate, parseInstant } from '../event-dates.js'

/**
 * Parsers for the cells of a legacy extract, each with a GOV.UK-style message and a short
 * problem kind (for the summary's count by kind). A blank cell is an absent value.
 */

/** A cell that cannot be read: what to tell the person fixing the file, and its kind. */
export class Bad {
  constructor(
    readonly message: string,
    readonly kind: string,
  ) {}
}

export type Check<T> = (value: string) => T | Bad

function cell<T>(check: Check<T>, missing: string | null) {
  return z
    .string()
    .optional()
    .transform((raw, ctx): T | null => {
      const value = raw?.trim() ?? ''
      const result =
        value === '' ? (missing ? new Bad(`enter ${missing}`, 'missing value') : null) : check(value)
      if (result instanceof Bad) {
        ctx.addIssue({ code: 'custom', message: result.message, params: { kind: result.kind } })
        return z.NEVER
      }
      return result
    })
}

/** A cell that must have a value; `what` completes "enter …", e.g. 'a first name'. */
export function required<T>(what: string, check: Check<T>) {
  return cell(check, what) as unknown as z.ZodType<T, string | undefined>
}

/** A cell that may be blank (read as null). */
export function optional<T>(check: Check<T>) {
  return cell(check, null)
}

export const text =
  (max = 500): Check<string> =>
  (value) =>
    value.length <= max ? value : new Bad(`enter no more than ${max} characters`, 'too long')

export const crn: Check<string> = (value) => {
  const upper = value.toUpperCase()
  return CRN.test(upper)
    ? upper
    : new Bad('enter a CRN: a letter and six digits, for example X123456', 'not a CRN')
}

export const nomsNumber: Check<string> = (value) => {
  const upper = value.toUpperCase()
  return NOMS_NUMBER.test(upper)
    ? upper
    : new Bad(
        'enter a prison number: a letter, four digits and two letters, for example A1234BC',
        'not a prison number',
      )
}

const PNC_EXAMPLE = formatPnc(2004, 46583)
const CRO_EXAMPLE = formatCro(12345, 98)

export const pncNumber: Check<string> = (value) => {
  const canonical = canonicalPnc(value)
  if (canonical) return canonical
  return /^\d{2,4}\/?\d{1,7}[A-Z]$/i.test(value.trim())
    ? new Bad(
        `the PNC number's check letter is wrong: check the year, serial number and letter (a real one looks like ${PNC_EXAMPLE})`,
        'wrong PNC check letter',
      )
    : new Bad(
        `enter a PNC number: year, serial number and check letter, for example ${PNC_EXAMPLE}`,
        'not a PNC number',
      )
}

export const croNumber: Check<string> = (value) => {
  const canonical = canonicalCro(value)
  if (canonical) return canonical
  return /^(\d{1,6}\/\d{2}|SF\d{2}\/\d{1,6})[A-Z]$/i.test(value.trim())
    ? new Bad(
        `the CRO number's check letter is wrong: check the serial number, year and letter (a real one looks like ${CRO_EXAMPLE})`,
        'wrong CRO check letter',
      )
    : new Bad(
        `enter a CRO number: serial number, year and check letter, for example ${CRO_EXAMPLE}`,
        'not a CRO number',
      )
}

const POSTCODE = /^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$/

export const postcode: Check<string> = (value) => {
  const match = POSTCODE.exec(value.toUpperCase().replace(/\s+/g, ' '))
  return match
    ? `${match[1]} ${match[2]}`
    : new Bad('enter a real postcode, for example M14 5RT', 'not a postcode')
}

/** A calendar date as YYYY-MM-DD; legacy extracts also write dates as DD/MM/YYYY. */
export function isoDate(value: string): string | null {
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(value)
  const uk = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(value)
  const [y, m, d] = iso ? [iso[1], iso[2], iso[3]] : uk ? [uk[3], uk[2], uk[1]] : []
  if (!y || !m || !d) return null
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)))
  if (date.getUTCMonth() !== Number(m) - 1 || date.getUTCFullYear() < 1900 || date.getUTCFullYear() > 2200)
    return null
  return date.toISOString().slice(0, 10)
}

export const date: Check<string> = (value) =>
  isoDate(value) ?? new Bad('enter a real date, for example 1990-03-27', 'not a real date')

export const dateOfBirth: Check<string> = (value) => {
  const day = isoDate(value)
  if (!day) return new Bad('enter a real date, for example 1990-03-27', 'not a real date')
  return day < new Date().toISOString().slice(0, 10)
    ? day
    : new Bad('the date of birth must be in the past', 'date of birth not in the past')
}

/** An instant, as an ISO string in UTC; a time without a zone is UK time. */
export const instant: Check<string> = (value) => {
  const uk = /^(\d{1,2})\/(\d{1,2})\/(\d{4})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(value)
  const text = uk
    ? `${uk[3]}-${uk[2]!.padStart(2, '0')}-${uk[1]!.padStart(2, '0')}T${uk[4]!.padStart(2, '0')}:${uk[5]}:${uk[6] ?? '00'}`
    : value
  try {
    if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(text)) throw new BadDate('no time')
    return parseInstant(text).toISOString()
  } catch (error) {
    if (!(error instanceof BadDate)) throw error
    return new Bad(
      'enter a real date and time, for example 2024-03-27T14:30 (UK time) or 2024-03-27T13:30:00Z',
      'not a real date and time',
    )
  }
}

export const wholeNumber =
  (min: number, max: number): Check<number> =>
  (value) =>
    /^\d+$/.test(value) && Number(value) >= min && Number(value) <= max
      ? Number(value)
      : new Bad(`enter a whole number from ${min} to ${max}`, 'not a whole number')

/** One of a fixed list; `aliases` accepts the other spellings legacy systems use. */
export const oneOf =
  <T extends string>(values: readonly T[], aliases: Record<string, T> = {}): Check<T> =>
  (value) => {
    const key = value.toLowerCase().replace(/[\s-]+/g, '_')
    const found = values.find((v) => v === key) ?? aliases[key]
    return found ?? new Bad(`enter one of: ${values.join(', ')}`, 'not an allowed value')
  }

export const email: Check<string> = (value) =>
  /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)
    ? value.toLowerCase()
    : new Bad('enter an email address, for example name@example.gov.uk', 'not an email address')

/** Other names, "First Last; First Last": the last word of each is the last name. */
export const aliases: Check<{ firstName: string; lastName: string }[]> = (value) => {
  const names = value
    .split(';')
    .map((n) => n.trim().split(/\s+/))
    .filter((words) => words.join('') !== '')
  if (names.length > 10 || names.some((words) => words.length < 2 || words.join(' ').length > 200))
    return new Bad(
      'write up to 10 other names, each as first and last name, separated by semicolons, for example Bob Smith; Robert Smyth',
      'not a list of names',
    )
  return names.map((words) => ({ firstName: words.slice(0, -1).join(' '), lastName: words.at(-1)! }))
}
