import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { formErrors, parseForm } from '../http/forms.js'
import { actorOf, originOf, publicRoute, signedIn } from '../http/route-access.js'
import { startPageFor } from '../views/navigation.js'
import { findUserByOidc, linkOidcSubject } from './auth.repository.js'
import { SESSION_COOKIE, sessionCookieOptions } from './auth.plugin.js'
import {
  signInWithPassword,
  signOut,
  startSession,
  type AuthContext,
  type SignInResult,
} from './auth.service.js'
import type { OidcChecks, OidcSignIn } from './oidc.js'

const OIDC_COOKIE = 'tandem_oidc'

const SignInForm = z.object({
  email: z
    .string()
    .trim()
    .min(1, 'Enter your email address')
    .max(320, 'Email address must be 320 characters or fewer'),
  password: z.string().min(1, 'Enter your password').max(1000, 'Password must be 1000 characters or fewer'),
  returnTo: z.string().optional(),
})

const WRONG_DETAILS =
  'Your email address or password is not correct. After 5 wrong attempts in a row, the account is locked for 15 minutes.'

/** Only ever send people back to a page on this site. */
function safeReturnTo(value: unknown): string | null {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) && !value.startsWith('/sign-') ? value : null
}

function clientMeta(request: FastifyRequest) {
  return { ip: request.ip, userAgent: request.headers['user-agent'] ?? null, origin: originOf(request) }
}

export function signInRoutes(
  app: FastifyInstance,
  auth: AuthContext,
  options: { secureCookies: boolean; oidc: OidcSignIn | null },
) {
  const cookie = sessionCookieOptions(options.secureCookies)
  const wrongDetails = WRONG_DETAILS.replace('5', String(auth.config.signIn.maxFailures)).replace(
    '15',
    String(auth.config.signIn.lockoutMinutes),
  )

  function afterSignIn(result: Extract<SignInResult, { ok: true }>, returnTo: unknown) {
    return safeReturnTo(returnTo) ?? startPageFor(result.actor)
  }

  app.get<{ Querystring: { returnTo?: string; timedOut?: string; signedOut?: string } }>(
    '/sign-in',
    { config: publicRoute },
    async (request, reply) => {
      if (request.actor) return reply.redirect(startPageFor(request.actor))
      return reply.view('auth/views/sign-in.njk', {
        returnTo: safeReturnTo(request.query.returnTo),
        timedOut: request.query.timedOut ?? request.sessionExpired,
        signedOut: request.query.signedOut === '1',
        oidcEnabled: !!options.oidc,
        idleMinutes: auth.config.session.idleMinutes,
      })
    },
  )

  app.post(
    '/sign-in',
    {
      config: {
        ...publicRoute,
        rateLimit: { max: auth.config.signIn.ratePerMinute, timeWindow: '1 minute' },
      },
    },
    async (request, reply) => {
      const form = parseForm(SignInForm, request.body)
      const render = (errors: unknown) =>
        reply.code(400).view('auth/views/sign-in.njk', {
          errors,
          values: { email: (request.body as Record<string, string> | undefined)?.email ?? '' },
          returnTo: safeReturnTo((request.body as Record<string, string> | undefined)?.returnTo),
          oidcEnabled: !!options.oidc,
        })
      if (!form.ok) return render(form.errors)
      const result = await signInWithPassword(
        auth,
        form.value.email,
        form.value.password,
        clientMeta(request),
      )
      if (!result.ok) return render(formErrors([{ field: 'email', message: wrongDetails }]))
      reply.setCookie(SESSION_COOKIE, result.token, cookie)
      return reply.redirect(afterSignIn(result, form.value.returnTo), 303)
    },
  )

  app.post('/sign-out', { config: signedIn }, async (request, reply) => {
    if (request.sessionTokenHash)
      await signOut(auth, actorOf(request), request.sessionTokenHash, originOf(request))
    reply.clearCookie(SESSION_COOKIE, cookie)
    return reply.redirect('/sign-in?signedOut=1', 303)
  })

  const oidc = options.oidc
  if (!oidc) return

  app.get<{ Querystring: { returnTo?: string } }>(
    '/sign-in/oidc',
    { config: publicRoute },
    async (request, reply) => {
      const { url, checks } = await oidc.start()
      const state = { ...checks, returnTo: safeReturnTo(request.query.returnTo) }
      reply.setCookie(OIDC_COOKIE, JSON.stringify(state), { ...cookie, signed: true, maxAge: 600 })
      return reply.redirect(url.toString())
    },
  )

  app.get('/sign-in/oidc/callback', { config: publicRoute }, async (request, reply) => {
    const raw = request.cookies[OIDC_COOKIE]
    const unsigned = raw ? request.unsignCookie(raw) : null
    reply.clearCookie(OIDC_COOKIE, cookie)
    const failed = (message: string) =>
      reply.code(400).view('auth/views/sign-in.njk', {
        errors: formErrors([{ field: 'oidc', message }]),
        oidcEnabled: true,
      })
    if (!unsigned?.valid || !unsigned.value)
      return failed('Your sign-in took too long or was interrupted. Try again.')
    const checks = JSON.parse(unsigned.value) as OidcChecks & { returnTo: string | null }
    let identity: { subject: string; email: string | undefined }
    try {
      identity = await oidc.finish(request.url.split('?')[1] ?? '', checks)
    } catch (error) {
      request.log.warn({ err: error }, 'OpenID Connect sign-in failed')
      return failed('Your organisation’s sign-in service did not confirm who you are. Try again.')
    }
    const user = await findUserByOidc(auth.db, identity.subject, identity.email)
    if (!user) return failed('There is no Tandem account for you. Ask your administrator to add you.')
    if (!user.oidc_subject) await linkOidcSubject(auth.db, user.id, identity.subject)
    const result = await startSession(auth, user.id, 'oidc', clientMeta(request))
    if (!result.ok) return failed('There is no active Tandem account for you. Ask your administrator.')
    reply.setCookie(SESSION_COOKIE, result.token, cookie)
    return reply.redirect(afterSignIn(result, checks.returnTo))
  })
}
