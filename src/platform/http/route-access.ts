import type { FastifyRequest } from 'fastify'
import type { Actor, ApiScope, Role } from '../access/actor.js'
import type { Origin } from '../audit/audit.js'

/**
 * What every route declares about who may call it. A route without one fails at start-up,
 * so nothing can be mounted open by accident.
 */
export type RouteAccess =
  | { kind: 'public' }
  | { kind: 'page'; roles: readonly Role[] | 'signed-in' }
  | { kind: 'api'; scope: ApiScope }

export const publicRoute = { access: { kind: 'public' } satisfies RouteAccess }
export const signedIn = { access: { kind: 'page', roles: 'signed-in' } satisfies RouteAccess }
export function forRoles(...roles: Role[]): { access: RouteAccess } {
  return { access: { kind: 'page', roles } }
}
export function apiScope(scope: ApiScope): { access: RouteAccess } {
  return { access: { kind: 'api', scope } }
}

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null
    /** The hash of the session cookie's token, when signed in through a session. */
    sessionTokenHash: string | null
    /** Set when the request arrived with a session that has just timed out. */
    sessionExpired: 'idle' | 'absolute' | null
  }
  interface FastifyContextConfig {
    access?: RouteAccess
  }
}

/** The actor of a route that requires one (the access hook has already refused anonymous calls). */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new Error('actorOf() called on a route that does not require sign-in')
  return request.actor
}

/** Where this use of data came from, for the audit log. */
export function originOf(request: FastifyRequest): Origin {
  const api = request.routeOptions.config.access?.kind === 'api'
  return {
    route: `${api ? 'API ' : ''}${request.method} ${request.routeOptions.url ?? request.url}`,
    requestId: request.id,
  }
}
