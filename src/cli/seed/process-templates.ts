import { randomUUID } from 'node:crypto'
import type { Db } from '../../platform/database/database.js'
import { checkDefinition, type Definition } from '../../modules/process/process.schema.js'

/**
 * The process templates a new installation starts with, published nationally: resettlement for
 * the IOM and prolific offender cohorts, and a shorter one for short custodial sentences.
 */

const resettlement: Definition = {
  stages: [
    {
      code: 'pre-release',
      name: 'Pre-release (12 weeks)',
      entry: { kind: 'before_release', days: 84 },
      milestones: [
        { name: 'Accommodation secured for release', optional: false },
        { name: 'Licence conditions agreed', optional: false },
      ],
      tasks: [
        {
          code: 'resettlement-plan',
          title: 'Agree the resettlement plan with the prison',
          ownerRole: 'lead',
          dueDays: 56,
          required: true,
        },
        {
          code: 'housing-referral',
          title: 'Refer for accommodation on release',
          ownerRole: 'housing_officer',
          dueDays: 42,
          required: true,
        },
        {
          code: 'police-briefing',
          title: 'Brief the IOM police officer on the release plan',
          ownerRole: 'police_iom_officer',
          dueDays: 14,
          required: true,
        },
        {
          code: 'benefits-claim',
          title: 'Start an advance benefits claim',
          ownerRole: 'work_coach',
          dueDays: 14,
          required: false,
        },
      ],
    },
    {
      code: 'release-day',
      name: 'Release day',
      entry: { kind: 'event', event: 'released' },
      milestones: [{ name: 'Reported to probation on the day of release', optional: false }],
      tasks: [
        {
          code: 'initial-appointment',
          title: 'Hold the release day appointment',
          ownerRole: 'lead',
          dueDays: 0,
          required: true,
        },
        {
          code: 'gate-pickup',
          title: 'Meet at the prison gate',
          ownerRole: 'mentor',
          dueDays: 0,
          required: false,
        },
      ],
    },
    {
      code: 'first-72-hours',
      name: 'First 72 hours',
      entry: { kind: 'after_days', days: 1 },
      milestones: [{ name: 'Home visit completed', optional: false }],
      tasks: [
        {
          code: 'home-visit',
          title: 'Visit the release address',
          ownerRole: 'police_iom_officer',
          dueDays: 2,
          required: true,
        },
        {
          code: 'script',
          title: 'Confirm the drug treatment script continues',
          ownerRole: 'drug_and_alcohol_worker',
          dueDays: 2,
          required: false,
        },
      ],
    },
    {
      code: 'first-12-weeks',
      name: 'First 12 weeks',
      entry: { kind: 'after_days', days: 3 },
      milestones: [{ name: 'Sentence plan reviewed', optional: false }],
      tasks: [
        {
          code: 'sentence-plan',
          title: 'Review the sentence plan',
          ownerRole: 'lead',
          dueDays: 28,
          required: true,
        },
        {
          code: 'multi-agency-review',
          title: 'Hold a multi-agency case review',
          ownerRole: 'lead',
          dueDays: 42,
          required: true,
        },
      ],
    },
    {
      code: 'ongoing-supervision',
      name: 'Ongoing supervision',
      entry: { kind: 'after_days', days: 81 },
      milestones: [],
      tasks: [
        {
          code: 'quarterly-review',
          title: 'Review progress with partners',
          ownerRole: 'lead',
          dueDays: 90,
          required: true,
        },
      ],
    },
    {
      code: 'end-of-order',
      name: 'End of order',
      entry: { kind: 'event', event: 'order_ended' },
      milestones: [{ name: 'Exit plan agreed', optional: true }],
      tasks: [
        {
          code: 'exit-plan',
          title: 'Agree an exit plan and hand over to universal services',
          ownerRole: 'lead',
          dueDays: 14,
          required: true,
        },
      ],
    },
    {
      code: 'recalled',
      name: 'Recalled to custody',
      entry: { kind: 'event', event: 'recalled' },
      milestones: [],
      tasks: [
        {
          code: 'recall-review',
          title: 'Review the plan after recall',
          ownerRole: 'lead',
          dueDays: 7,
          required: true,
        },
        {
          code: 'keep-tenancy',
          title: 'Protect the tenancy during custody',
          ownerRole: 'housing_officer',
          dueDays: 14,
          required: false,
        },
      ],
    },
  ],
}

const shortSentence: Definition = {
  stages: [
    {
      code: 'pre-release',
      name: 'Pre-release',
      entry: { kind: 'before_release', days: 28 },
      milestones: [{ name: 'Release address confirmed', optional: false }],
      tasks: [
        {
          code: 'release-address',
          title: 'Confirm the release address',
          ownerRole: 'lead',
          dueDays: 14,
          required: true,
        },
        {
          code: 'id-documents',
          title: 'Help obtain ID and a bank account',
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
          code: 'initial-appointment',
          title: 'Hold the release day appointment',
          ownerRole: 'lead',
          dueDays: 0,
          required: true,
        },
      ],
    },
    {
      code: 'first-72-hours',
      name: 'First 72 hours',
      entry: { kind: 'after_days', days: 1 },
      milestones: [],
      tasks: [
        { code: 'check-in', title: 'Check in by phone', ownerRole: 'lead', dueDays: 2, required: true },
      ],
    },
    {
      code: 'supervision',
      name: 'Supervision',
      entry: { kind: 'after_days', days: 3 },
      milestones: [],
      tasks: [
        { code: 'plan', title: 'Agree the supervision plan', ownerRole: 'lead', dueDays: 14, required: true },
      ],
    },
    {
      code: 'recalled',
      name: 'Recalled to custody',
      entry: { kind: 'event', event: 'recalled' },
      milestones: [],
      tasks: [
        {
          code: 'recall-review',
          title: 'Review the plan after recall',
          ownerRole: 'lead',
          dueDays: 7,
          required: true,
        },
      ],
    },
  ],
}

export const DEFAULT_TEMPLATES: { name: string; cohortCodes: string[]; definition: Definition }[] = [
  {
    name: 'IOM resettlement',
    cohortCodes: ['IOM-FIXED', 'IOM-FLEX', 'IOM-FREE', 'PPO'],
    definition: resettlement,
  },
  { name: 'Short custodial sentence', cohortCodes: ['SHORT-SENTENCE'], definition: shortSentence },
]

/** Inserts the default templates, published, for each of their cohorts that exists. Returns how many. */
export async function seedProcessTemplates(db: Db, cohorts: Record<string, string>, at = new Date()) {
  const rows = DEFAULT_TEMPLATES.flatMap((t) => {
    const problems = checkDefinition(t.definition, true)
    if (problems.length) throw new Error(`${t.name}: ${problems.map((p) => p.message).join('; ')}`)
    return t.cohortCodes
      .filter((code) => cohorts[code])
      .map((code) => ({
        family_id: randomUUID(),
        version: 1,
        name: t.name,
        cohort_id: cohorts[code]!,
        region_id: null,
        status: 'published' as const,
        definition: JSON.stringify(t.definition),
        created_by: null,
        published_at: at,
      }))
  })
  if (rows.length) await db.insertInto('process_templates').values(rows).execute()
  return rows.length
}
