import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { engine, freshDatabase, type TestDatabase } from '../../../../test/support/database.js'
import * as f from '../../../../test/support/factories.js'
import { ValidationError } from '../../../errors.js'
import { loadMapping } from './csv.js'
import { describeProblem, type RowProblem } from './import.schema.js'
import { runImport, type ImportOptions } from './import.service.js'

let database: TestDatabase
let agencyCode: string
const dir = mkdtempSync(path.join(tmpdir(), 'tandem-import-csv-'))
let files = 0

function csvFile(rows: string[][], raw?: string): string {
  const file = path.join(dir, `fixture-${++files}.csv`)
  writeFileSync(file, raw ?? rows.map((r) => r.join(',')).join('\n'))
  return file
}

async function run(options: Partial<ImportOptions> & { file: string }) {
  const problems: RowProblem[] = []
  const notices: string[] = []
  const summary = await runImport(database.db, {
    kind: 'people',
    onProblem: (p) => problems.push(p),
    onNotice: (n) => notices.push(n),
    ...options,
  })
  return { summary, problems, notices, lines: problems.map(describeProblem) }
}

const snapshot = async () => ({
  people: (await database.db.selectFrom('people').select('id').execute()).length,
  sources: (await database.db.selectFrom('source_records').select('id').execute()).length,
})

beforeAll(async () => {
  database = await freshDatabase()
  const probation = await f.makeAgency(database.db)
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

describe(`reading legacy extracts on ${engine}`, () => {
  it('renames columns with a mapping file, notes unknown ones, and stops before any row without a required column', async () => {
    const mappingFile = path.join(dir, 'mapping.json')
    writeFileSync(
      mappingFile,
      JSON.stringify({
        columns: { 'Case Ref': 'crn', Forename: 'first_name', Surname: 'last_name', DOB: 'date_of_birth' },
      }),
    )
    const mapping = await loadMapping(mappingFile)
    const { summary, notices } = await run({
      file: csvFile([
        ['Case Ref', 'Forename', 'Surname', 'DOB', 'Shoe Size'],
        ['J600001', 'Ada', 'Lovell', '1993-12-01', '9'],
      ]),
      mapping,
      agencyCode,
    })
    expect(summary).toMatchObject({ imported: 1, withProblems: 0 })
    expect(notices).toEqual(['Column "Shoe Size" is not used by a people import, so it is ignored'])

    const before = await snapshot()
    const missing = runImport(database.db, {
      kind: 'people',
      file: csvFile([
        ['Case Ref', 'Forename'],
        ['J600002', 'Bo'],
      ]),
      mapping,
    })
    await expect(missing).rejects.toThrow(ValidationError)
    await expect(missing).rejects.toThrow(/no last_name, date_of_birth columns.*--mapping/)
    expect(await snapshot()).toEqual(before)
    writeFileSync(mappingFile, '{ "columns": ["crn"] }')
    await expect(loadMapping(mappingFile)).rejects.toThrow(/must look like/)
  })

  it('reads quoted commas, line breaks and a byte order mark, keeps spreadsheet row numbers, and batches', async () => {
    const raw =
      '\uFEFFcrn,first_name,last_name,date_of_birth\r\n' +
      'J700001,"Mary, Jane","O\'Neil",1980-01-01\r\n' +
      '\r\n' +
      'J700002,"Multi\nLine",Smith,1980-01-02\r\n' +
      'J700003,Too,Many,1980-01-03,extra\r\n' +
      'J700004,Del,Boy,1980-01-04\r\n' +
      'J700004,Del,Boy,1980-01-04\r\n' +
      'J700005,Rod,Trotter,1980-01-05\r\n'
    const { summary, lines } = await run({ file: csvFile([], raw), agencyCode, batchSize: 2 })
    expect(lines).toEqual(['Row 5: this row has 5 values but the header has 4 columns'])
    expect(summary).toMatchObject({ rowsRead: 6, imported: 4, unchanged: 1, withProblems: 1 })
    const mary = await database.db
      .selectFrom('people')
      .select(['first_name', 'last_name'])
      .where('crn', '=', 'J700001')
      .executeTakeFirstOrThrow()
    expect(mary).toEqual({ first_name: 'Mary, Jane', last_name: "O'Neil" })
  })

  it('says clearly when the file is missing, empty or not CSV', async () => {
    await expect(
      runImport(database.db, { kind: 'people', file: path.join(dir, 'nope.csv') }),
    ).rejects.toThrow(/There is no file at/)
    await expect(runImport(database.db, { kind: 'people', file: csvFile([], '') })).rejects.toThrow(
      /The file is empty/,
    )
    const broken = csvFile([], 'crn,first_name,last_name,date_of_birth\nJ800001,"unclosed,Smith,1980-01-01\n')
    await expect(runImport(database.db, { kind: 'people', file: broken, agencyCode })).rejects.toThrow(
      /not valid CSV/,
    )
  })
})
