import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { engine, freshDatabase, type TestDatabase } from '../../../../test/support/database.js'
import { csvImports } from '../../../../test/support/csv-import.js'
import * as f from '../../../../test/support/factories.js'

let database: TestDatabase
let probation: string
let police: string
let policeCode: string
let person: { id: string; crn: string }
let staffId: string
const fixtures = csvImports(() => database.db, 'import-supervision')
const { runKind: run, timeline } = fixtures

beforeAll(async () => {
  database = await freshDatabase()
  const db = database.db
  probation = await f.makeAgency(db, { name: 'Probation South' })
  police = await f.makeAgency(db, { kind: 'police', name: 'South Police' })
  policeCode = (
    await db.selectFrom('agencies').select('code').where('id', '=', police).executeTakeFirstOrThrow()
  ).code
  person = await f.makePerson(db, { leadAgencyId: probation, crn: 'K100001' })
  staffId = await f.makeUser(db, {
    agencyId: probation,
    roles: ['practitioner'],
    email: 'Pat.Officer@probation.example',
  })
})
afterAll(async () => {
  await database.destroy()
})

describe(`legacy import of appointments and contacts on ${engine}`, () => {
  it('imports appointments: outcomes join the timeline, staff are found by email, times without a zone are UK time', async () => {
    const { summary, lines } = await run('appointments', [
      ['crn', 'starts_at', 'ends_at', 'kind', 'location', 'outcome', 'staff_email'],
      [
        'K100001',
        '2025-07-01 10:00',
        '2025-07-01 10:45',
        'office_visit',
        'Leeds office',
        'attended_complied',
        'pat.officer@probation.example',
      ],
      [
        'K100001',
        '2025-07-08T10:00:00Z',
        '2025-07-08T10:45:00Z',
        'home_visit',
        'Home',
        'failed to attend',
        '',
      ],
      ['K100001', '2030-01-07T10:00:00Z', '2030-01-07T11:00:00Z', 'office_visit', 'Leeds office', '', ''],
      ['K100001', '2025-07-15T10:00:00Z', '2025-07-15T09:00:00Z', 'office_visit', 'Leeds office', '', ''],
      [
        'K100001',
        '2025-07-22T10:00:00Z',
        '2025-07-22T11:00:00Z',
        'office_visit',
        'Leeds office',
        'maybe',
        'nobody@probation.example',
      ],
      ['K100001', '31/02/2025 10:00', '2025-07-22T11:00:00Z', 'office_visit', 'Leeds office', '', ''],
    ])
    expect(lines).toEqual([
      'Row 5, column ends_at: the end must be after the start',
      expect.stringMatching(/^Row 6, column outcome: enter one of: attended_complied, /),
      expect.stringMatching(/^Row 7, column starts_at: enter a real date and time/),
    ])
    expect(summary).toMatchObject({ imported: 3, withProblems: 3 })
    const first = await database.db
      .selectFrom('appointments')
      .selectAll()
      .where('person_id', '=', person.id)
      .where('kind', '=', 'office_visit')
      .orderBy('starts_at')
      .executeTakeFirstOrThrow()
    expect(first.starts_at.toISOString()).toBe('2025-07-01T09:00:00.000Z')
    expect(first).toMatchObject({
      staff_user_id: staffId,
      agency_id: probation,
      outcome: 'attended_complied',
    })
    expect((await timeline(person.id, 'appointment.attended_complied')).map((t) => t.title)).toEqual([
      'Office visit: Attended and complied',
    ])
    expect((await timeline(person.id, 'appointment.unacceptable_absence')).map((t) => t.title)).toEqual([
      'Home visit: Failed to attend (unacceptable absence)',
    ])

    const unknownStaff = await run('appointments', [
      ['crn', 'starts_at', 'ends_at', 'kind', 'location', 'staff_email'],
      [
        'K100001',
        '2025-08-01T10:00:00Z',
        '2025-08-01T11:00:00Z',
        'office_visit',
        'Leeds office',
        'nobody@probation.example',
      ],
    ])
    expect(unknownStaff.lines).toEqual([
      'Row 2, column staff_email: there is no user with email nobody@probation.example',
    ])
  })

  it('imports contacts for the agency named in the row, keyed by source_ref, and reports a changed row', async () => {
    const header = ['source_ref', 'crn', 'occurred_at', 'kind', 'summary', 'category', 'agency_code']
    const { summary } = await run('contacts', [
      header,
      [
        'C-1',
        'K100001',
        '2025-06-01T09:30:00Z',
        'police.intelligence',
        'Seen with known associates',
        'police_intelligence',
        policeCode,
      ],
      ['C-2', 'K100001', '2025-06-02T09:30:00Z', 'contact.phone', 'Phone call with the person', '', ''],
    ])
    expect(summary).toMatchObject({ imported: 2, withProblems: 0 })
    const contacts = await database.db
      .selectFrom('contacts')
      .selectAll()
      .where('person_id', '=', person.id)
      .orderBy('occurred_at')
      .execute()
    expect(contacts).toMatchObject([
      { agency_id: police, category: 'police_intelligence', summary: 'Seen with known associates' },
      { agency_id: probation, category: 'supervision' },
    ])
    expect(await timeline(person.id, 'police.intelligence')).toMatchObject([
      { agency_id: police, title: 'Seen with known associates' },
    ])

    const changed = await run('contacts', [
      header,
      [
        'C-1',
        'K100001',
        '2025-06-01T09:30:00Z',
        'police.intelligence',
        'Seen alone',
        'police_intelligence',
        'NOPE',
      ],
    ])
    expect(changed.lines).toEqual(['Row 2, column agency_code: there is no agency with code NOPE'])
    const changedAgain = await run('contacts', [
      header,
      [
        'C-1',
        'K100001',
        '2025-06-01T09:30:00Z',
        'police.intelligence',
        'Seen alone',
        'police_intelligence',
        '',
      ],
    ])
    expect(changedAgain.problems.map((p) => p.kind)).toEqual(['imported before with different values'])
  })
})
