import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AppDeps } from '../../app.js'
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js'
import { ALLOCATION_ROLE_NAMES, CASEWORK_ROLES, type Actor } from '../../platform/access/actor.js'
import { formErrors, parseForm, prefixErrors, type FormErrors } from '../../platform/http/forms.js'
import { actorOf, forRoles, originOf } from '../../platform/http/route-access.js'
import { allocateFromQueue, allocationChoice, allocationQueue } from './allocation.service.js'
import {
  AllocateForm,
  CO_WORKER_ROLES,
  CoWorkerForm,
  CrnParam,
  EndCoWorkerForm,
  ReallocateForm,
  UuidParam,
  workloadSettingsSchema,
} from './cases.schema.js'
import { addCoWorker, endCoWorker, personAllocation, reallocate } from './person-allocation.service.js'
import { saveWorkloadSettings, workloadSettings } from './workload.service.js'
import { personNotFound } from '../people/person-not-found.js'

type CrnRequest = FastifyRequest<{ Params: { crn: string } }>

function crnOf(request: CrnRequest) {
  const crn = CrnParam.safeParse(request.params.crn)
  if (!crn.success) throw new NotFoundError()
  return crn.data
}

const NOTICES: Record<string, string> = {
  reallocated: 'The case has been reallocated. The new lead practitioner can read your handover note here.',
  added: 'The co-worker has been added.',
  ended: 'The co-worker’s allocation has ended.',
}

export function allocationRoutes(app: FastifyInstance, { db, clock }: AppDeps) {
  const managers = forRoles('manager')
  const caseworkers = forRoles(...CASEWORK_ROLES)

  app.get<{ Querystring: { allocated?: string } }>(
    '/allocations',
    { config: managers },
    async (request, reply) => {
      const teams = await allocationQueue(db, actorOf(request), originOf(request))
      const allocated = CrnParam.safeParse(request.query.allocated ?? '')
      return reply.view('cases/views/allocations.njk', {
        teams,
        allocated: allocated.success ? allocated.data : null,
      })
    },
  )

  async function settingsPage(reply: FastifyReply, errors?: FormErrors, values?: unknown, saved = false) {
    const settings = await workloadSettings(db)
    const current = Object.fromEntries([
      ['fullTimeHours', String(settings.settings.fullTimeHours)],
      ['fullTimePoints', String(settings.settings.fullTimePoints)],
      ...settings.fields.map((f) => [f.name, String(f.points)]),
    ])
    return reply
      .code(errors ? 400 : 200)
      .view('cases/views/workload-settings.njk', { ...settings, errors, values: values ?? current, saved })
  }

  app.get<{ Querystring: { saved?: string } }>(
    '/allocations/workload-settings',
    { config: managers },
    (request, reply) => settingsPage(reply, undefined, undefined, request.query.saved === 'yes'),
  )

  app.post('/allocations/workload-settings', { config: managers }, async (request, reply) => {
    const { fields } = await workloadSettings(db)
    const form = parseForm(workloadSettingsSchema(fields), request.body)
    if (!form.ok) return settingsPage(reply, form.errors, request.body)
    const value = form.value as Record<string, number>
    await saveWorkloadSettings(
      db,
      actorOf(request),
      {
        fullTimeHours: value.fullTimeHours!,
        fullTimePoints: value.fullTimePoints!,
        weights: fields.map((f) => ({ factor: f.factor, value: f.value, points: value[f.name]! })),
      },
      originOf(request),
    )
    return reply.redirect('/allocations/workload-settings?saved=yes', 303)
  })

  async function allocatePage(
    request: CrnRequest,
    reply: FastifyReply,
    errors?: FormErrors,
    values?: unknown,
  ) {
    const choice = await allocationChoice(db, actorOf(request), crnOf(request), originOf(request))
    if (!choice) return reply.code(404).view('cases/views/not-waiting.njk', { crn: crnOf(request) })
    return reply.code(errors ? 400 : 200).view('cases/views/allocate.njk', {
      ...choice,
      errors,
      values: values ?? { userId: choice.suggestion?.userId, note: '' },
    })
  }

  app.get<{ Params: { crn: string } }>('/allocations/:crn', { config: managers }, (request, reply) =>
    allocatePage(request, reply),
  )

  app.post<{ Params: { crn: string } }>('/allocations/:crn', { config: managers }, async (request, reply) => {
    const crn = crnOf(request)
    const form = parseForm(AllocateForm, request.body)
    if (!form.ok) return allocatePage(request, reply, form.errors, request.body)
    try {
      const result = await allocateFromQueue(
        db,
        actorOf(request),
        { crn, ...form.value },
        originOf(request),
        clock,
      )
      if (result.outcome === 'taken')
        return reply.code(409).view('cases/views/not-waiting.njk', { crn, taken: true })
      return reply.redirect(`/allocations?allocated=${crn}`, 303)
    } catch (error) {
      if (error instanceof ValidationError)
        return allocatePage(request, reply, formErrors(error.problems), request.body)
      throw error
    }
  })

  async function personPage(
    request: CrnRequest,
    reply: FastifyReply,
    state: { errors?: FormErrors; values?: Record<string, unknown>; notice?: string | null } = {},
  ) {
    const crn = crnOf(request)
    const view = await personAllocation(db, actorOf(request), crn, originOf(request), clock)
    if (!view) return personNotFound(db, reply, crn)
    return reply.code(state.errors ? 400 : 200).view('cases/views/person-allocation.njk', {
      ...view,
      section: 'allocation',
      sectionTitle: 'Allocation',
      errors: state.errors,
      values: state.values ?? { userId: view.suggestion?.userId },
      notice: state.notice ?? null,
      roles: CO_WORKER_ROLES.map((value) => ({ value, text: ALLOCATION_ROLE_NAMES[value]! })),
    })
  }

  app.get<{ Params: { crn: string }; Querystring: { done?: string } }>(
    '/people/:crn/allocation',
    { config: caseworkers },
    (request, reply) => personPage(request, reply, { notice: NOTICES[request.query.done ?? ''] ?? null }),
  )

  /** Runs a change from the person's allocation page; problems show on that page under `prefix`. */
  async function change<T>(
    request: CrnRequest,
    reply: FastifyReply,
    prefix: string,
    parsed: { ok: true; value: T } | { ok: false; errors: FormErrors },
    act: (actor: Actor, crn: string, value: T) => Promise<string | null>,
    done: string,
  ) {
    const values = Object.fromEntries(
      Object.entries((request.body ?? {}) as Record<string, unknown>).map(([k, v]) => [`${prefix}${k}`, v]),
    )
    if (!parsed.ok) return personPage(request, reply, { errors: prefixErrors(parsed.errors, prefix), values })
    try {
      const result = await act(actorOf(request), crnOf(request), parsed.value)
      if (result === null) return personNotFound(db, reply, crnOf(request))
      return reply.redirect(`/people/${crnOf(request)}/allocation?done=${done}`, 303)
    } catch (error) {
      if (error instanceof ValidationError)
        return personPage(request, reply, {
          errors: prefixErrors(formErrors(error.problems), prefix),
          values,
        })
      if (error instanceof ConflictError)
        return reply.code(409).view('errors/conflict.njk', { submitted: [] })
      throw error
    }
  }

  app.post<{ Params: { crn: string } }>(
    '/people/:crn/allocation/lead',
    { config: caseworkers },
    (request, reply) =>
      change(
        request,
        reply,
        'lead-',
        parseForm(ReallocateForm, request.body),
        (actor, crn, value) => reallocate(db, actor, crn, value, originOf(request), clock),
        'reallocated',
      ),
  )

  app.post<{ Params: { crn: string } }>(
    '/people/:crn/allocation/co-workers',
    { config: caseworkers },
    (request, reply) =>
      change(
        request,
        reply,
        'cw-',
        parseForm(CoWorkerForm, request.body),
        (actor, crn, value) => addCoWorker(db, actor, crn, value, originOf(request), clock),
        'added',
      ),
  )

  app.post<{ Params: { crn: string; id: string } }>(
    '/people/:crn/allocation/co-workers/:id/end',
    { config: caseworkers },
    (request, reply) => {
      const id = UuidParam.safeParse(request.params.id)
      if (!id.success) throw new NotFoundError()
      return change(
        request,
        reply,
        `end-${id.data}-`,
        parseForm(EndCoWorkerForm, request.body),
        (actor, crn, value) => endCoWorker(db, actor, crn, id.data, value.reason, originOf(request), clock),
        'ended',
      )
    },
  )
}
