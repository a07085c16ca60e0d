import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { sql } from 'kysely'
import type { Database } from './database.js'
import { uniqueViolation } from './errors.js'

export const MIGRATIONS_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../migrations',
)

/** Serialises migration runs from processes starting at once against one PostgreSQL. */
const LOCK = 'select pg_advisory_xact_lock(7243001);'

/**
 * Applies the forward-only SQL migrations not yet recorded, each in its own transaction.
 * Safe when several processes start together: each migration's first statement records it,
 * so a second runner fails that insert and moves on instead of applying it twice.
 */
export async function migrate(database: Database, dir = MIGRATIONS_DIR): Promise<string[]> {
  await database.runScript(
    `${LOCK} create table if not exists schema_migrations (name text primary key, applied_at timestamptz not null default now());`,
  )
  const done = new Set(
    (await sql<{ name: string }>`select name from schema_migrations`.execute(database.db)).rows.map(
      (r) => r.name,
    ),
  )
  const applied: string[] = []
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()) {
    if (done.has(file)) continue
    const body = readFileSync(path.join(dir, file), 'utf8')
    try {
      await database.runScript(
        `${LOCK} insert into schema_migrations (name) values ('${file.replace(/'/g, "''")}');\n${body}`,
      )
      applied.push(file)
    } catch (error) {
      if (uniqueViolation(error) === 'schema_migrations_pkey') continue
      // PGlite's errors carry the whole script, which buries the message when printed.
      const failure = error as { message: string; position?: string; query?: string }
      delete failure.query
      throw new Error(
        `Migration ${file} failed: ${failure.message}${failure.position ? ` (at character ${failure.position})` : ''}`,
        {
          cause: error,
        },
      )
    }
  }
  return applied
}
