import { z } from 'zod'

const optionalDate = (label: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined))
    .pipe(
      z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/, `${label} must be a date like 2026-03-21`)
        .optional(),
    )

export const AccessLogQuery = z.object({
  crn: z
    .string()
    .trim()
    .toUpperCase()
    .optional()
    .transform((v) => (v ? v : undefined))
    .pipe(
      z
        .string()
        .regex(/^[A-Z][0-9]{6}$/, 'Enter a CRN in the correct format, like X123456')
        .optional(),
    ),
  email: z
    .string()
    .trim()
    .max(320)
    .optional()
    .transform((v) => (v ? v : undefined)),
  action: z
    .enum(
      [
        '',
        'read',
        'search',
        'list',
        'create',
        'update',
        'delete',
        'export',
        'sign-in',
        'sign-out',
        'break-glass',
        'review',
      ],
      {
        message: 'Choose an action from the list',
      },
    )
    .optional()
    .transform((v) => (v ? v : undefined)),
  from: optionalDate('From'),
  to: optionalDate('To'),
  before: z.coerce.number().int().positive().optional(),
})

export const BreakGlassReviewForm = z.object({
  outcome: z.enum(['justified', 'not_justified'], { message: 'Choose whether the access was justified' }),
  note: z
    .string()
    .trim()
    .min(1, 'Enter a note explaining your decision')
    .max(2000, 'Note must be 2000 characters or fewer'),
})
