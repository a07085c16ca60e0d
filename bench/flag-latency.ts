import { sql } from 'kysely'
import { DEMO_PASSWORD } from '../src/cli/seed/estate.js'
import { newToken } from '../src/platform/auth/tokens.js'
import type { Db } from '../src/platform/database/database.js'
import { withBenchPeople, streamFor } from './ingest.js'
import { percentile } from './load.js'
import { signIn } from './server.js'

/**
 * Event to flag visible on My day, while domain events arrive at a steady rate. A partner
 * system posts HMPPS domain events to /api/v1/events at `rate` a second (about made-up
 * people, so the estate keeps its shape); twice a second one of them is a domestic abuse
 * registration for one of the demo practitioner's people. The practitioner has My day open:
 * the time from posting a probe to its flag arriving over the page's server-sent events is
 * the figure, so it includes ingest, the worker's rules and the notification to the live page. The
 * first probe goes after a warm-up of the same stream.
 */

const BATCH_MS = 50
const PROBES_PER_SECOND = 2
/** The stream runs this long before the first probe, as every scenario has a warm-up. */
const WARM_UP_SECONDS = 5

export interface FlagLatency {
  rate_target: number
  events_sent: number
  events_per_second: number
  probes: number
  seen: number
  p50_ms: number
  p95_ms: number
  p99_ms: number
  max_ms: number
  /** Outbox events not yet handled by the worker when the last probe arrived, and how long they took. */
  outbox_backlog_after: number
  drain_seconds: number
}

async function outboxBacklog(db: Db) {
  const row = await sql<{ n: number }>`select count(*)::int as n from outbox
    where processed_at is null and failed_at is null`.execute(db)
  return row.rows[0]!.n
}

export async function measureFlagLatency(db: Db, serverUrl: string, rate: number, seconds: number) {
  const run = `lat${Date.now().toString(36)}`
  const marker = (i: number) => `latency probe ${run}-${i}`
  const practitioner = await signIn(serverUrl, 'practitioner@tandem.example', DEMO_PASSWORD)
  const caseload = await sql<{ crn: string; id: string }>`
    select p.crn, p.id from allocations a join users u on u.id = a.user_id join people p on p.id = a.person_id
    where u.email = 'practitioner@tandem.example' and a.is_lead and a.ended_at is null order by p.crn`.execute(
    db,
  )
  const probes = Math.min(caseload.rows.length, Math.round(seconds * PROBES_PER_SECOND))
  const token = await eventsToken(db)
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
  const today = new Date().toISOString().slice(0, 10)
  const started = new Date()

  // Measure a server in service: the first sweep after a seed raises flags for everyone at once.
  const settled = performance.now()
  while ((await outboxBacklog(db)) > 0 && performance.now() - settled < 600_000)
    await new Promise((r) => setTimeout(r, 1000))
  try {
    return await withBenchPeople(db, 5000, async (people) => {
      const warmUpSeconds = Math.min(WARM_UP_SECONDS, seconds / 5)
      const stream = streamFor(people, Math.ceil(rate * (warmUpSeconds + seconds)), run)
      const sentAt = new Map<string, number>()
      const seenAt = new Map<string, number>()
      const live = await openMyDay(serverUrl, practitioner, (chunk, at) => {
        for (const match of chunk.matchAll(new RegExp(`latency probe ${run}-(\\d+)`, 'g')))
          if (!seenAt.has(match[1]!)) seenAt.set(match[1]!, at)
      })
      const perBatch = Math.max(1, Math.round((rate * BATCH_MS) / 1000))
      const batches = Math.ceil(stream.length / perBatch)
      const firstProbeBatch = Math.round((warmUpSeconds * 1000) / BATCH_MS)
      const probeEvery = Math.max(1, Math.floor((batches - firstProbeBatch) / probes))
      const inFlight = new Set<Promise<void>>()
      let sent = 0
      const t0 = performance.now()
      for (let b = 0; b < batches; b++) {
        // Paced: batch b leaves at b × 50 ms, whether or not earlier posts have returned.
        const wait = t0 + b * BATCH_MS - performance.now()
        if (wait > 0) await new Promise((r) => setTimeout(r, wait))
        const messages: unknown[] = stream.slice(b * perBatch, (b + 1) * perBatch)
        const sinceWarmUp = b - firstProbeBatch
        const probe = sinceWarmUp >= 0 && sinceWarmUp % probeEvery === 0 ? sinceWarmUp / probeEvery : -1
        if (probe >= 0 && probe < probes) {
          messages.push(probeMessage(caseload.rows[probe]!.crn, marker(probe), `${run}-p${probe}`, today))
          sentAt.set(String(probe), performance.now())
        }
        const post = fetch(`${serverUrl}/api/v1/events`, {
          method: 'POST',
          headers,
          body: JSON.stringify(messages),
        }).then(async (response) => {
          if (!response.ok)
            throw new Error(`Posting events failed: ${response.status} ${await response.text()}`)
          await response.arrayBuffer()
          sent += messages.length
        })
        inFlight.add(post)
        void post.finally(() => inFlight.delete(post))
      }
      await Promise.all(inFlight)
      const sendingSeconds = (performance.now() - t0) / 1000
      // Give the last probes time to arrive (a late one counts at its real latency).
      const deadline = performance.now() + 30_000
      while (seenAt.size < sentAt.size && performance.now() < deadline)
        await new Promise((r) => setTimeout(r, 100))
      live.close()
      const backlog = await outboxBacklog(db)
      // Let the worker finish with the run's events before they and their people are removed.
      const drainStarted = performance.now()
      while ((await outboxBacklog(db)) > 0 && performance.now() - drainStarted < 120_000)
        await new Promise((r) => setTimeout(r, 250))
      const latencies = [...sentAt].flatMap(([i, at]) => (seenAt.has(i) ? [seenAt.get(i)! - at] : []))
      latencies.sort((a, b) => a - b)
      return {
        rate_target: rate,
        events_sent: sent,
        events_per_second: sent / sendingSeconds,
        probes: sentAt.size,
        seen: latencies.length,
        p50_ms: percentile(latencies, 50),
        p95_ms: percentile(latencies, 95),
        p99_ms: percentile(latencies, 99),
        max_ms: latencies.at(-1) ?? 0,
        outbox_backlog_after: backlog,
        drain_seconds: (performance.now() - drainStarted) / 1000,
      } satisfies FlagLatency
    })
  } finally {
    await removeProbes(
      db,
      caseload.rows.map((p) => p.id),
      run,
      started,
    )
  }
}

function probeMessage(crn: string, description: string, id: string, today: string) {
  const body = {
    eventType: 'probation-case.registration.added',
    version: 1,
    occurredAt: new Date().toISOString(),
    additionalInformation: {
      registrationId: id,
      registerTypeCode: 'ADVP',
      registerTypeDescription: `Domestic abuse perpetrator (${description})`,
      registrationDate: today,
    },
    personReference: { identifiers: [{ type: 'CRN', value: crn }] },
  }
  return { MessageId: id, Message: JSON.stringify(body), Type: 'Notification' }
}

/** My day's live updates, as the browser's EventSource reads them. */
async function openMyDay(url: string, cookie: string, onData: (text: string, at: number) => void) {
  const controller = new AbortController()
  const response = await fetch(`${url}/my-day/events`, { headers: { cookie }, signal: controller.signal })
  if (!response.ok || !response.body) throw new Error(`My day's live updates failed: ${response.status}`)
  const decoder = new TextDecoder()
  void (async () => {
    try {
      for await (const chunk of response.body!) onData(decoder.decode(chunk as Uint8Array), performance.now())
    } catch {
      // aborted at the end of the run
    }
  })()
  return { close: () => controller.abort() }
}

async function eventsToken(db: Db) {
  const agency = await db
    .selectFrom('agencies')
    .select('id')
    .where('kind', '=', 'probation')
    .executeTakeFirstOrThrow()
  const { token, hash } = newToken('tdm_')
  const account = await db
    .insertInto('users')
    .values({
      agency_id: agency.id,
      kind: 'service',
      email: `bench-events-${hash.slice(0, 12)}@service.tandem.invalid`,
      display_name: 'Benchmark event source',
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  await db
    .insertInto('api_tokens')
    .values({
      user_id: account.id,
      name: 'benchmark',
      token_hash: hash,
      scopes: ['events:write'],
      created_by: null,
    })
    .execute()
  return token
}

/** The probes' registrations, flags and tasks on the seeded people, so the estate is as it was. */
async function removeProbes(db: Db, personIds: string[], run: string, since: Date) {
  const flags = await db
    .deleteFrom('flags')
    .where('person_id', 'in', personIds)
    .where('reason', 'like', `%latency probe ${run}-%`)
    .returning('id')
    .execute()
  if (flags.length > 0)
    await db
      .deleteFrom('tasks')
      .where('person_id', 'in', personIds)
      .where(
        'source_ref',
        'in',
        flags.map((f) => f.id),
      )
      .execute()
  await db
    .deleteFrom('registrations')
    .where('person_id', 'in', personIds)
    .where('source_ref', 'like', `${run}-%`)
    .execute()
  await db
    .deleteFrom('timeline_events')
    .where('person_id', 'in', personIds)
    .where('occurred_at', '>=', since)
    .where('title', 'like', '%latency probe%')
    .execute()
}
