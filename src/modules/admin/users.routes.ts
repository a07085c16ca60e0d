import type { FastifyInstance, FastifyReply } from 'fastify'
import type { AppDeps } from '../../app.js'
import { NotFoundError } from '../../errors.js'
import { ROLES, ROLE_NAMES } from '../../platform/access/actor.js'
import { submitForm } from '../../platform/http/forms.js'
import { actorOf, originOf } from '../../platform/http/route-access.js'
import { administrators, idParam } from './admin.routes.js'
import { EditUserForm, NewUserForm, ResetPasswordForm } from './admin.schema.js'
import * as admin from './admin.service.js'
import * as users from './users.repository.js'

const roleChoices = ROLES.map((role) => ({ value: role, text: ROLE_NAMES[role] }))

export function userRoutes(app: FastifyInstance, { db, config, clock }: AppDeps) {
  const oidcEnabled = !!config.oidc

  app.get<{ Querystring: { q?: string; agency?: string } }>(
    '/admin/users',
    { config: administrators },
    async (request, reply) => {
      const agencyId = /^[0-9a-f-]{36}$/i.test(request.query.agency ?? '') ? request.query.agency : undefined
      const text = (request.query.q ?? '').trim().slice(0, 100)
      return reply.view('admin/views/users.njk', {
        users: await users.listUsers(db, { text, agencyId }),
        choices: await admin.choices(db),
        filter: { q: text, agency: agencyId },
        now: clock.now(),
      })
    },
  )

  app.get('/admin/users/new', { config: administrators }, async (_request, reply) =>
    reply.view('admin/views/user.njk', {
      choices: await admin.choices(db),
      roleChoices,
      values: { contractedHours: 37 },
      oidcEnabled,
    }),
  )
  app.post('/admin/users/new', { config: administrators }, async (request, reply) => {
    const show = async (errors: unknown) =>
      reply.view('admin/views/user.njk', {
        choices: await admin.choices(db),
        roleChoices,
        errors,
        values: request.body,
        oidcEnabled,
      })
    const schema = oidcEnabled
      ? NewUserForm
      : NewUserForm.refine((f) => f.password, {
          path: ['password'],
          message: 'Enter a first password for the user',
        })
    return submitForm(reply, schema, request.body, show, async (v) => {
      const id = await admin.createUser(db, actorOf(request), originOf(request), v)
      return `/admin/users/${id}`
    })
  })

  /** The user page: their saved details, or what was just typed, with any problems. */
  async function showUser(
    reply: FastifyReply,
    user: NonNullable<Awaited<ReturnType<typeof users.findUser>>>,
    extra: Record<string, unknown> = {},
  ) {
    const saved = {
      displayName: user.display_name,
      email: user.email,
      jobTitle: user.job_title,
      phone: user.phone,
      agencyId: user.agency_id,
      roles: user.roles,
      teamIds: user.team_ids,
      contractedHours: user.contracted_hours,
      active: user.active ? 'yes' : 'no',
      version: user.version,
    }
    return reply.view('admin/views/user.njk', {
      choices: await admin.choices(db, { teamsOfAgency: user.agency_id }),
      roleChoices,
      values: saved,
      user,
      editing: user.id,
      now: clock.now(),
      ...extra,
    })
  }

  async function findUserOr404(params: unknown) {
    const user = await users.findUser(db, idParam(params))
    if (!user) throw new NotFoundError()
    return user
  }

  app.get('/admin/users/:id', { config: administrators }, async (request, reply) =>
    showUser(reply, await findUserOr404(request.params)),
  )

  app.post('/admin/users/:id', { config: administrators }, async (request, reply) => {
    const user = await findUserOr404(request.params)
    const show = (errors: unknown) => showUser(reply, user, { errors, values: request.body })
    return submitForm(reply, EditUserForm, request.body, show, async (v) => {
      await admin.updateUser(db, actorOf(request), originOf(request), user.id, v)
      return `/admin/users/${user.id}`
    })
  })

  app.post('/admin/users/:id/password', { config: administrators }, async (request, reply) => {
    const user = await findUserOr404(request.params)
    const show = (errors: unknown) => showUser(reply, user, { passwordErrors: errors })
    return submitForm(reply, ResetPasswordForm, request.body, show, async (v) => {
      await admin.resetPassword(db, actorOf(request), originOf(request), user.id, v.password)
      return `/admin/users/${user.id}`
    })
  })

  app.post('/admin/users/:id/unlock', { config: administrators }, async (request, reply) => {
    const id = idParam(request.params)
    await admin.unlockUser(db, actorOf(request), originOf(request), id)
    return reply.redirect(`/admin/users/${id}`, 303)
  })
}
