import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import type { TestProject } from 'vitest/node'
import { connect, snapshotPglite } from '../../src/platform/database/database.js'
import { migrate } from '../../src/platform/database/migrate.js'

declare module 'vitest' {
  export interface ProvidedContext {
    /** A migrated database to start each test file's from: a PGlite snapshot file, or a PostgreSQL template database's name. */
    migratedTemplate: string
  }
}

/**
 * Migrates one database for the whole run, and each test file starts from a copy of it
 * (see freshDatabase): copying is quicker than creating and migrating one per file.
 */
export default async function setup(project: TestProject) {
  const server = process.env.TEST_DATABASE_URL
  if (!server) {
    const database = await connect({ kind: 'pglite', dataDir: null })
    await migrate(database)
    const dir = mkdtempSync(path.join(tmpdir(), 'tandem-test-'))
    const file = path.join(dir, 'migrated.tar')
    writeFileSync(file, Buffer.from(await (await snapshotPglite(database)).arrayBuffer()))
    await database.close()
    project.provide('migratedTemplate', file)
    return () => rmSync(dir, { recursive: true, force: true })
  }
  const name = `tandem_template_${randomBytes(6).toString('hex')}`
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: server })
    await client.connect()
    await client.query(statement).finally(() => client.end())
  }
  await admin(`create database ${name}`)
  const url = new URL(server)
  url.pathname = `/${name}`
  const database = await connect({ kind: 'postgres', url: url.toString(), poolSize: 1 })
  await migrate(database)
  await database.close()
  project.provide('migratedTemplate', name)
  return () => admin(`drop database if exists ${name} with (force)`)
}
