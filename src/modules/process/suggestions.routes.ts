import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AppDeps } from '../../app.js'
import { NotFoundError } from '../../errors.js'
import { CASEWORK_ROLES } from '../../platform/access/actor.js'
import { parseForm, type FormErrors } from '../../platform/http/forms.js'
import { actorOf, forRoles, originOf } from '../../platform/http/route-access.js'
import { personHeader } from '../people/person-view.service.js'
import { DismissForm, SuggestionParams } from './suggestions.schema.js'
import {
  decideSuggestion,
  DISMISSED_QUIET_DAYS,
  viewSuggestion,
  type Decision,
} from './suggestions.service.js'
import { personNotFound } from '../people/person-not-found.js'

const caseworkers = forRoles(...CASEWORK_ROLES)
type SuggestionRequest = FastifyRequest<{ Params: { crn: string; id: string } }>

/** Next best actions on a person: accept (and go to where the work is done) or dismiss with a reason. */
export function suggestionRoutes(app: FastifyInstance, { db, clock }: AppDeps) {
  function paramsOf(request: SuggestionRequest) {
    const params = SuggestionParams.safeParse(request.params)
    if (!params.success) throw new NotFoundError()
    return params.data
  }

  /** The page about a person around a suggestion page; 404 when the person may not be seen. */
  async function render(
    request: SuggestionRequest,
    reply: FastifyReply,
    crn: string,
    view: string,
    data: Record<string, unknown>,
  ) {
    const header = await personHeader(db, actorOf(request), crn, clock)
    if (!header) return personNotFound(db, reply, crn)
    return reply.view(`process/views/${view}`, { ...header, section: 'tasks', ...data })
  }

  function answer(request: SuggestionRequest, reply: FastifyReply, crn: string, decision: Decision) {
    if (decision.kind !== 'already') return reply.redirect(decision.redirect, 303)
    reply.code(409)
    return render(request, reply, crn, 'suggestion-decided.njk', {
      sectionTitle: 'Suggestion already decided',
      decision,
    })
  }

  async function showDismiss(
    request: SuggestionRequest,
    reply: FastifyReply,
    form: { errors?: FormErrors; values?: unknown } = {},
  ) {
    const { crn, id } = paramsOf(request)
    const suggestion = await viewSuggestion(db, actorOf(request), crn, id, originOf(request))
    if (!suggestion) throw new NotFoundError()
    if (suggestion.status !== 'open')
      return answer(request, reply, crn, {
        kind: 'already',
        status: suggestion.status,
        title: suggestion.title,
      })
    return render(request, reply, crn, 'suggestion-dismiss.njk', {
      sectionTitle: 'Dismiss a suggestion',
      suggestion,
      quietDays: DISMISSED_QUIET_DAYS,
      ...form,
    })
  }

  app.get<{ Params: { crn: string; id: string } }>(
    '/people/:crn/suggestions/:id/dismiss',
    { config: caseworkers },
    (request, reply) => showDismiss(request, reply),
  )

  app.post<{ Params: { crn: string; id: string } }>(
    '/people/:crn/suggestions/:id/dismiss',
    { config: caseworkers },
    async (request, reply) => {
      const { crn, id } = paramsOf(request)
      const form = parseForm(DismissForm, request.body)
      if (!form.ok) {
        reply.code(400)
        return showDismiss(request, reply, { errors: form.errors, values: request.body })
      }
      const decision = await decideSuggestion(
        db,
        actorOf(request),
        { crn, id, decision: 'dismissed', reason: form.value.reason },
        originOf(request),
        clock,
      )
      return answer(request, reply, crn, decision)
    },
  )

  app.post<{ Params: { crn: string; id: string } }>(
    '/people/:crn/suggestions/:id/accept',
    { config: caseworkers },
    async (request, reply) => {
      const { crn, id } = paramsOf(request)
      const decision = await decideSuggestion(
        db,
        actorOf(request),
        { crn, id, decision: 'accepted', reason: null },
        originOf(request),
        clock,
      )
      return answer(request, reply, crn, decision)
    },
  )
}
