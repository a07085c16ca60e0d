import { z } from 'zod'
import { NotFoundError } from '../../errors.js'
import { AGENCY_KINDS, ALLOCATION_ROLE_NAMES } from '../../platform/access/actor.js'
import { dateFromParts, toArray, type FormErrors } from '../../platform/http/forms.js'

export const SENTENCE_TYPES = ['community', 'suspended', 'short_custody', 'long_custody'] as const
export const ROSH_LEVELS = ['low', 'medium', 'high', 'very_high'] as const
export const CUSTODY_STATUSES = [
  'community',
  'in_custody',
  'released_on_licence',
  'unlawfully_at_large',
  'order_ended',
] as const
/** The OGRS3 offence categories sentences are recorded under. */
export const OFFENCE_CATEGORIES = [
  'violence',
  'robbery',
  'public_order',
  'sexual_not_against_child',
  'sexual_against_child',
  'burglary_domestic',
  'burglary_other',
  'theft_non_motor',
  'handling_stolen_goods',
  'fraud_forgery',
  'absconding_bail',
  'taking_and_driving_away',
  'theft_from_vehicles',
  'drink_driving',
  'other_motoring',
  'criminal_damage',
  'drug_import_export_production',
  'drug_possession_supply',
  'other',
] as const
export const PATHWAYS = [
  'accommodation',
  'education_training_employment',
  'health',
  'drugs_alcohol',
  'finance_benefit_debt',
  'children_families',
  'attitudes_thinking_behaviour',
] as const
export type Pathway = (typeof PATHWAYS)[number]
export const TASK_TYPES = [
  'home_visit',
  'drug_testing',
  'accommodation_referral',
  'employment_referral',
  'intelligence_sharing',
] as const
export type TaskType = (typeof TASK_TYPES)[number]

/** Eligibility criteria, stored as data on the cohort. Every criterion is optional; the area is the cohort's region. */
export const Criteria = z
  .object({
    offenceCategories: z.array(z.enum(OFFENCE_CATEGORIES)).optional(),
    sentenceTypes: z.array(z.enum(SENTENCE_TYPES)).optional(),
    minSentenceDays: z.number().int().min(0).max(36500).optional(),
    maxSentenceDays: z.number().int().min(0).max(36500).optional(),
    roshLevels: z.array(z.enum(ROSH_LEVELS)).optional(),
    minAge: z.number().int().min(0).max(120).optional(),
    maxAge: z.number().int().min(0).max(120).optional(),
    custodyStatuses: z.array(z.enum(CUSTODY_STATUSES)).optional(),
  })
  .strict()
export type Criteria = z.infer<typeof Criteria>

/** Criteria read back from the database; a malformed value suggests nobody rather than failing. */
export function criteriaOf(stored: unknown): Criteria {
  const parsed = Criteria.safeParse(stored)
  return parsed.success ? parsed.data : {}
}

const text = (label: string, max: number) =>
  z
    .string({ message: `Enter ${label}` })
    .trim()
    .min(1, `Enter ${label}`)
    .max(max, `${label.charAt(0).toUpperCase()}${label.slice(1)} must be ${max} characters or fewer`)

/** A checkbox group: any of `values`, or nothing (undefined), with one message for the whole group. */
const several = <T extends string>(values: readonly T[], message: string) =>
  z
    .preprocess(toArray, z.array(z.string()))
    .refine((chosen) => chosen.every((v) => (values as readonly string[]).includes(v)), message)
    .transform((chosen) => (chosen.length ? (chosen as T[]) : undefined))

const optionalWhole = (label: string, max: number) =>
  z.preprocess(
    (v) => (v === undefined || v === null || (typeof v === 'string' && v.trim() === '') ? undefined : v),
    z.coerce
      .number({ message: `${label} must be a whole number` })
      .int(`${label} must be a whole number`)
      .min(0, `${label} must be 0 or more`)
      .max(max, `${label} must be ${max} or less`)
      .optional(),
  )

export const CohortForm = z
  .object({
    name: text('a cohort name', 200),
    description: z.string().trim().max(1000, 'Description must be 1000 characters or fewer').default(''),
    regionId: z
      .string()
      .optional()
      .transform((v) => (v ? v : null))
      .pipe(z.string().uuid('Choose an area from the list').nullable()),
    offenceCategories: several(OFFENCE_CATEGORIES, 'Choose offence types from the list'),
    sentenceTypes: several(SENTENCE_TYPES, 'Choose sentence types from the list'),
    minSentenceDays: optionalWhole('Shortest sentence', 36500),
    maxSentenceDays: optionalWhole('Longest sentence', 36500),
    roshLevels: several(ROSH_LEVELS, 'Choose risk levels from the list'),
    minAge: optionalWhole('Youngest age', 120),
    maxAge: optionalWhole('Oldest age', 120),
    custodyStatuses: several(CUSTODY_STATUSES, 'Choose custody statuses from the list'),
  })
  .superRefine((v, ctx) => {
    if (
      v.minSentenceDays !== undefined &&
      v.maxSentenceDays !== undefined &&
      v.minSentenceDays > v.maxSentenceDays
    )
      ctx.addIssue({
        code: 'custom',
        path: ['maxSentenceDays'],
        message: 'Longest sentence must be the same as or longer than the shortest sentence',
      })
    if (v.minAge !== undefined && v.maxAge !== undefined && v.minAge > v.maxAge)
      ctx.addIssue({
        code: 'custom',
        path: ['maxAge'],
        message: 'Oldest age must be the same as or older than the youngest age',
      })
  })
export type CohortFormValue = z.infer<typeof CohortForm>

export const NewCohortForm = z.intersection(
  CohortForm,
  z.object({
    code: z
      .string({ message: 'Enter a cohort code' })
      .trim()
      .toUpperCase()
      .min(2, 'Enter a cohort code, at least 2 characters')
      .max(20, 'Cohort code must be 20 characters or fewer')
      .regex(/^[A-Z0-9_-]+$/, 'Cohort code must only use letters, numbers, hyphens and underscores'),
  }),
)

export const EditCohortForm = z.intersection(
  CohortForm,
  z.object({ version: z.coerce.number().int().positive() }),
)

/** The criteria part of a cohort form, as stored. */
export function criteriaFrom(v: CohortFormValue): Criteria {
  const all: Criteria = {
    offenceCategories: v.offenceCategories,
    sentenceTypes: v.sentenceTypes,
    minSentenceDays: v.minSentenceDays,
    maxSentenceDays: v.maxSentenceDays,
    roshLevels: v.roshLevels,
    minAge: v.minAge,
    maxAge: v.maxAge,
    custodyStatuses: v.custodyStatuses,
  }
  return Object.fromEntries(Object.entries(all).filter(([, value]) => value !== undefined)) as Criteria
}

const reason = (label: string) => text(label, 2000)

/** Joins the review date's three fields so the schema can judge it. */
export function decisionBody(body: unknown) {
  const fields = (body ?? {}) as Record<string, unknown>
  return { ...fields, reviewOn: dateFromParts(fields, 'reviewOn') }
}

/** The form as typed, to show again with its problems: the review date's parts as given. */
export function decisionValues(body: unknown) {
  const fields = (body ?? {}) as Record<string, unknown>
  return {
    ...fields,
    reviewOnParts: {
      day: fields['reviewOn-day'],
      month: fields['reviewOn-month'],
      year: fields['reviewOn-year'],
    },
  }
}

/** The error summary links a review date problem to the date's first field. */
export function linkReviewOnToDay(errors: FormErrors): FormErrors {
  return {
    ...errors,
    list: errors.list.map((e) => (e.href === '#reviewOn' ? { ...e, href: '#reviewOn-day' } : e)),
  }
}

/** Select a suggested person (with a reason and a future review date) or record that they are not selected. */
export function decisionForm(today: string) {
  return z
    .object({
      decision: z.enum(['select', 'not_select'], { message: 'Choose whether to select this person' }),
      reason: reason('the reason for your decision'),
      reviewOn: z.string().optional().default(''),
    })
    .superRefine((v, ctx) => {
      if (v.decision !== 'select') return
      const problem =
        v.reviewOn === ''
          ? 'Enter the review date'
          : v.reviewOn === 'invalid'
            ? 'Review date must be a real date'
            : v.reviewOn <= today
              ? 'Review date must be in the future'
              : null
      if (problem) ctx.addIssue({ code: 'custom', path: ['reviewOn'], message: problem })
    })
    .transform((v) => ({
      decision: v.decision,
      reason: v.reason,
      reviewOn: v.decision === 'select' ? v.reviewOn : null,
    }))
}

export const DeselectForm = z.object({ reason: reason('the reason for removing this person') })

/**
 * A member's new review date (today or later, a real date) with the reason; `seenReviewOn` is the
 * date the form showed, so a change made meanwhile by someone else is a conflict, not overwritten.
 */
export function reviewDateForm(today: string) {
  return z.object({
    reviewOn: z
      .string()
      .optional()
      .default('')
      .superRefine((v, ctx) => {
        const problem =
          v === ''
            ? 'Enter the new review date'
            : v === 'invalid'
              ? 'Review date must be a real date'
              : v < today
                ? 'Review date must be today or in the future'
                : null
        if (problem) ctx.addIssue({ code: 'custom', message: problem })
      }),
    reason: reason('the reason for changing the review date'),
    seenReviewOn: z
      .string()
      .optional()
      .default('')
      .refine((v) => v === '' || /^\d{4}-\d{2}-\d{2}$/.test(v), 'Reload the page and try again'),
  })
}

const CohortCodeParam = z.string().regex(/^[A-Za-z0-9_-]{1,20}$/)

/** The cohort code in a route's parameters; anything else is a page that does not exist. */
export function codeOf(params: unknown): string {
  const code = CohortCodeParam.safeParse((params as { code?: unknown }).code)
  if (!code.success) throw new NotFoundError()
  return code.data.toUpperCase()
}

const optionalChoice = <T extends readonly [string, ...string[]]>(values: T, message: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v ? v : undefined))
    .pipe(z.enum(values, { message }).optional())

export const MemberFilters = z.object({
  team: z
    .string()
    .optional()
    .transform((v) => (v ? v : undefined))
    .pipe(z.string().uuid('Choose a team from the list').optional()),
  risk: optionalChoice(ROSH_LEVELS, 'Choose a risk level from the list'),
  review: optionalChoice(['due'] as const, 'Choose whether to show only reviews due'),
  page: z.coerce.number().int().min(1).max(10000).catch(1).default(1),
})

export const PageQuery = z.object({ page: z.coerce.number().int().min(1).max(10000).catch(1).default(1) })

/** 'national', a region's id, or nothing (every area). */
export const AreaQuery = z.object({
  area: z
    .string()
    .optional()
    .transform((v) => (v ? v : undefined))
    .pipe(
      z
        .union([z.literal('national'), z.string().uuid()], { message: 'Choose an area from the list' })
        .optional(),
    ),
})

export const ALLOCATION_ROLES = Object.keys(ALLOCATION_ROLE_NAMES)

/** One row of the responsibilities matrix: a lead agency kind (blank = inherit) and an allocation role. */
export const ResponsibilityRow = z.object({
  lead: z
    .string()
    .optional()
    .transform((v) => (v ? v : null))
    .pipe(z.enum(AGENCY_KINDS, { message: 'Choose a lead agency from the list' }).nullable()),
  role: z
    .string()
    .optional()
    .transform((v) => (v ? v : null))
    .refine((v) => v === null || ALLOCATION_ROLES.includes(v), 'Choose a role from the list'),
  version: z.coerce.number().int().min(0).catch(0),
})
