import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AppDeps } from '../../app.js'
import { NotFoundError } from '../../errors.js'
import { submitForm, type FormErrors } from '../../platform/http/forms.js'
import { actorOf, originOf } from '../../platform/http/route-access.js'
import { londonDate } from '../../platform/views/format.js'
import { CrnParam } from '../people/people.schema.js'
import { personNotFound } from '../people/person-not-found.js'
import { changers, mayChangeCohorts, viewers } from './cohorts.policy.js'
import { codeOf, decisionBody, decisionValues, linkReviewOnToDay, reviewDateForm } from './cohorts.schema.js'
import { changeReviewDate, viewMembership } from './member.service.js'

type PersonParams = { code: string; crn: string }
type Req = FastifyRequest<{ Params: PersonParams }>

function crnOf(params: PersonParams): string {
  const crn = CrnParam.safeParse(params.crn)
  if (!crn.success) throw new NotFoundError()
  return crn.data
}

/** A member's page: their membership and decision history, and a form to change the review date. */
export function memberRoutes(app: FastifyInstance, { db, clock }: AppDeps) {
  const showMember = async (request: Req, reply: FastifyReply, values: unknown, errors?: FormErrors) => {
    const crn = crnOf(request.params)
    const view = await viewMembership(
      db,
      actorOf(request),
      originOf(request),
      clock,
      codeOf(request.params),
      crn,
    )
    if (!view) return personNotFound(db, reply, crn)
    return reply.view('cohorts/views/member.njk', {
      ...view,
      values,
      errors,
      section: 'members',
      mayChange: mayChangeCohorts(request.actor),
      changed: (request.query as Record<string, string> | undefined)?.changed === '1',
    })
  }

  app.get<{ Params: PersonParams }>('/cohorts/:code/members/:crn', { config: viewers }, (request, reply) =>
    showMember(request, reply, {}),
  )

  app.post<{ Params: PersonParams }>(
    '/cohorts/:code/members/:crn/review',
    { config: changers },
    (request, reply) => {
      const code = codeOf(request.params)
      const crn = crnOf(request.params)
      return submitForm(
        reply,
        reviewDateForm(londonDate(clock.now())),
        decisionBody(request.body),
        (errors) => showMember(request, reply, decisionValues(request.body), linkReviewOnToDay(errors)),
        async (v) => {
          await changeReviewDate(db, actorOf(request), originOf(request), clock, code, crn, v)
          return `/cohorts/${code}/members/${crn}?changed=1`
        },
      )
    },
  )
}
