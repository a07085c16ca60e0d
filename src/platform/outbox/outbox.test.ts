import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { engine, freshDatabase, type TestDatabase } from '../../../test/support/database.js'
import { drainOutbox, publish, retryDelaySeconds, type Subscriber } from './outbox.js'
import { startWorker } from './worker.js'

let database: TestDatabase

beforeAll(async () => {
  database = await freshDatabase()
  await sql`create table effects (subscriber text, event_id bigint)`.execute(database.db)
})
afterAll(async () => {
  await database.destroy()
})
beforeEach(async () => {
  await sql`delete from effects`.execute(database.db)
  await sql`delete from outbox`.execute(database.db)
})

/** A subscriber that records each delivery as a row, in the delivery's transaction. */
function recorder(name: string, types: string[] | '*' = '*', fail: () => boolean = () => false): Subscriber {
  return {
    name,
    types,
    async handle(tx, event) {
      await sql`insert into effects values (${name}, ${event.id})`.execute(tx)
      if (fail()) throw new Error(`${name} failed`)
    },
  }
}

const effects = async () =>
  (
    await sql<{
      subscriber: string
      event_id: number
    }>`select subscriber, event_id from effects order by 1, 2`.execute(database.db)
  ).rows

describe(`outbox on ${engine}`, () => {
  it('keeps an event only if the change that caused it commits', async () => {
    await database.db
      .transaction()
      .execute(async (tx) => publish(tx, { type: 'kept', personId: null, payload: {} }))
    await expect(
      database.db.transaction().execute(async (tx) => {
        await publish(tx, { type: 'lost', personId: null, payload: {} })
        throw new Error('the change failed')
      }),
    ).rejects.toThrow()
    const types = (await database.db.selectFrom('outbox').select('event_type').execute()).map(
      (r) => r.event_type,
    )
    expect(types).toEqual(['kept'])
  })

  it('hands a batch to a subscriber at once, and one by one when the batch fails, holding back only the bad event', async () => {
    for (const n of [1, 2, 3])
      await publish(database.db, { type: 'x.happened', personId: null, payload: { n } })
    const batches: number[] = []
    const batching: Subscriber = {
      name: 'batching',
      types: '*',
      async handle(tx, event) {
        if (event.payload.n === 2) throw new Error('event 2 is bad')
        await sql`insert into effects values ('one', ${event.id})`.execute(tx)
      },
      async handleBatch(tx, events) {
        batches.push(events.length)
        for (const event of events) await sql`insert into effects values ('batch', ${event.id})`.execute(tx)
        if (events.some((e) => e.payload.n === 2)) throw new Error('a bad event in the batch')
      },
    }
    expect(await drainOutbox(database.db, [batching])).toBe(3)
    expect(batches).toEqual([3])
    // The failed batch left nothing behind; events 1 and 3 were then handled alone, and 2 waits to be retried.
    expect((await effects()).map((e) => e.subscriber)).toEqual(['one', 'one'])
    const pending = await database.db
      .selectFrom('outbox')
      .select(['attempts', 'processed_at'])
      .where(sql`payload->>'n'`, '=', '2')
      .executeTakeFirstOrThrow()
    expect(pending).toEqual({ attempts: 1, processed_at: null })

    await publish(database.db, { type: 'x.happened', personId: null, payload: { n: 4 } })
    await publish(database.db, { type: 'x.happened', personId: null, payload: { n: 5 } })
    await drainOutbox(database.db, [batching])
    expect(batches).toEqual([3, 2])
    expect((await effects()).filter((e) => e.subscriber === 'batch')).toHaveLength(2)
  })

  it('delivers each event to the subscribers that want it, once each', async () => {
    await publish(database.db, { type: 'a.happened', personId: null, payload: { n: 1 } })
    await publish(database.db, { type: 'b.happened', personId: null, payload: { n: 2 } })
    const subscribers = [recorder('all'), recorder('only-a', ['a.happened'])]
    expect(await drainOutbox(database.db, subscribers)).toBe(2)
    expect(await drainOutbox(database.db, subscribers)).toBe(0)
    const rows = await effects()
    expect(rows.map((r) => r.subscriber)).toEqual(['all', 'all', 'only-a'])
  })

  it('retries only the subscriber that failed, with growing back-off, and gives up after ten attempts', async () => {
    await publish(database.db, { type: 'x', personId: null, payload: {} })
    let failing = true
    const subscribers = [recorder('steady'), recorder('flaky', '*', () => failing)]
    await drainOutbox(database.db, subscribers)
    const first = await database.db.selectFrom('outbox').selectAll().executeTakeFirstOrThrow()
    expect(first.attempts).toBe(1)
    expect(first.last_error).toContain('flaky failed')
    expect(first.processed_at).toBeNull()
    expect(first.available_at.getTime()).toBeGreaterThan(Date.now() - 100)
    await sql`update outbox set available_at = now()`.execute(database.db)
    failing = false
    await drainOutbox(database.db, subscribers)
    expect((await effects()).map((r) => r.subscriber)).toEqual(['flaky', 'steady'])
    expect(
      (await database.db.selectFrom('outbox').select('processed_at').executeTakeFirstOrThrow()).processed_at,
    ).not.toBeNull()

    expect([1, 2, 3, 4, 10, 20].map(retryDelaySeconds)).toEqual([1, 2, 4, 8, 300, 300])
    await publish(database.db, { type: 'doomed', personId: null, payload: {} })
    for (let i = 0; i < 10; i++) {
      await sql`update outbox set available_at = now() where event_type = 'doomed'`.execute(database.db)
      await drainOutbox(database.db, [recorder('broken', '*', () => true)])
    }
    const doomed = await database.db
      .selectFrom('outbox')
      .selectAll()
      .where('event_type', '=', 'doomed')
      .executeTakeFirstOrThrow()
    expect(doomed.attempts).toBe(10)
    expect(doomed.failed_at).not.toBeNull()
  })

  it('runs in the background worker within a second of the event', async () => {
    const worker = startWorker({
      db: database.db,
      subscribers: [recorder('live')],
      log: { error() {}, info() {} },
      idleMs: 50,
    })
    try {
      await publish(database.db, { type: 'live.event', personId: null, payload: {} })
      const started = Date.now()
      while ((await effects()).length === 0 && Date.now() - started < 1000)
        await new Promise((r) => setTimeout(r, 20))
      expect(await effects()).toHaveLength(1)
    } finally {
      await worker.stop()
    }
  })

  it('splits the work into lanes by person, so each person’s events are still handled once and in order', async () => {
    const people = Array.from({ length: 12 }, () => randomUUID())
    for (let i = 0; i < 240; i++)
      await publish(database.db, { type: 'lane', personId: people[i % people.length]!, payload: { i } })
    const handled: { lane: number; personId: string; i: number }[] = []
    const lane = (index: number): Subscriber => ({
      name: 'lanes',
      types: '*',
      async handle(_tx, event) {
        handled.push({ lane: index, personId: event.personId!, i: event.payload.i as number })
      },
    })
    await Promise.all(
      [0, 1, 2].map(async (index) => {
        const options = { batchSize: 25, lane: { index, of: 3 } }
        while ((await drainOutbox(database.db, [lane(index)], options)) > 0);
      }),
    )
    expect(handled.map((h) => h.i).sort((a, b) => a - b)).toEqual(Array.from({ length: 240 }, (_, i) => i))
    expect(new Set(handled.map((h) => h.lane)).size).toBeGreaterThan(1)
    for (const personId of people) {
      const mine = handled.filter((h) => h.personId === personId)
      expect(new Set(mine.map((h) => h.lane)).size).toBe(1)
      expect(mine.map((h) => h.i)).toEqual([...mine.map((h) => h.i)].sort((a, b) => a - b))
    }
  })

  it.runIf(engine === 'postgres')(
    'shares work between concurrent workers without handling any event twice',
    async () => {
      for (let i = 0; i < 300; i++)
        await publish(database.db, { type: 'bulk', personId: null, payload: { i } })
      const subscriber = recorder('bulk')
      const drainAll = async () => {
        while ((await drainOutbox(database.db, [subscriber], { batchSize: 20 })) > 0);
      }
      await Promise.all([drainAll(), drainAll(), drainAll(), drainAll()])
      const rows = await effects()
      expect(rows).toHaveLength(300)
      expect(new Set(rows.map((r) => r.event_id)).size).toBe(300)
    },
  )
})
