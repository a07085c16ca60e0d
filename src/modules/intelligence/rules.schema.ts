import { z } from 'zod'
import { toArray } from '../../platform/http/forms.js'

export const RuleCodeParam = z.string().regex(/^[A-Z][A-Z0-9_]{1,39}$/)
export const VersionParam = z.coerce.number().int().min(1).max(100_000)

const wholeNumber = (what: string, min: number, max: number) =>
  z.coerce
    .number({ message: `Enter ${what} as a whole number` })
    .int(`Enter ${what} as a whole number`)
    .min(min, `${what[0]!.toUpperCase()}${what.slice(1)} must be ${min} or more`)
    .max(max, `${what[0]!.toUpperCase()}${what.slice(1)} must be ${max} or fewer`)

/** A new version of a rule as the editor posts it; the condition's parameters are checked per kind. */
export const RuleForm = z
  .object({
    basedOn: z.coerce.number().int().min(1),
    name: z.string().trim().min(1, 'Enter a name').max(100, 'Name must be 100 characters or fewer'),
    description: z.string().trim().max(500, 'Description must be 500 characters or fewer').default(''),
    severity: z.enum(['low', 'medium', 'high', 'critical'], { message: 'Select a severity' }),
    reasonTemplate: z
      .string()
      .trim()
      .min(1, 'Enter the reason text')
      .max(300, 'Reason text must be 300 characters or fewer'),
    acknowledgeWithinHours: wholeNumber('the hours to acknowledge within', 1, 8760),
    taskOwnerRole: z
      .enum(['', 'lead_practitioner', 'manager', 'coordinator'], { message: 'Select who the task is for' })
      .default(''),
    taskDueDays: z.string().trim().default(''),
    days: z.string().trim().optional(),
    count: z.string().trim().optional(),
    minimum: z.string().trim().optional(),
    minimumLevel: z.string().trim().optional(),
    roshLevels: z.preprocess(toArray, z.array(z.string())).optional(),
    typeCodes: z.string().trim().optional(),
  })
  .superRefine((form, ctx) => {
    if (form.taskOwnerRole === '') return
    const days = Number(form.taskDueDays)
    if (form.taskDueDays === '' || !Number.isInteger(days) || days < 0 || days > 365)
      ctx.addIssue({
        code: 'custom',
        path: ['taskDueDays'],
        message: 'Enter the days until the task is due as a whole number from 0 to 365',
      })
  })

export type RuleFormValue = z.infer<typeof RuleForm>

export const FlagActionForm = z.discriminatedUnion('action', [
  z.object({ action: z.literal('acknowledge'), status: z.string().optional() }),
  z.object({
    action: z.literal('resolve'),
    status: z.enum(['raised', 'acknowledged']),
    reason: z.string().trim().max(500, 'Reason must be 500 characters or fewer').default(''),
  }),
  z.object({
    action: z.literal('dismiss'),
    status: z.enum(['raised', 'acknowledged']),
    reason: z
      .string({ message: 'Enter why you are dismissing this flag' })
      .trim()
      .min(1, 'Enter why you are dismissing this flag')
      .max(500, 'Reason must be 500 characters or fewer'),
  }),
])
