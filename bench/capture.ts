import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { connect } from '../src/platform/database/database.js'
import type { Trace } from './load.js'

/**
 * Records the SQL the application runs for each request, by serving the requests in-process
 * over a database whose every query is logged. The baseline then replays exactly these.
 */
export async function captureTraces(
  databaseUrl: string,
  requests: { path: string; headers: Record<string, string> }[],
): Promise<Trace[]> {
  let current: Trace | null = null
  const database = await connect({ kind: 'postgres', url: databaseUrl, poolSize: 2 }, (event) => {
    if (event.level === 'query' && current)
      current.queries.push({ sql: event.query.sql, parameters: event.query.parameters })
  })
  const config = loadConfig({
    NODE_ENV: 'production',
    COOKIE_SECRET: 'x'.repeat(32),
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'warn',
  })
  const app = await buildApp({ config, db: database.db })
  await app.ready()
  const traces: Trace[] = []
  try {
    for (const request of requests) {
      current = { queries: [] }
      const response = await app.inject({ url: request.path, headers: request.headers })
      if (response.statusCode !== 200)
        throw new Error(`Capturing ${request.path} gave ${response.statusCode}`)
      traces.push(current)
    }
  } finally {
    current = null
    await app.close()
    await database.close()
  }
  return traces
}
