import type { FastifyBaseLogger } from 'fastify'
import { sealAuditLog } from '../audit/audit-chain.js'
import type { Db } from '../database/database.js'
import { drainOutbox, type Subscriber } from './outbox.js'

export interface WorkerOptions {
  db: Db
  subscribers: Subscriber[]
  /** Work that runs after each outbox pass, outside its transaction (sending webhooks, say); each returns how much it did. */
  jobs?: ((db: Db) => Promise<number>)[]
  log: Pick<FastifyBaseLogger, 'error' | 'info'>
  /** How long to sleep when there is nothing to do. */
  idleMs?: number
  /**
   * Outbox drains run side by side, each on its own connection and share of people (see Lane).
   * Sealing the audit log and the jobs run in a loop of their own, so a long sweep never holds
   * up the events behind it.
   */
  lanes?: number
}

export interface Worker {
  stop(): Promise<void>
  /** Runs one pass now (tests and the CLI use this instead of waiting for the timer). */
  runOnce(): Promise<number>
}

/**
 * The background worker: drains the outbox into subscribers and seals the audit log.
 * Runs in the web process by default; more can run against the same database.
 */
export function startWorker({
  db,
  subscribers,
  jobs = [],
  log,
  idleMs = 200,
  lanes = 1,
}: WorkerOptions): Worker {
  let stopped = false
  const timers = new Set<NodeJS.Timeout>()
  const running = new Set<Promise<unknown>>()

  async function drain(index: number): Promise<number> {
    return drainOutbox(db, subscribers, { lane: { index, of: lanes } })
  }

  async function housekeeping(): Promise<number> {
    let done = await sealAuditLog(db)
    for (const job of jobs) done += await job(db)
    return done
  }

  function schedule(loop: () => Promise<number>, delay: number) {
    if (stopped) return
    const timer = setTimeout(() => {
      timers.delete(timer)
      const run = loop()
        .then((work) => schedule(loop, work > 0 ? 0 : idleMs))
        .catch((error: unknown) => {
          log.error({ err: error }, 'worker pass failed; retrying')
          schedule(loop, idleMs * 10)
        })
      running.add(run)
      void run.finally(() => running.delete(run))
    }, delay)
    timers.add(timer)
  }

  for (let index = 0; index < lanes; index++) schedule(() => drain(index), 0)
  schedule(housekeeping, 0)
  return {
    async runOnce() {
      let done = 0
      for (let index = 0; index < lanes; index++) done += await drain(index)
      return done + (await housekeeping())
    },
    async stop() {
      stopped = true
      for (const timer of timers) clearTimeout(timer)
      await Promise.all([...running].map((r) => r.catch(() => {})))
    },
  }
}
