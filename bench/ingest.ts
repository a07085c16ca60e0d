import { sql } from 'kysely'
import type { Db } from '../src/platform/database/database.js'
import { ingest, type MessageSource } from '../src/modules/integration/ingest.service.js'

/**
 * Sustained ingest of HMPPS domain events into the benchmark database: identity by CRN or
 * prison number, inbox, timeline, state changes and outbox, in batches of 500 from several
 * consumers at once, against a raw-SQL baseline inserting the same inbox and timeline rows.
 * The events are about people made for the run (so the seeded estate is left as it was);
 * they and everything written about them are removed afterwards.
 */

const BATCH = 500
const source: MessageSource = {
  origin: { route: 'bench ingest', requestId: null },
  actor: null,
  label: 'bench',
}

export function streamFor(people: { crn: string; noms: string }[], events: number, run: string) {
  const start = Date.UTC(2026, 0, 1)
  return Array.from({ length: events }, (_, i) => {
    const p = people[i % people.length]!
    const occurredAt = new Date(start + i * 997).toISOString()
    const reference = { identifiers: [{ type: 'CRN', value: p.crn }] }
    const kinds: [string, Record<string, unknown>, 'CRN' | 'NOMS'][] = [
      [
        'intervention.session-appointment.session-feedback-submitted',
        { referralReference: 'JW5463AC' },
        'CRN',
      ],
      ['tier.calculation.complete', { calculationId: `c-${i}` }, 'CRN'],
      ['person.community.manager.allocated', { allocationId: `a-${i}` }, 'CRN'],
      [
        'probation-case.registration.added',
        {
          registrationId: `${run}-${i}`,
          registerTypeCode: i % 3 ? 'RHRH' : 'MAPP',
          registerTypeDescription: i % 3 ? 'High RoSH' : 'MAPPA',
          registrationCategoryCode: 'M2',
          registrationLevelCode: 'M1',
          registrationDate: 'Mon Jun 19 00:00:00 BST 2023',
        },
        'CRN',
      ],
      [
        i % 2 ? 'prison-offender-events.prisoner.received' : 'prison-offender-events.prisoner.released',
        { nomsNumber: p.noms, reason: i % 2 ? 'ADMISSION' : 'RELEASED', prisonId: 'BMI' },
        'NOMS',
      ],
      ['risk-assessment.scores.rsr.determined', { RSRScore: 3.2, RSRBand: 'LOW' }, 'CRN'],
      ['accommodation.cas3.referral.submitted', { applicationId: `x-${i}` }, 'CRN'],
      ['pre-sentence.report.started', { reportId: `r-${i}` }, 'CRN'],
    ]
    const [eventType, additionalInformation, ids] = kinds[i % kinds.length]!
    const body = {
      eventType,
      version: 1,
      occurredAt,
      additionalInformation,
      personReference: ids === 'NOMS' ? { identifiers: [{ type: 'NOMS', value: p.noms }] } : reference,
    }
    return {
      Type: 'Notification',
      MessageId: `${run}-${i}`,
      Message: JSON.stringify(body),
      MessageAttributes: { eventType: { Type: 'String', Value: eventType } },
    }
  })
}

/** Runs batches from a shared queue on `consumers` workers at once; returns seconds taken. */
async function drain<T>(batches: T[][], consumers: number, work: (batch: T[]) => Promise<unknown>) {
  const queue = [...batches]
  const started = performance.now()
  await Promise.all(
    Array.from({ length: consumers }, async () => {
      for (let batch = queue.shift(); batch; batch = queue.shift()) await work(batch)
    }),
  )
  return (performance.now() - started) / 1000
}

/**
 * Runs `work` with `count` people of our own (CRN Z…, prison number Z…), so events spread as
 * they would nationally; they and everything written about them are removed afterwards.
 */
export async function withBenchPeople<T>(
  db: Db,
  count: number,
  work: (people: { id: string; crn: string; noms: string }[], agencyId: string) => Promise<T>,
): Promise<T> {
  const agency = await db
    .selectFrom('agencies')
    .select('id')
    .where('kind', '=', 'probation')
    .executeTakeFirstOrThrow()
  const made = await sql<{ id: string; crn: string; noms: string }>`
    insert into people (crn, noms_number, first_name, last_name, date_of_birth, gender, lead_agency_id)
    select 'Z' || lpad(n::text, 6, '0'), 'Z' || lpad(n::text, 4, '0') || 'ZZ', 'Bench', 'Person' || n,
      date '1980-01-01' + n, 'male', ${agency.id}::uuid
    from generate_series(1, ${count}::int) n
    returning id, crn, noms_number as noms`.execute(db)
  const ids = made.rows.map((p) => p.id)
  try {
    await sql`insert into person_identifiers (type, value, person_id)
      select 'crn', crn, id from people where id = any(${ids}::uuid[])
      union all select 'noms', noms_number, id from people where id = any(${ids}::uuid[])`.execute(db)
    return await work(made.rows, agency.id)
  } finally {
    await removePeople(db, ids)
  }
}

export async function measureIngest(db: Db, events: number, consumers: number) {
  const run = `bench${Date.now().toString(36)}`
  return withBenchPeople(db, 5000, async (people, agencyId) => {
    const stream = streamFor(people, events, run)
    const batches = Array.from({ length: Math.ceil(events / BATCH) }, (_, b) =>
      stream.slice(b * BATCH, (b + 1) * BATCH),
    )
    let applied = 0
    const seconds = await drain(batches, consumers, async (batch) => {
      const outcomes = await ingest(db, batch, source)
      applied += outcomes.filter((o) => o.outcome === 'applied').length
    })

    // The baseline: the same inbox and timeline rows, inserted directly, by the same number of writers.
    const byCrn = new Map(people.map((p) => [p.crn, p.id]))
    const rows = stream.map((m, i) => ({
      key: `base-${m.MessageId}`,
      personId: byCrn.get(people[i % people.length]!.crn)!,
    }))
    const rowBatches = Array.from({ length: batches.length }, (_, b) =>
      rows.slice(b * BATCH, (b + 1) * BATCH),
    )
    const baselineSeconds = await drain(rowBatches, consumers, (batch) =>
      db.transaction().execute(async (tx) => {
        await tx
          .insertInto('inbound_messages')
          .values(
            batch.map((r) => ({
              message_key: r.key,
              event_type: 'bench',
              occurred_at: new Date(),
              person_id: r.personId,
            })),
          )
          .execute()
        await tx
          .insertInto('timeline_events')
          .values(
            batch.map((r) => ({
              person_id: r.personId,
              occurred_at: new Date(),
              kind: 'bench.baseline',
              category: 'supervision',
              agency_id: agencyId,
              source_system: 'bench',
              title: 'Baseline row',
              summary: null,
              pathway: null,
            })),
          )
          .execute()
      }),
    )
    return {
      events,
      applied,
      consumers,
      seconds,
      events_per_second: events / seconds,
      baseline_per_second: events / baselineSeconds,
      ratio: baselineSeconds / seconds,
    }
  })
}

/**
 * Everything written about the run's people (by ingest, and by the worker's rules and plans
 * when a server is running), then the people. Tables that refer to one another are retried
 * until a round deletes without a foreign key in the way.
 */
async function removePeople(db: Db, ids: string[]) {
  const tables = await sql<{ name: string }>`select table_name as name from information_schema.columns
    where table_schema = 'public' and column_name = 'person_id' and table_name not in ('people', 'outbox')`.execute(
    db,
  )
  let left = tables.rows.map((t) => t.name)
  for (let round = 0; left.length > 0 && round < 5; round++) {
    const failed: string[] = []
    for (const table of left) {
      try {
        await sql`delete from ${sql.table(table)} where person_id = any(${ids}::uuid[])`.execute(db)
      } catch {
        failed.push(table)
      }
    }
    left = failed
  }
  await db.deleteFrom('people').where('id', 'in', ids).execute()
}
