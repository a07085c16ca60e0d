import { readFileSync } from 'node:fs'
import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../../app.js'
import { isCaseworker } from '../../platform/access/actor.js'
import { listen } from '../../platform/database/database.js'
import { formErrors, parseForm } from '../../platform/http/forms.js'
import { actorOf, originOf, publicRoute, signedIn } from '../../platform/http/route-access.js'
import { startPageFor } from '../../platform/views/navigation.js'
import {
  FLAG_EVENTS_CHANNEL,
  peopleAllocatedTo,
  recentFlagEventsOfMyPeople,
} from '../intelligence/flags.service.js'
import { ChangePasswordForm } from './home.schema.js'
import { changePassword, describeAccount } from './home.service.js'
import { flagsBySeverity, myDay } from './my-day.service.js'

const LIVE_SCRIPT = readFileSync(new URL('./my-day.client.mjs', import.meta.url), 'utf8')
/** How often an open My day page looks for flag changes unprompted (it is told of most as they commit). */
export const CATCH_UP_MS = 5_000
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
   * re-rendered flags section is sent. The database notifies each flag event as it commits
   * (migration 0022); one about my people sets off a look at the outbox's recent flag events
   * about them, and one not seen before means a change. Every few seconds the page also looks
   * unprompted, which picks up people newly allocated to me and anything a dropped listening
   * connection missed. Stopped when the browser goes away.
   */
  app.get('/my-day/events', { config: signedIn }, async (request, reply) => {
    const actor = actorOf(request)
    const origin = originOf(request)
    let mine = new Set(await peopleAllocatedTo(db, actor.userId))
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
    let closed = false
    // One look at a time: a notification during a look asks for one more after it.
    let looking = false
    let again = false
    const look = async () => {
      if (looking) return void (again = true)
      looking = true
      try {
        do {
          again = false
          const recent = await recentFlagEventsOfMyPeople(db, actor.userId)
          const changed = recent.some((id) => !seen.has(id))
          seen = new Set(recent)
          if (!changed || closed) continue
          const html = await app.view('home/views/_my-day-flags.njk', {
            flagGroups: await flagsBySeverity(db, actor, origin),
          })
          if (!closed) out.write(`event: flags\n${html.replace(/^/gm, 'data: ')}\n\n`)
        } while (again && !closed)
      } catch (error) {
        request.log.error({ err: error }, 'my day live update failed')
      } finally {
        looking = false
      }
    }
    const catchUp = setInterval(() => {
      void peopleAllocatedTo(db, actor.userId)
        .then((people) => {
          mine = new Set(people)
          return look()
        })
        .catch((error: unknown) => request.log.error({ err: error }, 'my day live update failed'))
    }, CATCH_UP_MS)
    const heartbeat = setInterval(() => out.write(': still here\n\n'), HEARTBEAT_MS)
    const listening = listen(db, FLAG_EVENTS_CHANNEL, (personId) => {
      if (mine.has(personId)) void look()
    })
    request.raw.on('close', () => {
      closed = true
      clearInterval(catchUp)
      clearInterval(heartbeat)
      void listening.then((stop) => stop())
    })
    await listening
    // Anything committed between the first look and listening.
    void look()
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
