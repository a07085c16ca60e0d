import { AckPolicy, connect, type JsMsg, type NatsConnection } from 'nats'
import type { Db } from '../../platform/database/database.js'
import { ingest } from './ingest.service.js'

export interface NatsSettings {
  url: string
  stream: string
  subjects: string[]
  durable: string
}

interface Log {
  info(message: string): void
  error(details: object, message: string): void
}

const BATCH = 500

/**
 * The high-volume way in: a durable JetStream pull consumer feeding the same pipeline as the
 * HTTP endpoint, 500 messages a transaction. Messages are acknowledged only after their
 * batch commits; a crash before that redelivers them, and the inbox turns those into
 * duplicates, so every event takes effect exactly once.
 */
export async function startNatsConsumer(db: Db, settings: NatsSettings, log: Log) {
  const nc: NatsConnection = await connect({ servers: settings.url, name: 'tandem-ingest' })
  const jsm = await nc.jetstreamManager()
  // Create the stream and consumer if they are not there (a no-op when they are).
  await jsm.streams
    .add({ name: settings.stream, subjects: settings.subjects })
    .catch(async (error: unknown) => {
      if (!String(error).includes('already in use')) throw error
    })
  await jsm.consumers.add(settings.stream, {
    durable_name: settings.durable,
    ack_policy: AckPolicy.Explicit,
    ack_wait: 60_000_000_000,
    max_ack_pending: BATCH * 4,
  })
  const consumer = await nc.jetstream().consumers.get(settings.stream, settings.durable)
  let stopped = false
  log.info(`Consuming HMPPS domain events from NATS stream ${settings.stream} as ${settings.durable}`)

  const loop = (async () => {
    while (!stopped) {
      const batch: JsMsg[] = []
      try {
        const messages = await consumer.fetch({ max_messages: BATCH, expires: 1000 })
        for await (const m of messages) batch.push(m)
        if (batch.length === 0) continue
        await ingest(
          db,
          batch.map((m) => m.string()),
          {
            origin: { route: `nats ${settings.stream}/${settings.durable}`, requestId: null },
            actor: null,
            label: 'HMPPS domain events (NATS)',
          },
        )
        for (const m of batch) m.ack()
      } catch (error) {
        // The database or NATS failed: leave the batch unacknowledged for redelivery.
        for (const m of batch) m.nak(5000)
        log.error({ err: error }, 'NATS ingest batch failed; it will be redelivered')
        await new Promise((resolve) => setTimeout(resolve, 1000))
      }
    }
  })()

  return {
    async stop() {
      stopped = true
      await loop
      await nc.drain()
    },
  }
}
