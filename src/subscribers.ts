import { replayWhenPersonKnown } from './modules/integration/ingest.service.js'
import { deliverDueWebhooks, webhookSubscriber } from './modules/integration/webhooks.service.js'
import type { Db } from './platform/database/database.js'
import type { Subscriber } from './platform/outbox/outbox.js'

/**
 * Everything that reacts to domain events, wired in one place. Modules add their
 * subscribers (rules, plans, webhooks, projections) here as they are built.
 */
export function subscribers(): Subscriber[] {
  return [replayWhenPersonKnown, webhookSubscriber]
}

/** Work the worker does after each outbox pass: webhooks go out after the pass that queued them. */
export function backgroundJobs(): ((db: Db) => Promise<number>)[] {
  return [(db) => deliverDueWebhooks(db, { now: new Date() })]
}
