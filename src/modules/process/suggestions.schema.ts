import { z } from 'zod'

export const REASON_MAX = 500

/** The URL of one suggestion: a CRN and the suggestion's id (anything else is not found). */
export const SuggestionParams = z.object({
  crn: z
    .string()
    .transform((v) => v.trim().toUpperCase())
    .pipe(z.string().regex(/^[A-Z][0-9]{6}$/)),
  id: z.uuid(),
})

export const DismissForm = z.object({
  reason: z
    .string({ message: 'Enter why you are dismissing this suggestion' })
    .trim()
    .min(1, 'Enter why you are dismissing this suggestion')
    .max(REASON_MAX, `The reason must be ${REASON_MAX} characters or fewer`),
})
