/**
 * Justice identifiers and their check letters, as the Core Person Record service validates them.
 * PNC: canonical `YYYY/NNNNNNNC`; CRO: `NNNNNN/YYC` or fingerprint form `SFYY/NNNNNNC`.
 * The check letter is CHECK_LETTERS[int(YY ‖ serial) mod 23].
 */

const CHECK_LETTERS = 'ZABCDEFGHJKLMNPQRTUVWXY'

export const CRN = /^[A-Z][0-9]{6}$/
export const NOMS_NUMBER = /^[A-Z][0-9]{4}[A-Z]{2}$/

function checkLetter(digits: string): string {
  // Up to 9 digits: well inside a double's exact integer range.
  return CHECK_LETTERS[Number(digits) % CHECK_LETTERS.length] as string
}

/** The PNC check letter for a year (any length; its last two digits count) and serial number. */
export function pncCheckLetter(year: string, serial: string): string {
  return checkLetter(year.slice(-2) + serial.padStart(7, '0'))
}

export function formatPnc(year: number, serial: number): string {
  const y = String(year)
  const s = String(serial).padStart(7, '0')
  return `${y}/${s}${pncCheckLetter(y, s)}`
}

/**
 * A PNC number in its canonical long form, or null if it is malformed or its check letter is
 * wrong. Accepts the short forms `YY/N…C` and `YYN…C`; two-digit years up to the current
 * year are this century, later ones last century.
 */
export function canonicalPnc(input: string, today = new Date()): string | null {
  const value = input.trim().toUpperCase()
  if (!/^\d{2,4}\/?\d{1,7}[A-Z]$/.test(value)) return null
  const compact = value.replace('/', '')
  const check = compact.slice(-1)
  let year: string
  let serial: string
  if (compact.length < 10) {
    const yy = Number(compact.slice(0, 2))
    year = `${yy <= today.getUTCFullYear() % 100 ? 20 : 19}${compact.slice(0, 2)}`
    serial = compact.slice(2, -1)
  } else {
    year = compact.slice(0, 4)
    serial = compact.slice(0, -1).slice(-7)
  }
  const padded = serial.padStart(7, '0')
  return pncCheckLetter(year, padded) === check ? `${year}/${padded}${check}` : null
}

export function formatCro(serial: number, year: number): string {
  const s = String(serial).padStart(6, '0')
  const yy = String(year % 100).padStart(2, '0')
  return `${s}/${yy}${checkLetter(yy + s)}`
}

/** A CRO number in canonical form, or null if it is malformed or its check letter is wrong. */
export function canonicalCro(input: string): string | null {
  const value = input.trim().toUpperCase()
  const standard = /^(\d{1,6})\/(\d{2})([A-Z])$/.exec(value)
  if (standard) {
    const [, serial = '', yy = '', check] = standard
    const padded = serial.padStart(6, '0')
    return checkLetter(yy + padded) === check ? `${padded}/${yy}${check}` : null
  }
  const fingerprint = /^SF(\d{2})\/(\d{1,6})([A-Z])$/.exec(value)
  if (fingerprint) {
    const [, yy = '', serial = '', check] = fingerprint
    return checkLetter(yy + serial) === check ? `SF${yy}/${serial}${check}` : null
  }
  return null
}
