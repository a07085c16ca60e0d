import fastifyCookie from '@fastify/cookie'
import fastifyCsrf from '@fastify/csrf-protection'
import fastifyFormbody from '@fastify/formbody'
import fastifyHelmet from '@fastify/helmet'
import fastifyRateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { navigationFor } from '../views/navigation.js'

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

export interface SecurityOptions {
  production: boolean
  cookieSecret: string
}

/**
 * Security headers (a Content Security Policy with per-response nonces and no unsafe-inline),
 * cookies, form parsing, CSRF protection on every state-changing page request, and rate limits.
 */
export async function registerSecurity(app: FastifyInstance, { production, cookieSecret }: SecurityOptions) {
  await app.register(fastifyHelmet, {
    enableCSPNonces: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        objectSrc: ["'none'"],
        ...(production ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: production ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'same-origin' },
    frameguard: { action: 'deny' },
  })
  await app.register(fastifyCookie, { secret: cookieSecret })
  await app.register(fastifyFormbody)
  await app.register(fastifyCsrf, {
    cookieKey: 'tandem_csrf',
    cookieOpts: { path: '/', httpOnly: true, sameSite: 'lax', secure: production, signed: true },
    // Forms post the token as a field; scripts could send it as a header.
    getToken: (request) =>
      (request.body as Record<string, string> | undefined)?._csrf ??
      (request.headers['x-csrf-token'] as string),
  })
  await app.register(fastifyRateLimit, { global: false })

  app.addHook('preHandler', async (request, reply) => {
    const access = request.routeOptions.config.access
    if (!access || access.kind === 'api') return
    if (UNSAFE_METHODS.has(request.method)) {
      await new Promise<void>((resolve, reject) => {
        app.csrfProtection(request, reply, (error?: Error) => (error ? reject(error) : resolve()))
      })
    }
    setPageLocals(request, reply)
  })
}

/** What every page template needs: who is signed in, their navigation, a CSRF token and the CSP nonce. */
export function setPageLocals(request: FastifyRequest, reply: FastifyReply): void {
  reply.locals = {
    ...reply.locals,
    actor: request.actor,
    navigation: navigationFor(request.actor, request.url.split('?')[0] ?? '/'),
    csrfToken: reply.generateCsrf(),
    cspNonce: reply.cspNonce?.script,
  }
}

declare module 'fastify' {
  interface FastifyReply {
    locals?: Record<string, unknown>
  }
}
