import { doubleMetaphone } from 'double-metaphone'
import { sameNameGroup } from './nicknames.js'

/**
 * Probabilistic record linkage in the Fellegi–Sunter style: each field's agreement or
 * disagreement adds a weight (roughly the log-odds it gives that two records are one person),
 * and the total decides. Every weight is explained, so a reviewer can see why.
 */

export interface IdentityFacts {
  firstName: string
  lastName: string
  dateOfBirth: string | null
  gender: string | null
  postcode: string | null
  crn: string | null
  nomsNumber: string | null
  pncNumber: string | null
  croNumber: string | null
  /** Other names the person is known by. */
  aliases?: { firstName: string; lastName: string; dateOfBirth: string | null }[]
}

export interface Comparison {
  field: 'identifiers' | 'surname' | 'forename' | 'date of birth' | 'gender' | 'postcode'
  outcome: string
  weight: number
  /** What was compared: the incoming value and the candidate's. */
  values: [string, string]
}

export interface MatchScore {
  total: number
  comparisons: Comparison[]
  band: MatchBand
}

export type MatchBand = 'automatic' | 'review' | 'none'

/** At or above: link automatically. At or above REVIEW: a person decides. Below: a new person. */
export const AUTOMATIC = 16
export const REVIEW = 7

export function bandOf(total: number): MatchBand {
  return total >= AUTOMATIC ? 'automatic' : total >= REVIEW ? 'review' : 'none'
}

/** Lower case, accents and punctuation removed: "O'Keefe-Smith " → "okeefesmith". */
export function normaliseName(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z]/g, '')
}

/** Jaro–Winkler similarity (0 to 1): tolerant of typos and transposed letters in names. */
export function jaroWinkler(a: string, b: string): number {
  if (a === b) return a.length ? 1 : 0
  if (!a.length || !b.length) return 0
  const window = Math.max(0, Math.floor(Math.max(a.length, b.length) / 2) - 1)
  const aMatched = new Array<boolean>(a.length).fill(false)
  const bMatched = new Array<boolean>(b.length).fill(false)
  let matches = 0
  for (let i = 0; i < a.length; i++) {
    for (let j = Math.max(0, i - window); j < Math.min(b.length, i + window + 1); j++) {
      if (!bMatched[j] && a[i] === b[j]) {
        aMatched[i] = bMatched[j] = true
        matches++
        break
      }
    }
  }
  if (matches === 0) return 0
  let transpositions = 0
  for (let i = 0, j = 0; i < a.length; i++) {
    if (!aMatched[i]) continue
    while (!bMatched[j]) j++
    if (a[i] !== b[j]) transpositions++
    j++
  }
  const jaro = (matches / a.length + matches / b.length + (matches - transpositions / 2) / matches) / 3
  let prefix = 0
  while (prefix < 4 && a[prefix] === b[prefix]) prefix++
  return jaro + prefix * 0.1 * (1 - jaro)
}

function soundsAlike(a: string, b: string): boolean {
  const [a1, a2] = doubleMetaphone(a)
  const [b1, b2] = doubleMetaphone(b)
  return !!a1 && (a1 === b1 || a1 === b2 || a2 === b1)
}

function compareSurname(a: string, b: string): { outcome: string; weight: number } {
  if (a === b) return { outcome: 'the same', weight: 4.5 }
  if (soundsAlike(a, b) && jaroWinkler(a, b) >= 0.8) return { outcome: 'sounds the same', weight: 3.5 }
  const similarity = jaroWinkler(a, b)
  if (similarity >= 0.92) return { outcome: 'spelt almost the same', weight: 3 }
  if (soundsAlike(a, b)) return { outcome: 'sounds alike', weight: 1.5 }
  if (similarity >= 0.85) return { outcome: 'spelt similarly', weight: 1 }
  return { outcome: 'different', weight: -4 }
}

function compareForename(a: string, b: string): { outcome: string; weight: number } {
  if (a === b) return { outcome: 'the same', weight: 4 }
  if (sameNameGroup(a, b)) return { outcome: 'a short form of the same name', weight: 3.5 }
  const similarity = jaroWinkler(a, b)
  if (similarity >= 0.92) return { outcome: 'spelt almost the same', weight: 3 }
  if (soundsAlike(a, b) && similarity >= 0.8) return { outcome: 'sounds the same', weight: 3 }
  if ((a.length === 1 || b.length === 1) && a[0] === b[0]) return { outcome: 'the same initial', weight: 1 }
  if (similarity >= 0.85) return { outcome: 'spelt similarly', weight: 1 }
  return { outcome: 'different', weight: -4 }
}

function compareDateOfBirth(a: string | null, b: string | null): { outcome: string; weight: number } | null {
  if (!a || !b) return null
  if (a === b) return { outcome: 'the same', weight: 7 }
  const [ay, am, ad] = a.split('-')
  const [by, bm, bd] = b.split('-')
  if (ay === by && am === bd && ad === bm) return { outcome: 'day and month swapped', weight: 5 }
  if (am === bm && ad === bd && Math.abs(Number(ay) - Number(by)) === 1)
    return { outcome: 'one year apart', weight: 3.5 }
  const differing = [ay !== by, am !== bm, ad !== bd].filter(Boolean).length
  if (differing === 1 && ay === by) {
    const [x, y] = am !== bm ? [am!, bm!] : [ad!, bd!]
    // One digit mistyped in the day or the month.
    if (x[0] === y[0] || x[1] === y[1]) return { outcome: 'one digit different', weight: 3 }
  }
  if (ay === by) return { outcome: 'the same year only', weight: -3 }
  return { outcome: 'different', weight: -8 }
}

function outwardCode(postcode: string): string {
  return postcode.toUpperCase().replace(/\s+/g, ' ').trim().split(' ')[0] ?? ''
}

function compact(postcode: string): string {
  return postcode.toUpperCase().replace(/\s+/g, '')
}

const IDENTIFIERS = [
  ['pncNumber', 'PNC number', 14, -10],
  ['croNumber', 'CRO number', 12, -8],
  ['nomsNumber', 'prison number', 12, -6],
] as const

/** Compares an incoming record with a candidate person, field by field. */
export function scoreMatch(record: IdentityFacts, candidate: IdentityFacts): MatchScore {
  const comparisons: Comparison[] = []

  for (const [key, label, agree, disagree] of IDENTIFIERS) {
    const a = record[key]
    const b = candidate[key]
    if (a && b) {
      comparisons.push({
        field: 'identifiers',
        outcome: a === b ? `the same ${label}` : `different ${label}s`,
        weight: a === b ? agree : disagree,
        values: [a, b],
      })
    }
  }

  // The best reading of the names: against the person's name or any alias, either way round.
  const first = normaliseName(record.firstName)
  const last = normaliseName(record.lastName)
  const names = [
    {
      firstName: candidate.firstName,
      lastName: candidate.lastName,
      dateOfBirth: candidate.dateOfBirth,
      alias: false,
    },
    ...(candidate.aliases ?? []).map((alias) => ({ ...alias, alias: true })),
  ]
  let best: { surname: Comparison; forename: Comparison; total: number; dateOfBirth: string | null } | null =
    null
  for (const name of names) {
    const cFirst = normaliseName(name.firstName)
    const cLast = normaliseName(name.lastName)
    for (const transposed of [false, true]) {
      const [rFirst, rLast] = transposed ? [last, first] : [first, last]
      const surname = compareSurname(rLast, cLast)
      const forename = compareForename(rFirst, cFirst)
      const note = `${name.alias ? ' (an alias)' : ''}${transposed ? ' (first and last names swapped)' : ''}`
      const penalty = (transposed ? 1 : 0) + (name.alias ? 0.5 : 0)
      const total = surname.weight + forename.weight - penalty
      if (!best || total > best.total) {
        best = {
          total,
          dateOfBirth: name.dateOfBirth ?? candidate.dateOfBirth,
          surname: {
            field: 'surname',
            outcome: surname.outcome + note,
            weight: surname.weight - penalty,
            values: [record.lastName, name.lastName],
          },
          forename: {
            field: 'forename',
            outcome: forename.outcome + note,
            weight: forename.weight,
            values: [record.firstName, name.firstName],
          },
        }
      }
    }
  }
  comparisons.push(best!.surname, best!.forename)

  const dob =
    compareDateOfBirth(record.dateOfBirth, best!.dateOfBirth) ??
    compareDateOfBirth(record.dateOfBirth, candidate.dateOfBirth)
  if (dob)
    comparisons.push({
      field: 'date of birth',
      ...dob,
      values: [record.dateOfBirth!, best!.dateOfBirth ?? candidate.dateOfBirth!],
    })

  if (
    record.gender &&
    candidate.gender &&
    record.gender !== 'not_known' &&
    candidate.gender !== 'not_known'
  ) {
    const same = record.gender === candidate.gender
    comparisons.push({
      field: 'gender',
      outcome: same ? 'the same' : 'different',
      weight: same ? 0.5 : -2,
      values: [record.gender, candidate.gender],
    })
  }

  if (record.postcode && candidate.postcode) {
    const same = compact(record.postcode) === compact(candidate.postcode)
    const area = outwardCode(record.postcode) === outwardCode(candidate.postcode)
    // People on probation move often, so a different postcode is not evidence against.
    const weight = same ? 3 : area ? 1 : 0
    comparisons.push({
      field: 'postcode',
      outcome: same ? 'the same' : area ? 'the same district' : 'different',
      weight,
      values: [record.postcode, candidate.postcode],
    })
  }

  const total = Math.round(comparisons.reduce((sum, c) => sum + c.weight, 0) * 10) / 10
  return { total, comparisons, band: bandOf(total) }
}
