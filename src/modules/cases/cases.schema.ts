import { z } from 'zod'
import { ALLOCATION_ROLE_NAMES } from '../../platform/access/actor.js'
import { CASELOAD_SORTS } from './caseload.repository.js'

export const ROSH_LEVELS = ['low', 'medium', 'high', 'very_high'] as const
export const TIER_LETTERS = ['A', 'B', 'C', 'D'] as const

const blankToUndefined = (v: unknown) => (v === '' || v === null ? undefined : v)
const single = (v: unknown) => (Array.isArray(v) ? v[0] : v)

/** Caseload filters and order, from the query string; empty fields mean "any". */
export const CaseloadQuery = z.object({
  risk: z.preprocess(
    (v) => blankToUndefined(single(v)),
    z.enum(ROSH_LEVELS, { message: 'Choose a risk level from the list' }).optional(),
  ),
  tier: z.preprocess(
    (v) => blankToUndefined(single(v)),
    z.enum(TIER_LETTERS, { message: 'Choose a tier from the list' }).optional(),
  ),
  stage: z.preprocess(
    (v) => blankToUndefined(single(v)),
    z
      .string()
      .regex(/^[a-z0-9_-]{1,60}$/, 'Choose a stage from the list')
      .optional(),
  ),
  flagged: z.preprocess((v) => single(v) === 'yes', z.boolean()),
  overdue: z.preprocess((v) => single(v) === 'yes', z.boolean()),
  sort: z.preprocess(
    (v) => blankToUndefined(single(v)),
    z.enum(CASELOAD_SORTS).catch('name').default('name'),
  ),
  order: z.preprocess(
    (v) => blankToUndefined(single(v)),
    z.enum(['ascending', 'descending']).catch('ascending').default('ascending'),
  ),
})
export type CaseloadQueryValue = z.infer<typeof CaseloadQuery>

export const CrnParam = z
  .string()
  .transform((v) => v.trim().toUpperCase())
  .pipe(z.string().regex(/^[A-Z][0-9]{6}$/))

export const UuidParam = z.string().uuid()

const note = (max: number, label: string) =>
  z.string().trim().max(max, `${label} must be ${max} characters or fewer`).default('')

export const AllocateForm = z.object({
  requestId: z.string().uuid('This case is no longer waiting: go back to the allocation queue'),
  userId: z.string({ message: 'Choose a practitioner' }).uuid('Choose a practitioner'),
  note: note(2000, 'The note'),
})

export const ReallocateForm = z.object({
  currentLeadId: z.string().uuid().or(z.literal('none')),
  userId: z.string({ message: 'Choose the new lead practitioner' }).uuid('Choose the new lead practitioner'),
  handoverNote: z
    .string({ message: 'Enter a handover note for the new lead practitioner' })
    .trim()
    .min(1, 'Enter a handover note for the new lead practitioner')
    .max(4000, 'The handover note must be 4000 characters or fewer'),
})

const partnerRoles = Object.keys(ALLOCATION_ROLE_NAMES).filter((r) => r !== 'probation_practitioner')

export const CoWorkerForm = z.object({
  userId: z.string({ message: 'Choose who to add' }).uuid('Choose who to add'),
  role: z
    .string({ message: 'Choose their role' })
    .refine((r) => partnerRoles.includes(r), 'Choose their role'),
})
export const CO_WORKER_ROLES = partnerRoles

export const EndCoWorkerForm = z.object({
  reason: z
    .string({ message: 'Enter why this allocation is ending' })
    .trim()
    .min(1, 'Enter why this allocation is ending')
    .max(500, 'The reason must be 500 characters or fewer'),
})

const points = (label: string) =>
  z
    .string({ message: `Enter points for ${label}` })
    .trim()
    .min(1, `Enter points for ${label}`)
    .regex(/^\d{1,4}(\.\d{1,2})?$/, `Points for ${label} must be a number from 0 to 9999.99, like 3 or 2.5`)
    .transform(Number)

/** The weights form: one field per weight, named `<factor>-<value>`, and the two settings. */
export function workloadSettingsSchema(weights: { factor: string; value: string; label: string }[]) {
  return z.object({
    fullTimeHours: z
      .string({ message: 'Enter full-time hours' })
      .trim()
      .regex(/^\d{1,2}(\.\d)?$/, 'Full-time hours must be a number like 37 or 37.5')
      .transform(Number)
      .refine((v) => v > 0, 'Full-time hours must be more than 0'),
    fullTimePoints: z
      .string({ message: 'Enter points at full capacity' })
      .trim()
      .regex(/^\d{1,5}(\.\d)?$/, 'Points at full capacity must be a number like 200')
      .transform(Number)
      .refine((v) => v > 0, 'Points at full capacity must be more than 0'),
    ...Object.fromEntries(weights.map((w) => [`${w.factor}-${w.value}`, points(w.label)])),
  })
}
