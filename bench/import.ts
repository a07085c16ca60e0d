import { once } from 'node:events'
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fakerEN_GB as faker } from '@faker-js/faker'
import { sql } from 'kysely'
import { addDays, isoDay, Random } from '../src/cli/seed/random.js'
import { runImport } from '../src/modules/integration/import/import.service.js'
import { canonicalCro, formatPnc } from '../src/modules/people/identifiers.js'
import type { Database, Db } from '../src/platform/database/database.js'

/** CRN letters the seed never uses (it uses one letter per region), in the order bench runs take them. */
const LETTERS = ['Q', 'V', 'Z', 'J', 'H', 'F', 'R', 'U', 'P', 'O', 'I', 'A', 'X']
const MIB = 1024 * 1024

/**
 * A CRN letter and first number with room for `people` CRNs that no one holds yet, so each
 * run into the same benchmark database imports new people rather than finding earlier ones.
 */
async function freshCrns(db: Db, people: number) {
  const used = await sql<{ letter: string; last: string }>`
    select left(crn, 1) as letter, max(crn) as last from people group by 1`.execute(db)
  const last = new Map(used.rows.map((r) => [r.letter, Number(r.last.slice(1))]))
  for (const [index, letter] of LETTERS.entries()) {
    const first = (last.get(letter) ?? -1) + 1
    if (first + people <= 1_000_000) return { letter, index, first }
  }
  throw new Error('No CRN letter has room for that many more imported people')
}

/** A fingerprint-form CRO number (the seed only writes the standard form, so these never clash). */
function fingerprintCro(yy: string, serial: number): string | null {
  for (const check of 'ABCDEFGHJKLMNPQRTUVWXYZ') {
    const cro = canonicalCro(`SF${yy}/${serial}${check}`)
    if (cro) return cro
  }
  return null
}

/**
 * Writes a realistic people extract of `people` rows to `file`, streaming it: CRNs from
 * `letter` on, prison numbers for about a third, PNC numbers for all and CRO numbers for most
 * (valid check letters, in ranges the seed does not use), names, dates of birth and postcodes.
 */
export async function writePeopleCsv(
  file: string,
  people: number,
  crns: { letter: string; index: number; first: number },
  agencyCode: string,
) {
  // Seeded by where the CRNs start, so a later run into the same database brings different people.
  const seed = 20_261_124 + crns.index * 1_000_003 + crns.first
  const random = new Random(seed)
  faker.seed(seed)
  const out = createWriteStream(file)
  const today = new Date()
  const write = async (line: string) => {
    if (!out.write(`${line}\n`)) await once(out, 'drain')
  }
  await write(
    'crn,first_name,last_name,date_of_birth,gender,noms_number,pnc_number,cro_number,postcode,agency_code',
  )
  for (let i = 0; i < people; i++) {
    const n = crns.first + i
    const gender = random.chance(0.88) ? 'male' : 'female'
    const dob = addDays(today, -Math.round((18 + random.next() * 52) * 365.25))
    const noms = random.chance(0.35)
      ? `${crns.letter}${String(n % 10_000).padStart(4, '0')}${String.fromCharCode(65 + Math.floor(n / 260_000))}${String.fromCharCode(65 + (Math.floor(n / 10_000) % 26))}`
      : ''
    const pnc = formatPnc(1980 + crns.index, 8_500_000 + n)
    const cro = random.chance(0.6) ? (fingerprintCro(String(crns.index + 10), n + 1) ?? '') : ''
    const postcode = `${random.pick(['LS', 'M', 'B', 'NE', 'CF', 'L', 'S', 'BS'])}${random.int(1, 20)} ${random.int(1, 9)}${random.pick(['AB', 'DE', 'FG', 'HJ', 'LN', 'PQ', 'RS', 'TU'])}`
    await write(
      [
        `${crns.letter}${String(n).padStart(6, '0')}`,
        faker.person.firstName(gender),
        faker.person.lastName(),
        isoDay(dob),
        gender,
        noms,
        pnc,
        cro,
        postcode,
        agencyCode,
      ].join(','),
    )
  }
  out.end()
  await once(out, 'finish')
}

/**
 * Imports a people extract of `people` rows into the given database through the import
 * service (the path `tandem import --kind people` takes), with CRNs no one holds yet, and
 * reports the rate and memory: peak RSS is sampled after every batch of 500.
 */
export async function measureImport(database: Database, people: number) {
  const agency = await database.db
    .selectFrom('agencies')
    .select('code')
    .where('kind', '=', 'probation')
    .where('region_id', 'is not', null)
    .orderBy('code')
    .executeTakeFirst()
  if (!agency) throw new Error('measureImport needs a database with a probation agency: seed it first')
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tandem-bench-import-'))
  try {
    const file = path.join(dir, 'people.csv')
    await writePeopleCsv(file, people, await freshCrns(database.db, people), agency.code)
    const startRss = process.memoryUsage.rss()
    const summary = await runImport(database.db, { file, kind: 'people', sourceSystem: 'bench-import' })
    return {
      rows: summary.rowsRead,
      seconds: Math.round(summary.seconds * 10) / 10,
      rowsPerSecond: Math.round(summary.rowsRead / summary.seconds),
      peakRssMib: summary.peakRssMib,
      startRssMib: Math.round((startRss / MIB) * 10) / 10,
      /** How the rows were matched: most should be new people; lookalikes go through full matching. */
      outcomes: { ...summary.people, problems: summary.withProblems },
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
