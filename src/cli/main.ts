import { Command, InvalidArgumentError } from 'commander'
import { ConfigError, loadConfig } from '../config.js'
import { verifyAuditLog } from '../platform/audit/audit-chain.js'
import { connect, type Database } from '../platform/database/database.js'
import { migrate } from '../platform/database/migrate.js'
import { importCommand, type ImportCommandOptions } from '../modules/integration/import/import.command.js'
import { ingestCommand } from './ingest.js'
import { scoreOgrs3Command } from './score.js'
import { isEmpty, seed } from './seed/seed.js'

/** Runs a command against the configured database, closing it afterwards. */
async function withDatabase<T>(work: (database: Database) => Promise<T>): Promise<T> {
  const config = loadConfig()
  const database = await connect(config.database)
  try {
    await migrate(database)
    return await work(database)
  } finally {
    await database.close()
  }
}

function positiveInt(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number of 1 or more')
  return n
}

const program = new Command()
  .name('tandem')
  .description(
    'Tandem command line: database, seed data and checks. Uses DATABASE_URL, or the embedded database in TANDEM_DATA_DIR.',
  )

program
  .command('migrate')
  .description('apply any database migrations not yet applied')
  .action(() =>
    withDatabase(async () => {
      console.log('Database is up to date.')
    }),
  )

program
  .command('seed')
  .description('generate a realistic estate of people on probation (deterministic)')
  .requiredOption('--people <n>', 'how many people on probation', positiveInt)
  .option('--regions <n>', 'how many of the 12 regions to use (default: one per 20,000 people)', positiveInt)
  .option('--seed <n>', 'random seed, for a different but repeatable estate', positiveInt)
  .option('--force', 'seed even if the database already has data')
  .action((options: { people: number; regions?: number; seed?: number; force?: boolean }) =>
    withDatabase(async (database) => {
      if (!options.force && !(await isEmpty(database))) {
        console.error('The database already has data. Use an empty database, or --force to add to it.')
        process.exitCode = 1
        return
      }
      const summary = await seed(database, {
        people: options.people,
        regions: options.regions,
        seed: options.seed,
        progress: true,
      })
      console.log(
        `Seeded ${summary.people.toLocaleString('en-GB')} people, ${summary.timelineEvents.toLocaleString('en-GB')} timeline events ` +
          `and ${summary.staff.toLocaleString('en-GB')} staff in ${summary.seconds.toFixed(1)} s.`,
      )
    }),
  )

program
  .command('audit')
  .description('audit log commands')
  .command('verify')
  .description('recompute the audit log hash chain and report any record altered, removed or reordered')
  .action(() =>
    withDatabase(async (database) => {
      const report = await verifyAuditLog(database.db)
      console.log(
        `${report.sealed.toLocaleString('en-GB')} sealed records checked; ${report.unsealed} not yet sealed.`,
      )
      if (report.staleUnsealed > 0)
        console.log(
          `Warning: ${report.staleUnsealed} records are over a minute old and unsealed: is the worker running?`,
        )
      for (const problem of report.problems) console.log(`Problem: ${problem}`)
      console.log(report.ok ? 'The audit log chain is intact.' : 'The audit log chain is BROKEN.')
      if (!report.ok) process.exitCode = 1
    }),
  )

program
  .command('ingest')
  .description(
    'apply HMPPS domain events from a file (or - for standard input): one message or a JSON array, bare or SNS-wrapped; prints one JSON line per message',
  )
  .argument('<file>', 'a JSON file, or - to read standard input')
  .action((file: string) =>
    withDatabase(async (database) => {
      const counts = await ingestCommand(database, file)
      console.error(
        `${counts.applied} applied, ${counts.duplicate} already applied, ${counts['dead-letter']} kept as dead letters.`,
      )
    }),
  )

program
  .command('score')
  .description('actuarial scores, worked out without the database')
  .command('ogrs3')
  .description(
    'OGRS3 for JSON lines on standard input, one result line each on standard output; exits 1 if any line had an error',
  )
  .option('--oasys-weights', 'use the OASys values of the disputed weights instead of the published ones')
  .action((options: { oasysWeights?: boolean }) => scoreOgrs3Command(options))

program
  .command('import')
  .description('import a legacy extract (CSV) of one kind of row; bad rows are reported and skipped')
  .argument('<file>', 'a CSV file whose first row names its columns')
  .requiredOption('--kind <kind>', 'people, sentences, appointments, contacts or registrations')
  .option('--dry-run', 'check every row and report problems, writing nothing')
  .option('--mapping <file>', 'JSON that renames columns: { "columns": { "Their Column": "our_column" } }')
  .option('--source <system>', 'system the extract came from, part of every row key (default legacy-import)')
  .option('--agency <code>', 'lead agency for new people whose row has no agency_code')
  .action((file: string, options: ImportCommandOptions) =>
    withDatabase((database) => importCommand(database.db, file, options)),
  )

try {
  await program.parseAsync()
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message)
    process.exitCode = 1
  } else {
    throw error
  }
}
