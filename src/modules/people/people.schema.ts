import { z } from 'zod'

export const CRN_PATTERN = /^[A-Z][0-9]{6}$/

export const CrnParam = z
  .string()
  .transform((v) => v.trim().toUpperCase())
  .pipe(z.string().regex(CRN_PATTERN))

export const SearchQuery = z.object({
  q: z.string().trim().max(100, 'Search must be 100 characters or fewer').default(''),
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
