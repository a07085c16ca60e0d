import { randomUUID } from 'node:crypto'
import type { Db } from '../../src/platform/database/database.js'

/** Builders for the facts rules look at: each inserts one real row and returns its id. */

const DAY = 24 * 60 * 60 * 1000

export function daysBefore(at: Date, days: number): Date {
  return new Date(at.getTime() - days * DAY)
}

export function dayOffset(at: Date, days: number): string {
  return new Date(at.getTime() + days * DAY).toISOString().slice(0, 10)
}

export async function makeAppointment(
  db: Db,
  props: {
    personId: string
    agencyId: string
    startsAt: Date
    outcome?: string | null
    staffUserId?: string | null
  },
) {
  const row = await db
    .insertInto('appointments')
    .values({
      person_id: props.personId,
      starts_at: props.startsAt,
      ends_at: new Date(props.startsAt.getTime() + 60 * 60 * 1000),
      kind: 'supervision',
      location: 'Probation office',
      staff_user_id: props.staffUserId ?? null,
      agency_id: props.agencyId,
      outcome: (props.outcome ?? null) as never,
      outcome_recorded_at: props.outcome ? props.startsAt : null,
      notes: null,
    } as never)
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

export async function makeContact(db: Db, props: { personId: string; agencyId: string; occurredAt: Date }) {
  const row = await db
    .insertInto('contacts')
    .values({
      person_id: props.personId,
      occurred_at: props.occurredAt,
      kind: 'office_visit',
      summary: 'Seen in the office',
      category: 'supervision',
      author_user_id: null,
      agency_id: props.agencyId,
    } as never)
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

export async function makeRegistration(
  db: Db,
  props: {
    personId: string
    typeCode: string
    description?: string
    registeredOn: string
    level?: string | null
    deregisteredOn?: string | null
    createdAt?: Date
  },
) {
  const row = await db
    .insertInto('registrations')
    .values({
      person_id: props.personId,
      type_code: props.typeCode,
      type_description: props.description ?? props.typeCode,
      category: 'risk',
      level: props.level ?? null,
      registered_on: props.registeredOn,
      next_review_on: null,
      deregistered_on: props.deregisteredOn ?? null,
      source_ref: null,
      register_category: null,
      ...(props.createdAt ? { created_at: props.createdAt } : {}),
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

export async function makeSentence(
  db: Db,
  props: { personId: string; expectedReleaseOn?: string | null; licenceEndOn?: string | null },
) {
  const row = await db
    .insertInto('sentences')
    .values({
      person_id: props.personId,
      event_number: 1,
      sentence_type: 'custodial',
      description: 'Imprisonment',
      offence: 'Burglary',
      offence_category: 'burglary',
      court: 'Crown Court',
      sentenced_on: '2024-01-10',
      length_days: 730,
      expected_release_on: props.expectedReleaseOn ?? null,
      licence_end_on: props.licenceEndOn ?? null,
      sentence_end_on: null,
      ended_on: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

export async function setCustodyStatus(db: Db, personId: string, status: string) {
  await db
    .updateTable('people')
    .set({ custody_status: status as never })
    .where('id', '=', personId)
    .execute()
}

export async function makeAddress(
  db: Db,
  props: { personId: string; kind: string; startsOn: string; endsOn?: string | null },
) {
  const row = await db
    .insertInto('person_addresses')
    .values({
      person_id: props.personId,
      kind: props.kind as never,
      line1: props.kind === 'no_fixed_abode' ? null : '1 High Street',
      town: 'Leeds',
      postcode: null,
      starts_on: props.startsOn,
      ends_on: props.endsOn ?? null,
      source_record_id: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

export async function makeCustodyEpisode(
  db: Db,
  props: { personId: string; receivedOn: string; releasedOn?: string | null },
) {
  const row = await db
    .insertInto('custody_episodes')
    .values({
      person_id: props.personId,
      prison_code: 'LEI',
      prison_name: 'HMP Leeds',
      received_on: props.receivedOn,
      released_on: props.releasedOn ?? null,
      release_reason: props.releasedOn ? 'RELEASED' : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

/** A plan action (with its plan and objective); returns the action id. */
export async function makePlanAction(
  db: Db,
  props: { personId: string; agencyId: string; dueOn: string; status?: string; serviceType?: string | null },
) {
  await db
    .insertInto('case_plans')
    .values({ person_id: props.personId, created_by: null })
    .onConflict((oc) => oc.doNothing())
    .execute()
  const objective = await db
    .insertInto('plan_objectives')
    .values({
      person_id: props.personId,
      pathway: 'accommodation',
      need_id: null,
      description: 'Find a home',
      created_by: null,
    } as never)
    .returning('id')
    .executeTakeFirstOrThrow()
  const row = await db
    .insertInto('plan_actions')
    .values({
      person_id: props.personId,
      objective_id: objective.id,
      description: 'Apply for housing',
      service_type: (props.serviceType ?? null) as never,
      owner_agency_id: props.agencyId,
      owner_user_id: null,
      due_on: props.dueOn,
      status: (props.status ?? 'not_started') as never,
      status_reason: null,
      created_by: null,
    } as never)
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

export async function makeDuplicateService(db: Db, props: { personId: string; serviceType?: string }) {
  const row = await db
    .insertInto('duplicate_services')
    .values({
      person_id: props.personId,
      service_type: props.serviceType ?? 'housing',
      first_action_id: randomUUID(),
      second_action_id: randomUUID(),
      resolved_by: null,
      resolved_at: null,
      resolution: null,
    } as never)
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

export async function makeTimelineEvent(
  db: Db,
  props: { personId: string; agencyId: string; kind: string; title: string; occurredAt: Date },
) {
  const row = await db
    .insertInto('timeline_events')
    .values({
      person_id: props.personId,
      occurred_at: props.occurredAt,
      kind: props.kind,
      category: 'sentence',
      agency_id: props.agencyId,
      source_system: 'Consider a recall',
      title: props.title,
      summary: null,
      pathway: null,
    } as never)
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}
