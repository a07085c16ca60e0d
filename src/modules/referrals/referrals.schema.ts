import { z } from 'zod'
import { NEEDS_REASON, PATHWAYS, REFERRAL_STATUSES, SERVICE_TYPES } from './referrals.policy.js'

const text = (label: string, max: number) =>
  z
    .string({ message: `Enter ${label}` })
    .trim()
    .min(1, `Enter ${label}`)
    .max(max, `${label.charAt(0).toUpperCase()}${label.slice(1)} must be ${max} characters or fewer`)

const optionalText = (label: string, max: number) =>
  z
    .string()
    .trim()
    .max(max, `${label} must be ${max} characters or fewer`)
    .optional()
    .transform((v) => (v ? v : null))

export const IdParam = z.string().uuid()

export const ReferralForm = z.object({
  serviceType: z.enum(SERVICE_TYPES, { message: 'Choose the service the person is referred to' }),
  pathway: z.enum(PATHWAYS, { message: 'Choose the pathway the referral is for' }),
  providerAgencyId: z
    .string({ message: 'Choose the provider to send the referral to' })
    .uuid('Choose the provider to send the referral to'),
  reason: text('the reason for the referral', 2000),
  notes: optionalText('Further information', 2000),
  /** Which button was pressed: send now, or keep as a draft. */
  send: z
    .enum(['now', 'draft'], { message: 'Choose whether to send the referral now' })
    .optional()
    .transform((v) => v !== 'draft'),
})
export type ReferralInput = z.infer<typeof ReferralForm>

export const UpdateForm = z
  .object({
    status: z
      .string()
      .optional()
      .transform((v) => (v ? v : null))
      .pipe(z.enum(REFERRAL_STATUSES, { message: 'Choose a status from the list' }).nullable()),
    note: text('what has happened', 2000),
    endReason: optionalText('Reason', 500),
    assignedTo: optionalText('Caseworker', 200),
    version: z.coerce.number({ message: 'Reload the page and try again' }).int().positive(),
  })
  .superRefine((value, ctx) => {
    if (value.status && NEEDS_REASON.includes(value.status) && !value.endReason)
      ctx.addIssue({
        code: 'custom',
        path: ['endReason'],
        message: `Enter why the referral ${value.status === 'ended' ? 'ended early' : 'was cancelled'}`,
      })
  })
export type UpdateInput = z.infer<typeof UpdateForm>
