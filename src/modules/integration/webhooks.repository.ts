import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import type { DataCategory } from '../../platform/access/actor.js'
import type { Db, Queryable, Tx } from '../../platform/database/database.js'

/** A subscription as its sender and the access check need it (the secret never goes further). */
export interface Recipient {
  id: string
  name: string
  agency_id: string
  agency_name: string
  agency_kind: string
  service_user_id: string
  service_email: string
  crn: string | null
  /** What the subscription's agency may see of the event's person; null when it may not see them. */
  categories: DataCategory[] | null
  relationship: string | null
}

/**
 * Active subscriptions that want `eventType`, with what each one's service account may see of
 * the person, judged by person_access() as for the agency's API clients.
 */
export async function recipients(tx: Tx, eventType: string, personId: string | null): Promise<Recipient[]> {
  const result = await sql<Recipient>`
    select s.id, s.name, s.agency_id, a.name as agency_name, a.kind as agency_kind,
      s.service_user_id, u.email as service_email, p.crn, access.categories, access.relationship
    from webhook_subscriptions s
    join agencies a on a.id = s.agency_id
    join users u on u.id = s.service_user_id
    left join people p on p.id = ${personId}::uuid
    left join lateral (select * from person_access(p, s.service_user_id) offset 0) access on p.id is not null
    where s.active and s.event_types && array[${eventType}, '*']::text[]
    order by s.created_at`.execute(tx)
  return result.rows
}

/** The event types some active subscription wants ('*' for every type). */
export async function subscribedEventTypes(tx: Tx): Promise<Set<string>> {
  const result = await sql<{ type: string }>`
    select distinct unnest(event_types) as type from webhook_subscriptions where active`.execute(tx)
  return new Set(result.rows.map((r) => r.type))
}

/** Queues one delivery; false when this event was already queued for this subscription. */
export async function insertDelivery(
  tx: Tx,
  d: {
    id: string
    subscriptionId: string
    outboxEventId: number | null
    eventType: string
    personId: string | null
    payload: Record<string, unknown>
  },
) {
  // A redelivered outbox event finds its delivery already made and adds nothing.
  const row = await tx
    .insertInto('webhook_deliveries')
    .values({
      id: d.id,
      subscription_id: d.subscriptionId,
      outbox_event_id: d.outboxEventId,
      event_type: d.eventType,
      person_id: d.personId,
      payload: JSON.stringify(d.payload),
    })
    .onConflict((oc) => oc.columns(['subscription_id', 'outbox_event_id']).doNothing())
    .returning('id')
    .executeTakeFirst()
  return !!row
}

/** A subscription gets its own service account of its agency, as an API client does. */
export async function insertSubscription(
  tx: Tx,
  v: { name: string; agencyId: string; url: string; eventTypes: string[]; secret: string; createdBy: string },
) {
  const account = await tx
    .insertInto('users')
    .values({
      agency_id: v.agencyId,
      kind: 'service',
      email: `webhook-${randomUUID()}@service.tandem.invalid`,
      display_name: `Webhook: ${v.name}`,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return tx
    .insertInto('webhook_subscriptions')
    .values({
      agency_id: v.agencyId,
      service_user_id: account.id,
      name: v.name,
      url: v.url,
      event_types: v.eventTypes,
      secret: v.secret,
      created_by: v.createdBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
}

/** Stops a subscription and its service account (so person_access grants it nothing either). */
export async function deactivateSubscription(tx: Tx, id: string) {
  const row = await tx
    .updateTable('webhook_subscriptions')
    .set({ active: false, updated_at: sql`now()`, version: sql`version + 1` })
    .where('id', '=', id)
    .where('active', '=', true)
    .returning('service_user_id')
    .executeTakeFirst()
  if (!row) return false
  await tx.updateTable('users').set({ active: false }).where('id', '=', row.service_user_id).execute()
  return true
}

const listed = [
  's.id',
  's.name',
  's.url',
  's.event_types',
  's.active',
  's.created_at',
  'a.name as agency_name',
] as const

/** Every subscription with its agency and how many deliveries are dead (never the secret). */
export async function listSubscriptions(db: Queryable) {
  return db
    .selectFrom('webhook_subscriptions as s')
    .innerJoin('agencies as a', 'a.id', 's.agency_id')
    .select([
      ...listed,
      (eb) =>
        eb
          .selectFrom('webhook_deliveries as d')
          .select(sql<number>`count(*)::int`.as('n'))
          .whereRef('d.subscription_id', '=', 's.id')
          .where('d.status', '=', 'dead')
          .as('dead'),
    ])
    .orderBy('s.active', 'desc')
    .orderBy('s.name')
    .execute()
}

/** One subscription without its secret. */
export async function findSubscription(db: Queryable, id: string) {
  return db
    .selectFrom('webhook_subscriptions as s')
    .innerJoin('agencies as a', 'a.id', 's.agency_id')
    .select(listed)
    .where('s.id', '=', id)
    .executeTakeFirst()
}

/** The newest deliveries of a subscription; no person is named, so reading it reveals no one. */
export async function listDeliveries(db: Queryable, subscriptionId: string, limit = 100) {
  return db
    .selectFrom('webhook_deliveries')
    .select([
      'id',
      'event_type',
      'status',
      'attempts',
      'next_attempt_at',
      'last_status_code',
      'last_error',
      'delivered_at',
      'created_at',
    ])
    .where('subscription_id', '=', subscriptionId)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute()
}

/** Puts a delivery back in the queue with a fresh set of attempts. */
export async function requeueDelivery(tx: Tx, subscriptionId: string, id: string, now: Date) {
  return tx
    .updateTable('webhook_deliveries')
    .set({ status: 'pending', attempts: 0, next_attempt_at: now, delivered_at: null })
    .where('id', '=', id)
    .where('subscription_id', '=', subscriptionId)
    .returning(['person_id', 'event_type'])
    .executeTakeFirst()
}

export interface Claimed {
  id: string
  event_type: string
  person_id: string | null
  payload: Record<string, unknown>
  attempts: number
  url: string
  secret: string
  /** What the agency may see of the person now; null when it may no longer see them. */
  categories: DataCategory[] | null
}

/**
 * Claims due deliveries of active subscriptions (SKIP LOCKED, so workers share them), counts
 * the attempt and leases each until `leaseUntil`, so that the HTTP calls happen outside any
 * transaction and a worker that dies mid-send leaves the delivery to be tried again.
 */
export async function claimDue(db: Db, now: Date, leaseUntil: Date, limit: number): Promise<Claimed[]> {
  return db.transaction().execute(async (tx) => {
    const due = await sql<Claimed>`
      select d.id, d.event_type, d.person_id, d.payload, d.attempts + 1 as attempts, s.url, s.secret,
        (select access.categories from people p, lateral person_access(p, s.service_user_id) access
         where p.id = d.person_id) as categories
      from webhook_deliveries d
      join webhook_subscriptions s on s.id = d.subscription_id and s.active
      where d.status in ('pending', 'failed') and d.next_attempt_at <= ${now}
      order by d.next_attempt_at
      limit ${limit}
      for update of d skip locked`.execute(tx)
    if (due.rows.length > 0)
      await tx
        .updateTable('webhook_deliveries')
        .set({ attempts: sql`attempts + 1`, next_attempt_at: leaseUntil })
        .where(
          'id',
          'in',
          due.rows.map((r) => r.id),
        )
        .execute()
    return due.rows
  })
}

/** Records an attempt's outcome, unless the delivery was replayed meanwhile (its attempts reset). */
export async function recordAttempt(
  db: Db,
  id: string,
  attempts: number,
  outcome: {
    status: 'delivered' | 'failed' | 'dead'
    statusCode: number | null
    error: string | null
    nextAttemptAt: Date
    at: Date
  },
) {
  await db
    .updateTable('webhook_deliveries')
    .set({
      status: outcome.status,
      last_status_code: outcome.statusCode,
      last_error: outcome.error,
      next_attempt_at: outcome.nextAttemptAt,
      delivered_at: outcome.status === 'delivered' ? outcome.at : null,
    })
    .where('id', '=', id)
    .where('attempts', '=', attempts)
    .execute()
}

/** Whether the agency chosen on a form still exists. */
export async function agencyExists(db: Queryable, id: string) {
  return !!(await db.selectFrom('agencies').select('id').where('id', '=', id).executeTakeFirst())
}
