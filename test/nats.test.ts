import { connect, type NatsConnection } from 'nats'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startNatsConsumer } from '../src/modules/integration/nats-consumer.js'
import { freshDatabase, type TestDatabase } from './support/database.js'
import { event, sns } from './support/domain-events.js'
import * as f from './support/factories.js'

/** A NATS server with JetStream; the CI machine runs one. Elsewhere these tests are skipped, saying why. */
const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222'
const nats: NatsConnection | null = await connect({
  servers: NATS_URL,
  timeout: 1000,
  maxReconnectAttempts: 0,
}).catch(() => null)
if (!nats) console.warn(`Skipping NATS tests: no NATS server at ${NATS_URL} (set TEST_NATS_URL)`)

describe.runIf(nats)('HMPPS domain events from a NATS JetStream durable consumer', () => {
  const run = `T${Date.now().toString(36)}`
  const settings = {
    url: NATS_URL,
    stream: `TANDEM_TEST_${run}`,
    subjects: [`test.${run}.>`],
    durable: 'tandem',
  }
  let database: TestDatabase
  const log = { info: () => undefined, error: () => undefined }

  beforeAll(async () => {
    database = await freshDatabase()
    const agency = await f.makeAgency(database.db)
    for (let i = 1; i <= 20; i++)
      await f.makePerson(database.db, { leadAgencyId: agency, crn: `J${String(i).padStart(6, '0')}` })
  })
  afterAll(async () => {
    const jsm = await nats?.jetstreamManager()
    await jsm?.streams.delete(settings.stream).catch(() => undefined)
    await nats?.close()
    await database?.destroy()
  })

  const applied = async () =>
    Number(
      (await sql<{ n: number }>`select count(*) as n from inbound_messages`.execute(database.db)).rows[0]!.n,
    )
  const until = async (check: () => Promise<boolean>) => {
    const deadline = Date.now() + 30_000
    while (!(await check()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
  }

  it('applies what is published, survives a restart, and applies a redelivered message once', async () => {
    const messages = Array.from({ length: 1200 }, (_, i) =>
      sns(
        event(
          'intervention.referral.sent',
          { crn: `J${String((i % 20) + 1).padStart(6, '0')}`, noms: 'A0000AA' },
          { referralId: `r-${i}` },
          { occurredAt: new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString() },
        ),
        `${run}-${i}`,
      ),
    )
    const js = nats!.jetstream()
    const first = await startNatsConsumer(database.db, settings, log)
    for (const m of messages.slice(0, 700)) await js.publish(`test.${run}.referral`, JSON.stringify(m))
    await until(async () => (await applied()) >= 700)
    await first.stop()

    // Published while no consumer runs: the durable consumer picks up where it stopped.
    for (const m of messages.slice(700)) await js.publish(`test.${run}.referral`, JSON.stringify(m))
    // And one sent twice by an upstream retry.
    await js.publish(`test.${run}.referral`, JSON.stringify(messages[3]))
    const second = await startNatsConsumer(database.db, settings, log)
    await until(async () => (await applied()) >= 1200)
    // Everything acknowledged: nothing left for a later consumer to apply again.
    const consumerInfo = async () =>
      (await nats!.jetstreamManager()).consumers.info(settings.stream, settings.durable)
    await until(async () => (await consumerInfo()).num_ack_pending === 0)
    expect(await consumerInfo()).toMatchObject({ num_pending: 0, num_ack_pending: 0 })
    await second.stop()

    expect(await applied()).toBe(1200)
    const items = await sql<{
      n: number
    }>`select count(*) as n from timeline_events where kind = 'referral.sent'`.execute(database.db)
    expect(Number(items.rows[0]!.n)).toBe(1200)
  }, 90_000)
})
