import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { canonicalCro, canonicalPnc, formatCro, formatPnc, pncCheckLetter } from './identifiers.js'

describe('PNC numbers', () => {
  it('computes check letters as the Core Person Record service does', () => {
    // int("01" ‖ "0123456") = 10123456 = 23 × 440150 + 6, and "ZABCDEFGHJKLMNPQRTUVWXY"[6] = 'F':
    // the worked example in the shared HMPPS reference.
    expect(pncCheckLetter('2001', '0123456')).toBe('F')
    expect(formatPnc(2001, 123456)).toBe('2001/0123456F')
    expect(canonicalPnc('2001/0123456F')).toBe('2001/0123456F')
  })

  it('accepts short forms and normalises them to YYYY/NNNNNNNC', () => {
    expect(canonicalPnc('01/123456F', new Date('2026-01-01'))).toBe('2001/0123456F')
    expect(canonicalPnc('01123456f', new Date('2026-01-01'))).toBe('2001/0123456F')
    // Two-digit years after this year belong to the last century.
    const old = formatPnc(1979, 4567)
    expect(canonicalPnc(`79/${old.slice(5).replace(/^0+/, '')}`, new Date('2026-01-01'))).toBe(old)
  })

  it('rejects wrong check letters and malformed input', () => {
    expect(canonicalPnc('2001/0123456G')).toBeNull()
    expect(canonicalPnc('2001-0123456F')).toBeNull()
    expect(canonicalPnc('')).toBeNull()
    expect(canonicalPnc('ABCD/1234567Q')).toBeNull()
  })

  it('round-trips every year and serial, and catches any single changed digit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1950, max: 2025 }),
        fc.integer({ min: 0, max: 9_999_999 }),
        (year, serial) => {
          const pnc = formatPnc(year, serial)
          expect(canonicalPnc(pnc)).toBe(pnc)
          const digit = pnc.length - 2
          const changed = pnc.slice(0, digit) + ((Number(pnc[digit]) + 1) % 10) + pnc.slice(digit + 1)
          expect(canonicalPnc(changed)).toBeNull()
        },
      ),
    )
  })
})

describe('CRO numbers', () => {
  it('validates the standard and fingerprint forms', () => {
    // The worked example in the shared HMPPS reference: int("08" ‖ "123456") mod 23 → 'T'.
    const cro = formatCro(123456, 2008)
    expect(cro).toBe('123456/08T')
    expect(canonicalCro(cro)).toBe(cro)
    expect(canonicalCro(cro.replace('123456', '12345'))).toBeNull()
    // SF form: check letter over YY followed by the unpadded serial.
    expect(canonicalCro('SF93/12345' + 'ZABCDEFGHJKLMNPQRTUVWXY'[Number('9312345') % 23])).toBe(
      `SF93/12345${'ZABCDEFGHJKLMNPQRTUVWXY'[Number('9312345') % 23]}`,
    )
    expect(canonicalCro('12/3456')).toBeNull()
  })

  it('pads short serials in the standard form', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 999_999 }),
        fc.integer({ min: 1950, max: 2025 }),
        (serial, year) => {
          const cro = formatCro(serial, year)
          const short = `${serial}/${cro.slice(7)}`
          expect(canonicalCro(short)).toBe(cro)
        },
      ),
    )
  })
})
