import { createHmac, randomBytes, randomUUID } from 'node:crypto'
import { NotFoundError, ValidationError } from '../../errors.js'
import type { Actor, AgencyKind, DataCategory } from '../../platform/access/actor.js'
import { recordAudit, type Origin } from '../../platform/audit/audit.js'
import type { Db } from '../../platform/database/database.js'
import { retryDelaySeconds, type Subscriber } from '../../platform/outbox/outbox.js'
import * as repo from './webhooks.repository.js'
import { TEST_EVENT_TYPE, WEBHOOK_EVENT_TYPES, type WebhookForm } from './webhooks.schema.js'

/** A receiver that has not answered in this long has failed this attempt. */
export const WEBHOOK_TIMEOUT_MS = 10_000
/** After this many failed attempts (about nine hours of retries) a delivery is dead until replayed. */
export const MAX_DELIVERY_ATTEMPTS = 12
/** How long a claimed delivery is left to its sender before another worker may try it. */
const LEASE_MS = 60_000
const WORKER: Origin = { route: 'worker webhooks', requestId: null }
const KINDS = new Map(WEBHOOK_EVENT_TYPES.map((k) => [k.type, k]))

/**
 * Seconds to wait after the `attempts`th failure: 30 s, 1 min, 2 min … up to 2.5 hours. The
 * outbox's schedule stretched thirtyfold, because a partner's outage outlasts a lock timeout.
 */
export function webhookRetryDelaySeconds(attempts: number): number {
  return 30 * retryDelaySeconds(attempts)
}

/**
 * The `Tandem-Webhook-Signature` header: `v1=` and the hex HMAC-SHA256, keyed with the
 * subscription's secret, of the timestamp header, a full stop, and the exact body.
 */
export function signature(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`
}

/** Whether an agency seeing `categories` of a person may be told of an event of this type. */
function mayTell(eventType: string, categories: DataCategory[] | null): boolean {
  const kind = KINDS.get(eventType)
  return !!kind && !!categories && kind.categories.every((c) => categories.includes(c))
}

/** The subscription's service account as the actor of the audit record: who was told, for which agency. */
function recipientActor(r: repo.Recipient): Actor {
  return {
    userId: r.service_user_id,
    kind: 'service',
    displayName: `Webhook: ${r.name}`,
    email: r.service_email,
    agencyId: r.agency_id,
    agencyName: r.agency_name,
    agencyKind: r.agency_kind as AgencyKind,
    roles: [],
    teamIds: [],
    scopes: null,
  }
}

/**
 * Queues one delivery per active subscription that wants the event and whose agency may see
 * the person (and the categories the event type reveals). The body names the person by CRN
 * only; partners read anything more through the API, which checks and audits that read.
 */
export const webhookSubscriber: Subscriber = {
  name: 'webhooks',
  types: '*',
  // Most events interest no subscription: one query for the batch finds which types do.
  async handleBatch(tx, events) {
    const wanted = await repo.subscribedEventTypes(tx)
    for (const event of events)
      if (wanted.has('*') || wanted.has(event.type)) await webhookSubscriber.handle(tx, event)
  },
  async handle(tx, event) {
    if (!KINDS.has(event.type)) return
    for (const r of await repo.recipients(tx, event.type, event.personId)) {
      if (event.personId && !(r.crn && mayTell(event.type, r.categories))) continue
      const id = randomUUID()
      const source = event.payload.source
      const payload = {
        id,
        type: event.type,
        occurredAt: event.occurredAt.toISOString(),
        ...(event.personId ? { person: { crn: r.crn } } : {}),
        data: { eventId: event.id, ...(typeof source === 'string' ? { sourceEventType: source } : {}) },
      }
      const created = await repo.insertDelivery(tx, {
        id,
        subscriptionId: r.id,
        outboxEventId: event.id,
        eventType: event.type,
        personId: event.personId,
        payload,
      })
      if (created && event.personId)
        await recordAudit(tx, {
          actor: recipientActor(r),
          action: 'export',
          personIds: [event.personId],
          categories: ['identity'],
          origin: WORKER,
          purpose: `Webhook to ${r.name}: ${event.type}`,
          relationship: r.relationship,
          detail: { subscription: r.id, delivery: id },
        })
    }
  },
}

/** Adds a subscription; returns its signing secret, which is shown this once. */
export async function createSubscription(db: Db, actor: Actor, origin: Origin, v: WebhookForm) {
  const secret = `whsec_${randomBytes(32).toString('base64url')}`
  return db.transaction().execute(async (tx) => {
    if (!(await repo.agencyExists(tx, v.agencyId)))
      throw new ValidationError([{ field: 'agencyId', message: 'Choose the partner agency' }])
    const { id } = await repo.insertSubscription(tx, { ...v, secret, createdBy: actor.userId })
    await recordAudit(tx, {
      actor,
      action: 'create',
      personIds: [],
      categories: [],
      origin,
      purpose: 'Administration: create webhook subscription',
      detail: { entity: 'webhook subscription', id },
    })
    return { id, secret }
  })
}

/** Stops a subscription: nothing more is queued for it and its queued deliveries are not sent. */
export async function deactivateSubscription(db: Db, actor: Actor, origin: Origin, id: string) {
  await db.transaction().execute(async (tx) => {
    if (!(await repo.deactivateSubscription(tx, id))) throw new NotFoundError()
    await recordAudit(tx, {
      actor,
      action: 'update',
      personIds: [],
      categories: [],
      origin,
      purpose: 'Administration: deactivate webhook subscription',
      detail: { entity: 'webhook subscription', id },
    })
  })
}

async function activeSubscription(db: Db, id: string) {
  const subscription = await repo.findSubscription(db, id)
  if (!subscription?.active) throw new NotFoundError('This subscription is not active')
  return subscription
}

/**
 * Sends a delivery again: back in the queue, due now, with a fresh set of attempts. Sending
 * again tells the partner again, so a delivery that names a person is recorded as an export.
 */
export async function replayDelivery(
  db: Db,
  actor: Actor,
  origin: Origin,
  subscriptionId: string,
  deliveryId: string,
  now: Date,
) {
  await activeSubscription(db, subscriptionId)
  await db.transaction().execute(async (tx) => {
    const row = await repo.requeueDelivery(tx, subscriptionId, deliveryId, now)
    if (!row) throw new NotFoundError()
    await recordAudit(tx, {
      actor,
      action: row.person_id ? 'export' : 'update',
      personIds: row.person_id ? [row.person_id] : [],
      categories: row.person_id ? ['identity'] : [],
      origin,
      purpose: 'Administration: replay a webhook delivery',
      detail: { subscription: subscriptionId, delivery: deliveryId, type: row.event_type },
    })
  })
}

/** Queues a test event, which names nobody, so the partner can check their receiver. */
export async function sendTestEvent(db: Db, actor: Actor, origin: Origin, subscriptionId: string, now: Date) {
  await activeSubscription(db, subscriptionId)
  await db.transaction().execute(async (tx) => {
    const id = randomUUID()
    await repo.insertDelivery(tx, {
      id,
      subscriptionId,
      outboxEventId: null,
      eventType: TEST_EVENT_TYPE,
      personId: null,
      payload: { id, type: TEST_EVENT_TYPE, occurredAt: now.toISOString(), data: { subscriptionId } },
    })
    await recordAudit(tx, {
      actor,
      action: 'create',
      personIds: [],
      categories: [],
      origin,
      purpose: 'Administration: send a webhook test event',
      detail: { subscription: subscriptionId, delivery: id },
    })
  })
}

/** Every subscription, for the admin list. */
export const listSubscriptions = (db: Db) => repo.listSubscriptions(db)

/** One subscription (never its secret) and its newest deliveries. */
export async function subscriptionLog(db: Db, id: string) {
  const subscription = await repo.findSubscription(db, id)
  if (!subscription) throw new NotFoundError()
  return { subscription, deliveries: await repo.listDeliveries(db, id) }
}

export interface DeliverOptions {
  now: Date
  /** The HTTP client; tests pass their own. */
  fetch?: typeof fetch
  batchSize?: number
}

/**
 * Sends the deliveries that are due, in parallel, each signed and with a timeout: 2xx is
 * delivered; anything else is retried with back-off, and dead after MAX_DELIVERY_ATTEMPTS.
 * A delivery whose agency may no longer see its person is not sent at all. Run by the worker;
 * returns how many deliveries it tried.
 */
export async function deliverDueWebhooks(
  db: Db,
  { now, fetch: send = fetch, batchSize = 20 }: DeliverOptions,
): Promise<number> {
  const claimed = await repo.claimDue(db, now, new Date(now.getTime() + LEASE_MS), batchSize)
  await Promise.all(
    claimed.map(async (d) => repo.recordAttempt(db, d.id, d.attempts, await attempt(d, now, send))),
  )
  return claimed.length
}

async function attempt(d: repo.Claimed, now: Date, send: typeof fetch) {
  const settled = (status: 'delivered' | 'dead', statusCode: number | null, error: string | null) => ({
    status,
    statusCode,
    error,
    nextAttemptAt: now,
    at: now,
  })
  // Access is judged again at sending time: an agreement may have ended since the event.
  if (d.person_id && !mayTell(d.event_type, d.categories))
    return settled('dead', null, 'Not sent: the agency may no longer see this person')
  const body = JSON.stringify(d.payload)
  const timestamp = String(Math.floor(now.getTime() / 1000))
  let statusCode: number | null = null
  let error: string
  try {
    const response = await send(d.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Tandem-Webhooks/1',
        'tandem-webhook-id': d.id,
        'tandem-webhook-timestamp': timestamp,
        'tandem-webhook-signature': signature(d.secret, timestamp, body),
      },
      body,
      // A redirect is not followed: it could lead the signed body somewhere nobody chose.
      redirect: 'manual',
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    })
    await response.body?.cancel().catch(() => {})
    statusCode = response.status
    if (response.status >= 200 && response.status < 300) return settled('delivered', statusCode, null)
    error = `The receiver answered ${response.status}`
  } catch (e) {
    error = failureOf(e)
  }
  if (d.attempts >= MAX_DELIVERY_ATTEMPTS) return settled('dead', statusCode, error)
  return {
    status: 'failed' as const,
    statusCode,
    error,
    nextAttemptAt: new Date(now.getTime() + webhookRetryDelaySeconds(d.attempts) * 1000),
    at: now,
  }
}

/** Why a request failed, in words for the delivery log (never the request, which holds the signature). */
function failureOf(error: unknown): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string } }
  if (e.name === 'TimeoutError') return `No answer within ${WEBHOOK_TIMEOUT_MS / 1000} seconds`
  if (e.cause?.code) return `Could not connect (${e.cause.code})`
  return (e.message ?? 'The request failed').slice(0, 500)
}
