import { refreshDashboards } from './modules/dashboards/dashboards.service.js'
import { replayWhenPersonKnown } from './modules/integration/ingest.service.js'
import { deliverDueWebhooks, webhookSubscriber } from './modules/integration/webhooks.service.js'
import {
  escalateUnacknowledgedFlags,
  ruleSubscriber,
  sweepTimedRules,
} from './modules/intelligence/rules.service.js'
import { scoreSubscriber } from './modules/intelligence/scores.service.js'
import { advanceTimedStages, processSubscribersWith } from './modules/process/process.service.js'
import { systemClock, type Clock } from './platform/clock.js'
import type { Db } from './platform/database/database.js'
import type { Subscriber } from './platform/outbox/outbox.js'

/**
 * Everything that reacts to domain events, wired in one place. Modules add their
 * subscribers (rules, plans, webhooks, projections) here as they are built.
 */
export function subscribers(clock: Clock = systemClock): Subscriber[] {
  return [
    replayWhenPersonKnown,
    webhookSubscriber,
    ruleSubscriber(clock),
    scoreSubscriber(clock),
    ...processSubscribersWith(clock),
  ]
}

type Job = (db: Db) => Promise<number>

/** Runs `job` at most once per `ms`: for sweeps over everyone, too heavy for every worker pass. */
function atMostEvery(ms: number, job: Job, clock: Clock): Job {
  let last = -Infinity
  return async (db) => {
    const now = clock.now().getTime()
    if (now - last < ms) return 0
    last = now
    return job(db)
  }
}

/** Work the worker does after each outbox pass: webhooks go out after the pass that queued them. */
export function backgroundJobs(clock: Clock = systemClock): Job[] {
  return [
    (db) => deliverDueWebhooks(db, { now: clock.now() }),
    // Deadlines are hours long, and the check reads every open flag: twice a minute is enough.
    atMostEvery(30_000, (db) => escalateUnacknowledgedFlags(db, clock), clock),
    atMostEvery(60_000, (db) => advanceTimedStages(db, clock), clock),
    atMostEvery(60_000, (db) => sweepTimedRules(db, clock), clock),
    // Dashboard figures, never more than a minute old; the first pass after start counts them.
    atMostEvery(
      60_000,
      async (db) => {
        await refreshDashboards(db, clock, 30_000)
        return 0
      },
      clock,
    ),
  ]
}
