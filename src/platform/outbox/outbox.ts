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
}

const MAX_ATTEMPTS = 10

/** Back-off before the next attempt: 1 s, 2 s, 4 s ... capped at 5 minutes. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(300, 2 ** Math.max(0, attempts - 1))
}

/**
 * Claims a batch of due events with FOR UPDATE SKIP LOCKED (so several workers share the
 * load without taking the same event), runs every interested subscriber that has not yet
 * succeeded for each, and marks the event processed or schedules a retry.
 * Returns how many events it handled.
 */
export async function drainOutbox(db: Db, subscribers: Subscriber[], batchSize = 100): Promise<number> {
  return db.transaction().execute(async (tx) => {
    const events = await tx
      .selectFrom('outbox')
      .select(['id', 'event_type', 'person_id', 'payload', 'occurred_at', 'attempts'])
      .where('processed_at', 'is', null)
      .where('failed_at', 'is', null)
      .where('available_at', '<=', sql<Date>`now()`)
      .orderBy('available_at')
      .orderBy('id')
      .limit(batchSize)
      .forUpdate()
      .skipLocked()
      .execute()
    for (const row of events) {
      const event: OutboxEvent = {
        id: row.id,
        type: row.event_type,
        personId: row.person_id,
        payload: row.payload,
        occurredAt: row.occurred_at,
      }
      const failures = await deliver(tx, event, subscribers)
      if (failures.length === 0) {
        await tx
          .updateTable('outbox')
          .set({ processed_at: sql`now()` })
          .where('id', '=', row.id)
          .execute()
      } else {
        const attempts = row.attempts + 1
        await tx
          .updateTable('outbox')
          .set({
            attempts,
            last_error: failures.join('; ').slice(0, 2000),
            available_at: sql`now() + make_interval(secs => ${retryDelaySeconds(attempts)})`,
            failed_at: attempts >= MAX_ATTEMPTS ? sql`now()` : null,
          })
          .where('id', '=', row.id)
          .execute()
      }
    }
    return events.length
  })
}

async function deliver(tx: Tx, event: OutboxEvent, subscribers: Subscriber[]): Promise<string[]> {
  const interested = subscribers.filter((s) => s.types === '*' || s.types.includes(event.type))
  if (interested.length === 0) return []
  const done = new Set(
    (
      await tx.selectFrom('outbox_deliveries').select('subscriber').where('event_id', '=', event.id).execute()
    ).map((r) => r.subscriber),
  )
  const failures: string[] = []
  for (const subscriber of interested.filter((s) => !done.has(s.name))) {
    // A savepoint per subscriber: a failing handler rolls back only its own effects.
    await sql`savepoint deliver`.execute(tx)
    try {
      await subscriber.handle(tx, event)
      await tx
        .insertInto('outbox_deliveries')
        .values({ event_id: event.id, subscriber: subscriber.name })
        .execute()
      await sql`release savepoint deliver`.execute(tx)
    } catch (error) {
      await sql`rollback to savepoint deliver`.execute(tx)
      failures.push(`${subscriber.name}: ${(error as Error).message}`)
    }
  }
  return failures
}
