import { z } from 'zod'
import { DATA_CATEGORIES } from '../../platform/access/actor.js'
import { toArray } from '../../platform/http/forms.js'
import { parseClockTime } from './time.js'

export const APPOINTMENT_KINDS = {
  supervision: 'Supervision',
  home_visit: 'Home visit',
  multi_agency_visit: 'Multi-agency visit',
  drug_test: 'Drug test',
  programme_session: 'Programme session',
  office_visit: 'Office visit',
  phone_contact: 'Phone contact',
  video_call: 'Video call',
} as const
/** Kinds offered when scheduling; the others arrive from older systems. */
export const SCHEDULABLE_KINDS = [
  'supervision',
  'home_visit',
  'multi_agency_visit',
  'drug_test',
  'programme_session',
] as const

export const OUTCOMES = {
  attended_complied: 'Attended and complied',
  attended_failed_to_comply: 'Attended but failed to comply',
  acceptable_absence: 'Acceptable absence',
  unacceptable_absence: 'Failed to attend (unacceptable absence)',
  rescheduled: 'Rescheduled',
  cancelled: 'Cancelled',
} as const
export type Outcome = keyof typeof OUTCOMES
const OUTCOME_CODES = Object.keys(OUTCOMES) as [Outcome, ...Outcome[]]

export const CONTACT_TYPES = {
  'contact.face_to_face': 'Face to face',
  'contact.phone': 'Phone call',
  'contact.text': 'Text message',
  'contact.email': 'Email',
  'contact.video': 'Video call',
  'contact.home_visit': 'Home visit',
  'contact.third_party': 'Contact with a third party',
  'contact.note': 'Case note',
} as const
const CONTACT_CODES = Object.keys(CONTACT_TYPES) as [string, ...string[]]

export const DURATIONS = [15, 30, 45, 60, 90, 120] as const

const text = (message: string, max: number, label: string) =>
  z.string({ message }).trim().min(1, message).max(max, `${label} must be ${max} characters or fewer`)

/** A date joined from a GOV.UK date input by dateFromParts: '' when empty, 'invalid' when not a real date. */
const day = (label: string) =>
  z
    .string({ message: `Enter the ${label}` })
    .refine((v) => v !== '', `Enter the ${label}`)
    .refine((v) => v === '' || /^\d{4}-\d{2}-\d{2}$/.test(v), `The ${label} must be a real date`)

const clock = (label: string) =>
  z
    .string({ message: `Enter the ${label}` })
    .trim()
    .min(1, `Enter the ${label}`)
    .refine((v) => parseClockTime(v) !== null, `Enter the ${label} as a real time, like 14:30 or 2:30pm`)
    .transform((v) => parseClockTime(v) as number)

export const IdParam = z.string().uuid()

export const ScheduleForm = z.object({
  date: day('date of the appointment'),
  time: clock('start time'),
  duration: z.coerce
    .number({ message: 'Choose how long the appointment lasts' })
    .int('Choose how long the appointment lasts')
    .refine((v) => (DURATIONS as readonly number[]).includes(v), 'Choose how long the appointment lasts'),
  kind: z.enum(SCHEDULABLE_KINDS, { message: 'Choose the kind of appointment' }),
  location: text('Enter where the appointment is', 200, 'Location'),
  attendees: z.preprocess(toArray, z.array(z.string().uuid('Choose attendees from the list'))),
  confirmClash: z.string().optional(),
})
export type ScheduleInput = z.infer<typeof ScheduleForm>

const NOTES_REQUIRED: readonly Outcome[] = [
  'unacceptable_absence',
  'attended_failed_to_comply',
  'acceptable_absence',
]

export const OutcomeForm = z
  .object({
    version: z.coerce.number().int().positive(),
    outcome: z.enum(OUTCOME_CODES, { message: 'Choose the outcome of the appointment' }),
    notes: z.string().trim().max(4000, 'Notes must be 4000 characters or fewer').default(''),
    newDate: z.string().default(''),
    newTime: z.string().trim().default(''),
  })
  .superRefine((form, ctx) => {
    if (NOTES_REQUIRED.includes(form.outcome) && !form.notes)
      ctx.addIssue({
        code: 'custom',
        path: ['notes'],
        message:
          form.outcome === 'attended_failed_to_comply'
            ? 'Enter how the person failed to comply'
            : 'Enter the reason for the absence',
      })
    if (form.outcome !== 'rescheduled') return
    if (!form.newDate)
      ctx.addIssue({ code: 'custom', path: ['newDate'], message: 'Enter the date of the new appointment' })
    else if (!/^\d{4}-\d{2}-\d{2}$/.test(form.newDate))
      ctx.addIssue({ code: 'custom', path: ['newDate'], message: 'The new date must be a real date' })
    if (!form.newTime)
      ctx.addIssue({ code: 'custom', path: ['newTime'], message: 'Enter the time of the new appointment' })
    else if (parseClockTime(form.newTime) === null)
      ctx.addIssue({
        code: 'custom',
        path: ['newTime'],
        message: 'Enter the new time as a real time, like 14:30 or 2:30pm',
      })
  })
export type OutcomeInput = z.infer<typeof OutcomeForm>

export const DiaryQuery = z.object({
  view: z.enum(['day', 'week'], { message: 'Choose a day or a week' }).default('day'),
  date: z
    .string()
    .optional()
    .refine(
      (v) => !v || (/^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T12:00:00Z`))),
      'The date must be a real date, like 2026-03-27',
    )
    .refine(
      (v) => !v || new Date(`${v}T12:00:00Z`).toISOString().slice(0, 10) === v,
      'The date must be a real date, like 2026-03-27',
    ),
})

export const ContactForm = z.object({
  kind: z.enum(CONTACT_CODES, { message: 'Choose the type of contact' }),
  date: day('date of the contact'),
  time: clock('time of the contact'),
  summary: text('Enter a summary of the contact', 4000, 'Summary'),
  category: z.enum(DATA_CATEGORIES, { message: 'Choose a sensitivity category' }),
  sensitive: z
    .string()
    .optional()
    .transform((v) => v === 'yes'),
})
export type ContactInput = z.infer<typeof ContactForm>

export const ContactFilter = z.object({ type: z.string().max(100).optional() })
