import { doubleMetaphone } from 'double-metaphone'
import { jaroWinkler, normaliseName, type IdentityFacts } from '../../people/matching.js'
import { sameNameGroup } from '../../people/nicknames.js'
import type { PeopleRow } from './import.schema.js'
import type { PersonFacts } from './import.repository.js'

/**
 * Finding, in bulk, the rows of an import that look like someone already known: a cheap name
 * test over everyone born on the row's date of birth (or a likely mistyping of it), then the
 * matcher's own scoreMatch over the few who pass it.
 */

/** The dates the matcher treats as the same birthday mistyped: swapped day and month, a year out. */
export function dobVariants(dob: string): string[] {
  const [y, m, d] = dob.split('-').map(Number) as [number, number, number]
  const iso = (yy: number, mm: number, dd: number) => {
    const date = new Date(Date.UTC(yy, mm - 1, dd))
    return date.getUTCMonth() === mm - 1 ? date.toISOString().slice(0, 10) : null
  }
  return [iso(y, m, d), iso(y, d, m), iso(y - 1, m, d), iso(y + 1, m, d)].filter((v): v is string => !!v)
}

interface Name {
  plain: string
  sounds: [string, string]
}
const names = new Map<string, Name>()

/** A name normalised and encoded once: names repeat a great deal across a national extract. */
function nameOf(raw: string): Name {
  let name = names.get(raw)
  if (!name) {
    const plain = normaliseName(raw)
    name = { plain, sounds: plain ? (doubleMetaphone(plain) as [string, string]) : ['', ''] }
    if (names.size > 100_000) names.clear()
    names.set(raw, name)
  }
  return name
}

/**
 * Whether the matcher could call two names anything but "different": the union of its tests
 * (the same, a short form, the same initial, sounding alike, spelt similarly), with a looser
 * spelling threshold than any of them.
 */
function close(raw: string, other: string): boolean {
  const a = nameOf(raw)
  const b = nameOf(other)
  if (a.plain === b.plain) return true
  if ((a.plain.length === 1 || b.plain.length === 1) && a.plain[0] === b.plain[0]) return true
  if (sameNameGroup(a.plain, b.plain)) return true
  const [a1, a2] = a.sounds
  const [b1, b2] = b.sounds
  if (a1 && (a1 === b1 || a1 === b2 || a2 === b1)) return true
  return jaroWinkler(a.plain, b.plain) >= 0.8
}

/**
 * Whether a candidate could score in the review band at all. It cannot when both names differ,
 * against the candidate's name and every alias, either way round: two "different" names weigh
 * -8, more than date of birth, gender and postcode can make up (7 + 0.5 + 3) to reach REVIEW
 * (7). The test "never filters out a candidate the matcher would review" holds that true.
 */
export function mightMatch(
  row: { first_name: string; last_name: string },
  candidate: {
    first_name: string
    last_name: string
    aliases: { firstName: string; lastName: string }[] | null
  },
): boolean {
  const theirs = [
    { first: candidate.first_name, last: candidate.last_name },
    ...(candidate.aliases ?? []).map((a) => ({ first: a.firstName, last: a.lastName })),
  ]
  return theirs.some(
    (n) =>
      close(row.first_name, n.first) ||
      close(row.last_name, n.last) ||
      close(row.last_name, n.first) ||
      close(row.first_name, n.last),
  )
}

export const rowFacts = (r: PeopleRow): IdentityFacts => ({
  firstName: r.first_name,
  lastName: r.last_name,
  dateOfBirth: r.date_of_birth,
  gender: r.gender,
  postcode: r.postcode,
  crn: r.crn,
  nomsNumber: r.noms_number,
  pncNumber: r.pnc_number,
  croNumber: r.cro_number,
})

export const personFacts = (p: PersonFacts): IdentityFacts => ({
  firstName: p.first_name,
  lastName: p.last_name,
  dateOfBirth: p.date_of_birth,
  gender: p.gender,
  postcode: p.postcode,
  crn: p.crn,
  nomsNumber: p.noms_number,
  pncNumber: p.pnc_number,
  croNumber: p.cro_number,
  aliases: p.aliases,
})
