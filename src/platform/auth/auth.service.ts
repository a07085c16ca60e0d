import type { Config } from '../../config.js'
import { API_SCOPES, type Actor, type ApiScope } from '../access/actor.js'
import { recordAudit, type Origin } from '../audit/audit.js'
import type { Clock } from '../clock.js'
import type { Db } from '../database/database.js'
import * as repo from './auth.repository.js'
import { verifyPassword } from './passwords.js'
import { hashToken, newToken } from './tokens.js'

export interface AuthContext {
  db: Db
  config: Pick<Config, 'session' | 'signIn'>
  clock: Clock
}

export type SignInResult = { ok: true; token: string; actor: Actor } | { ok: false }

/**
 * Checks an email and password. Every failure looks the same to the caller (wrong email,
 * wrong password, locked, inactive), so the form cannot be used to discover accounts.
 */
export async function signInWithPassword(
  ctx: AuthContext,
  email: string,
  password: string,
  meta: { ip: string | null; userAgent: string | null; origin: Origin },
): Promise<SignInResult> {
  const now = ctx.clock.now()
  const user = await repo.findUserForSignIn(ctx.db, email)
  const locked = !!user?.locked_until && user.locked_until > now
  const passwordOk = await verifyPassword(user && !locked ? user.password_hash : null, password)
  if (!user || !user.active || locked || !passwordOk) {
    if (user && user.active && !locked) {
      const lockUntil = new Date(now.getTime() + ctx.config.signIn.lockoutMinutes * 60_000)
      await repo.recordFailedSignIn(ctx.db, user.id, ctx.config.signIn.maxFailures, lockUntil)
    }
    return { ok: false }
  }
  return startSession(ctx, user.id, 'password', meta)
}

/** Opens a session for a user who has proved who they are (password or OpenID Connect). */
export async function startSession(
  ctx: AuthContext,
  userId: string,
  method: 'password' | 'oidc',
  meta: { ip: string | null; userAgent: string | null; origin: Origin },
): Promise<SignInResult> {
  const now = ctx.clock.now()
  const { token, hash } = newToken()
  const actor = await ctx.db.transaction().execute(async (tx) => {
    await repo.recordSuccessfulSignIn(tx, userId, now)
    await repo.insertSession(tx, { tokenHash: hash, userId, at: now, ip: meta.ip, userAgent: meta.userAgent })
    const found = await repo.findActor(tx, userId)
    if (found) {
      await recordAudit(tx, {
        actor: found,
        action: 'sign-in',
        personIds: [],
        categories: [],
        origin: meta.origin,
        purpose: `Signed in (${method})`,
      })
    }
    return found
  })
  return actor ? { ok: true, token, actor } : { ok: false }
}

export type SessionState =
  | { state: 'active'; actor: Actor; tokenHash: string }
  | { state: 'expired'; reason: 'idle' | 'absolute' }
  | { state: 'none' }

/** Touching the session at most this often keeps the idle timeout without a write per request. */
const TOUCH_EVERY_MS = 60_000

/** Resolves a session cookie, enforcing the idle and absolute timeouts. */
export async function resumeSession(ctx: AuthContext, token: string | undefined): Promise<SessionState> {
  if (!token) return { state: 'none' }
  const tokenHash = hashToken(token)
  const session = await repo.findSessionActor(ctx.db, tokenHash)
  if (!session) return { state: 'none' }
  const now = ctx.clock.now()
  const idleLimit = session.lastSeenAt.getTime() + ctx.config.session.idleMinutes * 60_000
  const absoluteLimit = session.createdAt.getTime() + ctx.config.session.absoluteHours * 3_600_000
  if (now.getTime() >= absoluteLimit || now.getTime() >= idleLimit) {
    const reason = now.getTime() >= absoluteLimit ? 'absolute' : 'idle'
    await repo.endSession(ctx.db, tokenHash, now, `timeout:${reason}`)
    return { state: 'expired', reason }
  }
  const actor = session.actor
  if (!actor) {
    await repo.endSession(ctx.db, tokenHash, now, 'account deactivated')
    return { state: 'none' }
  }
  if (now.getTime() - session.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
    await repo.touchSession(ctx.db, tokenHash, now)
  }
  return { state: 'active', actor, tokenHash }
}

export async function signOut(
  ctx: AuthContext,
  actor: Actor,
  tokenHash: string,
  origin: Origin,
): Promise<void> {
  await ctx.db.transaction().execute(async (tx) => {
    await repo.endSession(tx, tokenHash, ctx.clock.now(), 'signed out')
    await recordAudit(tx, {
      actor,
      action: 'sign-out',
      personIds: [],
      categories: [],
      origin,
      purpose: 'Signed out',
    })
  })
}

/** Resolves a bearer token to its service account, with the scopes the token grants. */
export async function authenticateApiToken(ctx: AuthContext, token: string): Promise<Actor | null> {
  const found = await repo.findApiToken(ctx.db, hashToken(token))
  const now = ctx.clock.now()
  if (!found || found.revoked_at || (found.expires_at && found.expires_at <= now)) return null
  const scopes = found.scopes.filter((s): s is ApiScope => (API_SCOPES as readonly string[]).includes(s))
  const actor = await repo.findActor(ctx.db, found.user_id, scopes)
  if (actor && (!found.last_used_at || now.getTime() - found.last_used_at.getTime() > TOUCH_EVERY_MS)) {
    await repo.touchApiToken(ctx.db, found.id, now)
  }
  return actor
}
