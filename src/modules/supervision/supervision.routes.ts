import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AppDeps } from '../../app.js'
import { ConflictError, ValidationError } from '../../errors.js'
import { CASEWORK_ROLES } from '../../platform/access/actor.js'
import { dateFromParts, formErrors, parseForm, type FormErrors } from '../../platform/http/forms.js'
import { actorOf, forRoles, originOf } from '../../platform/http/route-access.js'
import { contactRoutes } from './contacts.routes.js'
import { personNotFound } from '../people/person-not-found.js'
import { crnOf, idOf } from './person-pages.js'
import * as supervision from './supervision.service.js'
import {
  APPOINTMENT_KINDS,
  DiaryQuery,
  DURATIONS,
  OUTCOMES,
  OutcomeForm,
  SCHEDULABLE_KINDS,
  ScheduleForm,
} from './supervision.schema.js'
import { londonClock } from './time.js'

const caseworkers = forRoles(...CASEWORK_ROLES)
type PersonParams = { Params: { crn: string } }
type AppointmentParams = { Params: { crn: string; id: string } }

/** What the appointment views need to name things. */
const labels = {
  kinds: APPOINTMENT_KINDS,
  outcomes: OUTCOMES,
  kindChoices: SCHEDULABLE_KINDS.map((k) => ({ value: k, text: APPOINTMENT_KINDS[k] })),
  durationChoices: DURATIONS.map((d) => ({
    value: String(d),
    text: d < 60 ? `${d} minutes` : d === 60 ? '1 hour' : `${d / 60} hours`,
  })),
  outcomeChoices: Object.entries(OUTCOMES).map(([value, text]) => ({ value, text })),
}

/** Form fields with the date input's parts, to fill the form again. */
function formValues(body: Record<string, unknown>, date: string) {
  return {
    ...body,
    dateParts: { day: body[`${date}-day`], month: body[`${date}-month`], year: body[`${date}-year`] },
  }
}

export function supervisionRoutes(app: FastifyInstance, deps: AppDeps) {
  const { db, clock } = deps

  app.get('/appointments', { config: caseworkers }, async (request, reply) => {
    const query = parseForm(DiaryQuery, request.query)
    const actor = actorOf(request)
    if (!query.ok) {
      const diary = await supervision.viewDiary(db, actor, 'day', undefined, originOf(request), clock)
      return reply
        .code(400)
        .view('supervision/views/diary.njk', { ...diary, ...labels, errors: query.errors })
    }
    const diary = await supervision.viewDiary(
      db,
      actor,
      query.value.view,
      query.value.date,
      originOf(request),
      clock,
    )
    return reply.view('supervision/views/diary.njk', { ...diary, ...labels })
  })

  async function appointmentsPage(
    reply: FastifyReply,
    request: FastifyRequest,
    crn: string,
    extra: Record<string, unknown> = {},
  ) {
    const view = await supervision.viewAppointments(db, actorOf(request), crn, originOf(request), clock)
    if (!view) return personNotFound(db, reply, crn)
    return reply.view('supervision/views/appointments.njk', {
      ...view,
      ...labels,
      section: 'appointments',
      values: { duration: '60', kind: 'supervision', dateParts: undefined },
      ...extra,
    })
  }

  app.get<PersonParams>('/people/:crn/appointments', { config: caseworkers }, (request, reply) =>
    appointmentsPage(reply, request, crnOf(request.params.crn), {
      scheduled: (request.query as Record<string, string>).scheduled === '1',
      recorded: (request.query as Record<string, string>).recorded === '1',
    }),
  )

  app.post<PersonParams>('/people/:crn/appointments', { config: caseworkers }, async (request, reply) => {
    const crn = crnOf(request.params.crn)
    const body = (request.body ?? {}) as Record<string, unknown>
    const values = formValues(body, 'date')
    const again = (errors: FormErrors | null, extra: Record<string, unknown> = {}) => {
      if (errors) reply.code(400)
      return appointmentsPage(reply, request, crn, { errors, values, ...extra })
    }
    const form = parseForm(ScheduleForm, { ...body, date: dateFromParts(body, 'date') })
    if (!form.ok) return again(form.errors)
    try {
      const result = await supervision.scheduleAppointment(
        db,
        actorOf(request),
        crn,
        form.value,
        originOf(request),
        clock,
      )
      if (!result) return personNotFound(db, reply, crn)
      if (!result.scheduled) return again(null, { clashes: result.clashes })
      return reply.redirect(`/people/${crn}/appointments?scheduled=1`, 303)
    } catch (error) {
      if (error instanceof ValidationError) return again(formErrors(error.problems))
      throw error
    }
  })

  async function outcomePage(
    reply: FastifyReply,
    request: FastifyRequest,
    crn: string,
    id: string,
    extra: Record<string, unknown> = {},
  ) {
    const view = await supervision.viewOutcomeForm(db, actorOf(request), crn, id, originOf(request), clock)
    if (!view) return personNotFound(db, reply, crn)
    const a = view.appointment
    return reply.view('supervision/views/outcome.njk', {
      ...view,
      ...labels,
      section: 'appointments',
      values: {
        outcome: a.outcome,
        notes: a.outcome_notes,
        version: a.version,
        newTime: londonClock(new Date(a.starts_at)),
      },
      ...extra,
    })
  }

  app.get<AppointmentParams>(
    '/people/:crn/appointments/:id/outcome',
    { config: caseworkers },
    (request, reply) => outcomePage(reply, request, crnOf(request.params.crn), idOf(request.params.id)),
  )

  app.post<AppointmentParams>(
    '/people/:crn/appointments/:id/outcome',
    { config: caseworkers },
    async (request, reply) => {
      const crn = crnOf(request.params.crn)
      const id = idOf(request.params.id)
      const body = (request.body ?? {}) as Record<string, unknown>
      const values = { ...body, newDateParts: formValues(body, 'newDate').dateParts }
      const form = parseForm(OutcomeForm, { ...body, newDate: dateFromParts(body, 'newDate') })
      if (!form.ok) {
        reply.code(400)
        return outcomePage(reply, request, crn, id, { errors: form.errors, values })
      }
      try {
        const done = await supervision.recordOutcome(
          db,
          actorOf(request),
          crn,
          id,
          form.value,
          originOf(request),
          clock,
        )
        if (!done) return personNotFound(db, reply, crn)
        return reply.redirect(`/people/${crn}/appointments?recorded=1`, 303)
      } catch (error) {
        if (error instanceof ValidationError) {
          reply.code(400)
          return outcomePage(reply, request, crn, id, { errors: formErrors(error.problems), values })
        }
        // Someone recorded an outcome first: show theirs, keep what this user chose, save nothing.
        if (error instanceof ConflictError) {
          reply.code(409)
          return outcomePage(reply, request, crn, id, { conflict: { submitted: values } })
        }
        throw error
      }
    },
  )

  contactRoutes(app, deps)
}
