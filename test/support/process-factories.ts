import type { Db } from '../../src/platform/database/database.js'
import type { OutboxEvent } from '../../src/platform/outbox/outbox.js'
import type { Definition } from '../../src/modules/process/process.schema.js'

/** Builders for process template tests. */

let counter = 0

/** A small resettlement template: pre-release, release day, first 72 hours, supervision, recall. */
export const TEST_DEFINITION: Definition = {
  stages: [
    {
      code: 'pre-release',
      name: 'Pre-release',
      entry: { kind: 'before_release', days: 84 },
      milestones: [{ name: 'Accommodation found', optional: false }],
      tasks: [
        { code: 'plan', title: 'Agree the release plan', ownerRole: 'lead', dueDays: 28, required: true },
        {
          code: 'benefits',
          title: 'Start a benefits claim',
          ownerRole: 'work_coach',
          dueDays: 7,
          required: false,
        },
      ],
    },
    {
      code: 'release-day',
      name: 'Release day',
      entry: { kind: 'event', event: 'released' },
      milestones: [],
      tasks: [
        {
          code: 'appointment',
          title: 'Release day appointment',
          ownerRole: 'lead',
          dueDays: 0,
          required: true,
        },
        { code: 'gate', title: 'Meet at the gate', ownerRole: 'mentor', dueDays: 0, required: false },
      ],
    },
    {
      code: 'first-72-hours',
      name: 'First 72 hours',
      entry: { kind: 'after_days', days: 1 },
      milestones: [],
      tasks: [
        {
          code: 'home-visit',
          title: 'Home visit',
          ownerRole: 'police_iom_officer',
          dueDays: 2,
          required: true,
        },
      ],
    },
    {
      code: 'supervision',
      name: 'Ongoing supervision',
      entry: { kind: 'after_days', days: 3 },
      milestones: [],
      tasks: [{ code: 'review', title: 'Review progress', ownerRole: 'lead', dueDays: 30, required: true }],
    },
    {
      code: 'recalled',
      name: 'Recalled',
      entry: { kind: 'event', event: 'recalled' },
      milestones: [],
      tasks: [
        {
          code: 'recall-review',
          title: 'Review after recall',
          ownerRole: 'lead',
          dueDays: 7,
          required: true,
        },
      ],
    },
  ],
}

export async function makeTemplate(
  db: Db,
  props: {
    cohortId: string
    regionId?: string | null
    definition?: Definition
    status?: 'draft' | 'published' | 'retired'
    familyId?: string
    version?: number
    name?: string
  },
) {
  const n = ++counter
  const row = await db
    .insertInto('process_templates')
    .values({
      family_id: props.familyId ?? crypto.randomUUID(),
      version: props.version ?? 1,
      name: props.name ?? `Template ${n}`,
      cohort_id: props.cohortId,
      region_id: props.regionId ?? null,
      status: props.status ?? 'published',
      definition: JSON.stringify(props.definition ?? TEST_DEFINITION),
      created_by: null,
      published_at: props.status === 'draft' ? null : new Date(),
    })
    .returning(['id', 'family_id'])
    .executeTakeFirstOrThrow()
  return row
}

/** Puts a person in custody (or elsewhere) with an expected release date and a licence. */
export async function setCircumstances(
  db: Db,
  personId: string,
  props: {
    custodyStatus: string
    expectedReleaseOn?: string | null
    licenceEndOn?: string | null
    releasedOn?: string
  },
) {
  await db
    .updateTable('people')
    .set({ custody_status: props.custodyStatus })
    .where('id', '=', personId)
    .execute()
  if (props.expectedReleaseOn !== undefined || props.licenceEndOn !== undefined)
    await db
      .insertInto('sentences')
      .values({
        person_id: personId,
        event_number: 1,
        sentence_type: 'custodial',
        description: 'Imprisonment',
        offence: 'Burglary',
        offence_category: 'burglary',
        court: 'Leeds Crown Court',
        sentenced_on: '2025-01-10',
        length_days: 365,
        expected_release_on: props.expectedReleaseOn ?? null,
        licence_end_on: props.licenceEndOn ?? null,
        sentence_end_on: null,
        ended_on: null,
      })
      .execute()
  if (props.releasedOn)
    await db
      .insertInto('custody_episodes')
      .values({
        person_id: personId,
        prison_code: 'LEI',
        prison_name: 'HMP Leeds',
        received_on: '2025-01-10',
        released_on: props.releasedOn,
        release_reason: 'RELEASED',
      })
      .execute()
}

export async function setExpectedRelease(db: Db, personId: string, on: string) {
  await db
    .updateTable('sentences')
    .set({ expected_release_on: on })
    .where('person_id', '=', personId)
    .execute()
}

/** An outbox event as a subscriber receives it. */
export function outboxEvent(
  type: string,
  personId: string,
  payload: Record<string, unknown> = {},
  at = new Date(),
): OutboxEvent {
  return { id: 1_000_000 + ++counter, type, personId, payload, occurredAt: at }
}
