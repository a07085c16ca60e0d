import { replayWhenPersonKnown } from './modules/integration/ingest.service.js'
import type { Subscriber } from './platform/outbox/outbox.js'

/**
 * Everything that reacts to domain events, wired in one place. Modules add their
 * subscribers (rules, plans, webhooks, projections) here as they are built.
 */
export function subscribers(): Subscriber[] {
  return [replayWhenPersonKnown]
}
