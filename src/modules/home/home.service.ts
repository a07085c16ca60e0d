import type { Actor } from '../../platform/access/actor.js'
import { endSessionsOf } from '../../platform/auth/auth.repository.js'
import { hashPassword, verifyPassword } from '../../platform/auth/passwords.js'
import type { Clock } from '../../platform/clock.js'
import type { Db } from '../../platform/database/database.js'
import type { FieldProblem } from '../../errors.js'

/** The signed-in user's own account: details, roles and teams. */
export async function describeAccount(db: Db, actor: Actor) {
  const teams = await db
    .selectFrom('team_members as tm')
    .innerJoin('teams as t', 't.id', 'tm.team_id')
    .select(['t.name'])
    .where('tm.user_id', '=', actor.userId)
    .orderBy('t.name')
    .execute()
  const user = await db
    .selectFrom('users')
    .select(['password_hash', 'oidc_subject', 'last_sign_in_at'])
    .where('id', '=', actor.userId)
    .executeTakeFirstOrThrow()
  return {
    actor,
    teams: teams.map((t) => t.name),
    hasPassword: !!user.password_hash,
    usesOidc: !!user.oidc_subject,
  }
}

/**
 * Changes the user's own password after checking the current one, and signs out every
 * other session so a stolen session cannot outlive the change.
 */
export async function changePassword(
  db: Db,
  actor: Actor,
  form: { currentPassword: string; newPassword: string },
  keepSession: string | null,
  clock: Clock,
): Promise<FieldProblem[]> {
  const user = await db
    .selectFrom('users')
    .select(['password_hash'])
    .where('id', '=', actor.userId)
    .executeTakeFirstOrThrow()
  if (!(await verifyPassword(user.password_hash, form.currentPassword))) {
    return [{ field: 'currentPassword', message: 'Your current password is not correct' }]
  }
  const hash = await hashPassword(form.newPassword)
  await db.transaction().execute(async (tx) => {
    await tx
      .updateTable('users')
      .set({ password_hash: hash, updated_at: clock.now() })
      .where('id', '=', actor.userId)
      .execute()
    await endSessionsOf(tx, actor.userId, clock.now(), 'password changed', keepSession)
  })
  return []
}
