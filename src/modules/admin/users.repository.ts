import { sql } from 'kysely'
import type { Queryable } from '../../platform/database/database.js'

export interface UserValues {
  displayName: string
  email: string
  jobTitle: string | null
  phone: string | null
  agencyId: string
  roles: string[]
  teamIds: string[]
  contractedHours: number
}

export function listUsers(
  db: Queryable,
  filter: { text?: string | undefined; agencyId?: string | undefined },
) {
  let query = db
    .selectFrom('users as u')
    .innerJoin('agencies as a', 'a.id', 'u.agency_id')
    .select([
      'u.id',
      'u.display_name',
      'u.email',
      'u.kind',
      'u.active',
      'u.locked_until',
      'u.last_sign_in_at',
      'a.name as agency_name',
      sql<string[]>`array(select r.role from user_roles r where r.user_id = u.id order by r.role)`.as(
        'roles',
      ),
    ])
    .where('u.kind', '=', 'person')
    .orderBy('u.display_name')
    .limit(200)
  if (filter.text) {
    const like = `%${filter.text.replace(/[%_\\]/g, (c) => `\\${c}`)}%`
    query = query.where((eb) => eb.or([eb('u.display_name', 'ilike', like), eb('u.email', 'ilike', like)]))
  }
  if (filter.agencyId) query = query.where('u.agency_id', '=', filter.agencyId)
  return query.execute()
}

export function findUser(db: Queryable, id: string) {
  return db
    .selectFrom('users as u')
    .select([
      'u.id',
      'u.display_name',
      'u.email',
      'u.job_title',
      'u.phone',
      'u.agency_id',
      'u.kind',
      'u.active',
      'u.contracted_hours',
      'u.locked_until',
      'u.last_sign_in_at',
      'u.version',
      sql<string[]>`array(select r.role from user_roles r where r.user_id = u.id order by r.role)`.as(
        'roles',
      ),
      sql<string[]>`array(select m.team_id from team_members m where m.user_id = u.id)`.as('team_ids'),
    ])
    .where('u.id', '=', id)
    .where('u.kind', '=', 'person')
    .executeTakeFirst()
}

export async function insertUser(db: Queryable, v: UserValues & { passwordHash: string | null }) {
  const { id } = await db
    .insertInto('users')
    .values({
      display_name: v.displayName,
      email: v.email,
      job_title: v.jobTitle,
      phone: v.phone,
      agency_id: v.agencyId,
      contracted_hours: v.contractedHours,
      password_hash: v.passwordHash,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  await replaceRolesAndTeams(db, id, v.roles, v.teamIds)
  return id
}

export async function updateUserDetails(db: Queryable, id: string, v: UserValues & { active: boolean }) {
  await db
    .updateTable('users')
    .set({
      display_name: v.displayName,
      email: v.email,
      job_title: v.jobTitle,
      phone: v.phone,
      agency_id: v.agencyId,
      contracted_hours: v.contractedHours,
      active: v.active,
    })
    .where('id', '=', id)
    .execute()
  await replaceRolesAndTeams(db, id, v.roles, v.teamIds)
}

async function replaceRolesAndTeams(db: Queryable, userId: string, roles: string[], teamIds: string[]) {
  await db.deleteFrom('user_roles').where('user_id', '=', userId).execute()
  if (roles.length)
    await db
      .insertInto('user_roles')
      .values(roles.map((role) => ({ user_id: userId, role })))
      .execute()
  await db.deleteFrom('team_members').where('user_id', '=', userId).execute()
  if (teamIds.length) {
    await db
      .insertInto('team_members')
      .values(teamIds.map((team_id) => ({ team_id, user_id: userId })))
      .execute()
  }
}

export async function setPassword(db: Queryable, id: string, passwordHash: string) {
  await db
    .updateTable('users')
    .set({ password_hash: passwordHash, failed_sign_ins: 0, locked_until: null, updated_at: sql`now()` })
    .where('id', '=', id)
    .execute()
}

export async function unlockUser(db: Queryable, id: string) {
  await db.updateTable('users').set({ failed_sign_ins: 0, locked_until: null }).where('id', '=', id).execute()
}

export function findUserIdByEmail(db: Queryable, email: string) {
  return db
    .selectFrom('users')
    .select(['id', 'display_name'])
    .where(sql`lower(email)`, '=', email.toLowerCase())
    .where('kind', '=', 'person')
    .executeTakeFirst()
}
