import { z } from 'zod'

export const CRN_PATTERN = /^[A-Z][0-9]{6}$/

export const CrnParam = z
  .string()
  .transform((v) => v.trim().toUpperCase())
  .pipe(z.string().regex(CRN_PATTERN))

const optionalId = (message: string) =>
  z
    .string()
    .optional()
    .transform((v) => v || undefined)
    .pipe(z.string().uuid(message).optional())

export const SearchQuery = z.object({
  q: z.string().trim().max(100, 'Search must be 100 characters or fewer').default(''),
  region: optionalId('Choose a region from the list'),
  team: optionalId('Choose a team from the list'),
  cohort: optionalId('Choose a cohort from the list'),
})

export const BreakGlassForm = z.object({
  crn: z
    .string()
    .transform((v) => v.trim().toUpperCase())
    .pipe(z.string().regex(CRN_PATTERN, 'Enter a CRN in the correct format, like X123456')),
  reason: z
    .string()
    .trim()
    .min(20, 'Explain why you need emergency access, in at least 20 characters')
    .max(1000, 'Reason must be 1000 characters or fewer'),
})

/** The keyset cursor of a timeline page: items older than this point ("<ISO time>|<id>"). */
export const TimelineCursor = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z\|\d+$/, 'must be the `next` value of the previous page')
  .transform((v) => {
    const [at, id] = v.split('|') as [string, string]
    return { at: new Date(at), id: Number(id) }
  })

export const PATHWAYS = [
  'accommodation',
  'education_training_employment',
  'health',
  'drugs_alcohol',
  'finance_benefit_debt',
  'children_families',
  'attitudes_thinking_behaviour',
] as const

const optionalDay = (label: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => v || undefined)
    .pipe(
      z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/, `${label} must be a date like 2026-03-21`)
        .optional(),
    )

/** Timeline filters, from the query string. Empty fields mean "any". */
export const TimelineFilters = z.object({
  agency: z
    .string()
    .optional()
    .transform((v) => v || undefined)
    .pipe(z.string().uuid('Choose an agency from the list').optional()),
  kind: z
    .string()
    .trim()
    .max(40)
    .regex(/^[a-z-]*$/, 'Choose a kind from the list')
    .optional()
    .transform((v) => v || undefined),
  pathway: z
    .enum(['', ...PATHWAYS], { message: 'Choose a pathway from the list' })
    .optional()
    .transform((v) => v || undefined),
  from: optionalDay('From'),
  to: optionalDay('To'),
  before: TimelineCursor.optional(),
})
