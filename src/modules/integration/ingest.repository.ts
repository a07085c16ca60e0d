import { sql } from 'kysely'
import type { Queryable, Tx } from '../../platform/database/database.js'
import type { Effects } from './event-mapping.js'

/** The people a batch of events is about: lead agency, for items no prison recorded. */
export function findPeople(db: Queryable, ids: string[]) {
  if (ids.length === 0) return Promise.resolve([])
  return db.selectFrom('people').select(['id', 'lead_agency_id']).where('id', 'in', ids).execute()
}

/** Prisons Tandem knows, by prison code (agencies coded PRI-<code>). */
export async function findPrisons(db: Queryable, codes: string[]) {
  if (codes.length === 0) return new Map<string, { id: string; name: string }>()
  const rows = await db
    .selectFrom('agencies')
    .select(['id', 'name', 'code'])
    .where(
      'code',
      'in',
      codes.map((c) => `PRI-${c}`),
    )
    .execute()
  return new Map(rows.map((r) => [r.code.slice(4), { id: r.id, name: r.name }]))
}

/**
 * Claims message keys in the inbox. A key another transaction holds makes this wait for it,
 * then skip: so a message is applied once however many deliveries race. Returns the keys won.
 */
export async function claimMessages(
  tx: Tx,
  rows: { key: string; eventType: string; occurredAt: Date; personId: string }[],
): Promise<Set<string>> {
  if (rows.length === 0) return new Set()
  const won = await tx
    .insertInto('inbound_messages')
    .values(
      rows.map((r) => ({
        message_key: r.key,
        event_type: r.eventType,
        occurred_at: r.occurredAt,
        person_id: r.personId,
      })),
    )
    .onConflict((oc) => oc.column('message_key').doNothing())
    .returning('message_key')
    .execute()
  return new Set(won.map((r) => r.message_key))
}

export async function insertTimeline(
  tx: Tx,
  items: { personId: string; occurredAt: Date; agencyId: string; item: Effects['item'] }[],
) {
  if (items.length === 0) return
  await tx
    .insertInto('timeline_events')
    .values(
      items.map(({ personId, occurredAt, agencyId, item }) => ({
        person_id: personId,
        occurred_at: occurredAt,
        kind: item.kind,
        category: item.category,
        agency_id: agencyId,
        source_system: item.sourceSystem,
        title: item.title,
        summary: item.summary,
        pathway: item.pathway,
      })),
    )
    .execute()
}

export async function publishMany(
  tx: Tx,
  events: { type: string; personId: string; payload: Record<string, unknown> }[],
) {
  if (events.length === 0) return
  await tx
    .insertInto('outbox')
    .values(
      events.map((e) => ({ event_type: e.type, person_id: e.personId, payload: JSON.stringify(e.payload) })),
    )
    .execute()
}

/** Keeps a message that could not be applied; a redelivery of the same message counts an attempt. */
export async function keepDeadLetter(
  db: Queryable,
  letter: { key: string; eventType: string | null; body: string; reason: string; waitingFor: string[] },
) {
  await db
    .insertInto('dead_letters')
    .values({
      message_key: letter.key,
      event_type: letter.eventType,
      body: letter.body,
      reason: letter.reason,
      waiting_for: letter.waitingFor,
    })
    .onConflict((oc) =>
      oc.column('message_key').doUpdateSet({
        attempts: sql`dead_letters.attempts + 1`,
        last_attempt_at: sql`now()`,
        reason: letter.reason,
        waiting_for: letter.waitingFor,
        resolved_at: null,
        resolution: null,
        resolved_by: null,
      }),
    )
    .execute()
}

/** Marks dead letters applied once their message has gone through (on redelivery or replay). */
export async function resolveDeadLetters(tx: Tx, keys: string[]) {
  await tx
    .updateTable('dead_letters')
    .set({ resolved_at: sql`now()`, resolution: 'applied' })
    .where('message_key', 'in', keys)
    .where('resolved_at', 'is', null)
    .execute()
}

export async function resolveDeadLetter(
  db: Queryable,
  id: number,
  resolution: 'applied' | 'duplicate' | 'discarded',
  by: string,
) {
  await db
    .updateTable('dead_letters')
    .set({ resolution, resolved_at: sql`coalesce(resolved_at, now())`, resolved_by: by })
    .where('id', '=', id)
    .execute()
}

/** Open dead letters waiting for an identifier the person now holds. */
export function findWaitingFor(db: Queryable, personId: string) {
  return db
    .selectFrom('dead_letters')
    .select(['id', 'body'])
    .where('resolved_at', 'is', null)
    .where(
      'waiting_for',
      '&&',
      sql<string[]>`(select coalesce(array_agg(i.type || ':' || i.value), '{}') from person_identifiers i
        join people p on p.id = i.person_id where coalesce(p.merged_into, p.id) = ${personId})`,
    )
    .orderBy('id')
    .limit(1000)
    .execute()
}

export function findDeadLetter(db: Queryable, id: number) {
  return db.selectFrom('dead_letters').selectAll().where('id', '=', id).executeTakeFirst()
}

export function listDeadLetters(db: Queryable, open: boolean) {
  return db
    .selectFrom('dead_letters as d')
    .leftJoin('users as u', 'u.id', 'd.resolved_by')
    .select([
      'd.id',
      'd.event_type',
      'd.reason',
      'd.body',
      'd.attempts',
      'd.received_at',
      'd.last_attempt_at',
      'd.resolved_at',
      'd.resolution',
      'u.display_name as resolved_by_name',
    ])
    .where('d.resolved_at', open ? 'is' : 'is not', null)
    .orderBy(open ? 'd.received_at' : 'd.resolved_at', 'desc')
    .limit(200)
    .execute()
}
