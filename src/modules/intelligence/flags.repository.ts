import { sql } from 'kysely'
import { accessFor } from '../../platform/access/access.js'
import type { Actor } from '../../platform/access/actor.js'
import type { Queryable } from '../../platform/database/database.js'

const SEVERITY_RANK = sql<number>`case f.severity when 'critical' then 0 when 'high' then 1
  when 'medium' then 2 else 3 end`

const FLAG_COLUMNS = [
  'f.person_id',
  'f.id',
  'f.rule_code',
  'f.rule_version',
  'f.severity',
  'f.title',
  'f.reason',
  'f.evidence',
  'f.status',
  'f.raised_at',
  'f.acknowledged_at',
  'f.escalated_at',
  'f.closed_at',
  'f.close_reason',
  'r.category',
] as const

/**
 * A person's flags the actor may see: the person must be visible and the flag's rule category
 * among the categories the actor may see for them. Open flags first, most severe first.
 */
export function findFlagsOfPerson(db: Queryable, actor: Actor, personId: string) {
  return db
    .selectFrom('flags as f')
    .innerJoin('people as p', 'p.id', 'f.person_id')
    .innerJoin(accessFor(actor, 'p'), (j) => j.onTrue())
    .innerJoin('rules as r', (j) =>
      j.onRef('r.code', '=', 'f.rule_code').onRef('r.version', '=', 'f.rule_version'),
    )
    .leftJoin('users as ack', 'ack.id', 'f.acknowledged_by')
    .leftJoin('users as closer', 'closer.id', 'f.closed_by')
    .select(FLAG_COLUMNS)
    .select(['ack.display_name as acknowledged_by_name', 'closer.display_name as closed_by_name'])
    .where('f.person_id', '=', personId)
    .where(sql<boolean>`r.category = any(access.categories)`)
    .orderBy(sql`f.status in ('raised', 'acknowledged')`, 'desc')
    .orderBy(SEVERITY_RANK)
    .orderBy('f.raised_at', 'desc')
    .limit(200)
    .execute()
}

/** Open flags of the people the actor is allocated to, that the actor may see; most severe first. */
export function findOpenFlagsOfMyPeople(db: Queryable, actor: Actor) {
  return db
    .selectFrom('allocations as al')
    .innerJoin('people as p', 'p.id', 'al.person_id')
    .innerJoin(accessFor(actor, 'p'), (j) => j.onTrue())
    .innerJoin('flags as f', 'f.person_id', 'p.id')
    .innerJoin('rules as r', (j) =>
      j.onRef('r.code', '=', 'f.rule_code').onRef('r.version', '=', 'f.rule_version'),
    )
    .select(FLAG_COLUMNS)
    .select(['p.crn', 'p.first_name', 'p.last_name'])
    .where('al.user_id', '=', actor.userId)
    .where('al.ended_at', 'is', null)
    .where('f.status', 'in', ['raised', 'acknowledged'])
    .where(sql<boolean>`r.category = any(access.categories)`)
    .orderBy(SEVERITY_RANK)
    .orderBy('f.raised_at', 'desc')
    .limit(200)
    .execute()
}

export type FlagStatus = 'raised' | 'acknowledged' | 'resolved' | 'dismissed'

/** Acknowledges a flag still `raised`; false when someone else changed it first. */
export async function acknowledgeFlag(
  db: Queryable,
  change: { personId: string; flagId: string; userId: string; at: Date },
) {
  const result = await db
    .updateTable('flags')
    .set({ status: 'acknowledged', acknowledged_at: change.at, acknowledged_by: change.userId })
    .where('person_id', '=', change.personId)
    .where('id', '=', change.flagId)
    .where('status', '=', 'raised')
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

/** Resolves or dismisses a flag if it is still in the status the user saw; false otherwise. */
export async function closeFlag(
  db: Queryable,
  change: {
    personId: string
    flagId: string
    seenStatus: FlagStatus
    status: 'resolved' | 'dismissed'
    reason: string
    userId: string
    at: Date
  },
) {
  const result = await db
    .updateTable('flags')
    .set({
      status: change.status,
      closed_at: change.at,
      closed_by: change.userId,
      close_reason: change.reason,
    })
    .where('person_id', '=', change.personId)
    .where('id', '=', change.flagId)
    .where('status', '=', change.seenStatus)
    .where('status', 'in', ['raised', 'acknowledged'])
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

/** The ids of the people the user is allocated to now: whose flag events a live page wants. */
export async function findPeopleAllocatedTo(db: Queryable, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('allocations')
    .select('person_id')
    .where('user_id', '=', userId)
    .where('ended_at', 'is', null)
    .execute()
  return rows.map((r) => r.person_id)
}

/**
 * Flag events of the last ten minutes about the people the user is allocated to. A live page
 * compares them with those it has already seen: by set rather than by a highest id, because
 * two workers commit in their own order and a later id can become visible before an earlier one.
 */
export async function findRecentFlagEventsOfMyPeople(db: Queryable, userId: string): Promise<number[]> {
  const { rows } = await sql<{ id: number }>`
    select o.id from allocations al
    join outbox o on o.person_id = al.person_id and o.event_type like 'flag.%'
      and o.occurred_at > now() - interval '10 minutes'
    where al.user_id = ${userId}::uuid and al.ended_at is null`.execute(db)
  return rows.map((r) => Number(r.id))
}
