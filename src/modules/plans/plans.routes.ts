import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AppDeps } from '../../app.js'
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js'
import { CASEWORK_ROLES } from '../../platform/access/actor.js'
import { dateParts, formErrors, parseForm, toArray, type FormErrors } from '../../platform/http/forms.js'
import { actorOf, forRoles, originOf } from '../../platform/http/route-access.js'
import { duplicationReport, resolveDuplicate } from './duplicates.service.js'
import { objectiveRoutes } from './objectives.routes.js'
import {
  ACTION_STATUS_NAMES,
  CIRCUMSTANCE_NAMES,
  CIRCUMSTANCES,
  PATHWAY_NAMES,
  PATHWAYS,
  SERVICE_TYPE_NAMES,
  SERVICE_TYPES,
  type ActionStatus,
  type Circumstance,
  type ServiceType,
} from './plans.policy.js'
import {
  actionBody,
  ActionForm,
  EditActionForm,
  IdParam,
  NoteForm,
  ObjectiveForm,
  ReportQuery,
  ResolveForm,
} from './plans.schema.js'
import {
  addAction,
  addNote,
  addObjective,
  updateAction,
  viewAction,
  viewActionForm,
  viewObjectiveForm,
  viewPlan,
} from './plans.service.js'
import { personNotFound } from '../people/person-not-found.js'

const caseworkers = forRoles(...CASEWORK_ROLES)
const CRN = /^[A-Z]\d{6}$/

type Params = { crn: string; objectiveId?: string; actionId?: string; duplicateId?: string }
type Req = FastifyRequest<{ Params: Params }>

/** Choices the action form templates list, whatever the person. */
const STATIC_CHOICES = {
  serviceTypes: SERVICE_TYPES.map((value) => ({ value, text: SERVICE_TYPE_NAMES[value] })),
  circumstances: CIRCUMSTANCES.map((value) => ({ value, text: CIRCUMSTANCE_NAMES[value] })),
  statuses: Object.entries(ACTION_STATUS_NAMES).map(([value, text]) => ({ value, text })),
  pathways: PATHWAYS.map((value) => ({ value, text: PATHWAY_NAMES[value] })),
}

/** The route's CRN and ids, checked; anything malformed is simply not found. */
function params(request: Req) {
  const { crn, objectiveId, actionId, duplicateId } = request.params
  const ids = [objectiveId, actionId, duplicateId].filter((id) => id !== undefined)
  if (!CRN.test(crn) || ids.some((id) => !IdParam.safeParse(id).success)) throw new NotFoundError()
  return { crn, objectiveId: objectiveId ?? '', actionId: actionId ?? '', duplicateId: duplicateId ?? '' }
}

/** What a posted action form showed, to fill the form again. */
function postedValues(body: unknown) {
  const b = (body ?? {}) as Record<string, unknown>
  return {
    ...b,
    dependsOn: toArray(b.dependsOn),
    dueOn: { day: b['dueOn-day'], month: b['dueOn-month'], year: b['dueOn-year'] },
  } as Record<string, unknown>
}

function actionValues(a: {
  description: string
  service_type: string | null
  owner_agency_id: string
  owner_user_id: string | null
  due_on: string | null
  depends_on: string[]
  status: string
  status_reason: string | null
  version: number
}) {
  return {
    description: a.description,
    serviceType: a.service_type ?? '',
    ownerAgencyId: a.owner_agency_id,
    ownerUserId: a.owner_user_id ?? '',
    dueOn: dateParts(a.due_on),
    dependsOn: a.depends_on,
    status: a.status,
    statusReason: a.status_reason ?? '',
    version: a.version,
  }
}

export function planRoutes(app: FastifyInstance, deps: AppDeps) {
  const { db, clock } = deps
  /** Runs a form's command; a validation problem shows the form again with every message. */
  async function submit(
    reply: FastifyReply,
    act: () => Promise<string>,
    showForm: (errors: FormErrors) => Promise<unknown>,
  ) {
    try {
      return reply.redirect(await act(), 303)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      reply.code(400)
      return showForm(formErrors(error.problems))
    }
  }

  app.get<{ Params: Params }>('/people/:crn/plan', { config: caseworkers }, async (request, reply) => {
    const { crn } = params(request)
    const view = await viewPlan(db, actorOf(request), crn, originOf(request), clock)
    if (!view) return personNotFound(db, reply, crn)
    return reply.view('plans/views/plan.njk', { ...view, section: 'plan' })
  })

  async function objectiveForm(
    request: Req,
    reply: FastifyReply,
    values: Record<string, unknown>,
    errors?: FormErrors,
  ) {
    const { crn } = params(request)
    const view = await viewObjectiveForm(db, actorOf(request), crn, originOf(request), clock)
    if (!view) return personNotFound(db, reply, crn)
    const need = view.needs.find((n) => n.value === values.needId)
    return reply.view('plans/views/objective-form.njk', {
      ...view,
      section: 'plan',
      choices: STATIC_CHOICES,
      values: { pathway: need?.pathway, ...values },
      errors,
    })
  }

  app.get<{ Params: Params; Querystring: { need?: string } }>(
    '/people/:crn/plan/objectives/new',
    { config: caseworkers },
    (request, reply) => objectiveForm(request, reply, { needId: request.query.need ?? '' }),
  )

  app.post<{ Params: Params }>(
    '/people/:crn/plan/objectives',
    { config: caseworkers },
    async (request, reply) => {
      const { crn } = params(request)
      const values = (request.body ?? {}) as Record<string, unknown>
      const form = parseForm(ObjectiveForm, request.body)
      if (!form.ok) {
        reply.code(400)
        return objectiveForm(request, reply, values, form.errors)
      }
      return submit(
        reply,
        async () => {
          const id = await addObjective(db, actorOf(request), crn, form.value, originOf(request), clock)
          return `/people/${crn}/plan#objective-${id}`
        },
        (errors) => objectiveForm(request, reply, values, errors),
      )
    },
  )

  async function actionForm(
    request: Req,
    reply: FastifyReply,
    values: Record<string, unknown>,
    errors?: FormErrors,
  ) {
    const { crn, objectiveId } = params(request)
    const view = await viewActionForm(db, actorOf(request), crn, objectiveId, originOf(request), clock)
    if (!view) return personNotFound(db, reply, crn)
    return reply.view('plans/views/action-form.njk', {
      ...view,
      section: 'plan',
      choices: { ...view.choices, ...STATIC_CHOICES },
      values: {
        ownerAgencyId: view.choices.agencies.length === 1 ? view.choices.agencies[0]?.value : '',
        ...values,
      },
      errors,
    })
  }

  app.get<{ Params: Params }>(
    '/people/:crn/plan/objectives/:objectiveId/actions/new',
    { config: caseworkers },
    (request, reply) => actionForm(request, reply, {}),
  )

  app.post<{ Params: Params }>(
    '/people/:crn/plan/objectives/:objectiveId/actions',
    { config: caseworkers },
    async (request, reply) => {
      const { crn, objectiveId } = params(request)
      const values = postedValues(request.body)
      const form = parseForm(ActionForm, actionBody(request.body))
      if (!form.ok) {
        reply.code(400)
        return actionForm(request, reply, values, form.errors)
      }
      return submit(
        reply,
        async () => {
          const id = await addAction(
            db,
            actorOf(request),
            crn,
            objectiveId,
            form.value,
            originOf(request),
            clock,
          )
          return `/people/${crn}/plan#action-${id}`
        },
        (errors) => actionForm(request, reply, values, errors),
      )
    },
  )

  async function actionPage(
    request: Req,
    reply: FastifyReply,
    options: {
      values?: Record<string, unknown>
      errors?: FormErrors
      noteValue?: string
      resolutions?: Record<string, unknown>
    } = {},
  ) {
    const { crn, actionId } = params(request)
    const view = await viewAction(db, actorOf(request), crn, actionId, originOf(request), clock)
    if (!view) return personNotFound(db, reply, crn)
    return reply.view('plans/views/action.njk', {
      ...view,
      section: 'plan',
      choices: { ...view.choices, ...STATIC_CHOICES },
      values: options.values ?? actionValues(view.action),
      noteValue: options.noteValue ?? '',
      resolutions: options.resolutions ?? {},
      errors: options.errors,
    })
  }

  app.get<{ Params: Params }>(
    '/people/:crn/plan/actions/:actionId',
    { config: caseworkers },
    (request, reply) => actionPage(request, reply),
  )

  app.post<{ Params: Params }>(
    '/people/:crn/plan/actions/:actionId',
    { config: caseworkers },
    async (request, reply) => {
      const { crn, actionId } = params(request)
      const values = postedValues(request.body)
      const form = parseForm(EditActionForm, actionBody(request.body))
      if (!form.ok) {
        reply.code(400)
        return actionPage(request, reply, { values, errors: form.errors })
      }
      try {
        await updateAction(db, actorOf(request), crn, actionId, form.value, originOf(request), clock)
        return reply.redirect(`/people/${crn}/plan#action-${actionId}`, 303)
      } catch (error) {
        if (error instanceof ValidationError) {
          reply.code(400)
          return actionPage(request, reply, { values, errors: formErrors(error.problems) })
        }
        if (!(error instanceof ConflictError)) throw error
        // Someone saved first: show both versions, and the user's change ready to apply on top.
        const current = await viewAction(db, actorOf(request), crn, actionId, originOf(request), clock)
        if (!current) return personNotFound(db, reply, crn)
        const mine = form.value
        const owner = (id: string | null) =>
          current.choices.workers.find((w) => w.value === id)?.text ?? 'Nobody named'
        const agency = (id: string) =>
          current.choices.agencies.find((a) => a.value === id)?.text ?? current.action.owner_agency_name
        return reply.code(409).view('plans/views/action-conflict.njk', {
          ...current,
          section: 'plan',
          choices: { ...current.choices, ...STATIC_CHOICES },
          values: { ...values, version: current.action.version },
          mine: {
            description: mine.description,
            serviceName: mine.serviceType ? SERVICE_TYPE_NAMES[mine.serviceType as ServiceType] : 'None',
            ownerAgency: agency(mine.ownerAgencyId),
            ownerUser: owner(mine.ownerUserId),
            dueOn: mine.dueOn,
            statusName: ACTION_STATUS_NAMES[mine.status as ActionStatus],
            statusReason: mine.statusReason,
            dependsOnNames: mine.dependsOn.map((c) => CIRCUMSTANCE_NAMES[c as Circumstance]),
          },
        })
      }
    },
  )

  app.post<{ Params: Params }>(
    '/people/:crn/plan/actions/:actionId/notes',
    { config: caseworkers },
    async (request, reply) => {
      const { crn, actionId } = params(request)
      const noteValue = String((request.body as Record<string, unknown> | undefined)?.note ?? '')
      const form = parseForm(NoteForm, request.body)
      if (!form.ok) {
        reply.code(400)
        return actionPage(request, reply, { errors: form.errors, noteValue })
      }
      await addNote(db, actorOf(request), crn, actionId, form.value.note, originOf(request), clock)
      return reply.redirect(`/people/${crn}/plan/actions/${actionId}#notes`, 303)
    },
  )

  app.post<{ Params: Params }>(
    '/people/:crn/plan/actions/:actionId/duplicates/:duplicateId/resolve',
    { config: caseworkers },
    async (request, reply) => {
      const { crn, actionId, duplicateId } = params(request)
      const form = parseForm(ResolveForm, request.body)
      if (!form.ok) {
        reply.code(400)
        const field = `resolution-${duplicateId}`
        return actionPage(request, reply, {
          errors: formErrors(form.problems.map((p) => ({ ...p, field }))),
          resolutions: {
            [duplicateId]: (request.body as Record<string, unknown> | undefined)?.resolution ?? '',
          },
        })
      }
      await resolveDuplicate(
        db,
        actorOf(request),
        crn,
        duplicateId,
        form.value.resolution,
        originOf(request),
        clock,
      )
      return reply.redirect(`/people/${crn}/plan/actions/${actionId}`, 303)
    },
  )

  objectiveRoutes(app, deps)

  app.get('/plans/duplicates', { config: forRoles('coordinator', 'manager') }, async (request, reply) => {
    const query = parseForm(ReportQuery, request.query)
    const cohortId = query.ok ? query.value.cohort : null
    const report = await duplicationReport(db, actorOf(request), cohortId, originOf(request))
    return reply.code(query.ok ? 200 : 400).view('plans/views/duplicates.njk', {
      ...report,
      values: request.query,
      errors: query.ok ? undefined : query.errors,
    })
  })
}
