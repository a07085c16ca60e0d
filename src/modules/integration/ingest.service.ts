import type { Actor } from '../../platform/access/actor.js'
import { recordAudit, type Origin } from '../../platform/audit/audit.js'
import type { Db, Queryable, Tx } from '../../platform/database/database.js'
import type { Subscriber } from '../../platform/outbox/outbox.js'
import { addPrisonNumber, peopleHolding } from '../people/identity.service.js'
import {
  guessEventType,
  rawKey,
  readMessage,
  Undeliverable,
  type DomainEventMessage,
} from './domain-events.js'
import { mapEvent, type Effects } from './event-mapping.js'
import * as repo from './ingest.repository.js'
import { applyStateChanges } from './state-changes.js'

/**
 * The inbound pipeline for HMPPS domain events, shared by the HTTP endpoint, the NATS
 * consumer, `tandem ingest` and dead-letter replay: read, find the person, claim the message
 * in the inbox, then apply its timeline item, state changes and Tandem event in the same
 * transaction. A batch shares one transaction for throughput; if anything unexpected fails,
 * each message is retried on its own so one bad message cannot hold up the rest.
 */

export interface IngestOutcome {
  key: string
  eventType: string | null
  outcome: 'applied' | 'duplicate' | 'dead-letter'
  reason?: string
}

/** Who is sending the messages, for the audit log: an API client, a command, the worker. */
export interface MessageSource {
  origin: Origin
  actor: Actor | null
  label: string
}

interface Applicable {
  index: number
  message: DomainEventMessage
  effects: Effects
  personId: string
  /** A prison number the event gives a person who lacks it. */
  newPrisonNumber: string | null
}

/** Whether a database error's SQLSTATE starts with this class ('' for any database error). */
const isCode = (error: unknown, prefix: string) =>
  error instanceof Error && 'code' in error && typeof error.code === 'string' && error.code.startsWith(prefix)

const bodyOf = (raw: unknown) => (typeof raw === 'string' ? raw : JSON.stringify(raw))

/** Applies a batch of raw messages (bare or SNS-wrapped), each exactly once; returns an outcome per message. */
export async function ingest(
  db: Db,
  raws: unknown[],
  source: MessageSource,
  attempt = 1,
): Promise<IngestOutcome[]> {
  try {
    return await db.transaction().execute((tx) => applyBatch(tx, raws, source))
  } catch (error) {
    // Deadlock or serialisation failure with a concurrent batch: try again.
    if (isCode(error, '40') && attempt < 3) return ingest(db, raws, source, attempt + 1)
    if (raws.length > 1) {
      const outcomes: IngestOutcome[] = []
      for (const raw of raws) outcomes.push(...(await ingest(db, [raw], source)))
      return outcomes
    }
    // One message that fails for a reason of its own (a constraint, a value out of range) is
    // kept with the reason; a failing database is not, and the error reaches the caller.
    if (!(error instanceof Error) || !isCode(error, '') || isCode(error, '08')) throw error
    const raw = raws[0]
    const letter = {
      key: rawKey(raw),
      eventType: guessEventType(raw),
      body: bodyOf(raw),
      reason: `Could not be applied: ${error.message}`.slice(0, 500),
      waitingFor: [],
    }
    try {
      letter.key = readMessage(raw).key
    } catch {
      // unreadable: keep the raw key
    }
    await repo.keepDeadLetter(db, letter)
    return [{ key: letter.key, eventType: letter.eventType, outcome: 'dead-letter', reason: letter.reason }]
  }
}

/** The batch inside one transaction (also used by the worker, inside its delivery's transaction). */
export async function applyBatch(tx: Tx, raws: unknown[], source: MessageSource): Promise<IngestOutcome[]> {
  const outcomes: IngestOutcome[] = new Array(raws.length)
  const deadLetters: Parameters<typeof repo.keepDeadLetter>[1][] = []
  const dead = (
    index: number,
    key: string,
    eventType: string | null,
    reason: string,
    waitingFor: string[] = [],
  ) => {
    outcomes[index] = { key, eventType, outcome: 'dead-letter', reason }
    deadLetters.push({ key, eventType, body: bodyOf(raws[index]), reason, waitingFor })
  }

  const messages: { index: number; message: DomainEventMessage }[] = []
  const seen = new Set<string>()
  raws.forEach((raw, index) => {
    try {
      const message = readMessage(raw)
      if (seen.has(message.key)) {
        outcomes[index] = { key: message.key, eventType: message.eventType, outcome: 'duplicate' }
        return
      }
      seen.add(message.key)
      messages.push({ index, message })
    } catch (error) {
      if (!(error instanceof Undeliverable)) throw error
      dead(index, rawKey(raw), guessEventType(raw), error.message)
    }
  })

  const prisons = await repo.findPrisons(tx, [
    ...new Set(
      messages.map((m) => m.message.info.prisonId).filter((p): p is string => typeof p === 'string'),
    ),
  ])
  const holders = await peopleHolding(
    tx,
    messages.flatMap(({ message }) => identifiersOf(message)),
  )

  const applicable: Applicable[] = []
  for (const { index, message } of messages) {
    try {
      const effects = mapEvent(message, (code) => prisons.get(code)?.name ?? `prison ${code}`)
      const { personId, newPrisonNumber } = whoIsItAbout(message, holders)
      applicable.push({ index, message, effects, personId, newPrisonNumber })
    } catch (error) {
      if (!(error instanceof Undeliverable)) throw error
      dead(index, message.key, message.eventType, error.message, error.waitingFor)
    }
  }

  const won = await repo.claimMessages(
    tx,
    applicable.map((a) => ({
      key: a.message.key,
      eventType: a.message.eventType,
      occurredAt: a.message.occurredAt,
      personId: a.personId,
    })),
  )
  const applied = applicable.filter((a) => {
    const first = won.has(a.message.key)
    outcomes[a.index] = {
      key: a.message.key,
      eventType: a.message.eventType,
      outcome: first ? 'applied' : 'duplicate',
    }
    return first
  })

  const people = new Map(
    (await repo.findPeople(tx, [...new Set(applied.map((a) => a.personId))])).map((p) => [p.id, p]),
  )
  for (const a of applied) if (a.newPrisonNumber) await addPrisonNumber(tx, a.personId, a.newPrisonNumber)
  await repo.insertTimeline(
    tx,
    applied.map((a) => ({
      personId: a.personId,
      occurredAt: a.message.occurredAt,
      agencyId:
        (a.effects.item.prisonCode && prisons.get(a.effects.item.prisonCode)?.id) ||
        people.get(a.personId)!.lead_agency_id,
      item: a.effects.item,
    })),
  )
  await applyStateChanges(
    tx,
    applied.flatMap((a) =>
      a.effects.changes.map((change) => ({
        personId: a.personId,
        at: a.message.occurredAt,
        change,
        sourceSystem: a.effects.item.sourceSystem,
      })),
    ),
    (code) => prisons.get(code)?.name ?? null,
  )
  await repo.publishMany(tx, [
    ...applied
      .filter((a) => a.newPrisonNumber)
      .map((a) => ({
        type: 'identity.prison-number-added',
        personId: a.personId,
        payload: { nomsNumber: a.newPrisonNumber },
      })),
    ...applied.map((a) => ({
      type: a.effects.publish,
      personId: a.personId,
      payload: {
        source: a.message.eventType,
        occurredAt: a.message.occurredAt.toISOString(),
        messageKey: a.message.key,
        detailUrl: a.message.detailUrl,
        ...a.message.info,
      },
    })),
  ])
  if (applied.length > 0) {
    await repo.resolveDeadLetters(
      tx,
      applied.map((a) => a.message.key),
    )
    await recordAudit(tx, {
      actor: source.actor,
      actorLabel: source.label,
      action: 'update',
      personIds: [...new Set(applied.map((a) => a.personId))],
      categories: [...new Set(applied.map((a) => a.effects.item.category))],
      origin: source.origin,
      purpose: 'Keeping Tandem in step with the systems of record',
      detail: { messages: applied.length, types: [...new Set(applied.map((a) => a.message.eventType))] },
    })
  }
  for (const letter of deadLetters) await repo.keepDeadLetter(tx, letter)
  return outcomes
}

function identifiersOf(message: DomainEventMessage) {
  const ids: { type: 'crn' | 'noms'; value: string }[] = []
  if (message.crn) ids.push({ type: 'crn', value: message.crn })
  if (message.nomsNumber) ids.push({ type: 'noms', value: message.nomsNumber })
  const removed = message.info.removedNomsNumber
  if (typeof removed === 'string') ids.push({ type: 'noms', value: removed.toUpperCase() })
  return ids
}

/** The one person an event is about, or Undeliverable saying why there is none. */
function whoIsItAbout(message: DomainEventMessage, holders: Map<string, string>) {
  const ids = identifiersOf(message)
  const found = ids.map((i) => ({ ...i, personId: holders.get(`${i.type}:${i.value}`) ?? null }))
  const people = [...new Set(found.map((f) => f.personId).filter((p): p is string => p !== null))]
  const names = ids.map((i) => `${i.type === 'crn' ? 'CRN' : 'prison number'} ${i.value}`).join(' and ')
  if (ids.length === 0) throw new Undeliverable('The event names no person (no CRN or prison number)')
  if (people.length === 0)
    throw new Undeliverable(
      `No person in Tandem holds ${names} yet; kept until one does`,
      ids.map((i) => `${i.type}:${i.value}`),
    )
  if (people.length > 1)
    throw new Undeliverable(
      `${names} belong to different people in Tandem: check them in identity review, then replay`,
    )
  const noms = found.find((f) => f.type === 'noms' && f.value === message.nomsNumber)
  return { personId: people[0]!, newPrisonNumber: noms && !noms.personId ? noms.value : null }
}

/**
 * Messages kept because no one held their CRN or prison number are applied as soon as a
 * person gains one: a new person, a linked record, a prison number added or changed.
 */
export const replayWhenPersonKnown: Subscriber = {
  name: 'integration.replay-waiting-messages',
  types: [
    'person.created',
    'person.record.linked',
    'identity.prison-number-added',
    'identity.prison-number-changed',
  ],
  async handle(tx, event) {
    if (!event.personId) return
    const letters = await repo.findWaitingFor(tx, event.personId)
    if (letters.length === 0) return
    await applyBatch(
      tx,
      letters.map((l) => parseBody(l.body)),
      { origin: { route: `worker ${event.type}`, requestId: null }, actor: null, label: 'Tandem worker' },
    )
  },
}

const parseBody = (body: string): unknown => {
  try {
    return JSON.parse(body)
  } catch {
    return body
  }
}

export const listDeadLetters = (db: Queryable, open: boolean) => repo.listDeadLetters(db, open)

/** An administrator replays a dead letter after fixing its cause; it applies, or stays with the new reason. */
export async function replayDeadLetter(db: Db, actor: Actor, id: number, origin: Origin) {
  const letter = await repo.findDeadLetter(db, id)
  if (!letter || letter.resolved_at) return null
  const [outcome] = await ingest(db, [parseBody(letter.body)], { origin, actor, label: actor.displayName })
  if (outcome && outcome.outcome !== 'dead-letter')
    await repo.resolveDeadLetter(db, id, outcome.outcome, actor.userId)
  return outcome ?? null
}

/** An administrator decides a dead letter should never be applied (a test message, say). */
export async function discardDeadLetter(db: Db, actor: Actor, id: number) {
  const letter = await repo.findDeadLetter(db, id)
  if (!letter || letter.resolved_at) return false
  await repo.resolveDeadLetter(db, id, 'discarded', actor.userId)
  return true
}
