import { z } from 'zod'

/** One HMPPS domain event, bare or as an SNS notification; the pipeline reads it defensively. */
const Message = z
  .record(z.string(), z.unknown())
  .describe(
    'An HMPPS domain event ({ eventType, version, occurredAt, personReference, additionalInformation }) ' +
      'or an SNS notification whose Message is one, as a JSON string',
  )

export const EventsBody = z.union([Message, z.array(Message).min(1).max(1000), z.string().max(1_000_000)])

export const EventOutcome = z.object({
  key: z.string().describe('The message id, or sha256 of the event where it has none'),
  eventType: z.string().nullable(),
  outcome: z.enum(['applied', 'duplicate', 'dead-letter']),
  reason: z.string().optional().describe('Why a dead letter was kept rather than applied'),
})

export const MessageId = z.coerce.number().int().positive()
