import { z } from 'zod'

const MAX_PERIOD_DAYS = 3660

const day = (label: string) =>
  z
    .string({ message: `${label} must be a date like 2026-03-21` })
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined))
    .pipe(
      z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/, `${label} must be a date like 2026-03-21`)
        .refine((v) => {
          const date = new Date(`${v}T00:00:00Z`)
          return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === v
        }, `${label} must be a real date`)
        .optional(),
    )

/**
 * The fairness filters, from the query string: a rule (`flag:CODE` or `suggestion:kind`, or
 * every rule), and a period of whole days in London time. Either date may be left out.
 */
export const FairnessQuery = z
  .object({
    rule: z
      .string({ message: 'Choose a rule from the list' })
      .trim()
      .optional()
      .transform((v) => (v ? v : undefined))
      .pipe(
        z
          .string()
          .regex(/^(flag:[A-Z][A-Z0-9_]{1,39}|suggestion:[a-z][a-z_]{1,39})$/, 'Choose a rule from the list')
          .optional(),
      ),
    from: day('From'),
    to: day('To'),
  })
  .superRefine((q, ctx) => {
    if (!q.from || !q.to) return
    if (q.from > q.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'To must be on or after From' })
    else if ((Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 > MAX_PERIOD_DAYS)
      ctx.addIssue({ code: 'custom', path: ['from'], message: 'The period must be 10 years or shorter' })
  })
export type FairnessQuery = z.infer<typeof FairnessQuery>
