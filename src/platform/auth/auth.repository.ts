import { sql } from 'kysely'
import type { Actor, AgencyKind, ApiScope, Role } from '../access/actor.js'
import type { Queryable } from '../database/database.js'

/** Users with what an Actor needs: agency, roles and teams, in one query. */
function actors(db: Queryable) {
  return db
    .selectFrom('users as u')
    .innerJoin('agencies as a', 'a.id', 'u.agency_id')
    .select([
      'u.id',
      'u.kind',
      'u.display_name',
      'u.email',
      'u.active',
      'u.agency_id',
      'a.name as agency_name',
      'a.kind as agency_kind',
      sql<Role[]>`array(select r.role from user_roles r where r.user_id = u.id order by r.role)`.as('roles'),
      sql<string[]>`array(select t.team_id from team_members t where t.user_id = u.id)`.as('team_ids'),
    ])
}

type ActorRow = Awaited<ReturnType<ReturnType<typeof actors>['executeTakeFirstOrThrow']>>

function toActor(row: ActorRow, scopes: ApiScope[] | null): Actor | null {
  if (!row.active) return null
  return {
    userId: row.id,
    kind: row.kind,
    displayName: row.display_name,
    email: row.email,
    agencyId: row.agency_id,
    agencyName: row.agency_name,
    agencyKind: row.agency_kind as AgencyKind,
    roles: row.roles,
    teamIds: row.team_ids,
    scopes,
  }
}

/** Loads who an active user is. */
export async function findActor(
  db: Queryable,
  userId: string,
  scopes: ApiScope[] | null = null,
): Promise<Actor | null> {
  const row = await actors(db).where('u.id', '=', userId).executeTakeFirst()
  return row ? toActor(row, scopes) : null
}

/** An open session and its user, in one query (this runs on every page request). */
export async function findSessionActor(db: Queryable, tokenHash: string) {
  const row = await actors(db)
    .innerJoin('user_sessions as s', 's.user_id', 'u.id')
    .select(['s.created_at', 's.last_seen_at'])
    .where('s.token_hash', '=', tokenHash)
    .where('s.ended_at', 'is', null)
    .executeTakeFirst()
  return row ? { createdAt: row.created_at, lastSeenAt: row.last_seen_at, actor: toActor(row, null) } : null
}

export function findUserForSignIn(db: Queryable, email: string) {
  return db
    .selectFrom('users')
    .select(['id', 'password_hash', 'failed_sign_ins', 'locked_until', 'active'])
    .where(sql`lower(email)`, '=', email.trim().toLowerCase())
    .where('kind', '=', 'person')
    .executeTakeFirst()
}

export async function recordFailedSignIn(
  db: Queryable,
  userId: string,
  maxFailures: number,
  lockUntil: Date,
): Promise<void> {
  // One statement, so concurrent wrong guesses cannot slip past the limit.
  await db
    .updateTable('users')
    .set({
      failed_sign_ins: sql`case when failed_sign_ins + 1 >= ${maxFailures} then 0 else failed_sign_ins + 1 end`,
      locked_until: sql`case when failed_sign_ins + 1 >= ${maxFailures} then ${lockUntil}::timestamptz else locked_until end`,
    })
    .where('id', '=', userId)
    .execute()
}

export async function recordSuccessfulSignIn(db: Queryable, userId: string, at: Date): Promise<void> {
  await db
    .updateTable('users')
    .set({ failed_sign_ins: 0, locked_until: null, last_sign_in_at: at })
    .where('id', '=', userId)
    .execute()
}

export async function insertSession(
  db: Queryable,
  session: { tokenHash: string; userId: string; at: Date; ip: string | null; userAgent: string | null },
): Promise<void> {
  await db
    .insertInto('user_sessions')
    .values({
      token_hash: session.tokenHash,
      user_id: session.userId,
      created_at: session.at,
      last_seen_at: session.at,
      ip: session.ip,
      user_agent: session.userAgent?.slice(0, 500) ?? null,
    })
    .execute()
}

export async function touchSession(db: Queryable, tokenHash: string, at: Date): Promise<void> {
  await db
    .updateTable('user_sessions')
    .set({ last_seen_at: at })
    .where('token_hash', '=', tokenHash)
    .execute()
}

export async function endSession(db: Queryable, tokenHash: string, at: Date, reason: string): Promise<void> {
  await db
    .updateTable('user_sessions')
    .set({ ended_at: at, ended_reason: reason })
    .where('token_hash', '=', tokenHash)
    .where('ended_at', 'is', null)
    .execute()
}

/** Ends every open session of a user, except the one given (the caller's own). */
export async function endSessionsOf(
  db: Queryable,
  userId: string,
  at: Date,
  reason: string,
  except: string | null = null,
): Promise<void> {
  let query = db
    .updateTable('user_sessions')
    .set({ ended_at: at, ended_reason: reason })
    .where('user_id', '=', userId)
    .where('ended_at', 'is', null)
  if (except) query = query.where('token_hash', '<>', except)
  await query.execute()
}

export function findApiToken(db: Queryable, tokenHash: string) {
  return db
    .selectFrom('api_tokens')
    .select(['id', 'user_id', 'scopes', 'expires_at', 'revoked_at', 'last_used_at'])
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst()
}

export async function touchApiToken(db: Queryable, id: string, at: Date): Promise<void> {
  await db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', id).execute()
}

export function findUserByOidc(db: Queryable, subject: string, email: string | undefined) {
  return db
    .selectFrom('users')
    .select(['id', 'oidc_subject'])
    .where('kind', '=', 'person')
    .where('active', '=', true)
    .where((eb) =>
      eb.or([
        eb('oidc_subject', '=', subject),
        ...(email
          ? [eb.and([eb('oidc_subject', 'is', null), eb(sql`lower(email)`, '=', email.toLowerCase())])]
          : []),
      ]),
    )
    .orderBy(sql`oidc_subject is null`)
    .executeTakeFirst()
}

export async function linkOidcSubject(db: Queryable, userId: string, subject: string): Promise<void> {
  await db.updateTable('users').set({ oidc_subject: subject }).where('id', '=', userId).execute()
}
