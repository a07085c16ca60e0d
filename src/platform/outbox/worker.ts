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
export function startWorker({ db, subscribers, jobs = [], log, idleMs = 200 }: WorkerOptions): Worker {
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let running: Promise<unknown> = Promise.resolve()

  async function runOnce(): Promise<number> {
    const events = await drainOutbox(db, subscribers)
    const sealed = await sealAuditLog(db)
    let done = events + sealed
    for (const job of jobs) done += await job(db)
    return done
  }

  function schedule(delay: number) {
    if (stopped) return
    timer = setTimeout(() => {
      running = runOnce()
        .then((work) => schedule(work > 0 ? 0 : idleMs))
        .catch((error: unknown) => {
          log.error({ err: error }, 'worker pass failed; retrying')
          schedule(idleMs * 10)
        })
    }, delay)
  }

  schedule(0)
  return {
    runOnce,
    async stop() {
      stopped = true
      clearTimeout(timer)
      await running.catch(() => {})
    },
  }
}
