import cliProgress from 'cli-progress'
import { ValidationError } from '../../../errors.js'
import type { Db } from '../../../platform/database/database.js'
import { loadMapping } from './csv.js'
import { describeProblem, KINDS, type ImportKind } from './import.schema.js'
import { runImport } from './import.service.js'
import { summaryLines } from './report.js'

export interface ImportCommandOptions {
  kind: string
  dryRun?: boolean
  mapping?: string
  source?: string
  agency?: string
}

/**
 * `tandem import <file> --kind …`: runs the import, printing each problem and notice as it is
 * found and a summary at the end, with a progress bar on standard error when that is a terminal.
 * Sets the exit status to 1 when the file cannot be imported or any row has a problem.
 */
export async function importCommand(db: Db, file: string, options: ImportCommandOptions): Promise<void> {
  if (!(KINDS as readonly string[]).includes(options.kind)) {
    console.error(`--kind must be one of: ${KINDS.join(', ')}`)
    process.exitCode = 1
    return
  }
  const multibar = process.stderr.isTTY
    ? new cliProgress.MultiBar(
        {
          format: `Importing ${options.kind} {bar} {percentage}% | {rows} rows | ETA {eta_formatted}`,
          hideCursor: true,
          stream: process.stderr,
        },
        cliProgress.Presets.shades_classic,
      )
    : null
  let bar: cliProgress.SingleBar | null = null
  // Lines go above the bar when both share the terminal, and straight to stdout when it is redirected.
  const print = (line: string) =>
    multibar && process.stdout.isTTY ? multibar.log(`${line}\n`) : process.stdout.write(`${line}\n`)
  try {
    const summary = await runImport(db, {
      file,
      kind: options.kind as ImportKind,
      dryRun: options.dryRun,
      sourceSystem: options.source,
      agencyCode: options.agency,
      mapping: options.mapping ? await loadMapping(options.mapping) : undefined,
      onNotice: (message) => print(`Note: ${message}.`),
      onProblem: (problem) => print(describeProblem(problem)),
      onProgress: ({ rows, bytes, totalBytes }) => {
        bar ??= multibar?.create(Math.max(1, totalBytes), 0, { rows: 0 }) ?? null
        bar?.update(bytes, { rows: rows.toLocaleString('en-GB') })
      },
    })
    multibar?.stop()
    for (const line of summaryLines(summary)) console.log(line)
    if (summary.withProblems > 0) process.exitCode = 1
  } catch (error) {
    multibar?.stop()
    if (!(error instanceof ValidationError)) throw error
    for (const problem of error.problems) console.error(problem.message)
    process.exitCode = 1
  }
}
