import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { engine, freshDatabase, type TestDatabase } from '../../../../test/support/database.js'
import { csvImports } from '../../../../test/support/csv-import.js'
import * as f from '../../../../test/support/factories.js'

let database: TestDatabase
let probation: string
let person: { id: string; crn: string }
const fixtures = csvImports(() => database.db, 'import-records')
const { runKind: run, timeline } = fixtures

beforeAll(async () => {
  database = await freshDatabase()
  const db = database.db
  probation = await f.makeAgency(db, { name: 'Probation West' })
  person = await f.makePerson(db, { leadAgencyId: probation, crn: 'K100001' })
  await db
    .insertInto('sentences')
    .values({
      person_id: person.id,
      event_number: 3,
      sentence_type: 'community',
      description: 'Earlier order',
      offence: 'Theft',
      offence_category: 'theft_non_motor',
      court: 'Leeds Magistrates’ Court',
      sentenced_on: '2019-01-01',
      length_days: 365,
      expected_release_on: null,
      licence_end_on: null,
      sentence_end_on: null,
      ended_on: '2020-01-01',
    })
    .execute()
})
afterAll(async () => {
  await database.destroy()
})

describe(`legacy import of records on ${engine}`, () => {
  const SENTENCES = [
    ['crn', 'sentence_type', 'description', 'offence', 'court', 'sentenced_on', 'length_days'],
    [
      'K100001',
      'community',
      'Community order, 12 months',
      'Assault by beating',
      'Leeds Magistrates’ Court',
      '2024-05-01',
      '365',
    ],
    [
      'K999999',
      'community',
      'Community order, 6 months',
      'Theft from a shop',
      'Leeds Magistrates’ Court',
      '2024-05-02',
      '',
    ],
    [
      'k100001',
      'suspended',
      'Suspended sentence {"2" years}, \\ with "quotes"',
      'Fraud, by false representation',
      'Leeds Crown Court',
      '01/06/2024',
      '',
    ],
  ]

  it('checks sentences in a dry run, naming unknown CRNs, and writes nothing', async () => {
    const { summary, lines } = await run('sentences', SENTENCES, { dryRun: true })
    expect(lines).toEqual(['Row 3, column crn: no person with CRN K999999'])
    expect(summary).toMatchObject({
      rowsRead: 3,
      valid: 2,
      withProblems: 1,
      imported: 2,
      problemsByKind: { 'unknown CRN': 1 },
    })
    expect(await database.db.selectFrom('import_rows').selectAll().execute()).toEqual([])
  })

  it('imports sentences with their timeline items, events and one audit record, and a re-run changes nothing', async () => {
    const { summary } = await run('sentences', SENTENCES)
    expect(summary).toMatchObject({ imported: 2, unchanged: 0, withProblems: 1 })
    const rows = await database.db
      .selectFrom('sentences')
      .select(['event_number', 'description', 'offence', 'sentenced_on', 'length_days', 'offence_category'])
      .where('person_id', '=', person.id)
      .orderBy('event_number')
      .execute()
    expect(rows).toEqual([
      expect.objectContaining({ event_number: 3 }),
      {
        event_number: 4,
        description: 'Community order, 12 months',
        offence: 'Assault by beating',
        sentenced_on: '2024-05-01',
        length_days: 365,
        offence_category: 'not_recorded',
      },
      expect.objectContaining({
        event_number: 5,
        description: 'Suspended sentence {"2" years}, \\ with "quotes"',
        sentenced_on: '2024-06-01',
      }),
    ])
    const items = await timeline(person.id, 'court.sentenced')
    expect(items).toMatchObject([
      {
        title: 'Sentenced: community order, 12 months for assault by beating',
        category: 'sentence',
        source_system: 'legacy-import',
        agency_id: probation,
      },
      { title: expect.stringContaining('for fraud, by false representation') },
    ])
    const events = await database.db
      .selectFrom('outbox')
      .select('event_type')
      .where('event_type', '=', 'person.sentence.imported')
      .execute()
    expect(events).toHaveLength(2)
    const audit = await database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('route', '=', 'cli tandem import')
      .execute()
    expect(audit).toMatchObject([
      { person_ids: [person.id], categories: ['sentence'], action: 'create', actor_user_id: null },
    ])

    const again = await run('sentences', SENTENCES)
    expect(again.summary).toMatchObject({ imported: 0, unchanged: 2, withProblems: 1 })
    expect(await timeline(person.id, 'court.sentenced')).toHaveLength(2)
  })

  it('imports registrations from the named source system, onto whoever a merged CRN now leads to', async () => {
    const merged = await f.makePerson(database.db, { leadAgencyId: probation, crn: 'K100002' })
    await database.db
      .updateTable('people')
      .set({ merged_into: person.id })
      .where('id', '=', merged.id)
      .execute()
    const { summary } = await run(
      'registrations',
      [
        ['crn', 'type_code', 'type_description', 'category', 'level', 'registered_on', 'next_review_on'],
        ['K100002', 'RHRH', 'High RoSH', 'risk', '', '2025-03-01', '2025-09-01'],
        ['K100001', 'ALSH', 'Suicide/Self Harm', 'health', '', '2025-03-02', ''],
      ],
      { sourceSystem: 'nDelius legacy' },
    )
    expect(summary).toMatchObject({ imported: 2, withProblems: 0 })
    const registrations = await database.db
      .selectFrom('registrations')
      .select(['person_id', 'type_code', 'category', 'source_system', 'next_review_on'])
      .orderBy('registered_on')
      .execute()
    expect(registrations).toEqual([
      {
        person_id: person.id,
        type_code: 'RHRH',
        category: 'risk',
        source_system: 'nDelius legacy',
        next_review_on: '2025-09-01',
      },
      {
        person_id: person.id,
        type_code: 'ALSH',
        category: 'health',
        source_system: 'nDelius legacy',
        next_review_on: null,
      },
    ])
    expect((await timeline(person.id, 'registration.added')).map((t) => [t.title, t.source_system])).toEqual([
      ['Registration added: High RoSH', 'nDelius legacy'],
      ['Registration added: Suicide/Self Harm', 'nDelius legacy'],
    ])
  })
})
