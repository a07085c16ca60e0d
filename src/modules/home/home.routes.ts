import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../../app.js'
import { isCaseworker } from '../../platform/access/actor.js'
import { formErrors, parseForm } from '../../platform/http/forms.js'
import { actorOf, originOf, publicRoute, signedIn } from '../../platform/http/route-access.js'
import { startPageFor } from '../../platform/views/navigation.js'
import { todaysAppointments } from '../people/people.service.js'
import { ChangePasswordForm } from './home.schema.js'
import { changePassword, describeAccount } from './home.service.js'

export function homeRoutes(app: FastifyInstance, { db, clock }: AppDeps) {
  app.get('/', { config: signedIn }, async (request, reply) => {
    const actor = actorOf(request)
    if (!isCaseworker(actor)) return reply.redirect(startPageFor(actor))
    const appointments = await todaysAppointments(db, actor, originOf(request), clock)
    return reply.view('home/views/my-day.njk', { appointments, today: clock.now() })
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
