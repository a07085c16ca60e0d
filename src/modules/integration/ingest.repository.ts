import { sql } from 'kysely'
import type { Queryable, Tx } from '../../platform/database/database.js'
import type { Effects } from './event-mapping.js'

/** The people a batch of events is about: lead agency, for items no prison recorded. */
export function findPeople(db: Queryable, ids: string[]) {
  if (ids.length === 0) return Promise.resolve([])
  return db.selectFrom('people').select(['id', 'lead_agency_id']).where('id', 'in', ids).execute()
}

/** Prisons Tandem knows, by prison code (agencies coded PRI-<code>). */
export async function findPrisons(db: Queryable, codes: string[]) {
  if (codes.length === 0) return new Map<string, { id: string; name: string }>()
  const rows = await db
    .selectFrom('agencies')
    .select(['id', 'name', 'code'])
    .where(
      'code',
      'in',
      codes.map((c) => `PRI-${c}`),
    )
    .execute()
  return new Map(rows.map((r) => [r.code.slice(4), { id: r.id, name: r.name }]))
}

/**
 * Claims message keys in the inbox. A key another transaction holds makes this wait for it,
 * then skip: so a message is applied once however many deliveries race. Returns the keys won.
 */
export async function claimMessages(
  tx: Tx,
  rows: { key: string; eventType: string; occurredAt: Date; personId: string }[],
): Promise<Set<string>> {
  if (rows.length === 0) return new Set()
  const won = await tx
    .insertInto('inbound_messages')
    .values(
      rows.map((r) => ({
        message_key: r.key,
        event_type: r.eventType,
        occurred_at: r.occurredAt,
        person_id: r.personId,
      })),
    )
    .onConflict((oc) => oc.column('message_key').doNothing())
    .returning('message_key')
    .execute()
  return new Set(won.map((r) => r.message_key))
}

export async function isApplied(db: Queryable, key: string) {
  return !!(await db
    .selectFrom('inbound_messages')
    .select('message_key')
    .where('message_key', '=', key)
    .executeTakeFirst())
}

export async function insertTimeline(
  tx: Tx,
  items: { personId: string; occurredAt: Date; agencyId: string; item: Effects['item'] }[],
) {
  if (items.length === 0) return
  await tx
    .insertInto('timeline_events')
    .values(
      items.map(({ personId, occurredAt, agencyId, item }) => ({
        person_id: personId,
        occurred_at: occurredAt,
        kind: item.kind,
        category: item.category,
        agency_id: agencyId,
        source_system: item.sourceSystem,
        title: item.title,
        summary: item.summary,
        pathway: item.pathway,
      })),
    )
    .execute()
}

/**
 * Moves the clock of one part of a person's state to `at`, unless a later event already
 * moved it. True when the caller's change is the newest and should be applied.
 */
export async function advanceClock(tx: Tx, personId: string, aspect: string, at: Date): Promise<boolean> {
  const row = await tx
    .insertInto('person_state_clock')
    .values({ person_id: personId, aspect, occurred_at: at })
    .onConflict((oc) =>
      oc
        .columns(['person_id', 'aspect'])
        .doUpdateSet({ occurred_at: at })
        .where('person_state_clock.occurred_at', '<=', at),
    )
    .returning('aspect')
    .executeTakeFirst()
  return !!row
}

export async function setInCustody(
  tx: Tx,
  personId: string,
  prison: { code: string; name: string } | null,
  on: string,
) {
  await tx
    .updateTable('people')
    .set({
      custody_status: 'in_custody',
      prison_code: prison ? prison.code : sql`prison_code`,
      updated_at: sql`now()`,
      version: sql`version + 1`,
    })
    .where('id', '=', personId)
    .execute()
  const open = await tx
    .selectFrom('custody_episodes')
    .select('id')
    .where('person_id', '=', personId)
    .where('released_on', 'is', null)
    .executeTakeFirst()
  if (!open && prison)
    await tx
      .insertInto('custody_episodes')
      .values({ person_id: personId, prison_code: prison.code, prison_name: prison.name, received_on: on })
      .execute()
}

/** Out of custody: on licence while a licence runs on any current sentence, otherwise in the community. */
export async function setReleased(tx: Tx, personId: string, on: string, reason: string) {
  await tx
    .updateTable('people')
    .set({
      custody_status: sql`case when exists (
        select 1 from sentences s where s.person_id = people.id and s.ended_on is null
          and s.licence_end_on >= ${on}::date) then 'released_on_licence' else 'community' end`,
      prison_code: null,
      updated_at: sql`now()`,
      version: sql`version + 1`,
    })
    .where('id', '=', personId)
    .execute()
  await tx
    .updateTable('custody_episodes')
    .set({ released_on: on, release_reason: reason.toLowerCase() })
    .where('person_id', '=', personId)
    .where('released_on', 'is', null)
    .execute()
}

export async function setOnLicence(tx: Tx, personId: string) {
  await tx
    .updateTable('people')
    .set({
      custody_status: 'released_on_licence',
      prison_code: null,
      updated_at: sql`now()`,
      version: sql`version + 1`,
    })
    .where('id', '=', personId)
    .where('custody_status', '<>', 'in_custody')
    .execute()
}

export async function upsertRegistration(
  tx: Tx,
  personId: string,
  r: {
    ref: string
    typeCode: string
    typeDescription: string
    category: string
    registerCategory: string | null
    level: string | null
    registeredOn: string
  },
) {
  await tx
    .insertInto('registrations')
    .values({
      person_id: personId,
      type_code: r.typeCode,
      type_description: r.typeDescription,
      category: r.category,
      register_category: r.registerCategory,
      level: r.level,
      registered_on: r.registeredOn,
      source_system: 'nDelius',
      source_ref: r.ref,
    })
    .onConflict((oc) =>
      oc
        .columns(['person_id', 'source_system', 'source_ref'])
        .where('source_ref', 'is not', null)
        .doUpdateSet({
          type_code: r.typeCode,
          type_description: r.typeDescription,
          category: r.category,
          register_category: r.registerCategory,
          level: r.level,
        }),
    )
    .execute()
}

export async function endRegistrations(tx: Tx, personId: string, typeCode: string, on: string) {
  await tx
    .updateTable('registrations')
    .set({ deregistered_on: on })
    .where('person_id', '=', personId)
    .where('type_code', '=', typeCode)
    .where('deregistered_on', 'is', null)
    .execute()
}

export async function deleteRegistration(tx: Tx, personId: string, ref: string) {
  await tx
    .deleteFrom('registrations')
    .where('person_id', '=', personId)
    .where('source_system', '=', 'nDelius')
    .where('source_ref', '=', ref)
    .execute()
}

/** The identity bar's ROSH level follows the newest active ROSH registration; none clears it. */
export async function refreshRosh(tx: Tx, personId: string, levels: Record<string, string>) {
  const codes = Object.keys(levels)
  const level = sql.join(
    codes.map((c) => sql`when ${c} then ${levels[c]}`),
    sql` `,
  )
  await tx
    .updateTable('people')
    .set({
      rosh_level: sql`(select case r.type_code ${level} end from registrations r
        where r.person_id = people.id and r.deregistered_on is null and r.type_code in (${sql.join(codes)})
        order by r.registered_on desc, r.created_at desc limit 1)`,
      updated_at: sql`now()`,
    })
    .where('id', '=', personId)
    .execute()
}

/** MAPPA category and level follow the newest active MAPPA registration (codes such as M2 and M1). */
export async function refreshMappa(tx: Tx, personId: string) {
  const digit = (column: 'register_category' | 'level') =>
    sql<
      number | null
    >`(select nullif(regexp_replace(coalesce(r.${sql.ref(column)}, ''), '[^0-9]', '', 'g'), '')::smallint
      from registrations r where r.person_id = people.id and r.deregistered_on is null and r.type_code = 'MAPP'
      order by r.registered_on desc, r.created_at desc limit 1)`
  await tx
    .updateTable('people')
    .set({ mappa_category: digit('register_category'), mappa_level: digit('level'), updated_at: sql`now()` })
    .where('id', '=', personId)
    .execute()
}

export async function insertRiskScores(
  tx: Tx,
  personId: string,
  scores: { kind: string; score: number | null; band: string | null }[],
  determinedAt: Date,
  sourceSystem: string,
) {
  if (scores.length === 0) return
  await tx
    .insertInto('risk_scores')
    .values(
      scores.map((s) => ({
        person_id: personId,
        kind: s.kind,
        score: s.score,
        band: s.band,
        determined_at: determinedAt,
        source_system: sourceSystem,
      })),
    )
    .execute()
}

export async function publishMany(
  tx: Tx,
  events: { type: string; personId: string; payload: Record<string, unknown> }[],
) {
  if (events.length === 0) return
  await tx
    .insertInto('outbox')
    .values(
      events.map((e) => ({ event_type: e.type, person_id: e.personId, payload: JSON.stringify(e.payload) })),
    )
    .execute()
}

/** Keeps a message that could not be applied; a redelivery of the same message counts an attempt. */
export async function keepDeadLetter(
  db: Queryable,
  letter: { key: string; eventType: string | null; body: string; reason: string; waitingFor: string[] },
) {
  await db
    .insertInto('dead_letters')
    .values({
      message_key: letter.key,
      event_type: letter.eventType,
      body: letter.body,
      reason: letter.reason,
      waiting_for: letter.waitingFor,
    })
    .onConflict((oc) =>
      oc.column('message_key').doUpdateSet({
        attempts: sql`dead_letters.attempts + 1`,
        last_attempt_at: sql`now()`,
        reason: letter.reason,
        waiting_for: letter.waitingFor,
        resolved_at: null,
        resolution: null,
        resolved_by: null,
      }),
    )
    .execute()
}

/** Marks dead letters applied once their message has gone through (on redelivery or replay). */
export async function resolveDeadLetters(tx: Tx, keys: string[]) {
  await tx
    .updateTable('dead_letters')
    .set({ resolved_at: sql`now()`, resolution: 'applied' })
    .where('message_key', 'in', keys)
    .where('resolved_at', 'is', null)
    .execute()
}

export async function resolveDeadLetter(
  db: Queryable,
  id: number,
  resolution: 'applied' | 'duplicate' | 'discarded',
  by: string,
) {
  await db
    .updateTable('dead_letters')
    .set({ resolution, resolved_at: sql`coalesce(resolved_at, now())`, resolved_by: by })
    .where('id', '=', id)
    .execute()
}

/** Open dead letters waiting for an identifier the person now holds. */
export function findWaitingFor(db: Queryable, personId: string) {
  return db
    .selectFrom('dead_letters')
    .select(['id', 'body'])
    .where('resolved_at', 'is', null)
    .where(
      'waiting_for',
      '&&',
      sql<string[]>`(select coalesce(array_agg(i.type || ':' || i.value), '{}') from person_identifiers i
        join people p on p.id = i.person_id where coalesce(p.merged_into, p.id) = ${personId})`,
    )
    .orderBy('id')
    .limit(1000)
    .execute()
}

export function findDeadLetter(db: Queryable, id: number) {
  return db.selectFrom('dead_letters').selectAll().where('id', '=', id).executeTakeFirst()
}

export function listDeadLetters(db: Queryable, open: boolean) {
  return db
    .selectFrom('dead_letters as d')
    .leftJoin('users as u', 'u.id', 'd.resolved_by')
    .select([
      'd.id',
      'd.event_type',
      'd.reason',
      'd.body',
      'd.attempts',
      'd.received_at',
      'd.last_attempt_at',
      'd.resolved_at',
      'd.resolution',
      'u.display_name as resolved_by_name',
    ])
    .where('d.resolved_at', open ? 'is' : 'is not', null)
    .orderBy(open ? 'd.received_at' : 'd.resolved_at', 'desc')
    .limit(200)
    .execute()
}
