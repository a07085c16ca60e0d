import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { ForbiddenError, UnauthenticatedError } from '../../errors.js'
import { hasRole } from '../access/actor.js'
import type { RouteAccess } from '../http/route-access.js'
import { authenticateApiToken, resumeSession, type AuthContext } from './auth.service.js'

export const SESSION_COOKIE = 'tandem_session'

export interface RouteEntry {
  method: string
  url: string
  access: RouteAccess
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route with its access rule, so tests can walk them all. */
    routeCatalogue: RouteEntry[]
  }
}

/** Routes that serve design-system files and the API's documentation: no personal data, no rule needed. */
const STATIC_PREFIXES = ['/assets/', '/vendor/', '/api/docs']

export function sessionCookieOptions(secure: boolean) {
  return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure }
}

/**
 * Authentication and route-level authorisation for every request:
 * API routes take a bearer token with the route's scope; pages take the session cookie and
 * the route's roles. Person-level rules are applied later, in the repository queries.
 */
export function registerAuthentication(app: FastifyInstance, ctx: AuthContext, secureCookies: boolean): void {
  app.decorateRequest('actor', null)
  app.decorateRequest('sessionTokenHash', null)
  app.decorateRequest('sessionExpired', null)

  const catalogue: RouteEntry[] = []
  app.decorate('routeCatalogue', catalogue)
  app.addHook('onRoute', (route) => {
    const url = route.url ?? ''
    const access = route.config?.access
    if (access) {
      for (const method of [route.method].flat()) catalogue.push({ method: String(method), url, access })
    } else if (!STATIC_PREFIXES.some((p) => url.startsWith(p))) {
      throw new Error(`Route ${String(route.method)} ${url} declares no access rule`)
    }
  })

  app.addHook('onRequest', async (request, reply) => {
    const access = request.routeOptions.config.access
    if (!access) return
    if (access.kind === 'api') {
      const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1]
      if (!token)
        throw new UnauthenticatedError('Send an API token in the Authorization header: Bearer <token>')
      const actor = await authenticateApiToken(ctx, token)
      if (!actor)
        throw new UnauthenticatedError('The API token is not valid, has expired or has been revoked')
      if (!actor.scopes?.includes(access.scope)) {
        throw new ForbiddenError(`This API token does not have the ${access.scope} scope`)
      }
      request.actor = actor
      return
    }
    await resolveSession(request, reply, ctx, secureCookies)
    if (access.kind === 'public') return
    if (!request.actor) {
      if (request.method === 'GET') {
        const query = new URLSearchParams({ returnTo: request.url })
        if (request.sessionExpired) query.set('timedOut', request.sessionExpired)
        return reply.redirect(`/sign-in?${query.toString()}`)
      }
      throw new UnauthenticatedError('Your session has ended. Sign in again to continue')
    }
    if (access.roles !== 'signed-in' && !hasRole(request.actor, ...access.roles)) {
      throw new ForbiddenError('Your role does not give you access to this page')
    }
  })
}

/** Sets request.actor from the session cookie, clearing a cookie whose session has ended. */
export async function resolveSession(
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: AuthContext,
  secureCookies: boolean,
): Promise<void> {
  const token = request.cookies[SESSION_COOKIE]
  const state = await resumeSession(ctx, token)
  if (state.state === 'active') {
    request.actor = state.actor
    request.sessionTokenHash = state.tokenHash
    return
  }
  if (state.state === 'expired') request.sessionExpired = state.reason
  if (token) reply.clearCookie(SESSION_COOKIE, sessionCookieOptions(secureCookies))
}
