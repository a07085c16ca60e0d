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
   * Outbox drains run side by side, each on its own connection and share of people (see Lane);
   * the first also seals the audit log and runs the jobs.
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

  async function pass(index: number): Promise<number> {
    let done = await drainOutbox(db, subscribers, { lane: { index, of: lanes } })
    if (index > 0) return done
    done += await sealAuditLog(db)
    for (const job of jobs) done += await job(db)
    return done
  }

  function schedule(index: number, delay: number) {
    if (stopped) return
    const timer = setTimeout(() => {
      timers.delete(timer)
      const run = pass(index)
        .then((work) => schedule(index, work > 0 ? 0 : idleMs))
        .catch((error: unknown) => {
          log.error({ err: error }, 'worker pass failed; retrying')
          schedule(index, idleMs * 10)
        })
      running.add(run)
      void run.finally(() => running.delete(run))
    }, delay)
    timers.add(timer)
  }

  for (let index = 0; index < lanes; index++) schedule(index, 0)
  return {
    async runOnce() {
      let done = 0
      for (let index = 0; index < lanes; index++) done += await pass(index)
      return done
    },
    async stop() {
      stopped = true
      for (const timer of timers) clearTimeout(timer)
      await Promise.all([...running].map((r) => r.catch(() => {})))
    },
  }
}
