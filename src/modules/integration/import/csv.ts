import { createReadStream } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { parse, type Parser } from 'csv-parse'
import { z } from 'zod'
import { ValidationError } from '../../../errors.js'

/** A mapping file: `{ "columns": { "Their Column": "our_column" } }`. */
const mappingFile = z.object({ columns: z.record(z.string(), z.string()) })
export type Mapping = Record<string, string>

const fileProblem = (message: string) => new ValidationError([{ field: 'file', message }])

/** Reads and checks a mapping file (small, so read whole). */
export async function loadMapping(path: string): Promise<Mapping> {
  let json: unknown
  try {
    json = JSON.parse(await readFile(path, 'utf8'))
  } catch (error) {
    throw fileProblem(`Cannot read the mapping file ${path}: ${(error as Error).message}`)
  }
  const result = mappingFile.safeParse(json)
  if (!result.success)
    throw fileProblem(
      `The mapping file ${path} must look like { "columns": { "Their column": "our_column" } }, with text values`,
    )
  return result.data.columns
}

export interface CsvRow {
  /** The spreadsheet row number: the header is row 1. */
  row: number
  values: Record<string, string>
  /** Set when the row has a different number of values from the header. */
  width: number | null
}

export interface CsvFile {
  /** Our name for each column of the file, or null for a column we do not use. */
  columns: (string | null)[]
  /** Things worth saying once about the header: unknown columns, unused mappings. */
  notices: string[]
  totalBytes: number
  bytesRead(): number
  rows: AsyncGenerator<CsvRow>
}

/**
 * Opens a CSV file as a stream and reads its header. Columns are renamed by the mapping, and
 * our own column names are recognised in any letter case. Missing required columns stop here,
 * before any row is read. Rows are then read one at a time, so the file is never held whole.
 */
export async function openCsv(
  path: string,
  options: { known: string[]; required: string[]; mapping?: Mapping; kindLabel: string },
): Promise<CsvFile> {
  const size = await stat(path).then(
    (s) => s.size,
    () => {
      throw fileProblem(`There is no file at ${path}`)
    },
  )
  const stream = createReadStream(path)
  const parser: Parser = stream.pipe(
    parse({ bom: true, relax_column_count: true, skip_empty_lines: false, trim: false }),
  )
  stream.on('error', (error) => parser.destroy(error))
  const records = parser[Symbol.asyncIterator]() as AsyncIterator<string[]>
  let header: string[]
  try {
    const first = await records.next()
    if (first.done) throw fileProblem('The file is empty: its first row must name its columns')
    header = first.value
  } catch (error) {
    parser.destroy()
    throw error instanceof ValidationError ? error : csvError(error)
  }
  const mapping = options.mapping ?? {}
  const known = new Set(options.known)
  const notices: string[] = []
  const columns = header.map((raw) => {
    const name = raw.trim()
    const ours = mapping[raw] ?? mapping[name] ?? (known.has(name.toLowerCase()) ? name.toLowerCase() : name)
    if (known.has(ours)) return ours
    notices.push(
      (mapping[raw] ?? mapping[name])
        ? `The mapping file maps column "${name}" to "${ours}", which a ${options.kindLabel} import does not use, so it is ignored`
        : `Column "${name}" is not used by a ${options.kindLabel} import, so it is ignored`,
    )
    return null
  })
  for (const from of Object.keys(mapping))
    if (!header.some((h) => h === from || h.trim() === from))
      notices.push(`The mapping file names column "${from}", which is not in the file`)
  const problems: string[] = []
  for (const name of new Set(columns.filter((c): c is string => c !== null))) {
    const sources = header.filter((_, i) => columns[i] === name)
    if (sources.length > 1)
      problems.push(
        `Columns ${sources.map((s) => `"${s.trim()}"`).join(' and ')} would both be read as ${name}: keep one`,
      )
  }
  const missing = options.required.filter((c) => !columns.includes(c))
  if (missing.length)
    problems.push(
      `The file has no ${missing.join(', ')} column${missing.length > 1 ? 's' : ''}. A ${options.kindLabel} import needs ` +
        `${options.required.join(', ')}. Rename the columns in the file, or map them with --mapping`,
    )
  if (problems.length) {
    parser.destroy()
    throw new ValidationError(problems.map((message) => ({ field: 'file', message })))
  }
  return {
    columns,
    notices,
    totalBytes: size,
    bytesRead: () => parser.info.bytes,
    rows: rowsOf(records, parser, columns),
  }
}

async function* rowsOf(records: AsyncIterator<string[]>, parser: Parser, columns: (string | null)[]) {
  let row = 1
  try {
    for (;;) {
      let next: IteratorResult<string[]>
      try {
        next = await records.next()
      } catch (error) {
        throw csvError(error)
      }
      if (next.done) return
      row += 1
      const record = next.value
      // A blank line is not a row of data, but it still counts as a spreadsheet row.
      if (record.every((v) => v.trim() === '')) continue
      const values: Record<string, string> = {}
      columns.forEach((name, i) => {
        if (name !== null && record[i] !== undefined) values[name] = record[i]
      })
      yield { row, values, width: record.length === columns.length ? null : record.length }
    }
  } finally {
    parser.destroy()
  }
}

function csvError(error: unknown) {
  const e = error as { code?: string; message: string }
  return e.code === 'ENOENT' || !e.code?.startsWith('CSV_')
    ? error
    : fileProblem(`The file is not valid CSV: ${e.message}. Fix the file and run the import again`)
}
