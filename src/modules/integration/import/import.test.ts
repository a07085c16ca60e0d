import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { engine, freshDatabase, type TestDatabase } from '../../../../test/support/database.js'
import { csvImports } from '../../../../test/support/csv-import.js'
import * as f from '../../../../test/support/factories.js'
import { formatCro, formatPnc } from '../../people/identifiers.js'

let database: TestDatabase
let agencyCode: string
let probation: string
const fixtures = csvImports(() => database.db, 'import')
const csvFile = (rows: string[][], raw?: string) => fixtures.csvFile(rows, raw, '\r\n')
const run = fixtures.run

const count = async (table: string) =>
  Number(
    (await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(database.db)).rows[0]!.n,
  )

const snapshot = async () =>
  Object.fromEntries(
    await Promise.all(
      [
        'people',
        'person_identifiers',
        'person_aliases',
        'person_addresses',
        'source_records',
        'timeline_events',
        'outbox',
        'audit_log',
      ].map(async (t) => [t, await count(t)]),
    ),
  )

/** Sorted in code point order: the engines' collations differ. */
const sorted = <T>(rows: T[]) =>
  rows
    .map((r) => JSON.stringify(r))
    .sort()
    .map((r) => JSON.parse(r) as T)

const HEADER = [
  'crn',
  'first_name',
  'last_name',
  'date_of_birth',
  'gender',
  'pnc_number',
  'cro_number',
  'postcode',
]
const PNC = formatPnc(2005, 123_456)
const CRO = formatCro(4321, 5)
const wrongCheckLetter = (id: string) => id.slice(0, -1) + (id.endsWith('A') ? 'B' : 'A')

beforeAll(async () => {
  database = await freshDatabase()
  probation = await f.makeAgency(database.db, { name: 'Probation East' })
  agencyCode = (
    await database.db
      .selectFrom('agencies')
      .select('code')
      .where('id', '=', probation)
      .executeTakeFirstOrThrow()
  ).code
})
afterAll(async () => {
  await database.destroy()
})

describe(`legacy import of people on ${engine}`, () => {
  const goodRows = [
    HEADER,
    ['J200001', 'Amara', 'Okafor', '1988-02-14', 'female', PNC, CRO, 'm14 5rt'],
    ['J200002', 'Callum', 'Reid', '27/03/1990', 'M', '', '', ''],
    ['J200003', 'Priya', 'Shah', '1990-02-30', 'female', '', '', ''],
    ['J200004', 'Owen', 'Price', '1979-11-02', 'male', wrongCheckLetter(formatPnc(1999, 7)), '', ''],
    ['J20005', 'Tom', 'Hart', '1985-06-01', 'male', '', wrongCheckLetter(formatCro(99, 1)), 'not a postcode'],
    ['J200006', '', 'Lowe', '1992-01-01', 'male', '', '', ''],
  ]

  it('reports every problem in a dry run, by row and column, and writes nothing', async () => {
    const before = await snapshot()
    const { summary, problems, lines } = await run({ file: csvFile(goodRows), dryRun: true, agencyCode })
    expect(lines).toEqual([
      'Row 4, column date_of_birth: enter a real date, for example 1990-03-27',
      expect.stringMatching(/^Row 5, column pnc_number: the PNC number's check letter is wrong/),
      'Row 6, column crn: enter a CRN: a letter and six digits, for example X123456',
      expect.stringMatching(/^Row 6, column cro_number: the CRO number's check letter is wrong/),
      'Row 6, column postcode: enter a real postcode, for example M14 5RT',
      'Row 7, column first_name: enter a first name',
    ])
    expect(problems.map((p) => p.kind)).toContain('wrong PNC check letter')
    expect(summary).toMatchObject({
      dryRun: true,
      rowsRead: 6,
      valid: 2,
      withProblems: 4,
      imported: 2,
      unchanged: 0,
      people: { created: 2, linked: 0 },
      problemsByKind: {
        'not a real date': 1,
        'wrong PNC check letter': 1,
        'wrong CRO check letter': 1,
        'not a CRN': 1,
        'not a postcode': 1,
        'missing value': 1,
      },
    })
    expect(await snapshot()).toEqual(before)
  })

  it('imports good rows, skips bad ones, and a second run changes nothing', async () => {
    const file = csvFile(goodRows)
    const first = await run({ file, agencyCode, sourceSystem: 'Delius extract' })
    expect(first.summary).toMatchObject({
      imported: 2,
      unchanged: 0,
      withProblems: 4,
      people: { created: 2 },
    })
    const amara = await database.db
      .selectFrom('people')
      .selectAll()
      .where('crn', '=', 'J200001')
      .executeTakeFirstOrThrow()
    expect(amara).toMatchObject({
      first_name: 'Amara',
      pnc_number: PNC,
      cro_number: CRO,
      lead_agency_id: probation,
    })
    const ids = await database.db
      .selectFrom('person_identifiers')
      .select(['type', 'value'])
      .where('person_id', '=', amara.id)
      .execute()
    expect(sorted(ids)).toEqual([
      { type: 'crn', value: 'J200001' },
      { type: 'cro', value: CRO },
      { type: 'pnc', value: PNC },
    ])
    const address = await database.db
      .selectFrom('person_addresses')
      .select('postcode')
      .where('person_id', '=', amara.id)
      .execute()
    expect(address).toEqual([{ postcode: 'M14 5RT' }])
    const callum = await database.db
      .selectFrom('people')
      .selectAll()
      .where('crn', '=', 'J200002')
      .executeTakeFirstOrThrow()
    expect(callum).toMatchObject({ date_of_birth: '1990-03-27', gender: 'male' })
    const source = await database.db
      .selectFrom('source_records')
      .selectAll()
      .where('source_ref', '=', 'J200001')
      .executeTakeFirstOrThrow()
    expect(source).toMatchObject({
      source_system: 'Delius extract',
      person_id: amara.id,
      match_outcome: 'new',
    })
    const timeline = await database.db
      .selectFrom('timeline_events')
      .selectAll()
      .where('person_id', '=', amara.id)
      .execute()
    expect(timeline).toMatchObject([
      { kind: 'identity.record-linked', source_system: 'Delius extract', agency_id: probation },
    ])
    const events = await database.db
      .selectFrom('outbox')
      .select('event_type')
      .where('person_id', '=', amara.id)
      .execute()
    expect(events.map((e) => e.event_type).sort()).toEqual(['person.created', 'person.record.linked'])
    const audit = await database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('route', '=', 'cli tandem import')
      .execute()
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({ actor_user_id: null, actor_label: 'tandem import', action: 'create' })
    expect([...audit[0]!.person_ids].sort()).toEqual([amara.id, callum.id].sort())

    const before = await snapshot()
    const again = await run({ file, agencyCode, sourceSystem: 'Delius extract' })
    expect(again.summary).toMatchObject({ imported: 0, unchanged: 2, withProblems: 4 })
    expect(await snapshot()).toEqual(before)
  })

  it('links a row to the person who holds its CRN and adds the identifiers they lacked', async () => {
    const known = await f.makePerson(database.db, {
      leadAgencyId: probation,
      crn: 'J300001',
      firstName: 'Sam',
    })
    const pnc = formatPnc(2010, 55)
    const { summary } = await run({
      file: csvFile([
        ['crn', 'first_name', 'last_name', 'date_of_birth', 'pnc_number', 'noms_number', 'aliases'],
        ['J300001', 'Samuel', 'Brooks', '1990-03-21', pnc, 'a1234bc', 'Sammy Brooks; Sam Brook'],
      ]),
    })
    expect(summary).toMatchObject({ imported: 1, people: { linked: 1, created: 0 } })
    const person = await database.db
      .selectFrom('people')
      .selectAll()
      .where('id', '=', known.id)
      .executeTakeFirstOrThrow()
    expect(person).toMatchObject({ pnc_number: pnc, noms_number: 'A1234BC', first_name: 'Sam' })
    const aliases = await database.db
      .selectFrom('person_aliases')
      .select(['first_name', 'last_name'])
      .where('person_id', '=', known.id)
      .execute()
    expect(sorted(aliases)).toEqual([
      { first_name: 'Sam', last_name: 'Brook' },
      { first_name: 'Sammy', last_name: 'Brooks' },
      { first_name: 'Samuel', last_name: 'Brooks' },
    ])
  })

  it('sends a new CRN that looks like a known person through full identity matching', async () => {
    const known = await f.makePerson(database.db, {
      leadAgencyId: probation,
      crn: 'J400001',
      firstName: 'Ngozi',
      lastName: 'Adebayo',
      dateOfBirth: '1983-07-09',
    })
    const { summary } = await run({
      file: csvFile([
        ['crn', 'first_name', 'last_name', 'date_of_birth', 'gender'],
        ['J400099', 'Ngozi', 'Adebayo', '1983-07-09', 'male'],
      ]),
      agencyCode,
    })
    expect(summary).toMatchObject({ imported: 1, people: { matched: 1, created: 0 } })
    const holder = await database.db
      .selectFrom('person_identifiers')
      .select('person_id')
      .where('type', '=', 'crn')
      .where('value', '=', 'J400099')
      .executeTakeFirstOrThrow()
    expect(holder.person_id).toBe(known.id)
  })

  it('reports a row that comes back with different values, and a new person with no agency', async () => {
    const file = csvFile([HEADER, ['J500001', 'Leah', 'Moss', '1991-09-09', '', '', '', '']])
    await run({ file, agencyCode })
    const changed = await run({
      file: csvFile([
        HEADER,
        ['J500001', 'Leah', 'Morris', '1991-09-09', '', '', '', ''],
        ['J500002', 'Ian', 'Cole', '1970-01-05', '', '', '', ''],
      ]),
    })
    expect(changed.summary).toMatchObject({ imported: 0, withProblems: 2 })
    expect(changed.problems.map((p) => p.kind)).toEqual([
      'imported before with different values',
      'no agency for a new person',
    ])
    expect(changed.lines[1]).toContain('Row 3, column agency_code: this is a new person')
  })
})
