import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import type { AppDeps } from '../../app.js'
import { NotFoundError } from '../../errors.js'
import { parseForm, submitForm } from '../../platform/http/forms.js'
import { actorOf, apiScope, forRoles, originOf } from '../../platform/http/route-access.js'
import {
  IncomingRecordBody,
  MergeForm,
  RecordOutcome,
  ReviewDecisionForm,
  UnmergeForm,
} from './identity.schema.js'
import {
  decideReview,
  findMerge,
  identityOverview,
  mergeByCrn,
  receiveRecord,
  reviewDetail,
  unmergePeople,
} from './identity.service.js'

const dataStewards = forRoles('administrator')
const UUID = /^[0-9a-f-]{36}$/i

/** Identity: records arriving from other systems, the review queue, and merges. */
export function identityRoutes(app: FastifyInstance, { db }: AppDeps) {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/api/v1/records',
    {
      config: apiScope('records:write'),
      schema: {
        summary:
          'Send a record about a person; it is matched to someone known, queued for review, or opens a new person',
        body: IncomingRecordBody,
        response: { 200: RecordOutcome },
      },
    },
    async (request) => {
      const actor = actorOf(request)
      const arrival = await receiveRecord(
        db,
        actor,
        { ...request.body, agencyId: actor.agencyId },
        originOf(request),
      )
      return { outcome: arrival.outcome, personId: arrival.personId }
    },
  )

  app.get('/identity', { config: dataStewards }, async (request, reply) =>
    reply.view(
      'people/views/identity/index.njk',
      await identityOverview(db, actorOf(request), originOf(request)),
    ),
  )

  app.get<{ Params: { id: string } }>(
    '/identity/reviews/:id',
    { config: dataStewards },
    async (request, reply) => {
      if (!UUID.test(request.params.id)) throw new NotFoundError()
      const detail = await reviewDetail(db, actorOf(request), request.params.id, originOf(request))
      if (!detail) throw new NotFoundError()
      return reply.view('people/views/identity/review.njk', detail)
    },
  )

  app.post<{ Params: { id: string } }>(
    '/identity/reviews/:id',
    { config: dataStewards },
    async (request, reply) => {
      if (!UUID.test(request.params.id)) throw new NotFoundError()
      const form = parseForm(ReviewDecisionForm, request.body)
      if (!form.ok) {
        const detail = await reviewDetail(db, actorOf(request), request.params.id, originOf(request))
        if (!detail) throw new NotFoundError()
        return reply.code(400).view('people/views/identity/review.njk', { ...detail, errors: form.errors })
      }
      await decideReview(db, actorOf(request), request.params.id, form.value.decision, originOf(request))
      return reply.redirect('/identity', 303)
    },
  )

  app.get('/identity/merge', { config: dataStewards }, async (_request, reply) =>
    reply.view('people/views/identity/merge.njk', { values: {} }),
  )

  app.post('/identity/merge', { config: dataStewards }, async (request, reply) => {
    const show = (errors: unknown) =>
      reply.view('people/views/identity/merge.njk', { errors, values: request.body })
    return submitForm(reply, MergeForm, request.body, show, async (v) => {
      await mergeByCrn(db, actorOf(request), v.survivorCrn, v.mergedCrn, v.reason, originOf(request))
      return '/identity'
    })
  })

  app.get<{ Params: { id: string } }>(
    '/identity/merges/:id',
    { config: dataStewards },
    async (request, reply) => {
      const merge = UUID.test(request.params.id) ? await findMerge(db, request.params.id) : undefined
      if (!merge) throw new NotFoundError()
      return reply.view('people/views/identity/unmerge.njk', { merge, values: {} })
    },
  )

  app.post<{ Params: { id: string } }>(
    '/identity/merges/:id',
    { config: dataStewards },
    async (request, reply) => {
      const merge = UUID.test(request.params.id) ? await findMerge(db, request.params.id) : undefined
      if (!merge) throw new NotFoundError()
      const show = (errors: unknown) =>
        reply.view('people/views/identity/unmerge.njk', { merge, errors, values: request.body })
      return submitForm(reply, UnmergeForm, request.body, show, async (v) => {
        await unmergePeople(db, actorOf(request), merge.id, v.reason, originOf(request))
        return '/identity'
      })
    },
  )
}
