import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { AppDeps } from '../../app.js'
import { NotFoundError } from '../../errors.js'
import { recordAudit } from '../../platform/audit/audit.js'
import { actorOf, apiScope, forRoles, originOf } from '../../platform/http/route-access.js'
import { EventOutcome, EventsBody, MessageId } from './ingest.schema.js'
import { discardDeadLetter, ingest, listDeadLetters, replayDeadLetter } from './ingest.service.js'

const administrators = forRoles('administrator')

function messageId(params: unknown) {
  const id = MessageId.safeParse((params as { id?: unknown }).id)
  if (!id.success) throw new NotFoundError()
  return id.data
}

/** Inbound HMPPS domain events over HTTP, and the administrators' page of messages not applied. */
export function ingestRoutes(app: FastifyInstance, { db }: AppDeps) {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/api/v1/events',
    {
      config: apiScope('events:write'),
      bodyLimit: 2_000_000,
      schema: {
        summary: 'Send HMPPS domain events, bare or SNS-wrapped, one or an array of up to 1,000',
        description:
          'Each message is applied exactly once (keyed by its SNS MessageId, or a hash of the event). Messages that ' +
          'cannot be applied are kept for an administrator to replay, never dropped; the outcome says which.',
        body: EventsBody,
        response: { 200: z.object({ outcomes: z.array(EventOutcome) }) },
      },
    },
    async (request) => {
      const actor = actorOf(request)
      const messages = Array.isArray(request.body) ? request.body : [request.body]
      const outcomes = await ingest(db, messages, {
        origin: originOf(request),
        actor,
        label: actor.displayName,
      })
      return { outcomes }
    },
  )

  app.get<{ Querystring: { show?: string } }>(
    '/admin/messages',
    { config: administrators },
    async (request, reply) => {
      const open = request.query.show !== 'resolved'
      const messages = await db.transaction().execute(async (tx) => {
        const rows = await listDeadLetters(tx, open)
        // The messages name people (CRNs, prison numbers), so reading them is recorded.
        if (rows.length > 0)
          await recordAudit(tx, {
            actor: actorOf(request),
            action: 'list',
            personIds: [],
            categories: ['identity'],
            origin: originOf(request),
            purpose: 'Reviewing inbound messages not applied',
            detail: { messages: rows.map((r) => r.id) },
          })
        return rows
      })
      return reply.view('integration/views/messages.njk', {
        open,
        messages: messages.map((m) => ({ ...m, body: pretty(m.body) })),
        notice: (request.query as { done?: string }).done,
      })
    },
  )

  app.post('/admin/messages/:id/replay', { config: administrators }, async (request, reply) => {
    const outcome = await replayDeadLetter(db, actorOf(request), messageId(request.params), originOf(request))
    if (!outcome) throw new NotFoundError('This message has already been dealt with')
    return reply.redirect(`/admin/messages?done=${outcome.outcome}`, 303)
  })

  app.post('/admin/messages/:id/discard', { config: administrators }, async (request, reply) => {
    if (!(await discardDeadLetter(db, actorOf(request), messageId(request.params))))
      throw new NotFoundError('This message has already been dealt with')
    return reply.redirect('/admin/messages?done=discarded', 303)
  })
}

function pretty(body: string) {
  try {
    return JSON.stringify(JSON.parse(body), null, 2)
  } catch {
    return body
  }
}
