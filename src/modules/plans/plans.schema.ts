import { z } from 'zod'
import { dateFromParts, toArray } from '../../platform/http/forms.js'
import {
  ACTION_STATUSES,
  CIRCUMSTANCES,
  OBJECTIVE_STATUSES,
  PATHWAYS,
  SERVICE_TYPES,
} from './plans.policy.js'

const text = (label: string, max: number) =>
  z
    .string({ message: `Enter ${label}` })
    .trim()
    .min(1, `Enter ${label}`)
    .max(max, `${label.charAt(0).toUpperCase()}${label.slice(1)} must be ${max} characters or fewer`)

const optionalUuid = (message: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v ? v : null))
    .pipe(z.string().uuid(message).nullable())

export const IdParam = z.string().uuid()

export const ObjectiveForm = z.object({
  pathway: z.enum(PATHWAYS, { message: 'Choose a pathway' }),
  needId: optionalUuid('Choose an assessed need from the list'),
  description: text('what the objective is', 1000),
})
export type ObjectiveInput = z.infer<typeof ObjectiveForm>

const version = z.coerce
  .number({ message: 'Reload the page and try again' })
  .int('Reload the page and try again')
  .positive('Reload the page and try again')

/**
 * An edit of an objective. Whether a reason is needed depends on the status it had (withdrawing
 * needs one; rewording an objective already withdrawn does not), so the service checks that.
 * `confirmCancel` lists the open actions the user agreed to cancel when withdrawing.
 */
export const EditObjectiveForm = z.object({
  description: text('what the objective is', 1000),
  status: z.enum(OBJECTIVE_STATUSES, {
    message: 'Choose whether the objective is active, achieved or withdrawn',
  }),
  statusReason: z
    .string()
    .trim()
    .max(500, 'Reason must be 500 characters or fewer')
    .optional()
    .transform((v) => (v ? v : null)),
  version,
  confirmCancel: z.preprocess(toArray, z.array(z.string().uuid('Reload the page and try again'))),
})
export type EditObjectiveInput = z.infer<typeof EditObjectiveForm>

const actionFields = {
  description: text('what will be done', 1000),
  serviceType: z
    .string()
    .optional()
    .transform((v) => (v ? v : null))
    .pipe(z.enum(SERVICE_TYPES, { message: 'Choose a service type from the list' }).nullable()),
  ownerAgencyId: z
    .string({ message: 'Choose the agency that owns this action' })
    .uuid('Choose the agency that owns this action'),
  ownerUserId: optionalUuid('Choose the person from the list'),
  dueOn: z
    .string()
    .refine((v) => v !== 'invalid', 'Due date must be a real date, like 27 3 2027')
    .transform((v) => (v ? v : null)),
  dependsOn: z.preprocess(
    toArray,
    z.array(z.enum(CIRCUMSTANCES, { message: 'Choose circumstances from the list' })),
  ),
}

export const ActionForm = z.object(actionFields)
export type ActionInput = z.infer<typeof ActionForm>

export const EditActionForm = z
  .object({
    ...actionFields,
    status: z.enum(ACTION_STATUSES, { message: 'Choose a status' }),
    statusReason: z
      .string()
      .trim()
      .max(500, 'Reason must be 500 characters or fewer')
      .optional()
      .transform((v) => (v ? v : null)),
    version: z.coerce.number({ message: 'Reload the page and try again' }).int().positive(),
  })
  .superRefine((value, ctx) => {
    if ((value.status === 'suspended' || value.status === 'cancelled') && !value.statusReason)
      ctx.addIssue({
        code: 'custom',
        path: ['statusReason'],
        message: `Enter why the action is ${value.status}`,
      })
  })
export type EditActionInput = z.infer<typeof EditActionForm>

export const NoteForm = z.object({ note: text('a progress note', 2000) })

export const ResolveForm = z.object({ resolution: text('how the duplication was resolved', 1000) })

export const ReportQuery = z.object({
  cohort: z
    .string()
    .optional()
    .transform((v) => (v ? v : null))
    .pipe(z.string().uuid('Choose a cohort from the list').nullable()),
})

/** A posted action form with its GOV.UK date input joined into `dueOn`. */
export function actionBody(body: unknown): Record<string, unknown> {
  const fields = (body ?? {}) as Record<string, unknown>
  return { ...fields, dueOn: dateFromParts(fields, 'dueOn') }
}
