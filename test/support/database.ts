import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import pg from 'pg'
import { inject } from 'vitest'
import { connect, connectPgliteSnapshot, type Database } from '../../src/platform/database/database.js'
import { migrate } from '../../src/platform/database/migrate.js'

/** Set to run the suite against a real PostgreSQL server instead of embedded PGlite. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL

export const engine = TEST_DATABASE_URL ? 'postgres' : 'pglite'

export interface TestDatabase extends Database {
  /** Removes the database (PostgreSQL) or closes it (PGlite). */
  destroy(): Promise<void>
  url: string | null
}

/** The migrated database the run's global setup made (test/support/global-setup.ts). */
const template = inject('migratedTemplate')
let snapshot: Blob | undefined

/**
 * A fresh, migrated database for one test file, copied from the run's migrated template:
 * in-memory PGlite by default, or a new database on the PostgreSQL server in
 * TEST_DATABASE_URL, dropped afterwards. Migrating it again finds nothing to do, unless a
 * migration changed since the run began.
 */
export async function freshDatabase(): Promise<TestDatabase> {
  if (!TEST_DATABASE_URL) {
    snapshot ??= new Blob([readFileSync(template)])
    const database = await connectPgliteSnapshot(snapshot)
    await migrate(database)
    return { ...database, url: null, destroy: () => database.close() }
  }
  const name = `tandem_test_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL })
  await admin.connect()
  await admin.query(`create database ${name} template ${template}`)
  await admin.end()
  const url = new URL(TEST_DATABASE_URL)
  url.pathname = `/${name}`
  const database = await connect({ kind: 'postgres', url: url.toString(), poolSize: 10 })
  await migrate(database)
  return {
    ...database,
    url: url.toString(),
    async destroy() {
      await database.close()
      const cleanup = new pg.Client({ connectionString: TEST_DATABASE_URL })
      await cleanup.connect()
      await cleanup.query(`drop database if exists ${name} with (force)`)
      await cleanup.end()
    },
  }
}
