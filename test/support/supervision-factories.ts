import type { Db } from '../../src/platform/database/database.js'

/** Test data for appointments and contacts; each makes real rows and returns the new id. */

export async function makeAppointment(
  db: Db,
  props: {
    personId: string
    agencyId: string
    staffUserId: string
    startsAt: string
    minutes?: number
    kind?: string
    location?: string
    outcome?: string | null
    enforceable?: boolean
    attendees?: { userId: string; agencyId: string }[]
  },
) {
  const startsAt = new Date(props.startsAt)
  const row = await db
    .insertInto('appointments')
    .values({
      person_id: props.personId,
      starts_at: startsAt,
      ends_at: new Date(startsAt.getTime() + (props.minutes ?? 60) * 60_000),
      kind: props.kind ?? 'supervision',
      location: props.location ?? 'Probation office',
      staff_user_id: props.staffUserId,
      agency_id: props.agencyId,
      outcome: props.outcome ?? null,
      outcome_recorded_at: props.outcome ? startsAt : null,
      notes: null,
      created_by: props.staffUserId,
      outcome_recorded_by: null,
      outcome_notes: null,
      rescheduled_from: null,
      enforceable: props.enforceable ?? true,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  for (const attendee of props.attendees ?? [])
    await db
      .insertInto('appointment_attendees')
      .values({
        person_id: props.personId,
        appointment_id: row.id,
        user_id: attendee.userId,
        agency_id: attendee.agencyId,
      })
      .execute()
  return row.id
}

export async function makeContact(
  db: Db,
  props: {
    personId: string
    agencyId: string
    authorUserId: string
    summary: string
    category?: string
    kind?: string
    sensitive?: boolean
    occurredAt?: string
  },
) {
  const row = await db
    .insertInto('contacts')
    .values({
      person_id: props.personId,
      occurred_at: props.occurredAt ?? '2026-03-01T10:00:00Z',
      kind: props.kind ?? 'contact.phone',
      summary: props.summary,
      category: props.category ?? 'supervision',
      author_user_id: props.authorUserId,
      agency_id: props.agencyId,
      sensitive: props.sensitive ?? false,
      replaces_id: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

/** The version an appointment is at, for posting an outcome form as a browser would. */
export async function appointmentVersion(db: Db, id: string) {
  const row = await db
    .selectFrom('appointments')
    .select('version')
    .where('id', '=', id)
    .executeTakeFirstOrThrow()
  return String(row.version)
}
