import { readFileSync } from 'node:fs'
import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../../app.js'
import { isCaseworker } from '../../platform/access/actor.js'
import { formErrors, parseForm } from '../../platform/http/forms.js'
import { actorOf, originOf, publicRoute, signedIn } from '../../platform/http/route-access.js'
import { startPageFor } from '../../platform/views/navigation.js'
import { recentFlagEventsOfMyPeople } from '../intelligence/flags.service.js'
import { ChangePasswordForm } from './home.schema.js'
import { changePassword, describeAccount } from './home.service.js'
import { flagsBySeverity, myDay } from './my-day.service.js'

const LIVE_SCRIPT = readFileSync(new URL('./my-day.client.mjs', import.meta.url), 'utf8')
/** How often an open My day page looks for flag changes; the budget from event to screen is 1 s. */
const POLL_MS = 250
const HEARTBEAT_MS = 15_000

export function homeRoutes(app: FastifyInstance, { db, clock }: AppDeps) {
  app.get('/', { config: signedIn }, async (request, reply) => {
    const actor = actorOf(request)
    if (!isCaseworker(actor)) return reply.redirect(startPageFor(actor))
    return reply.view('home/views/my-day.njk', await myDay(db, actor, originOf(request), clock))
  })

  app.get('/my-day/live.mjs', { config: publicRoute }, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(LIVE_SCRIPT),
  )

  /**
   * Server-sent events for an open My day page: when a flag of one of my people changes, the
   * re-rendered flags section is sent. Changes are noticed by a cheap probe of the outbox's
   * recent flag events about my people (works on PostgreSQL and PGlite alike): one not seen
   * before means a change. Stopped when the browser goes away.
   */
  app.get('/my-day/events', { config: signedIn }, async (request, reply) => {
    const actor = actorOf(request)
    const origin = originOf(request)
    let seen = new Set(await recentFlagEventsOfMyPeople(db, actor.userId))
    reply.hijack()
    const out = reply.raw
    out.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    })
    out.write('retry: 3000\n\n')
    let busy = false
    let closed = false
    const poll = setInterval(() => {
      if (busy || closed) return
      busy = true
      void (async () => {
        const recent = await recentFlagEventsOfMyPeople(db, actor.userId)
        const changed = recent.some((id) => !seen.has(id))
        seen = new Set(recent)
        if (!changed) return
        const html = await app.view('home/views/_my-day-flags.njk', {
          flagGroups: await flagsBySeverity(db, actor, origin),
        })
        if (!closed)
          out.write(
            `event: flags\n${html
              .split('\n')
              .map((line) => `data: ${line}`)
              .join('\n')}\n\n`,
          )
      })()
        .catch((error: unknown) => request.log.error({ err: error }, 'my day live update failed'))
        .finally(() => {
          busy = false
        })
    }, POLL_MS)
    const heartbeat = setInterval(() => out.write(': still here\n\n'), HEARTBEAT_MS)
    request.raw.on('close', () => {
      closed = true
      clearInterval(poll)
      clearInterval(heartbeat)
    })
  })

  app.get('/account', { config: signedIn }, async (request, reply) => {
    return reply.view('home/views/account.njk', { account: await describeAccount(db, actorOf(request)) })
  })

  app.post('/account/password', { config: signedIn }, async (request, reply) => {
    const actor = actorOf(request)
    const form = parseForm(ChangePasswordForm, request.body)
    const problems = form.ok
      ? await changePassword(db, actor, form.value, request.sessionTokenHash, clock)
      : form.problems
    if (problems.length > 0) {
      return reply.code(400).view('home/views/account.njk', {
        account: await describeAccount(db, actor),
        errors: formErrors(problems),
      })
    }
    return reply.view('home/views/account.njk', {
      account: await describeAccount(db, actor),
      passwordChanged: true,
    })
  })

  app.get('/privacy', { config: publicRoute }, async (_request, reply) =>
    reply.view('home/views/privacy.njk'),
  )
  app.get('/accessibility', { config: publicRoute }, async (_request, reply) =>
    reply.view('home/views/accessibility.njk'),
  )
}
