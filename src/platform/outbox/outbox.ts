import { sql } from 'kysely'
import type { Db, Queryable, Tx } from '../database/database.js'

export interface DomainEvent {
  /** `<domain>.<entity>.<past-tense verb>`, e.g. `person.allocation.changed`. */
  type: string
  personId: string | null
  payload: Record<string, unknown>
}

/** Records a domain event in the same transaction as the change that caused it. */
export async function publish(db: Queryable, event: DomainEvent): Promise<void> {
  await db
    .insertInto('outbox')
    .values({ event_type: event.type, person_id: event.personId, payload: JSON.stringify(event.payload) })
    .execute()
}

export interface OutboxEvent extends DomainEvent {
  id: number
  occurredAt: Date
}

/**
 * A subscriber's handler runs inside a transaction with the record of its delivery, so its
 * database effects happen exactly once even though events are delivered at least once.
 */
export interface Subscriber {
  name: string
  /** Event types this subscriber wants; '*' for all. */
  types: string[] | '*'
  handle(tx: Tx, event: OutboxEvent): Promise<void>
  /**
   * Optional: handles a batch of events at once (one set-based query for many events); without
   * it the batch goes through `handle` event by event. Either way, if the batch fails its events
   * are handled one by one instead, so only a bad event is held back.
   */
  handleBatch?(tx: Tx, events: OutboxEvent[]): Promise<void>
}

const MAX_ATTEMPTS = 10

/** Back-off before the next attempt: 1 s, 2 s, 4 s ... capped at 5 minutes. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(300, 2 ** Math.max(0, attempts - 1))
}

/**
 * One of several workers draining side by side: each takes the events of its own share of
 * people, so one person's events are still handled one after another, in order.
 */
export interface Lane {
  index: number
  of: number
}

/**
 * Claims a batch of due events with FOR UPDATE SKIP LOCKED (so several workers share the
 * load without taking the same event), runs every interested subscriber that has not yet
 * succeeded for each (a whole batch at once where the subscriber can), and marks the events
 * processed or schedules a retry. Returns how many events it handled.
 */
export async function drainOutbox(
  db: Db,
  subscribers: Subscriber[],
  { batchSize = 100, lane = { index: 0, of: 1 } }: { batchSize?: number; lane?: Lane } = {},
): Promise<number> {
  return db.transaction().execute(async (tx) => {
    // Safe without waiting for the disk: a pass lost in a crash loses its 'processed' marks with
    // its effects, so the events are simply handled again. It keeps fsync off the event path.
    await sql`set local synchronous_commit = off`.execute(tx)
    const rows = await tx
      .selectFrom('outbox')
      .select(['id', 'event_type', 'person_id', 'payload', 'occurred_at', 'attempts'])
      .where('processed_at', 'is', null)
      .where('failed_at', 'is', null)
      .where('available_at', '<=', sql<Date>`now()`)
      .$if(lane.of > 1, (q) =>
        q.where(
          sql<number>`(hashtext(coalesce(person_id::text, '')) & 2147483647) % ${lane.of}`,
          '=',
          lane.index,
        ),
      )
      .orderBy('available_at')
      .orderBy('id')
      .limit(batchSize)
      .forUpdate()
      .skipLocked()
      .execute()
    if (rows.length === 0) return 0
    const events: OutboxEvent[] = rows.map((row) => ({
      id: row.id,
      type: row.event_type,
      personId: row.person_id,
      payload: row.payload,
      occurredAt: row.occurred_at,
    }))
    const failures = await deliver(
      tx,
      events,
      subscribers,
      rows.filter((r) => r.attempts > 0).map((r) => r.id),
    )
    const handled = rows.filter((r) => !failures.has(r.id)).map((r) => r.id)
    if (handled.length > 0)
      await tx
        .updateTable('outbox')
        .set({ processed_at: sql`now()` })
        .where('id', 'in', handled)
        .execute()
    for (const row of rows.filter((r) => failures.has(r.id))) {
      const attempts = row.attempts + 1
      await tx
        .updateTable('outbox')
        .set({
          attempts,
          last_error: failures.get(row.id)!.join('; ').slice(0, 2000),
          available_at: sql`now() + make_interval(secs => ${retryDelaySeconds(attempts)})`,
          failed_at: attempts >= MAX_ATTEMPTS ? sql`now()` : null,
        })
        .where('id', '=', row.id)
        .execute()
    }
    return rows.length
  })
}

/** Runs `work` in a savepoint: if it throws, only its own effects are rolled back. */
async function inSavepoint(tx: Tx, work: () => Promise<void>): Promise<Error | null> {
  await sql`savepoint deliver`.execute(tx)
  try {
    await work()
    await sql`release savepoint deliver`.execute(tx)
    return null
  } catch (error) {
    await sql`rollback to savepoint deliver`.execute(tx)
    return error as Error
  }
}

/**
 * Delivers each event to the subscribers still owed it; returns the failures by event id. An
 * event every subscriber handled is marked processed in this same transaction, so only the
 * events that will be tried again need their successful deliveries written down.
 */
async function deliver(tx: Tx, events: OutboxEvent[], subscribers: Subscriber[], retried: number[]) {
  // Deliveries are written only for an event that failed somewhere, which counts an attempt.
  const delivered =
    retried.length === 0
      ? []
      : await tx
          .selectFrom('outbox_deliveries')
          .select(['event_id', 'subscriber'])
          .where('event_id', '=', sql<number>`any(${retried}::bigint[])`)
          .execute()
  const done = new Set(delivered.map((d) => `${d.event_id}|${d.subscriber}`))
  const failures = new Map<number, string[]>()
  const succeeded: { event_id: number; subscriber: string }[] = []
  for (const subscriber of subscribers) {
    const owed = events.filter(
      (e) =>
        (subscriber.types === '*' || subscriber.types.includes(e.type)) &&
        !done.has(`${e.id}|${subscriber.name}`),
    )
    if (owed.length === 0) continue
    const record = (handled: OutboxEvent[]) =>
      succeeded.push(...handled.map((e) => ({ event_id: e.id, subscriber: subscriber.name })))
    if (owed.length > 1) {
      const error = await inSavepoint(tx, async () => {
        if (subscriber.handleBatch) await subscriber.handleBatch(tx, owed)
        else for (const event of owed) await subscriber.handle(tx, event)
      })
      if (!error) {
        record(owed)
        continue
      }
    }
    for (const event of owed) {
      const error = await inSavepoint(tx, () => subscriber.handle(tx, event))
      if (error)
        failures.set(event.id, [...(failures.get(event.id) ?? []), `${subscriber.name}: ${error.message}`])
      else record([event])
    }
  }
  const toRetry = succeeded.filter((d) => failures.has(d.event_id))
  if (toRetry.length > 0) await tx.insertInto('outbox_deliveries').values(toRetry).execute()
  return failures
}
