import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../../app.js'
import { NotFoundError } from '../../errors.js'
import { parseForm, prefixErrors } from '../http/forms.js'
import { actorOf, forRoles, originOf } from '../http/route-access.js'
import { AccessLogQuery, BreakGlassReviewForm } from './audit.schema.js'
import { breakGlassQueue, reviewBreakGlass, searchAccessLog, whoViewed } from './audit.service.js'

const PAGE_SIZE = 50
const dpo = forRoles('data_protection_officer')

/** Oversight pages: who has viewed a record, the whole access log, and emergency access review. */
export function auditRoutes(app: FastifyInstance, { db, clock }: AppDeps) {
  app.get<{ Params: { crn: string } }>(
    '/people/:crn/access-log',
    { config: forRoles('practitioner', 'manager', 'data_protection_officer') },
    async (request, reply) => {
      const result = await whoViewed(
        db,
        actorOf(request),
        request.params.crn.toUpperCase(),
        originOf(request),
      )
      if (!result) throw new NotFoundError()
      return reply.view('audit/views/who-viewed.njk', result)
    },
  )

  app.get('/access-log', { config: dpo }, async (request, reply) => {
    const query = parseForm(AccessLogQuery, request.query)
    if (!query.ok) {
      return reply
        .code(400)
        .view('audit/views/access-log.njk', { errors: query.errors, values: request.query, records: [] })
    }
    const { crn, email, action, from, to, before } = query.value
    const filtered = !!(crn || email || action || from || to)
    const result = await searchAccessLog(
      db,
      actorOf(request),
      {
        crn,
        actorEmail: email,
        action,
        from: from ? new Date(`${from}T00:00:00Z`) : undefined,
        to: to ? new Date(new Date(`${to}T00:00:00Z`).getTime() + 86_400_000) : undefined,
        before,
        limit: PAGE_SIZE,
      },
      originOf(request),
    )
    const last = result.records.at(-1)
    const next =
      result.records.length === PAGE_SIZE && last
        ? new URLSearchParams({ ...cleaned(query.value), before: String(last.id) })
        : null
    return reply.view('audit/views/access-log.njk', {
      ...result,
      values: query.value,
      filtered,
      next: next?.toString(),
    })
  })

  app.get('/access-log/break-glass', { config: dpo }, async (request, reply) => {
    return reply.view(
      'audit/views/break-glass.njk',
      await breakGlassQueue(db, actorOf(request), originOf(request)),
    )
  })

  app.post<{ Params: { id: string } }>(
    '/access-log/break-glass/:id',
    { config: dpo },
    async (request, reply) => {
      const { id } = request.params
      if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError()
      const form = parseForm(BreakGlassReviewForm, request.body)
      if (!form.ok) {
        // Each request on the page has its own form, so tie the errors to that form's fields.
        const errors = prefixErrors(form.errors, `review-${id}-`)
        const queue = await breakGlassQueue(db, actorOf(request), originOf(request))
        return reply
          .code(400)
          .view('audit/views/break-glass.njk', { ...queue, errors, values: request.body, failedId: id })
      }
      const done = await reviewBreakGlass(
        db,
        actorOf(request),
        { id, ...form.value },
        originOf(request),
        clock,
      )
      if (!done) throw new NotFoundError('That request has already been reviewed or does not exist')
      return reply.redirect('/access-log/break-glass', 303)
    },
  )
}

function cleaned(values: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values)
      .filter(([key, value]) => key !== 'before' && value !== undefined && value !== '')
      .map(([key, value]) => [key, String(value)]),
  )
}
