import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AppDeps } from '../../app.js'
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js'
import { CASEWORK_ROLES } from '../../platform/access/actor.js'
import { formErrors, parseForm, type FormErrors } from '../../platform/http/forms.js'
import { actorOf, forRoles, originOf } from '../../platform/http/route-access.js'
import { personNotFound } from '../people/person-not-found.js'
import { updateObjective, viewObjective, type ObjectiveView } from './objectives.service.js'
import { OBJECTIVE_STATUS_NAMES, OBJECTIVE_STATUSES, type ObjectiveStatus } from './plans.policy.js'
import { EditObjectiveForm, IdParam } from './plans.schema.js'

const caseworkers = forRoles(...CASEWORK_ROLES)
const CRN = /^[A-Z]\d{6}$/
const PAGE = '/people/:crn/plan/objectives/:objectiveId'

type Params = { crn: string; objectiveId: string }
type Req = FastifyRequest<{ Params: Params }>

const STATUS_CHOICES = OBJECTIVE_STATUSES.map((value) => ({ value, text: OBJECTIVE_STATUS_NAMES[value] }))

/** The route's CRN and objective id, checked; anything malformed is simply not found. */
function params(request: Req) {
  const { crn, objectiveId } = request.params
  if (!CRN.test(crn) || !IdParam.safeParse(objectiveId).success) throw new NotFoundError()
  return { crn, objectiveId }
}

/** What a posted objective form held, to fill the form again. */
function postedValues(body: unknown) {
  const b = (body ?? {}) as Record<string, unknown>
  return {
    description: String(b.description ?? ''),
    status: String(b.status ?? ''),
    statusReason: String(b.statusReason ?? ''),
    version: String(b.version ?? ''),
  }
}

/** An objective's page (read-only for partners) and its edit form, for the lead agency. */
export function objectiveRoutes(app: FastifyInstance, { db, clock }: AppDeps) {
  async function load(request: Req, reply: FastifyReply) {
    const { crn, objectiveId } = params(request)
    const view = await viewObjective(db, actorOf(request), crn, objectiveId, originOf(request), clock)
    if (!view) await personNotFound(db, reply, crn)
    return view
  }

  function page(
    reply: FastifyReply,
    view: ObjectiveView,
    values?: Record<string, unknown>,
    errors?: FormErrors,
  ) {
    const o = view.objective
    return reply.view('plans/views/objective.njk', {
      ...view,
      section: 'plan',
      choices: { statuses: STATUS_CHOICES },
      values: values ?? {
        description: o.description,
        status: o.status,
        statusReason: '',
        version: o.version,
      },
      errors,
    })
  }

  app.get<{ Params: Params }>(PAGE, { config: caseworkers }, async (request, reply) => {
    const view = await load(request, reply)
    return view ? page(reply, view) : reply
  })

  app.post<{ Params: Params }>(PAGE, { config: caseworkers }, async (request, reply) => {
    const { crn, objectiveId } = params(request)
    const values = postedValues(request.body)
    const again = async (code: number, errors?: FormErrors) => {
      const view = await load(request, reply)
      return view ? page(reply.code(code), view, values, errors) : reply
    }
    const form = parseForm(EditObjectiveForm, request.body)
    if (!form.ok) return again(400, form.errors)
    const mine = form.value
    try {
      const result = await updateObjective(
        db,
        actorOf(request),
        crn,
        objectiveId,
        mine,
        originOf(request),
        clock,
      )
      if (result === 'saved') return reply.redirect(`/people/${crn}/plan#objective-${objectiveId}`, 303)
      // Withdrawing would cancel unfinished work: ask first, listing it, with the form's values kept.
      const view = await load(request, reply)
      if (!view) return reply
      return reply.view('plans/views/objective-confirm.njk', {
        ...view,
        section: 'plan',
        values,
        // They confirmed a list before, and it has changed since.
        changed: mine.confirmCancel.length > 0,
      })
    } catch (error) {
      if (error instanceof ValidationError) return again(400, formErrors(error.problems))
      if (!(error instanceof ConflictError)) throw error
      // Someone saved first: show both versions, and the user's change ready to apply on top.
      const current = await load(request, reply)
      if (!current) return reply
      return reply.code(409).view('plans/views/objective-conflict.njk', {
        ...current,
        section: 'plan',
        choices: { statuses: STATUS_CHOICES },
        values: { ...values, version: current.objective.version },
        mine: {
          description: mine.description,
          statusName: OBJECTIVE_STATUS_NAMES[mine.status as ObjectiveStatus],
          statusReason: mine.statusReason,
        },
      })
    }
  })
}
