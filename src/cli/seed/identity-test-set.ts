import { fakerEN_GB as faker } from '@faker-js/faker'
import { sql } from 'kysely'
import type { Tx } from '../../platform/database/database.js'
import { proposeMatch, type IncomingRecord } from '../../modules/people/identity.service.js'
import { formatPnc } from '../../modules/people/identifiers.js'
import { nickname } from './people.js'
import { Random } from './random.js'

/**
 * A test set for identity matching with the errors real records carry: records about people
 * already known (typos, nicknames, swapped names, aliases, day/month swaps, years out, missing
 * identifiers, a new postcode) and records about new people built to look like known ones
 * (a sibling with the same surname, birthday and address; a namesake born another day).
 */

export interface KnownPerson {
  id: string
  firstName: string
  lastName: string
  dateOfBirth: string
  gender: string
  postcode: string | null
  pncNumber: string | null
  aliases: { firstName: string; lastName: string }[]
}

export interface LabelledRecord {
  record: IncomingRecord
  /** The known person this record is about, or null for someone new. */
  truth: string | null
  kind: string
}

function typo(random: Random, word: string): string {
  if (word.length < 4) return word
  const i = random.int(1, word.length - 2)
  const kind = random.int(0, 2)
  if (kind === 0) return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2) // transpose
  if (kind === 1) return word.slice(0, i) + word.slice(i + 1) // drop a letter
  return word.slice(0, i) + 'aeiou'[random.int(0, 4)] + word.slice(i + 1) // wrong letter
}

function shiftDate(iso: string, change: 'swap' | 'year' | 'digit', random: Random): string {
  const [y, m, d] = iso.split('-') as [string, string, string]
  if (change === 'swap' && Number(d) <= 12 && d !== m) return `${y}-${d}-${m}`
  if (change === 'digit') {
    const day = Number(d) < 10 ? `${d[0]}${(Number(d[1]) % 8) + 1}` : `${d[0]}${(Number(d[1]) + 1) % 9}`
    if (day !== d && Number(day) >= 1 && Number(day) <= 28) return `${y}-${m}-${day}`
  }
  return `${Number(y) + (random.chance(0.5) ? 1 : -1)}-${m}-${d}`
}

let refs = 0

/** A record about a known person, as another agency's system would hold it, with errors. */
export function noisyCopy(random: Random, person: KnownPerson): LabelledRecord {
  const kinds: string[] = []
  let name = { firstName: person.firstName, lastName: person.lastName }
  let dateOfBirth: string | null = person.dateOfBirth
  const nick = nickname(name.firstName)
  const alias = person.aliases[0]
  // Each record gets at most one name error and one date error, in realistic proportions.
  const nameErrors: [number, string, () => typeof name][] = [
    [0.2, 'surname typo', () => ({ ...name, lastName: typo(random, name.lastName) })],
    [0.33, 'forename typo', () => ({ ...name, firstName: typo(random, name.firstName) })],
    [0.45, 'nickname', () => (nick ? { ...name, firstName: nick } : name)],
    [0.5, 'names swapped', () => ({ firstName: name.lastName, lastName: name.firstName })],
    [0.55, 'alias', () => (alias ? { ...alias } : name)],
  ]
  const nameRoll = random.next()
  const nameError = nameErrors.find(([upTo]) => nameRoll < upTo)
  if (nameError) {
    const changed = nameError[2]()
    if (changed !== name) kinds.push(nameError[1])
    name = changed
  }
  const dateErrors: [number, string, () => string | null][] = [
    [0.07, 'day and month swapped', () => shiftDate(person.dateOfBirth, 'swap', random)],
    [0.12, 'year out', () => shiftDate(person.dateOfBirth, 'year', random)],
    [0.17, 'date typo', () => shiftDate(person.dateOfBirth, 'digit', random)],
    [0.2, 'no date of birth', () => null],
  ]
  const dateRoll = random.next()
  const dateError = dateErrors.find(([upTo]) => dateRoll < upTo)
  if (dateError) {
    dateOfBirth = dateError[2]()
    kinds.push(dateError[1])
  }
  const { firstName, lastName } = name
  const postcodeRoll = random.next()
  const postcode =
    postcodeRoll < 0.5
      ? person.postcode
      : postcodeRoll < 0.8
        ? `M${random.int(1, 40)} ${random.int(1, 9)}AB`
        : null
  const withPnc = random.chance(0.25) && person.pncNumber
  return {
    truth: person.id,
    kind: kinds.join(', ') || 'clean',
    record: {
      sourceSystem: 'Police',
      sourceRef: `eval-${++refs}`,
      agencyId: null,
      crn: null,
      nomsNumber: null,
      pncNumber: withPnc ? person.pncNumber : null,
      croNumber: null,
      firstName,
      lastName,
      dateOfBirth,
      gender: random.chance(0.9) ? person.gender : null,
      postcode,
    },
  }
}

/** A record about someone new, often built to resemble a known person. */
export function lookalike(random: Random, person: KnownPerson): LabelledRecord {
  const roll = random.next()
  const base = {
    sourceSystem: 'Police',
    sourceRef: `eval-${++refs}`,
    agencyId: null,
    crn: null,
    nomsNumber: null,
    croNumber: null,
  }
  const sex = person.gender === 'female' ? 'female' : 'male'
  if (roll < 0.3) {
    let sibling = faker.person.firstName(sex)
    while (sibling === person.firstName) sibling = faker.person.firstName(sex)
    return {
      truth: null,
      kind: 'sibling: same surname, birthday and address',
      record: {
        ...base,
        pncNumber: null,
        firstName: sibling,
        lastName: person.lastName,
        dateOfBirth: person.dateOfBirth,
        gender: person.gender,
        postcode: person.postcode,
      },
    }
  }
  if (roll < 0.6) {
    const born = faker.date.birthdate({ min: 18, max: 70, mode: 'age' }).toISOString().slice(0, 10)
    return {
      truth: null,
      kind: 'namesake born another day',
      record: {
        ...base,
        pncNumber: formatPnc(2015, 9_000_000 + refs),
        firstName: person.firstName,
        lastName: person.lastName,
        dateOfBirth: born,
        gender: person.gender,
        postcode: null,
      },
    }
  }
  if (roll < 0.8) {
    return {
      truth: null,
      kind: 'same forename and birthday',
      record: {
        ...base,
        pncNumber: null,
        firstName: person.firstName,
        lastName: faker.person.lastName(),
        dateOfBirth: person.dateOfBirth,
        gender: person.gender,
        postcode: null,
      },
    }
  }
  const gender = random.chance(0.85) ? 'male' : 'female'
  return {
    truth: null,
    kind: 'stranger',
    record: {
      ...base,
      pncNumber: null,
      firstName: faker.person.firstName(gender),
      lastName: faker.person.lastName(),
      dateOfBirth: faker.date.birthdate({ min: 18, max: 70, mode: 'age' }).toISOString().slice(0, 10),
      gender,
      postcode: null,
    },
  }
}

export interface Evaluation {
  records: number
  trueMatches: number
  automaticCorrect: number
  automaticWrong: number
  reviewCorrect: number
  missed: number
  precision: number
  recall: number
  /** Share of all records sent to a person for review. */
  reviewRate: number
  /** Time to match one record against everyone known, in milliseconds. */
  matchMs: { p50: number; p95: number }
  misses: { kind: string; score: number | null }[]
}

/** Runs matching over labelled records without changing anything, and scores the results. */
export async function evaluate(tx: Tx, records: LabelledRecord[]): Promise<Evaluation> {
  let automaticCorrect = 0
  let automaticWrong = 0
  let reviewCorrect = 0
  let reviews = 0
  const misses: Evaluation['misses'] = []
  const durations: number[] = []
  for (const { record, truth, kind } of records) {
    const started = performance.now()
    const { holders, ranked } = await proposeMatch(tx, record)
    durations.push(performance.now() - started)
    const best = ranked[0]
    const auto = holders[0] ?? (best?.score.band === 'automatic' ? best.candidate.id : null)
    if (auto) {
      if (auto === truth) automaticCorrect++
      else automaticWrong++
      continue
    }
    const inReview = ranked.filter((r) => r.score.band === 'review').slice(0, 3)
    if (inReview.length) reviews++
    if (truth && inReview.some((r) => r.candidate.id === truth)) reviewCorrect++
    else if (truth)
      misses.push({ kind, score: ranked.find((r) => r.candidate.id === truth)?.score.total ?? null })
  }
  const trueMatches = records.filter((r) => r.truth).length
  return {
    records: records.length,
    trueMatches,
    automaticCorrect,
    automaticWrong,
    reviewCorrect,
    missed: misses.length,
    precision: automaticCorrect / Math.max(1, automaticCorrect + automaticWrong),
    recall: (automaticCorrect + reviewCorrect) / Math.max(1, trueMatches),
    reviewRate: reviews / Math.max(1, records.length),
    matchMs: { p50: percentile(durations, 0.5), p95: percentile(durations, 0.95) },
    misses,
  }
}

function percentile(values: number[], p: number) {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0
}

/** Picks known people to build records from (their names, aliases, identifiers and postcode). */
export async function samplePeople(tx: Tx, count: number, seed: number): Promise<KnownPerson[]> {
  faker.seed(seed)
  const { rows } = await sql<KnownPerson>`
    select p.id, p.first_name as "firstName", p.last_name as "lastName", p.date_of_birth as "dateOfBirth", p.gender,
      p.pnc_number as "pncNumber",
      (select a.postcode from person_addresses a where a.person_id = p.id and a.ends_on is null limit 1) as postcode,
      coalesce((select json_agg(json_build_object('firstName', al.first_name, 'lastName', al.last_name))
                from person_aliases al where al.person_id = p.id), '[]') as aliases
    from people p where p.merged_into is null order by md5(p.id::text || ${String(seed)}) limit ${count}`.execute(
    tx,
  )
  return rows
}

export { Random }
