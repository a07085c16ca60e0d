import autocannon from 'autocannon'
import pg from 'pg'
import { SESSION_OPTIONS, statementName } from '../src/platform/database/database.js'

export interface Measurement {
  requests: number
  errors: number
  rps: number
  p50: number
  p95: number
  p99: number
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

function summarise(latencies: number[], errors: number, seconds: number): Measurement {
  const sorted = [...latencies].sort((a, b) => a - b)
  return {
    requests: latencies.length,
    errors,
    rps: latencies.length / seconds,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
  }
}

/**
 * Drives the server over HTTP with autocannon at a fixed concurrency, cycling through the
 * given paths. Every response's time is kept so that p95 is exact (autocannon's own summary
 * has no p95). Anything but the expected status counts as an error.
 */
export async function loadHttp(options: {
  url: string
  paths: string[]
  headers: Record<string, string>
  concurrency: number
  seconds: number
  expectStatus?: number
}): Promise<Measurement> {
  const latencies: number[] = []
  let errors = 0
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.concurrency,
        duration: options.seconds,
        headers: options.headers,
        requests: options.paths.map((path) => ({ method: 'GET', path })),
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    )
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode === (options.expectStatus ?? 200)) latencies.push(responseTime)
      else errors += 1
    })
  })
  return summarise(latencies, errors + result.errors + result.timeouts, options.seconds)
}

export interface Trace {
  queries: { sql: string; parameters: readonly unknown[] }[]
}

/**
 * The raw-SQL baseline: the same statements the server ran for each request, replayed
 * straight through `pg` at the same concurrency, as the same named prepared statements. The
 * recording includes the services' begin and commit, so each request's statements share a
 * transaction as they did.
 */
export async function loadSql(options: {
  databaseUrl: string
  traces: Trace[]
  concurrency: number
  seconds: number
}): Promise<Measurement> {
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    options: SESSION_OPTIONS,
    max: options.concurrency,
  })
  const latencies: number[] = []
  let errors = 0
  const until = Date.now() + options.seconds * 1000
  let next = 0
  async function worker() {
    const client = await pool.connect()
    try {
      while (Date.now() < until) {
        const trace = options.traces[next++ % options.traces.length]!
        const started = performance.now()
        try {
          for (const q of trace.queries) {
            await client.query({ text: q.sql, values: q.parameters as unknown[], name: statementName(q.sql) })
          }
          latencies.push(performance.now() - started)
        } catch {
          errors += 1
          await client.query('rollback').catch(() => {})
        }
      }
    } finally {
      client.release()
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, worker))
  await pool.end()
  return summarise(latencies, errors, options.seconds)
}
