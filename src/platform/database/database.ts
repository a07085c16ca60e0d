import { createHash } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { PGlite } from '@electric-sql/pglite'
import { fuzzystrmatch } from '@electric-sql/pglite/contrib/fuzzystrmatch'
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm'
import { Kysely, PGliteDialect, PostgresDialect, type KyselyConfig, type Transaction } from 'kysely'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import type { Config } from '../../config.js'
import { PostgresListener, type OnNotify } from './listener.js'
import type { DB } from './schema.js'

export type Db = Kysely<DB>
export type Tx = Transaction<DB>
/** A query runner: the database or an open transaction. */
export type Queryable = Db | Tx

/** Type OIDs whose default parsing we override so both engines return the same shapes. */
const INT8 = 20
const NUMERIC = 1700
const DATE = 1082
const DATE_ARRAY = 1182
const TEXT_ARRAY = 1009

/**
 * One connection to the store: PGlite in-process by default, PostgreSQL when configured.
 * Both run the same migrations and the same Kysely queries.
 */
export interface Database {
  readonly kind: 'postgres' | 'pglite'
  readonly db: Db
  /** Runs a multi-statement SQL script (migrations) in one transaction. */
  runScript(text: string): Promise<void>
  /**
   * Bulk-loads rows already in COPY text format (tab-separated, \N for null) into a table.
   * For seeding and imports only: it bypasses Kysely, so never call it inside a transaction.
   */
  copyIn(table: string, columns: string[], text: string): Promise<void>
  close(): Promise<void>
}

/** Each open database's way of hearing NOTIFY, found from its Kysely instance (see `listen`). */
const listeners = new WeakMap<Db, (channel: string, onNotify: OnNotify) => Promise<() => Promise<void>>>()

/**
 * Calls `onNotify` with the payload of each NOTIFY on `channel`, from any session, once its
 * transaction commits; resolves to a function that stops. Notifications can be lost (the
 * listening connection dropped, say), so a caller also catches up now and then by querying.
 */
export function listen(db: Db, channel: string, onNotify: OnNotify): Promise<() => Promise<void>> {
  const listener = listeners.get(db)
  if (!listener) throw new Error('listen needs a database opened by connect()')
  return listener(channel, onNotify)
}

/** Opens the configured database. `log` sees every query (the benchmark records SQL with it). */
export async function connect(config: Config['database'], log?: KyselyConfig['log']): Promise<Database> {
  return config.kind === 'postgres'
    ? connectPostgres(config.url, config.poolSize, log)
    : connectPglite(config.dataDir)
}

/** Result parsing that matches PGlite's, so both engines return the same shapes. */
export const postgresTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8 || oid === NUMERIC) return (v: string) => Number(v)
    if (oid === DATE) return (v: string) => v
    if (oid === DATE_ARRAY) return pg.types.getTypeParser(TEXT_ARRAY as never)
    return pg.types.getTypeParser(oid, format)
  },
} as pg.CustomTypesConfig

/**
 * The name of a server-side prepared statement for a query's text. Naming statements lets
 * each connection parse and plan a query once and reuse the plan: the access function inlines
 * into every query that shows a person, and planning it again each time costs more than
 * running it.
 */
export function statementName(text: string): string {
  let name = statementNames.get(text)
  if (!name) {
    name = `t${createHash('sha1').update(text).digest('hex')}`
    if (statementNames.size > 5000) statementNames.clear()
    statementNames.set(text, name)
  }
  return name
}
const statementNames = new Map<string, string>()

/** A pg client that runs every parameterised query as a named prepared statement. */
class PreparingClient extends pg.Client {
  override query(...args: unknown[]): never {
    const [text, values] = args
    if (typeof text === 'string' && Array.isArray(values)) {
      return super.query({ text, values, name: statementName(text) }) as never
    }
    return (super.query as (...a: unknown[]) => unknown)(...args) as never
  }
}

/**
 * Settings for every session Tandem opens. No JIT: its queries are short, and compiling one
 * whose estimate crosses jit_above_cost (a search for a common name) took longer than running it.
 */
export const SESSION_OPTIONS = '-c jit=off'

function connectPostgres(url: string, poolSize: number, log?: KyselyConfig['log']): Database {
  const pool = new pg.Pool({
    connectionString: url,
    options: SESSION_OPTIONS,
    max: poolSize,
    types: postgresTypes,
    Client: PreparingClient,
  })
  // A broken idle connection must not take the process down; the pool replaces it.
  pool.on('error', () => {})
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }), ...(log ? { log } : {}) })
  const listener = new PostgresListener(url, SESSION_OPTIONS)
  listeners.set(db, (channel, onNotify) => listener.listen(channel, onNotify))
  return {
    kind: 'postgres',
    db,
    async copyIn(table, columns, text) {
      const client = await pool.connect()
      try {
        const stream = client.query(copyFrom(`copy ${table} (${columns.join(', ')}) from stdin`))
        await pipeline(Readable.from([text]), stream)
      } finally {
        client.release()
      }
    },
    async runScript(text) {
      const client = await pool.connect()
      try {
        await client.query('begin')
        await client.query(text)
        await client.query('commit')
      } catch (error) {
        await client.query('rollback').catch(() => {})
        throw error
      } finally {
        client.release()
      }
    },
    async close() {
      await listener.close()
      await db.destroy()
    },
  }
}

/**
 * An embedded database in memory, started from `snapshot` (see `snapshotPglite`) rather than
 * created empty: the tests migrate one database and start each file from a copy of it.
 */
export function connectPgliteSnapshot(snapshot: Blob): Promise<Database> {
  return connectPglite(null, snapshot)
}

/** A PGlite database's data directory as a tarball, to start others from. */
export function snapshotPglite(database: Database): Promise<Blob> {
  const snapshot = snapshots.get(database.db)
  if (!snapshot) throw new Error('only an embedded PGlite database can be snapshotted')
  return snapshot()
}
const snapshots = new WeakMap<Db, () => Promise<Blob>>()

async function connectPglite(dataDir: string | null, snapshot?: Blob): Promise<Database> {
  if (dataDir) mkdirSync(dataDir, { recursive: true })
  const pglite = await PGlite.create({
    ...(dataDir ? { dataDir } : {}),
    ...(snapshot ? { loadDataDir: snapshot } : {}),
    extensions: { pg_trgm, fuzzystrmatch },
    parsers: {
      [INT8]: (v: string) => Number(v),
      [NUMERIC]: (v: string) => Number(v),
      [DATE]: (v: string) => v,
    },
  })
  const db = new Kysely<DB>({ dialect: new PGliteDialect({ pglite }) })
  listeners.set(db, async (channel, onNotify) => {
    const unlisten = await pglite.listen(channel, onNotify)
    // A closed database has stopped listening already.
    return () => unlisten().catch(() => {})
  })
  snapshots.set(db, () => pglite.dumpDataDir('none'))
  return {
    kind: 'pglite',
    db,
    async copyIn(table, columns, text) {
      await pglite.query(`copy ${table} (${columns.join(', ')}) from '/dev/blob'`, [], {
        blob: new Blob([text]),
      })
    },
    async runScript(text) {
      await pglite.transaction(async (tx) => {
        await tx.exec(text)
      })
    },
    close: () => db.destroy(),
  }
}
