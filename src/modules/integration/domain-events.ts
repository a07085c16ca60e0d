import { createHash } from 'node:crypto'
import { z } from 'zod'
import { CRN, NOMS_NUMBER } from '../people/identifiers.js'
import { BadDate, parseInstant } from './event-dates.js'

/**
 * HMPPS domain events as they arrive: bare, or wrapped in an SNS notification whose
 * `Message` is the event as a JSON string. See ../shared/reference/hmpps-domain-events.md.
 */

/** An event read from its envelope, with the person it is about. */
export interface DomainEventMessage {
  /** The message id where the transport gives one, else a hash of the event itself. */
  key: string
  eventType: string
  version: number
  occurredAt: Date
  description: string | null
  detailUrl: string | null
  crn: string | null
  nomsNumber: string | null
  info: Record<string, unknown>
}

/** Why a message cannot be applied; it is kept as a dead letter with this reason. */
export class Undeliverable extends Error {
  constructor(
    message: string,
    /** Identifiers the message waits for ('crn:X123456'): it is replayed when a person gains one. */
    readonly waitingFor: string[] = [],
  ) {
    super(message)
  }
}

const Envelope = z.object({
  eventType: z.string().min(1),
  version: z.coerce.number().int().optional(),
  occurredAt: z.unknown(),
  description: z.string().nullish(),
  detailUrl: z.string().nullish(),
  additionalInformation: z.record(z.string(), z.unknown()).nullish(),
  personReference: z
    .object({ identifiers: z.array(z.object({ type: z.string(), value: z.unknown() })).nullish() })
    .nullish(),
})

const SnsNotification = z.object({
  Type: z.string().optional(),
  MessageId: z.string().optional(),
  Message: z.string(),
  MessageAttributes: z
    .record(z.string(), z.object({ Type: z.string().optional(), Value: z.unknown() }))
    .optional(),
})

/**
 * Names that drift between the catalogue, publishers and fixtures, mapped to one. Segment
 * case drift (`managementOversight`) is handled by normaliseEventType itself.
 */
const ALIASES: Record<string, string> = {
  'risk-assessment.scores.determined': 'risk-assessment.scores.rsr.determined',
}

/** One spelling for each event type: lower-kebab segments, known aliases resolved. */
export function normaliseEventType(type: string): string {
  const kebab = type
    .trim()
    .split('.')
    .map((segment) =>
      segment
        .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
        .replace(/_/g, '-')
        .toLowerCase(),
    )
    .join('.')
  return ALIASES[kebab] ?? kebab
}

function messageKey(id: string | undefined, event: unknown): string {
  if (id) return `id:${id}`
  return `sha256:${createHash('sha256').update(JSON.stringify(event)).digest('hex')}`
}

/** Reads a raw message (text or parsed JSON), unwrapping SNS; throws Undeliverable saying why. */
export function readMessage(raw: unknown): DomainEventMessage {
  let body = raw
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body)
    } catch {
      throw new Undeliverable('The message is not JSON')
    }
  }
  let id: string | undefined
  let attributeType: string | undefined
  const sns = SnsNotification.safeParse(body)
  if (sns.success) {
    id = sns.data.MessageId
    const attribute = sns.data.MessageAttributes?.eventType?.Value
    attributeType = typeof attribute === 'string' ? attribute : undefined
    try {
      body = JSON.parse(sns.data.Message)
    } catch {
      throw new Undeliverable('The SNS notification’s Message is not JSON')
    }
  }
  const parsed = Envelope.safeParse(
    attributeType && body && typeof body === 'object' && !('eventType' in body)
      ? { ...body, eventType: attributeType }
      : body,
  )
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new Undeliverable(`The event has no valid ${issue?.path.join('.') || 'envelope'}`)
  }
  const event = parsed.data
  let occurredAt: Date
  try {
    occurredAt = parseInstant(event.occurredAt)
  } catch (error) {
    if (error instanceof BadDate) throw new Undeliverable(`occurredAt: ${error.message}`)
    throw error
  }
  const info = event.additionalInformation ?? {}
  const identifiers = event.personReference?.identifiers ?? []
  const identifier = (type: string) => {
    const found = identifiers.find((i) => i.type.toUpperCase() === type)?.value
    return typeof found === 'string' && found.trim() ? found.trim().toUpperCase() : null
  }
  const crn = identifier('CRN')
  // Prison events often carry the prison number only in additionalInformation.
  const noms =
    identifier('NOMS') ?? (typeof info.nomsNumber === 'string' ? info.nomsNumber.toUpperCase() : null)
  if (crn && !CRN.test(crn)) throw new Undeliverable(`The CRN ${crn} is not in the form A123456`)
  if (noms && !NOMS_NUMBER.test(noms))
    throw new Undeliverable(`The prison number ${noms} is not in the form A1234BC`)
  return {
    key: messageKey(id, body),
    eventType: normaliseEventType(event.eventType),
    version: event.version ?? 1,
    occurredAt,
    description: event.description ?? null,
    detailUrl: event.detailUrl ?? null,
    crn,
    nomsNumber: noms,
    info,
  }
}

/** A best-effort event type for a message that could not be read, for the dead-letter list. */
export function guessEventType(raw: unknown): string | null {
  const text = typeof raw === 'string' ? raw : JSON.stringify(raw)
  const match = /"eventType"\s*:\s*(?:\{\s*"Type"\s*:\s*"String"\s*,\s*"Value"\s*:\s*)?"([^"]{1,200})"/.exec(
    text.replace(/\\"/g, '"'),
  )
  return match ? normaliseEventType(match[1]!) : null
}

/** The key a message that could not be read is kept under, so a redelivery finds the same dead letter. */
export function rawKey(raw: unknown): string {
  if (raw && typeof raw === 'object' && typeof (raw as { MessageId?: unknown }).MessageId === 'string')
    return `id:${(raw as { MessageId: string }).MessageId}`
  return messageKey(undefined, raw)
}
