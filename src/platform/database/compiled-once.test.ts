import { sql } from 'kysely'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { engine, freshDatabase, type TestDatabase } from '../../../test/support/database.js'
import { compiledOnce } from './compiled-once.js'

let database: TestDatabase

beforeAll(async () => {
  database = await freshDatabase()
})
afterAll(() => database.destroy())

it(`builds once and runs each call with its own values, in and out of transactions, on ${engine}`, async () => {
  let built = 0
  const numbers = compiledOnce((db, args: { from: number; below: number; label: string; most: number }) => {
    built++
    return db
      .selectFrom(sql<{ n: number }>`generate_series(1, 10)`.as('s'))
      .select([sql<number>`s`.as('n'), sql<string>`${args.label}::text`.as('label')])
      .where(sql<number>`s`, '>=', args.from)
      .where(sql<boolean>`s < ${args.below}::int`)
      .orderBy('n')
      .limit(args.most)
  })
  const run = async (db: Parameters<typeof numbers>[0], args: Parameters<typeof numbers>[1]) =>
    (await numbers(db, args)).rows.map((r) => `${r.label}${r.n}`)

  expect(await run(database.db, { from: 2, below: 6, label: 'a', most: 10 })).toEqual([
    'a2',
    'a3',
    'a4',
    'a5',
  ])
  expect(await run(database.db, { from: 7, below: 20, label: 'b', most: 2 })).toEqual(['b7', 'b8'])
  const inTransaction = await database.db
    .transaction()
    .execute((tx) => run(tx, { from: 9, below: 10, label: 'c', most: 5 }))
  expect(inTransaction).toEqual(['c9'])
  expect(built).toBe(1)
})
