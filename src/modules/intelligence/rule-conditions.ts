import { z } from 'zod'
import { formatDate, humanise } from '../../platform/views/format.js'

/**
 * The fixed library of conditions a rule can use. A rule is data: one of these kinds with its
 * parameters; each kind is one parameterised SQL query (rule-conditions.repository.ts) that
 * returns the evidence from which the flag's reason is written.
 */
export const CONDITION_KINDS = [
  'release_without_accommodation',
  'released_homeless',
  'absences_in_window',
  'no_contact',
  'registration_added',
  'mappa_raised',
  'licence_end_approaching',
  'overdue_plan_actions',
  'duplicate_services',
  'recalled',
] as const
export type ConditionKind = (typeof CONDITION_KINDS)[number]

const days = (max: number) =>
  z.coerce
    .number({ message: 'Enter the number of days as a whole number' })
    .int('Enter the number of days as a whole number')
    .min(1, 'The number of days must be 1 or more')
    .max(max, `The number of days must be ${max} or fewer`)

const ROSH = ['low', 'medium', 'high', 'very_high'] as const

/** Parameters of each kind, with GOV.UK error messages for the rule editor. */
export const PARAMETER_SCHEMAS = {
  release_without_accommodation: z.object({ days: days(180) }),
  released_homeless: z.object({ days: days(365) }),
  absences_in_window: z.object({
    count: z.coerce
      .number({ message: 'Enter the number of absences as a whole number' })
      .int('Enter the number of absences as a whole number')
      .min(1, 'The number of absences must be 1 or more')
      .max(20, 'The number of absences must be 20 or fewer'),
    days: days(365),
  }),
  no_contact: z.object({
    days: days(365),
    roshLevels: z
      .array(z.enum(ROSH, { message: 'Choose risk of serious harm levels from the list' }))
      .min(1, 'Select at least one risk of serious harm level'),
  }),
  registration_added: z.object({
    days: days(365),
    typeCodes: z
      .array(z.string().regex(/^[A-Z0-9]{2,8}$/, 'Register codes are 2 to 8 capital letters or digits'))
      .min(1, 'Enter at least one register code'),
  }),
  mappa_raised: z.object({
    days: days(365),
    minimumLevel: z.coerce
      .number({ message: 'Enter a MAPPA level from 1 to 3' })
      .int('Enter a MAPPA level from 1 to 3')
      .min(1, 'Enter a MAPPA level from 1 to 3')
      .max(3, 'Enter a MAPPA level from 1 to 3'),
  }),
  licence_end_approaching: z.object({ days: days(365) }),
  overdue_plan_actions: z.object({
    minimum: z.coerce
      .number({ message: 'Enter the number of actions as a whole number' })
      .int('Enter the number of actions as a whole number')
      .min(1, 'The number of actions must be 1 or more')
      .max(100, 'The number of actions must be 100 or fewer'),
  }),
  duplicate_services: z.object({}),
  recalled: z.object({ days: days(365) }),
} satisfies Record<ConditionKind, z.ZodType>

export type Parameters<K extends ConditionKind = ConditionKind> = z.infer<(typeof PARAMETER_SCHEMAS)[K]>

/** One person for whom a rule's condition holds, and what it rests on. */
export interface Hold {
  personId: string
  /** Identifies the condition: at most one open flag per person and key. */
  conditionKey: string
  /** Facts for the reason text and the record; `fingerprint` says whether it is the same situation. */
  evidence: Record<string, unknown> & { fingerprint: string }
}

interface KindInfo {
  label: string
  /** Event types (by prefix) after which the condition may have changed for the person. */
  events: string[]
  /** Holds or clears with the passing of time, so the periodic sweep must look again. */
  timed: boolean
  /** Placeholders its reason template may use. */
  placeholders: string[]
  /** Which editor fields it has. */
  fields: ('days' | 'count' | 'minimum' | 'minimumLevel' | 'roshLevels' | 'typeCodes')[]
}

export const KINDS: Record<ConditionKind, KindInfo> = {
  release_without_accommodation: {
    label: 'Release due with no confirmed accommodation',
    events: ['custody.', 'sentence.', 'licence.', 'person.address', 'accommodation.', 'identity.'],
    timed: true,
    placeholders: ['releaseDate', 'daysToRelease', 'days'],
    fields: ['days'],
  },
  released_homeless: {
    label: 'Released with no fixed abode',
    events: ['custody.', 'person.address', 'accommodation.', 'identity.'],
    timed: true,
    placeholders: ['releasedOn', 'days'],
    fields: ['days'],
  },
  absences_in_window: {
    label: 'Unacceptable absences within a period',
    events: ['appointment.'],
    timed: true,
    placeholders: ['count', 'days', 'dates'],
    fields: ['count', 'days'],
  },
  no_contact: {
    label: 'No contact for a number of days',
    events: ['contact.', 'registration.', 'risk-scores.', 'custody.', 'person.'],
    timed: true,
    placeholders: ['daysSince', 'lastContact', 'rosh', 'days'],
    fields: ['days', 'roshLevels'],
  },
  registration_added: {
    label: 'Registration added',
    events: ['registration.'],
    timed: true,
    placeholders: ['registration', 'registeredOn', 'days'],
    fields: ['days', 'typeCodes'],
  },
  mappa_raised: {
    label: 'MAPPA level raised',
    events: ['registration.'],
    timed: true,
    placeholders: ['fromLevel', 'toLevel', 'registeredOn'],
    fields: ['days', 'minimumLevel'],
  },
  licence_end_approaching: {
    label: 'Licence end approaching',
    events: ['sentence.', 'licence.', 'custody.'],
    timed: true,
    placeholders: ['licenceEnd', 'daysLeft', 'days'],
    fields: ['days'],
  },
  overdue_plan_actions: {
    label: 'Overdue plan actions',
    events: ['plan.'],
    timed: true,
    placeholders: ['count', 'oldestDue'],
    fields: ['minimum'],
  },
  duplicate_services: {
    label: 'Duplicate services across agencies',
    events: ['plan.'],
    timed: false,
    placeholders: ['service', 'detectedOn'],
    fields: [],
  },
  recalled: {
    label: 'Recall considered or decided',
    events: ['recall.', 'custody.received'],
    timed: true,
    placeholders: ['recall', 'recallDate'],
    fields: ['days'],
  },
}

export function isConditionKind(kind: string): kind is ConditionKind {
  return (CONDITION_KINDS as readonly string[]).includes(kind)
}

/** Whether an event of this type may change the rule's condition for its person. */
export function concernsKind(kind: ConditionKind, eventType: string): boolean {
  return KINDS[kind].events.some((prefix) => eventType.startsWith(prefix))
}

/** Placeholders in a template that the kind does not provide (the editor rejects those). */
export function unknownPlaceholders(kind: ConditionKind, template: string): string[] {
  const used = [...template.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1] ?? '')
  return used.filter((name) => !KINDS[kind].placeholders.includes(name))
}

/** "3 March and 17 March 2026" style lists of dates. */
function dateList(values: unknown): string {
  const dates = (Array.isArray(values) ? values : []).map((v) => formatDate(String(v)))
  if (dates.length <= 1) return dates.join('')
  return `${dates.slice(0, -1).join(', ')} and ${dates.at(-1)}`
}

const DATE_FIELDS = new Set([
  'releaseDate',
  'releasedOn',
  'lastContact',
  'registeredOn',
  'licenceEnd',
  'oldestDue',
  'detectedOn',
  'recallDate',
])

/** Writes the reason from the template and the evidence, e.g. "2 unacceptable absences in 30 days: …". */
export function renderReason(template: string, evidence: Record<string, unknown>): string {
  return template.replace(/\{([A-Za-z]+)\}/g, (_, name: string) => {
    const value = evidence[name]
    if (name === 'dates') return dateList(value)
    if (name === 'rosh') return humanise(String(value ?? '')).toLowerCase()
    if (name === 'service') return humanise(String(value ?? ''))
    if (DATE_FIELDS.has(name)) return value ? formatDate(String(value)) : 'never'
    return value === null || value === undefined ? '' : String(value)
  })
}
