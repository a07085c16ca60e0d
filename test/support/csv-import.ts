import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import {
  describeProblem,
  type ImportKind,
  type RowProblem,
} from '../../src/modules/integration/import/import.schema.js'
import { runImport, type ImportOptions } from '../../src/modules/integration/import/import.service.js'
import type { Db } from '../../src/platform/database/database.js'

/**
 * Legacy import fixtures: CSV files in a temporary folder (every cell quoted, as spreadsheets
 * do when they must, unless `raw` text is given) and a runner that collects problems and notices.
 */
export function csvImports(db: () => Db, name: string) {
  const dir = mkdtempSync(path.join(tmpdir(), `tandem-${name}-`))
  let files = 0
  const csvFile = (rows: string[][], raw?: string, lineEnd = '\n') => {
    const file = path.join(dir, `fixture-${++files}.csv`)
    writeFileSync(
      file,
      raw ?? rows.map((r) => r.map((c) => `"${c.replace(/"/g, '""')}"`).join(',')).join(lineEnd),
    )
    return file
  }
  const run = async (options: Partial<ImportOptions> & { file: string }) => {
    const problems: RowProblem[] = []
    const notices: string[] = []
    const summary = await runImport(db(), {
      kind: 'people',
      onProblem: (p) => problems.push(p),
      onNotice: (n) => notices.push(n),
      ...options,
    })
    return { summary, problems, notices, lines: problems.map(describeProblem) }
  }
  /** One kind of rows, as a file, imported (or checked, with dryRun). */
  const runKind = (
    kind: ImportKind,
    rows: string[][],
    options: { dryRun?: boolean; sourceSystem?: string } = {},
  ) => run({ kind, file: csvFile(rows), ...options })
  /** A person's timeline items of one kind, oldest first. */
  const timeline = (personId: string, kind: string) =>
    db()
      .selectFrom('timeline_events')
      .selectAll()
      .where('person_id', '=', personId)
      .where('kind', '=', kind)
      .orderBy('occurred_at')
      .execute()
  return { csvFile, run, runKind, timeline }
}
