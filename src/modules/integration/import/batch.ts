import type { Origin } from '../../../platform/audit/audit.js'
import type { Db, Queryable } from '../../../platform/database/database.js'
import type { AnyRow, ImportKind, RowProblem } from './import.schema.js'
import * as repo from './import.repository.js'

/** A row that passed validation, with the key and digest that make re-importing it a no-op. */
export interface ValidRow<R extends AnyRow = AnyRow> {
  row: number
  value: R
  key: string
  hash: string
}

/** What one import run shares between its batches. */
export interface BatchContext {
  db: Db
  kind: ImportKind
  sourceSystem: string
  dryRun: boolean
  origin: Origin
  /** The file's name, for the audit record. */
  file: string
  /** Lead agency for new people whose row names none (`--agency`). */
  defaultAgencyId: string | null
  agencies: Lookup
  users: Lookup
}

export interface BatchOutcome {
  imported: number
  unchanged: number
  problems: RowProblem[]
  /** People only: how each imported row was matched. */
  created: number
  linked: number
  matched: number
  queued: number
}

export function emptyOutcome(): BatchOutcome {
  return { imported: 0, unchanged: 0, problems: [], created: 0, linked: 0, matched: 0, queued: 0 }
}

/** A code-to-id lookup remembered for the whole run (agencies and staff are few and stable). */
export class Lookup {
  private readonly known = new Map<string, string | null>()
  constructor(private readonly find: (db: Queryable, keys: string[]) => Promise<Map<string, string>>) {}

  async load(db: Queryable, keys: (string | null)[]) {
    const missing = [...new Set(keys.filter((k): k is string => !!k && !this.known.has(k)))]
    if (missing.length === 0) return
    const found = await this.find(db, missing)
    for (const key of missing) this.known.set(key, found.get(key) ?? null)
  }

  get(key: string): string | null {
    return this.known.get(key) ?? null
  }
}

export const agencyLookup = () =>
  new Lookup(async (db, codes) => new Map((await repo.findAgencies(db, codes)).map((a) => [a.code, a.id])))

export const userLookup = () =>
  new Lookup(
    async (db, emails) => new Map((await repo.findUsersByEmail(db, emails)).map((u) => [u.email, u.id])),
  )

/**
 * Rows whose key already appeared earlier in the same batch: an identical repeat is unchanged,
 * a different one is a problem (the first one wins, as it would on a re-run).
 */
export function withoutRepeats<R extends AnyRow>(rows: ValidRow<R>[], outcome: BatchOutcome): ValidRow<R>[] {
  const first = new Map<string, ValidRow<R>>()
  return rows.filter((row) => {
    const earlier = first.get(row.key)
    if (!earlier) {
      first.set(row.key, row)
      return true
    }
    if (earlier.hash === row.hash) outcome.unchanged += 1
    else
      outcome.problems.push({
        row: row.row,
        column: null,
        message: `this row has the same key (${row.key}) as row ${earlier.row} but different values; only row ${earlier.row} is imported`,
        kind: 'repeated in the file with different values',
      })
    return false
  })
}

export const changedProblem = (row: ValidRow): RowProblem => ({
  row: row.row,
  column: null,
  message: `this row (key ${row.key}) was imported before with different values. An import never changes what it imported: correct the record in Tandem, or give the row a new source_ref`,
  kind: 'imported before with different values',
})

export const unknownAgency = (row: ValidRow, code: string): RowProblem => ({
  row: row.row,
  column: 'agency_code',
  message: `there is no agency with code ${code}`,
  kind: 'unknown agency',
})
