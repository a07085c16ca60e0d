import { sql, type SqlBool } from 'kysely'
import { jsonArrayFrom } from 'kysely/helpers/postgres'
import { accessFor } from '../../platform/access/access.js'
import type { Actor } from '../../platform/access/actor.js'
import type { Queryable } from '../../platform/database/database.js'
import { FAILURE_OUTCOMES } from './enforcement.js'

/**
 * Appointments are in the 'supervision' data category. Whoever leads or attends one always
 * sees it (it is in their diary), as does the agency that arranged it; anyone else only when
 * their access to the person includes supervision. Enforced here, in every query.
 */
function appointmentVisible(actor: Actor) {
  return sql<SqlBool>`('supervision' = any(access.categories)
    or ap.agency_id = ${actor.agencyId}
    or ap.staff_user_id = ${actor.userId}
    or exists (select 1 from appointment_attendees mine
      where mine.person_id = ap.person_id and mine.appointment_id = ap.id and mine.user_id = ${actor.userId}))`
}

/** Visible appointments of visible people, with who leads and who attends. */
function visibleAppointments(db: Queryable, actor: Actor) {
  return db
    .selectFrom('appointments as ap')
    .innerJoin('people as p', 'p.id', 'ap.person_id')
    .innerJoin(accessFor(actor, 'p'), (join) => join.onTrue())
    .innerJoin('agencies as ag', 'ag.id', 'ap.agency_id')
    .leftJoin('users as su', 'su.id', 'ap.staff_user_id')
    .leftJoin('users as ou', 'ou.id', 'ap.outcome_recorded_by')
    .where('p.merged_into', 'is', null)
    .where(appointmentVisible(actor))
    .select([
      'ap.id',
      'ap.person_id',
      'ap.starts_at',
      'ap.ends_at',
      'ap.kind',
      'ap.location',
      'ap.staff_user_id',
      'ap.agency_id',
      'ap.outcome',
      'ap.outcome_notes',
      'ap.outcome_recorded_at',
      'ap.rescheduled_from',
      'ap.enforceable',
      'ap.version',
      'ag.name as agency_name',
      'su.display_name as staff_name',
      'ou.display_name as outcome_recorded_by_name',
      'p.crn',
      'p.first_name',
      'p.last_name',
    ])
    .select((eb) =>
      jsonArrayFrom(
        eb
          .selectFrom('appointment_attendees as aa')
          .innerJoin('users as au', 'au.id', 'aa.user_id')
          .innerJoin('agencies as aag', 'aag.id', 'aa.agency_id')
          .select(['aa.user_id', 'aa.agency_id', 'au.display_name as name', 'aag.name as agency_name'])
          .whereRef('aa.person_id', '=', 'ap.person_id')
          .whereRef('aa.appointment_id', '=', 'ap.id')
          .orderBy('au.display_name'),
      ).as('attendees'),
    )
}

export type AppointmentRow = Awaited<
  ReturnType<ReturnType<typeof visibleAppointments>['executeTakeFirstOrThrow']>
>

export function findAppointmentsOfPerson(db: Queryable, actor: Actor, personId: string) {
  return visibleAppointments(db, actor)
    .where('ap.person_id', '=', personId)
    .orderBy('ap.starts_at')
    .orderBy('ap.id')
    .execute()
}

export function findAppointment(db: Queryable, actor: Actor, personId: string, id: string) {
  return visibleAppointments(db, actor)
    .where('ap.person_id', '=', personId)
    .where('ap.id', '=', id)
    .executeTakeFirst()
}

/** Appointments the actor leads or attends starting in [from, to), for people they may see. */
export function findAppointmentsForStaff(db: Queryable, actor: Actor, from: Date, to: Date) {
  return visibleAppointments(db, actor)
    .where('ap.starts_at', '>=', from)
    .where('ap.starts_at', '<', to)
    .where((eb) =>
      eb.or([
        eb('ap.staff_user_id', '=', actor.userId),
        eb.exists(
          eb
            .selectFrom('appointment_attendees as me')
            .select('me.user_id')
            .whereRef('me.person_id', '=', 'ap.person_id')
            .whereRef('me.appointment_id', '=', 'ap.id')
            .where('me.user_id', '=', actor.userId),
        ),
      ]),
    )
    .orderBy('ap.starts_at')
    .orderBy('p.last_name')
    .execute()
}

/** Everyone currently allocated to the person, from any agency: who may attend a visit. */
export function findAllocatedWorkers(db: Queryable, personId: string) {
  return db
    .selectFrom('allocations as al')
    .innerJoin('users as u', 'u.id', 'al.user_id')
    .innerJoin('agencies as ag', 'ag.id', 'al.agency_id')
    .select([
      'al.user_id',
      'al.agency_id',
      'al.role',
      'al.is_lead',
      'u.display_name',
      'ag.name as agency_name',
    ])
    .where('al.person_id', '=', personId)
    .where('al.ended_at', 'is', null)
    .where('u.active', '=', true)
    .orderBy('al.is_lead', 'desc')
    .orderBy('u.display_name')
    .execute()
}

/** The lead practitioner's allocation and the person's lead agency, for assigning enforcement work. */
export async function findLead(db: Queryable, personId: string) {
  const row = await db
    .selectFrom('people as p')
    .leftJoin('allocations as al', (join) =>
      join.onRef('al.person_id', '=', 'p.id').on('al.is_lead', '=', true).on('al.ended_at', 'is', null),
    )
    .select(['p.lead_agency_id', 'al.user_id', 'al.agency_id'])
    .where('p.id', '=', personId)
    .executeTakeFirstOrThrow()
  return {
    leadAgencyId: row.lead_agency_id,
    lead: row.user_id && row.agency_id ? { userId: row.user_id, agencyId: row.agency_id } : null,
  }
}

/**
 * Other appointments of any of these staff that overlap [startsAt, endsAt), whether they lead
 * or attend them. Only the staff member's name and the times come back: the clash warning
 * must not tell the user about people they may not see.
 */
export function findClashes(db: Queryable, userIds: string[], startsAt: Date, endsAt: Date) {
  if (userIds.length === 0) return Promise.resolve([])
  return db
    .selectFrom('appointments as ap')
    .innerJoin('users as u', (join) =>
      join.on((eb) =>
        eb.or([
          eb('u.id', '=', eb.ref('ap.staff_user_id')),
          eb.exists(
            eb
              .selectFrom('appointment_attendees as aa')
              .select('aa.user_id')
              .whereRef('aa.person_id', '=', 'ap.person_id')
              .whereRef('aa.appointment_id', '=', 'ap.id')
              .whereRef('aa.user_id', '=', 'u.id'),
          ),
        ]),
      ),
    )
    .select(['u.display_name', 'ap.starts_at', 'ap.ends_at'])
    .where('u.id', 'in', userIds)
    .where('ap.starts_at', '<', endsAt)
    .where('ap.ends_at', '>', startsAt)
    .where((eb) =>
      eb.or([eb('ap.outcome', 'is', null), eb('ap.outcome', 'not in', ['rescheduled', 'cancelled'])]),
    )
    .orderBy('ap.starts_at')
    .execute()
}

export async function insertAppointment(
  db: Queryable,
  row: {
    personId: string
    startsAt: Date
    endsAt: Date
    kind: string
    location: string
    staffUserId: string
    agencyId: string
    createdBy: string
    rescheduledFrom: string | null
    enforceable: boolean
    at: Date
  },
) {
  const { id } = await db
    .insertInto('appointments')
    .values({
      person_id: row.personId,
      starts_at: row.startsAt,
      ends_at: row.endsAt,
      kind: row.kind,
      location: row.location,
      staff_user_id: row.staffUserId,
      agency_id: row.agencyId,
      created_by: row.createdBy,
      rescheduled_from: row.rescheduledFrom,
      enforceable: row.enforceable,
      created_at: row.at,
      updated_at: row.at,
      outcome: null,
      outcome_recorded_at: null,
      notes: null,
      outcome_recorded_by: null,
      outcome_notes: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return id
}

export async function insertAttendees(
  db: Queryable,
  personId: string,
  appointmentId: string,
  attendees: { userId: string; agencyId: string }[],
) {
  if (attendees.length === 0) return
  await db
    .insertInto('appointment_attendees')
    .values(
      attendees.map((a) => ({
        person_id: personId,
        appointment_id: appointmentId,
        user_id: a.userId,
        agency_id: a.agencyId,
      })),
    )
    .execute()
}

/** Records an outcome if the appointment is still at `version`; undefined when someone got there first. */
export function updateOutcome(
  db: Queryable,
  change: {
    personId: string
    id: string
    version: number
    outcome: string
    notes: string | null
    userId: string
    at: Date
  },
) {
  return db
    .updateTable('appointments')
    .set({
      outcome: change.outcome,
      outcome_notes: change.notes,
      outcome_recorded_at: change.at,
      outcome_recorded_by: change.userId,
      updated_at: change.at,
      version: sql`version + 1`,
    })
    .where('person_id', '=', change.personId)
    .where('id', '=', change.id)
    .where('version', '=', change.version)
    .returning(['id', 'version'])
    .executeTakeFirst()
}

/** Whether an appointment has already been rebooked (so a rescheduled outcome books only once). */
export async function hasReplacement(db: Queryable, personId: string, id: string) {
  const row = await db
    .selectFrom('appointments')
    .select('id')
    .where('person_id', '=', personId)
    .where('rescheduled_from', '=', id)
    .executeTakeFirst()
  return !!row
}

/** Every failure to comply on the person's enforceable appointments, oldest first. */
export async function findFailures(db: Queryable, personId: string) {
  const rows = await db
    .selectFrom('appointments')
    .select(['id', 'starts_at'])
    .where('person_id', '=', personId)
    .where('enforceable', '=', true)
    .where('outcome', 'in', [...FAILURE_OUTCOMES])
    .orderBy('starts_at')
    .execute()
  return rows.map((r) => ({ appointmentId: r.id, startsAt: new Date(r.starts_at) }))
}
