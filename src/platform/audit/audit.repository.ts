import { sql } from 'kysely'
import type { Queryable } from '../database/database.js'

export interface AuditFilter {
  personId?: string | undefined
  actorEmail?: string | undefined
  action?: string | undefined
  from?: Date | undefined
  to?: Date | undefined
  /** Keyset pagination: only records older than this id. */
  before?: number | undefined
  limit: number
}

/** Audit records, newest first, with the actor's current name and agency. */
export function findAuditRecords(db: Queryable, filter: AuditFilter) {
  let query = db
    .selectFrom('audit_log as l')
    .leftJoin('users as u', 'u.id', 'l.actor_user_id')
    .leftJoin('agencies as a', 'a.id', 'l.actor_agency_id')
    .select([
      'l.id',
      'l.occurred_at',
      'l.actor_label',
      'l.action',
      'l.person_ids',
      'l.categories',
      'l.route',
      'l.purpose',
      'l.relationship',
      'l.detail',
      'l.seq',
      'u.display_name',
      'u.email',
      'a.name as agency_name',
    ])
    .orderBy('l.id', 'desc')
    .limit(filter.limit)
  if (filter.personId) query = query.where(sql<boolean>`l.person_ids @> array[${filter.personId}]::uuid[]`)
  if (filter.actorEmail) query = query.where(sql`lower(u.email)`, '=', filter.actorEmail.toLowerCase())
  if (filter.action) query = query.where('l.action', '=', filter.action)
  if (filter.from) query = query.where('l.occurred_at', '>=', filter.from)
  if (filter.to) query = query.where('l.occurred_at', '<', filter.to)
  if (filter.before) query = query.where('l.id', '<', filter.before)
  return query.execute()
}

/** Identity only: the DPO's oversight pages name the person whose record they are reviewing. */
export function findPersonIdentity(db: Queryable, crn: string) {
  return db
    .selectFrom('people')
    .select(['id', 'crn', 'first_name', 'last_name'])
    .where('crn', '=', crn)
    .executeTakeFirst()
}

export function findPeopleIdentities(db: Queryable, ids: string[]) {
  if (ids.length === 0) return Promise.resolve([])
  return db
    .selectFrom('people')
    .select(['id', 'crn', 'first_name', 'last_name'])
    .where('id', 'in', ids)
    .execute()
}

export function findBreakGlassGrants(db: Queryable, reviewed: boolean) {
  return db
    .selectFrom('break_glass_grants as g')
    .innerJoin('users as u', 'u.id', 'g.user_id')
    .innerJoin('agencies as a', 'a.id', 'u.agency_id')
    .innerJoin('people as p', 'p.id', 'g.person_id')
    .leftJoin('users as r', 'r.id', 'g.reviewed_by')
    .select([
      'g.id',
      'g.person_id',
      'g.reason',
      'g.granted_at',
      'g.expires_at',
      'g.reviewed_at',
      'g.review_outcome',
      'g.review_note',
      'u.display_name',
      'u.email',
      'a.name as agency_name',
      'p.crn',
      'r.display_name as reviewer_name',
    ])
    .where('g.reviewed_at', reviewed ? 'is not' : 'is', null)
    .orderBy('g.granted_at', reviewed ? 'desc' : 'asc')
    .limit(200)
    .execute()
}

export async function reviewBreakGlassGrant(
  db: Queryable,
  review: { id: string; reviewerId: string; outcome: 'justified' | 'not_justified'; note: string; at: Date },
) {
  return db
    .updateTable('break_glass_grants')
    .set({
      reviewed_by: review.reviewerId,
      reviewed_at: review.at,
      review_outcome: review.outcome,
      review_note: review.note,
      // A grant judged unjustified ends at once if it is still running.
      ...(review.outcome === 'not_justified'
        ? { expires_at: sql<Date>`least(expires_at, ${review.at}::timestamptz)` }
        : {}),
    })
    .where('id', '=', review.id)
    .where('reviewed_at', 'is', null)
    .returning(['person_id'])
    .executeTakeFirst()
}
