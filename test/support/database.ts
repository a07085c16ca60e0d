import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { connect, type Database } from '../../src/platform/database/database.js'
import { migrate } from '../../src/platform/database/migrate.js'

/** Set to run the suite against a real PostgreSQL server instead of embedded PGlite. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL

export const engine = TEST_DATABASE_URL ? 'postgres' : 'pglite'

export interface TestDatabase extends Database {
  /** Removes the database (PostgreSQL) or closes it (PGlite). */
  destroy(): Promise<void>
  url: string | null
}

/**
 * A fresh, migrated database for one test file: in-memory PGlite by default, or a new
 * database on the PostgreSQL server in TEST_DATABASE_URL, dropped afterwards.
 */
export async function freshDatabase(): Promise<TestDatabase> {
  if (!TEST_DATABASE_URL) {
    const database = await connect({ kind: 'pglite', dataDir: null })
    await migrate(database)
    return { ...database, url: null, destroy: () => database.close() }
  }
  const name = `tandem_test_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL })
  await admin.connect()
  await admin.query(`create database ${name}`)
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
