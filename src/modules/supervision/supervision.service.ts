import { ConflictError, ForbiddenError, ValidationError } from '../../errors.js'
import { defaultPurpose } from '../../platform/access/access.js'
import type { Actor } from '../../platform/access/actor.js'
import { recordAudit, type Origin } from '../../platform/audit/audit.js'
import type { Clock } from '../../platform/clock.js'
import type { Db, Queryable } from '../../platform/database/database.js'
import { publish } from '../../platform/outbox/outbox.js'
import { londonDate, londonDayBounds } from '../../platform/views/format.js'
import { personHeader, type PersonHeader } from '../people/person-view.service.js'
import { addTimelineEntry } from '../../platform/timeline/timeline.js'
import { failuresInWindow } from './enforcement.js'
import { applyEnforcement } from './enforcement.service.js'
import * as repo from './supervision.repository.js'
import { APPOINTMENT_KINDS, OUTCOMES, type OutcomeInput, type ScheduleInput } from './supervision.schema.js'
import { addDays, londonInstant, mondayOf, parseClockTime } from './time.js'

export type { AppointmentRow } from './supervision.repository.js'

/** Allocated workers (any agency) and the lead team arrange a person's appointments. */
export function mayArrange(header: PersonHeader) {
  return header.person.access.relationship === 'allocated' || header.person.access.relationship === 'team'
}

function kindName(kind: string) {
  return APPOINTMENT_KINDS[kind as keyof typeof APPOINTMENT_KINDS] ?? kind
}

/**
 * The appointments page: upcoming and past appointments the actor may see, the enforcement
 * count and who could attend a new one. Null when the person may not be seen.
 */
export async function viewAppointments(db: Db, actor: Actor, crn: string, origin: Origin, clock: Clock) {
  return db.transaction().execute(async (tx) => {
    const header = await personHeader(tx, actor, crn, clock)
    if (!header) return null
    const personId = header.person.id
    const now = clock.now()
    const appointments = await repo.findAppointmentsOfPerson(tx, actor, personId)
    const supervisionShared = header.person.access.categories.includes('supervision')
    const failures = supervisionShared ? await repo.findFailures(tx, personId) : []
    const workers = mayArrange(header) ? await repo.findAllocatedWorkers(tx, personId) : []
    await recordAudit(tx, {
      actor,
      action: 'read',
      personIds: [personId],
      categories: ['supervision'],
      origin,
      purpose: defaultPurpose(header.person.access.relationship),
      relationship: header.person.access.relationship,
      detail: { appointments: appointments.length },
    })
    return {
      ...header,
      upcoming: appointments.filter((a) => new Date(a.ends_at) > now && !a.outcome),
      past: appointments.filter((a) => !(new Date(a.ends_at) > now && !a.outcome)).reverse(),
      failureCount: supervisionShared ? failuresInWindow(failures, now) : null,
      mayArrange: mayArrange(header),
      attendeeChoices: workers
        .filter((w) => w.user_id !== actor.userId)
        .map((w) => ({ value: w.user_id, text: `${w.display_name} (${w.agency_name})` })),
    }
  })
}

/** The start and end of an appointment from the form, in London time; problems as field errors. */
function appointmentTimes(
  date: string,
  minutes: number,
  durationMinutes: number,
  now: Date,
  fields = ['date', 'time'],
) {
  const startsAt = londonInstant(date, minutes)
  if (!startsAt)
    throw new ValidationError([
      { field: fields[1]!, message: 'That time does not exist on that day because the clocks go forward' },
    ])
  if (startsAt <= now)
    throw new ValidationError([{ field: fields[0]!, message: 'The appointment must be in the future' }])
  const endsAt = new Date(startsAt.getTime() + durationMinutes * 60_000)
  if (endsAt <= startsAt)
    throw new ValidationError([{ field: 'duration', message: 'The appointment must end after it starts' }])
  return { startsAt, endsAt }
}

export type ScheduleResult =
  | { scheduled: true; id: string }
  | { scheduled: false; clashes: { display_name: string; starts_at: Date; ends_at: Date }[] }

/**
 * Arranges an appointment led by the actor, with any of the person's other allocated workers
 * attending (a multi-agency visit). When the actor or an attendee is already busy then, nothing
 * is saved until the user confirms. Null when the person may not be seen.
 */
export async function scheduleAppointment(
  db: Db,
  actor: Actor,
  crn: string,
  input: ScheduleInput,
  origin: Origin,
  clock: Clock,
): Promise<ScheduleResult | null> {
  return db.transaction().execute(async (tx) => {
    const header = await personHeader(tx, actor, crn, clock)
    if (!header) return null
    if (!mayArrange(header)) throw new ForbiddenError()
    const personId = header.person.id
    const now = clock.now()
    const { startsAt, endsAt } = appointmentTimes(input.date, input.time, input.duration, now)
    const workers = await repo.findAllocatedWorkers(tx, personId)
    const attendees = [...new Set(input.attendees)].filter((id) => id !== actor.userId)
    const chosen = attendees.map((id) => workers.find((w) => w.user_id === id))
    if (chosen.some((w) => !w))
      throw new ValidationError([{ field: 'attendees', message: 'Choose attendees from the list' }])
    if (!input.confirmClash) {
      const clashes = await repo.findClashes(tx, [actor.userId, ...attendees], startsAt, endsAt)
      if (clashes.length) return { scheduled: false, clashes }
    }
    const id = await repo.insertAppointment(tx, {
      personId,
      startsAt,
      endsAt,
      kind: input.kind,
      location: input.location,
      staffUserId: actor.userId,
      agencyId: actor.agencyId,
      createdBy: actor.userId,
      rescheduledFrom: null,
      enforceable: true,
      at: now,
    })
    await repo.insertAttendees(
      tx,
      personId,
      id,
      chosen.map((w) => ({ userId: w!.user_id, agencyId: w!.agency_id })),
    )
    await recordAudit(tx, {
      actor,
      action: 'create',
      personIds: [personId],
      categories: ['supervision'],
      origin,
      purpose: defaultPurpose(header.person.access.relationship),
      relationship: header.person.access.relationship,
      detail: { appointmentId: id, attendees },
    })
    await publish(tx, {
      type: 'appointment.scheduled',
      personId,
      payload: { appointmentId: id, kind: input.kind, startsAt: startsAt.toISOString(), attendees },
    })
    return { scheduled: true, id }
  })
}

/** Whether the actor may record the outcome: those who arrange appointments, and whoever leads or attends it. */
function mayRecordOutcome(header: PersonHeader, actor: Actor, appointment: repo.AppointmentRow) {
  return (
    mayArrange(header) ||
    appointment.staff_user_id === actor.userId ||
    appointment.attendees.some((a) => a.user_id === actor.userId)
  )
}

/** One appointment with the person's header, for the outcome form; null when either may not be seen. */
export async function viewAppointment(db: Queryable, actor: Actor, crn: string, id: string, clock: Clock) {
  const header = await personHeader(db, actor, crn, clock)
  if (!header) return null
  const appointment = await repo.findAppointment(db, actor, header.person.id, id)
  if (!appointment) return null
  return { ...header, appointment, mayRecord: mayRecordOutcome(header, actor, appointment) }
}

/** The outcome form: the appointment read, with its audit record, in one transaction. */
export async function viewOutcomeForm(
  db: Db,
  actor: Actor,
  crn: string,
  id: string,
  origin: Origin,
  clock: Clock,
) {
  return db.transaction().execute(async (tx) => {
    const view = await viewAppointment(tx, actor, crn, id, clock)
    if (!view) return null
    await recordAudit(tx, {
      actor,
      action: 'read',
      personIds: [view.person.id],
      categories: ['supervision'],
      origin,
      purpose: defaultPurpose(view.person.access.relationship),
      relationship: view.person.access.relationship,
      detail: { appointmentId: id },
    })
    return view
  })
}

/**
 * Records (or changes) an appointment's outcome, edited from `version`: a stale edit is a
 * ConflictError and changes nothing. A reschedule books the new appointment; a failure to
 * comply applies enforcement in the same transaction. Returns the new appointment's id, if any.
 */
export async function recordOutcome(
  db: Db,
  actor: Actor,
  crn: string,
  id: string,
  input: OutcomeInput,
  origin: Origin,
  clock: Clock,
): Promise<{ rescheduledTo: string | null } | null> {
  return db.transaction().execute(async (tx) => {
    const found = await viewAppointment(tx, actor, crn, id, clock)
    if (!found) return null
    const { appointment, person } = found
    if (!found.mayRecord) throw new ForbiddenError()
    const now = clock.now()
    let replacement: { startsAt: Date; endsAt: Date } | null = null
    if (input.outcome === 'rescheduled') {
      const length = new Date(appointment.ends_at).getTime() - new Date(appointment.starts_at).getTime()
      replacement = appointmentTimes(
        input.newDate,
        parseClockTime(input.newTime) ?? 0,
        length / 60_000,
        now,
        ['newDate', 'newTime'],
      )
    }
    const updated = await repo.updateOutcome(tx, {
      personId: person.id,
      id,
      version: input.version,
      outcome: input.outcome,
      notes: input.notes || null,
      userId: actor.userId,
      at: now,
    })
    if (!updated) throw new ConflictError()
    let rescheduledTo: string | null = null
    if (replacement && !(await repo.hasReplacement(tx, person.id, id))) {
      rescheduledTo = await repo.insertAppointment(tx, {
        personId: person.id,
        ...replacement,
        kind: appointment.kind,
        location: appointment.location,
        staffUserId: appointment.staff_user_id ?? actor.userId,
        agencyId: appointment.agency_id,
        createdBy: actor.userId,
        rescheduledFrom: id,
        enforceable: appointment.enforceable,
        at: now,
      })
      await repo.insertAttendees(
        tx,
        person.id,
        rescheduledTo,
        appointment.attendees.map((a) => ({ userId: a.user_id, agencyId: a.agency_id })),
      )
    }
    await addTimelineEntry(tx, {
      personId: person.id,
      at: new Date(appointment.starts_at),
      kind: 'appointment.outcome',
      category: 'supervision',
      agencyId: appointment.agency_id,
      title: `${kindName(appointment.kind)}: ${OUTCOMES[input.outcome]}`,
      summary: input.notes || null,
    })
    await applyEnforcement(tx, actor, {
      personId: person.id,
      appointmentId: id,
      previousOutcome: appointment.outcome,
      outcome: input.outcome,
      clock,
    })
    await recordAudit(tx, {
      actor,
      action: 'update',
      personIds: [person.id],
      categories: ['supervision'],
      origin,
      purpose: defaultPurpose(person.access.relationship),
      relationship: person.access.relationship,
      detail: {
        appointmentId: id,
        outcome: input.outcome,
        previousOutcome: appointment.outcome,
        rescheduledTo,
      },
    })
    await publish(tx, {
      type: 'appointment.outcome.recorded',
      personId: person.id,
      payload: {
        appointmentId: id,
        outcome: input.outcome,
        startsAt: new Date(appointment.starts_at).toISOString(),
      },
    })
    return { rescheduledTo }
  })
}

/**
 * The actor's appointments (leading or attending) starting in [from, to), for people they may
 * see; for the appointments diary and, later, My day. Not audited: callers audit what they show.
 */
export function appointmentsForStaff(db: Queryable, actor: Actor, from: Date, to: Date) {
  return repo.findAppointmentsForStaff(db, actor, from, to)
}

/** My day or my week in London, with the neighbouring periods, audited as one list. */
export async function viewDiary(
  db: Db,
  actor: Actor,
  view: 'day' | 'week',
  date: string | undefined,
  origin: Origin,
  clock: Clock,
) {
  const day = date ?? londonDate(clock.now())
  const first = view === 'week' ? mondayOf(day) : day
  const length = view === 'week' ? 7 : 1
  const from = londonDayBounds(new Date(`${first}T12:00:00Z`)).start
  const to = londonDayBounds(new Date(`${addDays(first, length - 1)}T12:00:00Z`)).end
  return db.transaction().execute(async (tx) => {
    const appointments = await appointmentsForStaff(tx, actor, from, to)
    const personIds = [...new Set(appointments.map((a) => a.person_id))]
    if (personIds.length)
      await recordAudit(tx, {
        actor,
        action: 'list',
        personIds,
        categories: ['identity', 'supervision'],
        origin,
        purpose: 'My appointments: the people I am seeing',
      })
    const days = Array.from({ length }, (_, i) => addDays(first, i)).map((d) => ({
      date: d,
      appointments: appointments.filter((a) => londonDate(new Date(a.starts_at)) === d),
    }))
    const step = view === 'week' ? 7 : 1
    return {
      view,
      date: day,
      first,
      last: addDays(first, length - 1),
      today: londonDate(clock.now()),
      days,
      total: appointments.length,
      previous: addDays(first, -step),
      next: addDays(first, step),
    }
  })
}
