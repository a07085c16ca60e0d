import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Command } from 'commander'
import { sql } from 'kysely'
import pg from 'pg'
import { seed } from '../src/cli/seed/seed.js'
import { connect, type Database } from '../src/platform/database/database.js'
import { migrate, MIGRATIONS_DIR } from '../src/platform/database/migrate.js'
import { drainOutbox } from '../src/platform/outbox/outbox.js'
import { backgroundJobs, subscribers } from '../src/subscribers.js'
import { captureTraces } from './capture.js'
import { loadHttp, loadSql } from './load.js'
import { measureImport } from './import.js'
import { measureFlagLatency } from './flag-latency.js'
import { measureIngest } from './ingest.js'
import { measureMatching } from './matching.js'
import {
  machine,
  markdownSection,
  scalingChart,
  updateBenchmarksDoc,
  writeResults,
  type BenchResults,
  type ScenarioResult,
} from './report.js'
import { buildScenarios } from './scenarios.js'
import { ROOT, startServer } from './server.js'

/**
 * The local PostgreSQL, by its Unix socket where it has one: the server, the baseline and the
 * database share this machine, as an application beside its database would connect. Over
 * loopback TCP each query's write costs the sender about half a millisecond of CPU here,
 * a fifth of the server's time on a person's page.
 */
function defaultServer() {
  const socketDir = '/var/run/postgresql'
  return existsSync(path.join(socketDir, '.s.PGSQL.5432'))
    ? `postgres://postgres@localhost:5432/postgres?host=${socketDir}`
    : 'postgres://postgres@127.0.0.1:5432/postgres'
}

const program = new Command()
  .name('npm run bench --')
  .description(
    'Benchmarks Tandem over HTTP against a seeded PostgreSQL, beside a raw-SQL baseline of the same queries.',
  )
  .option('--quick', 'a small seed and short runs, for CI smoke checks (timings mean nothing)')
  .option('--people <n>', 'people on probation to seed (default 250000; 2000 with --quick)', Number)
  .option(
    '--sizes <list>',
    'also measure search and single view at these sizes, for the scaling chart (e.g. 10000,50000,250000)',
  )
  .option(
    '--seconds <n>',
    'measuring time per scenario and per baseline (default 10; 2 with --quick)',
    Number,
  )
  .option('--concurrency <n>', 'concurrent clients (default 32; 4 with --quick)', Number)
  .option(
    '--server <url>',
    'PostgreSQL server to use (databases tandem_bench_<people> are created on it)',
    process.env.BENCH_POSTGRES_URL ?? defaultServer(),
  )
  .option(
    '--only <names>',
    'comma-separated scenario names to run ("matching", "ingest", "flag-latency" and "import" for those measurements)',
  )
  .parse()

const options = program.opts<{
  quick?: boolean
  people?: number
  sizes?: string
  seconds?: number
  concurrency?: number
  server: string
  only?: string
}>()
const quick = !!options.quick
const people = options.people ?? (quick ? 2000 : 250_000)
const seconds = options.seconds ?? (quick ? 2 : 10)
const concurrency = options.concurrency ?? (quick ? 4 : 32)

function databaseUrl(size: number) {
  const url = new URL(options.server)
  url.pathname = `/tandem_bench_${size}`
  return url.toString()
}

/** Each migration file's SHA-256, to tell a bench database built before a migration was edited. */
function migrationHashes(): Map<string, string> {
  return new Map(
    readdirSync(MIGRATIONS_DIR)
      .filter((f) => f.endsWith('.sql'))
      .map((f) => [
        f,
        createHash('sha256')
          .update(readFileSync(path.join(MIGRATIONS_DIR, f)))
          .digest('hex'),
      ]),
  )
}

/** True when every migration applied to this database is still the file it was applied from. */
async function builtFromCurrentMigrations(database: Database): Promise<boolean> {
  const current = migrationHashes()
  const applied = await sql<{ name: string; sha256: string }>`select name, sha256 from bench_migrations`
    .execute(database.db)
    .catch(() => null)
  return !!applied && applied.rows.every((r) => current.get(r.name) === r.sha256)
}

async function recordMigrations(database: Database) {
  await sql`create table if not exists bench_migrations (name text primary key, sha256 text not null)`.execute(
    database.db,
  )
  for (const [name, sha256] of migrationHashes()) {
    await sql`insert into bench_migrations values (${name}, ${sha256})
      on conflict (name) do update set sha256 = excluded.sha256`.execute(database.db)
  }
}

/**
 * Reuses tandem_bench_<size> when it already holds that many people and none of the migrations
 * it was built from has changed since; otherwise seeds it afresh.
 */
async function seeded(size: number): Promise<{ database: Database; url: string; events: number }> {
  const url = databaseUrl(size)
  const admin = new pg.Client({ connectionString: options.server })
  await admin.connect()
  const exists = (await admin.query('select 1 from pg_database where datname = $1', [`tandem_bench_${size}`]))
    .rowCount
  let database: Database | null = null
  if (exists) {
    database = await connect({ kind: 'postgres', url, poolSize: 4 })
    const count = await sql<{ n: number }>`select count(*)::int as n from people`
      .execute(database.db)
      .catch(() => ({ rows: [{ n: -1 }] }))
    if (count.rows[0]?.n !== size || !(await builtFromCurrentMigrations(database))) {
      await database.close()
      database = null
    }
  }
  if (!database) {
    await admin.query(`drop database if exists tandem_bench_${size} with (force)`)
    await admin.query(`create database tandem_bench_${size}`)
    database = await connect({ kind: 'postgres', url, poolSize: 4 })
    await migrate(database)
    console.log(`Seeding ${size.toLocaleString('en-GB')} people into tandem_bench_${size}…`)
    const summary = await seed(database, { people: size, progress: process.stderr.isTTY })
    console.log(`Seeded in ${summary.seconds.toFixed(0)} s.`)
  } else {
    await migrate(database)
    console.log(`Reusing tandem_bench_${size}.`)
  }
  await recordMigrations(database)
  await admin.end()
  await settle(database)
  await vacuumIfNeeded(database)
  await warm(database)
  const events = await sql<{ n: number }>`select count(*)::int as n from timeline_events`.execute(database.db)
  return { database, url, events: events.rows[0]!.n }
}

/**
 * Brings the database to where a server in service would have it: the timed rules judged over
 * everyone once and every event they publish handled. On a fresh seed that first sweep raises
 * tens of thousands of flags, and left to the server's worker it would run during the first
 * scenarios and be measured with them.
 */
async function settle(database: Database) {
  const started = Date.now()
  const handlers = subscribers()
  const jobs = backgroundJobs()
  let handled = 0
  for (;;) {
    let done = await drainOutbox(database.db, handlers)
    for (const job of jobs) done += await job(database.db)
    if (done === 0) break
    handled += done
  }
  console.log(
    `Settled: the worker's sweeps and ${handled.toLocaleString('en-GB')} pieces of work done first (${((Date.now() - started) / 1000).toFixed(0)} s).`,
  )
}

/**
 * Where autovacuum is off (as on the CI machine), earlier runs leave the outbox and flags full
 * of dead rows that a server in service would long since have vacuumed: vacuum them first.
 */
async function vacuumIfNeeded(database: Database) {
  const setting = await sql<{ autovacuum: string }>`show autovacuum`.execute(database.db)
  if (setting.rows[0]?.autovacuum === 'on') return
  const started = Date.now()
  await sql`vacuum (analyze)`.execute(database.db)
  console.log(
    `Autovacuum is off on this server: vacuumed first (${((Date.now() - started) / 1000).toFixed(0)} s).`,
  )
}

/**
 * Reads every table and index into the operating system's cache (pg_prewarm), so scenarios
 * measure a server in service rather than its first reads from disk after seeding.
 */
async function warm(database: Database) {
  const started = Date.now()
  try {
    await sql`create extension if not exists pg_prewarm`.execute(database.db)
    await sql`select sum(pg_prewarm(c.oid, 'read')) from pg_class c
      where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'i')`.execute(database.db)
    console.log(`Warmed the cache in ${((Date.now() - started) / 1000).toFixed(0)} s.`)
  } catch {
    console.log('pg_prewarm is not available: measuring with whatever the cache holds.')
  }
}

async function measure(
  size: number,
  names: string[] | null,
  port: number,
  extras: { matching: boolean; ingest: boolean; flagLatency: boolean } = {
    matching: false,
    ingest: false,
    flagLatency: false,
  },
) {
  const { database, url, events } = await seeded(size)
  const server = await startServer(
    { DATABASE_URL: url, SEED_DEMO: 'false', DATABASE_POOL_SIZE: String(Math.max(10, concurrency)) },
    port,
  )
  // The server's worker judges the timed rules and counts the dashboards as it starts (about
  // 25 s of database time at national scale): let that pass, as it does for a server in
  // service, rather than measure it with the first scenario. Later refreshes, once a minute,
  // fall where they fall.
  if (!quick) await new Promise((resolve) => setTimeout(resolve, 30_000))
  const idleRss = server.rssMiB()
  let loadedRss = idleRss
  const results: ScenarioResult[] = []
  let flagLatency: BenchResults['flag_latency']
  try {
    const scenarios = (await buildScenarios(database.db, server.url, concurrency)).filter(
      (s) => !names || names.includes(s.name),
    )
    for (const scenario of scenarios) {
      process.stdout.write(`${scenario.name.padEnd(20)} `)
      await loadHttp({
        url: server.url,
        paths: scenario.paths,
        headers: scenario.headers,
        concurrency: scenario.concurrency,
        seconds: 1,
      })
      const sampler = setInterval(() => (loadedRss = Math.max(loadedRss, server.rssMiB())), 250)
      const http = await loadHttp({
        url: server.url,
        paths: scenario.paths,
        headers: scenario.headers,
        concurrency: scenario.concurrency,
        seconds,
      })
      clearInterval(sampler)
      const traces = await captureTraces(
        url,
        scenario.paths.slice(0, 40).map((path) => ({ path, headers: scenario.headers })),
      )
      const baseline = await loadSql({ databaseUrl: url, traces, concurrency: scenario.concurrency, seconds })
      results.push({
        name: scenario.name,
        description: scenario.description,
        concurrency: scenario.concurrency,
        p50_ms: http.p50,
        p95_ms: http.p95,
        p99_ms: http.p99,
        rps: http.rps,
        errors: http.errors,
        baseline_p50_ms: baseline.p50,
        baseline_p95_ms: baseline.p95,
        baseline_p99_ms: baseline.p99,
        baseline_rps: baseline.rps,
        ratio: baseline.rps > 0 ? http.rps / baseline.rps : 0,
      })
      console.log(
        `p50 ${http.p50.toFixed(1)} ms, p95 ${http.p95.toFixed(1)} ms, ${http.rps.toFixed(0)} req/s` +
          ` | SQL p95 ${baseline.p95.toFixed(1)} ms, ${baseline.rps.toFixed(0)} req/s | ratio ${(http.rps / baseline.rps).toFixed(2)}` +
          (http.errors ? ` | ${http.errors} errors` : ''),
      )
    }
    if (extras.flagLatency) {
      process.stdout.write('flag-latency         ')
      flagLatency = await measureFlagLatency(database.db, server.url, 1000, quick ? 5 : 30)
      console.log(
        `${flagLatency.seen}/${flagLatency.probes} flags seen on My day: p50 ${flagLatency.p50_ms.toFixed(0)} ms, ` +
          `p99 ${flagLatency.p99_ms.toFixed(0)} ms | ${flagLatency.events_per_second.toFixed(0)} events/s sent, ` +
          `outbox backlog ${flagLatency.outbox_backlog_after}`,
      )
    }
  } finally {
    await server.stop()
  }
  let matching: BenchResults['matching']
  if (extras.matching) {
    process.stdout.write('matching             ')
    matching = await measureMatching(database.db, quick ? 150 : 1500, quick ? 50 : 500)
    console.log(
      `precision ${matching.precision.toFixed(4)}, recall ${matching.recall.toFixed(4)}, ` +
        `review rate ${matching.reviewRate.toFixed(3)}, p50 ${matching.matchMs.p50.toFixed(1)} ms per record`,
    )
  }
  let ingest: BenchResults['ingest']
  if (extras.ingest) {
    process.stdout.write('ingest               ')
    ingest = await measureIngest(database.db, quick ? 5_000 : 100_000, 4)
    console.log(
      `${ingest.events_per_second.toFixed(0)} events/s | raw inserts ${ingest.baseline_per_second.toFixed(0)} rows/s | ratio ${ingest.ratio.toFixed(2)}`,
    )
  }
  const version = await sql<{ v: string }>`select current_setting('server_version') as v`.execute(database.db)
  await database.close()
  return {
    results,
    matching,
    ingest,
    flagLatency,
    events,
    postgres: version.rows[0]!.v,
    memory: { idle_rss_mib: Math.round(idleRss), loaded_rss_mib: Math.round(loadedRss) },
  }
}

/** Time from starting Tandem on the embedded database to its first page: first start (with demo seed) and restart. */
async function coldStart(port: number) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tandem-cold-'))
  try {
    const env = { TANDEM_DATA_DIR: dataDir, NODE_ENV: 'development', DATABASE_URL: '' }
    const first = await startServer(env, port)
    await first.stop()
    const again = await startServer(env, port)
    await again.stop()
    return { first_start_ms: first.startedInMs, restart_ms: again.startedInMs }
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
}

/**
 * The initial load: a people extract as large as the estate, imported into a database holding
 * only a small seeded region (so the import leaves the benchmark estates as they were).
 */
async function importIntoFreshEstate(rows: number) {
  const admin = new pg.Client({ connectionString: options.server })
  await admin.connect()
  await admin.query('drop database if exists tandem_bench_import with (force)')
  await admin.query('create database tandem_bench_import')
  const url = new URL(options.server)
  url.pathname = '/tandem_bench_import'
  const database = await connect({ kind: 'postgres', url: url.toString(), poolSize: 4 })
  try {
    await migrate(database)
    await seed(database, { people: 2000, regions: 1, progress: false })
    process.stdout.write('import               ')
    const figures = await measureImport(database, rows)
    console.log(
      `${figures.rows.toLocaleString('en-GB')} people in ${figures.seconds} s (${figures.rowsPerSecond} rows/s), ` +
        `memory ${figures.startRssMib} MiB at the start, ${figures.peakRssMib} MiB at the peak`,
    )
    return figures
  } finally {
    await database.close()
    await admin.query('drop database if exists tandem_bench_import with (force)')
    await admin.end()
  }
}

const started = Date.now()
const names = options.only ? options.only.split(',') : null
const wants = (name: string) => !names || names.includes(name)
const main = await measure(people, names, 39_100, {
  matching: wants('matching'),
  ingest: wants('ingest'),
  flagLatency: wants('flag-latency'),
})
const results: BenchResults = {
  date: new Date().toISOString(),
  command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
  machine: machine(main.postgres, new URL(options.server).searchParams.has('host') ? 'unix socket' : 'TCP'),
  people,
  events: main.events,
  seconds_per_scenario: seconds,
  scenarios: main.results,
  matching: main.matching,
  ingest: main.ingest,
  flag_latency: main.flagLatency,
  memory: main.memory,
}
if (!quick) results.startup = await coldStart(39_101)
if (wants('import')) results.import = await importIntoFreshEstate(quick ? 2_000 : people)
if (options.sizes) {
  const sizes = options.sizes.split(',').map(Number)
  results.scaling = []
  for (const size of sizes) {
    const run =
      size === people ? main : await measure(size, ['search', 'search-identifier', 'single-view'], 39_102)
    results.scaling.push({
      people: size,
      events: run.events,
      scenarios: run.results
        .filter((r) => ['search', 'search-identifier', 'single-view'].includes(r.name))
        .map(({ name, p50_ms, p95_ms, baseline_p95_ms }) => ({ name, p50_ms, p95_ms, baseline_p95_ms })),
    })
  }
  writeFileSync(
    path.join(ROOT, 'docs/bench-scaling.svg'),
    scalingChart(results.scaling, ['search', 'search-identifier', 'single-view']),
  )
}
const file = writeResults(results, quick)
if (!quick && !names) updateBenchmarksDoc(markdownSection(results))
console.log(`\nResults written to ${file} in ${((Date.now() - started) / 1000).toFixed(0)} s.`)
// A smoke check asserts only that every scenario works: any failed request fails the run.
const failing = results.scenarios.filter((s) => s.errors > 0 || s.rps === 0)
if (failing.length > 0) {
  console.error(`Requests failed in: ${failing.map((s) => `${s.name} (${s.errors} errors)`).join(', ')}`)
  process.exitCode = 1
}
