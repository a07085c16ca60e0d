import type { FastifyInstance, FastifyReply } from 'fastify'
import type { AppDeps } from '../../app.js'
import { NotFoundError, ValidationError } from '../../errors.js'
import { formErrors, parseForm, type FormErrors } from '../../platform/http/forms.js'
import { actorOf, forRoles, originOf } from '../../platform/http/route-access.js'
import { choices } from '../admin/admin.service.js'
import { WEBHOOK_EVENT_TYPES, WebhookId, webhookForm } from './webhooks.schema.js'
import * as webhooks from './webhooks.service.js'

const administrators = forRoles('administrator')

/** 'All events' first, exclusive of the rest (with JavaScript; without it, the server lets it win). */
const eventTypeChoices = [
  { value: '*', text: 'All events', hint: { text: 'Including types added later' }, behaviour: 'exclusive' },
  { divider: 'or' },
  ...WEBHOOK_EVENT_TYPES.map((e) => ({ value: e.type, text: e.text, hint: { text: e.type } })),
]

function param(params: unknown, name: string) {
  const id = WebhookId.safeParse((params as Record<string, unknown>)[name])
  if (!id.success) throw new NotFoundError()
  return id.data
}

/** Administrators' pages for outbound webhooks: subscriptions, their delivery logs, replay. */
export function webhookRoutes(app: FastifyInstance, { db, config, clock }: AppDeps) {
  // Plain HTTP only to this machine, and only where nothing real is sent.
  const WebhookForm = webhookForm(config.env !== 'production')

  const listPage = async (reply: FastifyReply, extra: { errors?: FormErrors; values?: unknown } = {}) =>
    reply.view('integration/views/webhooks.njk', {
      subscriptions: await webhooks.listSubscriptions(db),
      agencies: (await choices(db)).agencies,
      eventTypeChoices,
      values: {},
      ...extra,
    })

  app.get('/admin/webhooks', { config: administrators }, async (_request, reply) => listPage(reply))

  app.post('/admin/webhooks', { config: administrators }, async (request, reply) => {
    const values = (request.body ?? {}) as Record<string, unknown>
    const show = (errors: FormErrors) => listPage(reply.code(400), { errors, values })
    const form = parseForm(WebhookForm, values)
    if (!form.ok) return show(form.errors)
    try {
      const { id, secret } = await webhooks.createSubscription(
        db,
        actorOf(request),
        originOf(request),
        form.value,
      )
      // The secret is shown on this response only; no page shows it again.
      return reply
        .code(201)
        .header('cache-control', 'no-store')
        .view('integration/views/webhook-created.njk', { id, secret, name: form.value.name })
    } catch (error) {
      if (error instanceof ValidationError) return show(formErrors(error.problems))
      throw error
    }
  })

  app.get<{ Querystring: { done?: string } }>(
    '/admin/webhooks/:id',
    { config: administrators },
    async (request, reply) => {
      const log = await webhooks.subscriptionLog(db, param(request.params, 'id'))
      return reply.view('integration/views/webhook.njk', { ...log, notice: request.query.done })
    },
  )

  app.post('/admin/webhooks/:id/deactivate', { config: administrators }, async (request, reply) => {
    const id = param(request.params, 'id')
    await webhooks.deactivateSubscription(db, actorOf(request), originOf(request), id)
    return reply.redirect(`/admin/webhooks/${id}?done=deactivated`, 303)
  })

  app.post('/admin/webhooks/:id/test', { config: administrators }, async (request, reply) => {
    const id = param(request.params, 'id')
    await webhooks.sendTestEvent(db, actorOf(request), originOf(request), id, clock.now())
    return reply.redirect(`/admin/webhooks/${id}?done=test`, 303)
  })

  app.post(
    '/admin/webhooks/:id/deliveries/:deliveryId/replay',
    { config: administrators },
    async (request, reply) => {
      const id = param(request.params, 'id')
      const deliveryId = param(request.params, 'deliveryId')
      await webhooks.replayDelivery(db, actorOf(request), originOf(request), id, deliveryId, clock.now())
      return reply.redirect(`/admin/webhooks/${id}?done=replayed`, 303)
    },
  )
}
