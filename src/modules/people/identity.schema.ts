import { z } from 'zod'

const optional = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .nullish()
    .transform((v) => v || null)

/** A record about a person from a partner system, for the API. */
export const IncomingRecordBody = z.object({
  sourceSystem: z
    .string()
    .trim()
    .min(1)
    .max(60)
    .describe('The system the record comes from, e.g. nDelius, NOMIS, Police'),
  sourceRef: z
    .string()
    .trim()
    .min(1)
    .max(120)
    .describe("The record's own id in that system; sending it again changes nothing"),
  crn: optional(7).describe('Case reference number, e.g. X123456'),
  nomsNumber: optional(7).describe('Prison number, e.g. A1234BC'),
  pncNumber: optional(14).describe('PNC number, long or short form, with check letter'),
  croNumber: optional(12).describe('CRO number with check letter'),
  firstName: z.string().trim().min(1).max(100),
  lastName: z.string().trim().min(1).max(100),
  dateOfBirth: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 1990-03-21')
    .nullish()
    .transform((v) => v ?? null),
  gender: z
    .enum(['male', 'female', 'non_binary', 'not_known'])
    .nullish()
    .transform((v) => v ?? null),
  postcode: optional(10),
})

export const RecordOutcome = z.object({
  outcome: z.enum(['identifier', 'automatic', 'new', 'pending', 'duplicate']),
  personId: z.string().nullable(),
})

export const ReviewDecisionForm = z.object({
  decision: z.enum(['same', 'different'], { message: 'Choose whether these are the same person' }),
})

const crn = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z][0-9]{6}$/, 'Enter a CRN in the correct format, like X123456')

export const MergeForm = z
  .object({
    survivorCrn: crn,
    mergedCrn: crn,
    reason: z
      .string()
      .trim()
      .min(10, 'Explain why these are the same person, in at least 10 characters')
      .max(1000),
  })
  .refine((f) => f.survivorCrn !== f.mergedCrn, { path: ['mergedCrn'], message: 'Enter two different CRNs' })

export const UnmergeForm = z.object({
  reason: z.string().trim().min(10, 'Explain why the merge was wrong, in at least 10 characters').max(1000),
})
