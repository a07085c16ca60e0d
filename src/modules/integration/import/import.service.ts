import path from 'node:path'
import { ValidationError } from '../../../errors.js'
import type { Db } from '../../../platform/database/database.js'
import {
  agencyLookup,
  emptyOutcome,
  userLookup,
  withoutRepeats,
  type BatchContext,
  type ValidRow,
} from './batch.js'
import { openCsv, type Mapping } from './csv.js'
import {
  columnsOf,
  parseRow,
  rowHash,
  rowKey,
  SPECS,
  type ImportKind,
  type RowProblem,
} from './import.schema.js'
import { importPeopleBatch } from './people.import.js'
import type { PeopleRow } from './import.schema.js'
import { importRecordsBatch } from './records.import.js'
import { refreshStatistics } from './import.repository.js'

export interface ImportOptions {
  file: string
  kind: ImportKind
  /** The system the extract came from; part of every row's key. Default 'legacy-import'. */
  sourceSystem?: string
  mapping?: Mapping
  /** Check every row (against the database too) and write nothing. */
  dryRun?: boolean
  /** Code of the lead agency for new people whose row has no agency_code. */
  agencyCode?: string
  /** Rows per transaction. */
  batchSize?: number
  onNotice?: (message: string) => void
  /** Each problem, in row order within each batch, as soon as its batch is done. */
  onProblem?: (problem: RowProblem) => void
  onProgress?: (progress: { rows: number; bytes: number; totalBytes: number }) => void
}

export interface ImportSummary {
  kind: ImportKind
  dryRun: boolean
  sourceSystem: string
  rowsRead: number
  valid: number
  withProblems: number
  /** Written (or in a dry run: would be written). */
  imported: number
  /** Already imported with the same values: nothing to do. */
  unchanged: number
  /** People only: new people, linked by identifier, through full matching, queued for review. */
  people: { created: number; linked: number; matched: number; queued: number } | null
  problemsByKind: Record<string, number>
  notices: string[]
  seconds: number
  peakRssMib: number
}

export const DEFAULT_SOURCE = 'legacy-import'
const MIB = 1024 * 1024

/**
 * Imports a legacy extract (CSV) of one kind of row, streaming it in batches, each batch in one
 * transaction with one audit record for the people it touched. Bad rows are reported and
 * skipped; good ones are imported. Every row is keyed by source system and row key, so running
 * the same import again changes nothing. With dryRun, reports what it would do and writes nothing.
 */
export async function runImport(db: Db, options: ImportOptions): Promise<ImportSummary> {
  const started = performance.now()
  let peakRss = process.memoryUsage.rss()
  const sourceSystem = options.sourceSystem?.trim() || DEFAULT_SOURCE
  const ctx: BatchContext = {
    db,
    kind: options.kind,
    sourceSystem,
    dryRun: !!options.dryRun,
    origin: { route: 'cli tandem import', requestId: null },
    file: path.basename(options.file),
    defaultAgencyId: null,
    agencies: agencyLookup(),
    users: userLookup(),
  }
  if (options.agencyCode) {
    await ctx.agencies.load(db, [options.agencyCode])
    ctx.defaultAgencyId = ctx.agencies.get(options.agencyCode)
    if (!ctx.defaultAgencyId)
      throw new ValidationError([
        { field: 'agency', message: `There is no agency with code ${options.agencyCode}` },
      ])
  }
  const csv = await openCsv(options.file, {
    known: columnsOf(options.kind),
    required: SPECS[options.kind].required,
    mapping: options.mapping,
    kindLabel: options.kind,
  })
  for (const notice of csv.notices) options.onNotice?.(notice)

  const summary: ImportSummary = {
    kind: options.kind,
    dryRun: ctx.dryRun,
    sourceSystem,
    rowsRead: 0,
    valid: 0,
    withProblems: 0,
    imported: 0,
    unchanged: 0,
    people: options.kind === 'people' ? { created: 0, linked: 0, matched: 0, queued: 0 } : null,
    problemsByKind: {},
    notices: csv.notices,
    seconds: 0,
    peakRssMib: 0,
  }
  const batchSize = options.batchSize ?? 500
  let batch: ValidRow[] = []
  let invalid: RowProblem[] = []
  let statisticsAt = batchSize

  const flush = async () => {
    const outcome = emptyOutcome()
    const rows = withoutRepeats(batch, outcome)
    if (rows.length && options.kind === 'people')
      await importPeopleBatch(ctx, rows as ValidRow<PeopleRow>[], outcome)
    else if (rows.length) await importRecordsBatch(ctx, rows, outcome)
    const problems = [...invalid, ...outcome.problems].sort((a, b) => a.row - b.row)
    for (const problem of problems) {
      summary.problemsByKind[problem.kind] = (summary.problemsByKind[problem.kind] ?? 0) + 1
      options.onProblem?.(problem)
    }
    summary.withProblems += new Set(problems.map((p) => p.row)).size
    summary.imported += outcome.imported
    summary.unchanged += outcome.unchanged
    if (summary.people) {
      summary.people.created += outcome.created
      summary.people.linked += outcome.linked
      summary.people.matched += outcome.matched
      summary.people.queued += outcome.queued
    }
    batch = []
    invalid = []
    // An initial load grows tables from nearly empty: plans made for a small table (and kept by
    // prepared statements) read it whole once it is large. Refreshing the statistics each time
    // the rows imported double keeps the plans right at a logarithmic cost (autovacuum may be off).
    if (!options.dryRun && summary.imported >= statisticsAt) {
      statisticsAt *= 2
      await refreshStatistics(db, options.kind)
    }
    peakRss = Math.max(peakRss, process.memoryUsage.rss())
    options.onProgress?.({ rows: summary.rowsRead, bytes: csv.bytesRead(), totalBytes: csv.totalBytes })
  }

  for await (const row of csv.rows) {
    summary.rowsRead += 1
    if (row.width !== null) {
      invalid.push({
        row: row.row,
        column: null,
        message: `this row has ${row.width} values but the header has ${csv.columns.length} columns`,
        kind: 'wrong number of values',
      })
    } else {
      const parsed = parseRow(options.kind, row.row, row.values)
      if (parsed.ok)
        batch.push({
          row: row.row,
          value: parsed.value,
          key: rowKey(options.kind, parsed.value),
          hash: rowHash(parsed.value),
        })
      else invalid.push(...parsed.problems)
    }
    if (batch.length + invalid.length >= batchSize) await flush()
  }
  await flush()
  summary.valid = summary.rowsRead - summary.withProblems
  summary.seconds = (performance.now() - started) / 1000
  summary.peakRssMib = Math.round((peakRss / MIB) * 10) / 10
  return summary
}
