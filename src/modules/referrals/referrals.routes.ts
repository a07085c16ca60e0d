import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AppDeps } from '../../app.js'
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js'
import { CASEWORK_ROLES } from '../../platform/access/actor.js'
import { formErrors, parseForm, type FormErrors } from '../../platform/http/forms.js'
import { actorOf, forRoles, originOf } from '../../platform/http/route-access.js'
import { CrnParam } from '../people/people.schema.js'
import { REFERRAL_STATUS_NAMES, type ReferralStatus } from './referrals.policy.js'
import { IdParam, ReferralForm, UpdateForm } from './referrals.schema.js'
import {
  createReferral,
  recordUpdate,
  viewReferral,
  viewReferralForm,
  viewReferrals,
} from './referrals.service.js'
import { personNotFound } from '../people/person-not-found.js'

const caseworkers = forRoles(...CASEWORK_ROLES)

type Params = { crn: string; referralId?: string }
type Req = FastifyRequest<{ Params: Params }>

/** The route's CRN and id, checked; anything malformed is simply not found. */
function params(request: Req) {
  const crn = CrnParam.safeParse(request.params.crn)
  const { referralId } = request.params
  if (!crn.success || (referralId !== undefined && !IdParam.safeParse(referralId).success))
    throw new NotFoundError()
  return { crn: crn.data, referralId: referralId ?? '' }
}

const posted = (body: unknown) => (body ?? {}) as Record<string, unknown>

/** Referrals on the person's page: the list, a new referral, and each referral with its history. */
export function referralRoutes(app: FastifyInstance, { db, clock }: AppDeps) {
  const notFound = (reply: FastifyReply, crn: string) => personNotFound(db, reply, crn)

  app.get<{ Params: Params }>('/people/:crn/referrals', { config: caseworkers }, async (request, reply) => {
    const { crn } = params(request)
    const view = await viewReferrals(db, actorOf(request), crn, originOf(request), clock)
    if (!view) return notFound(reply, crn)
    return reply.view('referrals/views/referrals.njk', { ...view, section: 'referrals' })
  })

  async function referralForm(
    request: Req,
    reply: FastifyReply,
    values: Record<string, unknown>,
    errors?: FormErrors,
  ) {
    const { crn } = params(request)
    const view = await viewReferralForm(db, actorOf(request), crn, originOf(request), clock)
    if (!view) return notFound(reply, crn)
    return reply.view('referrals/views/referral-form.njk', { ...view, section: 'referrals', values, errors })
  }

  app.get<{ Params: Params }>('/people/:crn/referrals/new', { config: caseworkers }, (request, reply) =>
    referralForm(request, reply, {}),
  )

  app.post<{ Params: Params }>('/people/:crn/referrals', { config: caseworkers }, async (request, reply) => {
    const { crn } = params(request)
    const values = posted(request.body)
    const form = parseForm(ReferralForm, request.body)
    if (!form.ok) {
      reply.code(400)
      return referralForm(request, reply, values, form.errors)
    }
    try {
      const id = await createReferral(db, actorOf(request), crn, form.value, originOf(request), clock)
      return reply.redirect(`/people/${crn}/referrals/${id}`, 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      reply.code(400)
      return referralForm(request, reply, values, formErrors(error.problems))
    }
  })

  async function referralPage(
    request: Req,
    reply: FastifyReply,
    options: { values?: Record<string, unknown>; errors?: FormErrors; conflict?: boolean } = {},
  ) {
    const { crn, referralId } = params(request)
    const view = await viewReferral(db, actorOf(request), crn, referralId, originOf(request), clock)
    if (!view) return notFound(reply, crn)
    const mine = options.conflict ? options.values : undefined
    return reply.view(`referrals/views/${options.conflict ? 'referral-conflict' : 'referral'}.njk`, {
      ...view,
      section: 'referrals',
      values: {
        ...options.values,
        version: options.conflict
          ? view.referral.version
          : (options.values?.version ?? view.referral.version),
      },
      mine: mine && {
        ...mine,
        statusName: REFERRAL_STATUS_NAMES[mine.status as ReferralStatus] ?? 'No change',
      },
      errors: options.errors,
    })
  }

  app.get<{ Params: Params }>(
    '/people/:crn/referrals/:referralId',
    { config: caseworkers },
    (request, reply) => referralPage(request, reply),
  )

  app.post<{ Params: Params }>(
    '/people/:crn/referrals/:referralId',
    { config: caseworkers },
    async (request, reply) => {
      const { crn, referralId } = params(request)
      const values = posted(request.body)
      const form = parseForm(UpdateForm, request.body)
      if (!form.ok) {
        reply.code(400)
        return referralPage(request, reply, { values, errors: form.errors })
      }
      try {
        await recordUpdate(db, actorOf(request), crn, referralId, form.value, originOf(request), clock)
        return reply.redirect(`/people/${crn}/referrals/${referralId}#history`, 303)
      } catch (error) {
        if (error instanceof ValidationError) {
          reply.code(400)
          return referralPage(request, reply, { values, errors: formErrors(error.problems) })
        }
        if (!(error instanceof ConflictError)) throw error
        // Someone moved the referral on first: show where it is now, with the user's update ready.
        reply.code(409)
        return referralPage(request, reply, { values, conflict: true })
      }
    },
  )
}
