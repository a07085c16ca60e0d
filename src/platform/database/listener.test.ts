import { sql } from 'kysely'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { engine, freshDatabase, type TestDatabase } from '../../../test/support/database.js'
import { listen } from './database.js'

let database: TestDatabase

beforeAll(async () => {
  database = await freshDatabase()
})
afterAll(() => database.destroy())

async function until(condition: () => boolean | Promise<boolean>, ms = 5000) {
  const started = Date.now()
  while (!(await condition())) {
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

it('hears a notification when its transaction commits, and never one rolled back', async () => {
  const heard: string[] = []
  const stop = await listen(database.db, 'test_channel', (payload) => heard.push(payload))
  await database.db
    .transaction()
    .execute(async (tx) => {
      await sql`select pg_notify('test_channel', 'rolled back')`.execute(tx)
      throw new Error('roll back')
    })
    .catch(() => {})
  await database.db.transaction().execute(async (tx) => {
    await sql`select pg_notify('test_channel', 'committed')`.execute(tx)
    await new Promise((r) => setTimeout(r, 100))
    expect(heard).toEqual([])
  })
  await until(() => heard.length > 0)
  expect(heard).toEqual(['committed'])
  await stop()
  await sql`select pg_notify('test_channel', 'after stopping')`.execute(database.db)
  await new Promise((r) => setTimeout(r, 200))
  expect(heard).toEqual(['committed'])
})

it.runIf(engine === 'postgres')('listens again after its connection is dropped', async () => {
  const heard: string[] = []
  await listen(database.db, 'dropped_channel', (payload) => heard.push(payload))
  const listening = async () =>
    (
      await sql<{ pid: number }>`select pid from pg_stat_activity
        where datname = current_database() and query like 'listen%dropped_channel%'`.execute(database.db)
    ).rows.map((r) => r.pid)
  const [first] = await listening()
  expect(first).toBeDefined()
  await sql`select pg_terminate_backend(${first})`.execute(database.db)
  await until(async () => (await listening()).some((pid) => pid !== first))
  await sql`select pg_notify('dropped_channel', 'after reconnecting')`.execute(database.db)
  await until(() => heard.length > 0)
  expect(heard).toEqual(['after reconnecting'])
})
