import { randomUUID } from 'node:crypto'
import type { Db } from '../../src/platform/database/database.js'
import { makeAction, makeNeed, makeObjective } from './plans-factories.js'

/** Rows next best actions rest on: needs, the plan, tasks, flags, appointments, sentences, processes. */

export function addNeed(
  db: Db,
  personId: string,
  props: {
    pathway: string
    level: 'none' | 'low' | 'medium' | 'high'
    description?: string
    assessedOn?: string
  },
) {
  return makeNeed(db, personId, {
    ...props,
    description: props.description ?? `Assessed ${props.pathway} need`,
    assessedOn: props.assessedOn ?? '2026-02-01',
  })
}

export function addObjective(db: Db, personId: string, pathway: string) {
  return makeObjective(db, personId, { pathway, description: `Work on ${pathway}` })
}

export function addAction(
  db: Db,
  personId: string,
  objectiveId: string,
  props: {
    agencyId: string
    description?: string
    ownerUserId?: string | null
    dueOn?: string | null
    serviceType?: string | null
  },
) {
  const { agencyId, ...rest } = props
  return makeAction(db, personId, objectiveId, {
    ...rest,
    ownerAgencyId: agencyId,
    description: props.description ?? 'Make a referral',
  })
}

export async function addFlag(
  db: Db,
  personId: string,
  props: { severity: 'low' | 'medium' | 'high' | 'critical'; title?: string; raisedAt?: string },
) {
  const row = await db
    .insertInto('flags')
    .values({
      person_id: personId,
      rule_code: 'TEST',
      rule_version: 1,
      condition_key: `test:${Math.random()}`,
      severity: props.severity,
      title: props.title ?? 'Missed two appointments',
      reason: 'Two unacceptable absences in 30 days',
      evidence: '{}',
      raised_at: props.raisedAt ?? '2026-03-09T09:00:00Z',
      acknowledged_by: null,
      closed_by: null,
      close_reason: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

export async function addSentence(db: Db, personId: string, props: { expectedReleaseOn: string | null }) {
  await db
    .insertInto('sentences')
    .values({
      person_id: personId,
      event_number: 1,
      sentence_type: 'sc',
      description: 'Custodial sentence, 18 months',
      offence: 'Burglary',
      offence_category: 'burglary',
      court: 'Leeds Crown Court',
      sentenced_on: '2025-06-02',
      length_days: 540,
      expected_release_on: props.expectedReleaseOn,
      licence_end_on: null,
      sentence_end_on: null,
      ended_on: null,
    })
    .execute()
}

export async function addAppointment(
  db: Db,
  personId: string,
  props: { agencyId: string; startsAt: string },
) {
  await db
    .insertInto('appointments')
    .values({
      person_id: personId,
      starts_at: props.startsAt,
      ends_at: new Date(Date.parse(props.startsAt) + 3_600_000).toISOString(),
      kind: 'supervision',
      location: 'Leeds office',
      staff_user_id: null,
      agency_id: props.agencyId,
      outcome: null,
      outcome_recorded_at: null,
      notes: null,
    })
    .execute()
}

export async function addRegistration(
  db: Db,
  personId: string,
  props: { category: string; typeDescription: string; registeredOn: string },
) {
  const row = await db
    .insertInto('registrations')
    .values({
      person_id: personId,
      type_code: 'TEST',
      type_description: props.typeDescription,
      category: props.category,
      level: null,
      registered_on: props.registeredOn,
      next_review_on: null,
      deregistered_on: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

export async function addTask(
  db: Db,
  personId: string,
  props: { title: string; dueOn: string; source?: string; sourceRef?: string | null },
) {
  const row = await db
    .insertInto('tasks')
    .values({
      person_id: personId,
      kind: 'test',
      title: props.title,
      owner_user_id: null,
      owner_role: null,
      owner_agency_id: null,
      due_on: props.dueOn,
      status_reason: null,
      source: props.source ?? 'manual',
      source_ref: props.sourceRef ?? null,
      completed_by: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

/** A published template with one stage, and the person in that stage. */
export async function startProcess(
  db: Db,
  personId: string,
  stage: {
    code: string
    name: string
    tasks: { code: string; title: string; dueDays: number; required?: boolean }[]
    milestones?: { name: string; optional: boolean }[]
    enteredAt: string
  },
) {
  const definition = {
    stages: [
      {
        code: stage.code,
        name: stage.name,
        entry: { kind: 'start' },
        milestones: stage.milestones ?? [],
        tasks: stage.tasks.map((t) => ({ ownerRole: 'lead', required: true, ...t })),
      },
    ],
  }
  const template = await db
    .insertInto('process_templates')
    .values({
      family_id: randomUUID(),
      version: 1,
      name: 'IOM pathway',
      cohort_id: null,
      region_id: null,
      status: 'published',
      definition: JSON.stringify(definition),
      created_by: null,
      published_at: stage.enteredAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  const process = await db
    .insertInto('person_processes')
    .values({
      person_id: personId,
      template_id: template.id,
      stage_code: stage.code,
      stage_entered_at: stage.enteredAt,
      started_at: stage.enteredAt,
      end_reason: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return process.id
}
