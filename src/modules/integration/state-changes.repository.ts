import { sql } from 'kysely'
import type { Tx } from '../../platform/database/database.js'

/**
 * Person state changed by other systems' events, set-based: each function changes many
 * people in one statement (a batch of events is a few statements, not a few per event).
 * Callers pass at most one change per person per call.
 */

const uuids = (values: string[]) => sql`${values}::uuid[]`
const texts = (values: (string | null)[]) => sql`${values}::text[]`
const dates = (values: string[]) => sql`${values}::date[]`

/**
 * Locks the clocks of these parts of people's state (creating any missing, so a concurrent
 * batch waits on the same row) and returns when each last changed.
 */
export async function lockClocks(tx: Tx, keys: { personId: string; aspect: string }[]) {
  const sorted = [...keys].sort((a, b) =>
    `${a.personId}|${a.aspect}`.localeCompare(`${b.personId}|${b.aspect}`),
  )
  const people = uuids(sorted.map((k) => k.personId))
  const aspects = texts(sorted.map((k) => k.aspect))
  await sql`insert into person_state_clock (person_id, aspect, occurred_at)
    select * , '-infinity'::timestamptz from unnest(${people}, ${aspects})
    on conflict do nothing`.execute(tx)
  const rows = await sql<{ person_id: string; aspect: string; occurred_at: Date }>`
    select c.person_id, c.aspect, c.occurred_at from person_state_clock c
    join unnest(${people}, ${aspects}) k(person_id, aspect) on k.person_id = c.person_id and k.aspect = c.aspect
    order by c.person_id, c.aspect
    for update of c`.execute(tx)
  return new Map(rows.rows.map((r) => [`${r.person_id}|${r.aspect}`, new Date(r.occurred_at)]))
}

export async function saveClocks(tx: Tx, clocks: { personId: string; aspect: string; at: Date }[]) {
  if (clocks.length === 0) return
  await sql`update person_state_clock c set occurred_at = k.at
    from unnest(${uuids(clocks.map((c) => c.personId))}, ${texts(clocks.map((c) => c.aspect))},
      ${sql`${clocks.map((c) => c.at.toISOString())}::timestamptz[]`}) k(person_id, aspect, at)
    where c.person_id = k.person_id and c.aspect = k.aspect`.execute(tx)
}

export async function receiveIntoCustody(
  tx: Tx,
  rows: { personId: string; prisonCode: string | null; prisonName: string | null; on: string }[],
) {
  if (rows.length === 0) return
  const input = sql`unnest(${uuids(rows.map((r) => r.personId))}, ${texts(rows.map((r) => r.prisonCode))},
    ${texts(rows.map((r) => r.prisonName))}, ${dates(rows.map((r) => r.on))}) v(person_id, code, name, on_date)`
  await sql`update people p set custody_status = 'in_custody', prison_code = coalesce(v.code, p.prison_code),
      updated_at = now(), version = p.version + 1
    from ${input} where p.id = v.person_id`.execute(tx)
  await sql`insert into custody_episodes (person_id, prison_code, prison_name, received_on)
    select v.person_id, v.code, v.name, v.on_date from ${input}
    where v.code is not null and not exists (
      select 1 from custody_episodes e where e.person_id = v.person_id and e.released_on is null)`.execute(tx)
}

/** Out of custody: on licence while a licence runs on a current sentence, otherwise in the community. */
export async function releaseFromCustody(tx: Tx, rows: { personId: string; on: string; reason: string }[]) {
  if (rows.length === 0) return
  const input = sql`unnest(${uuids(rows.map((r) => r.personId))}, ${dates(rows.map((r) => r.on))},
    ${texts(rows.map((r) => r.reason.toLowerCase()))}) v(person_id, on_date, reason)`
  await sql`update people p set prison_code = null, updated_at = now(), version = p.version + 1,
      custody_status = case when exists (
        select 1 from sentences s where s.person_id = p.id and s.ended_on is null and s.licence_end_on >= v.on_date)
        then 'released_on_licence' else 'community' end
    from ${input} where p.id = v.person_id`.execute(tx)
  await sql`update custody_episodes e set released_on = v.on_date, release_reason = v.reason
    from ${input} where e.person_id = v.person_id and e.released_on is null`.execute(tx)
}

export async function putOnLicence(tx: Tx, personIds: string[]) {
  if (personIds.length === 0) return
  await sql`update people set custody_status = 'released_on_licence', prison_code = null,
      updated_at = now(), version = version + 1
    where id = any(${uuids(personIds)}) and custody_status <> 'in_custody'`.execute(tx)
}

export async function upsertRegistrations(
  tx: Tx,
  rows: {
    personId: string
    ref: string
    typeCode: string
    typeDescription: string
    category: string
    registerCategory: string | null
    level: string | null
    registeredOn: string
  }[],
) {
  if (rows.length === 0) return
  const column = <K extends keyof (typeof rows)[number]>(key: K) =>
    texts(rows.map((r) => r[key] as string | null))
  await sql`insert into registrations (person_id, source_ref, type_code, type_description, category,
      register_category, level, registered_on, source_system)
    select v.*, 'nDelius' from unnest(${uuids(rows.map((r) => r.personId))}, ${column('ref')}, ${column('typeCode')},
      ${column('typeDescription')}, ${column('category')}, ${column('registerCategory')}, ${column('level')},
      ${dates(rows.map((r) => r.registeredOn))}) v
    on conflict (person_id, source_system, source_ref) where source_ref is not null do update set
      type_code = excluded.type_code, type_description = excluded.type_description, category = excluded.category,
      register_category = excluded.register_category, level = excluded.level`.execute(tx)
}

export async function endRegistrations(tx: Tx, rows: { personId: string; typeCode: string; on: string }[]) {
  if (rows.length === 0) return
  await sql`update registrations r set deregistered_on = v.on_date
    from unnest(${uuids(rows.map((r) => r.personId))}, ${texts(rows.map((r) => r.typeCode))},
      ${dates(rows.map((r) => r.on))}) v(person_id, type_code, on_date)
    where r.person_id = v.person_id and r.type_code = v.type_code and r.deregistered_on is null`.execute(tx)
}

export async function deleteRegistrations(tx: Tx, rows: { personId: string; ref: string }[]) {
  if (rows.length === 0) return
  await sql`delete from registrations r
    using unnest(${uuids(rows.map((r) => r.personId))}, ${texts(rows.map((r) => r.ref))}) v(person_id, ref)
    where r.person_id = v.person_id and r.source_system = 'nDelius' and r.source_ref = v.ref`.execute(tx)
}

/** The identity bar's ROSH level follows the newest active ROSH registration; none clears it. */
export async function refreshRosh(tx: Tx, personIds: string[], levels: Record<string, string>) {
  if (personIds.length === 0) return
  const codes = Object.keys(levels)
  const level = sql.join(
    codes.map((c) => sql`when ${c} then ${levels[c]}`),
    sql` `,
  )
  await sql`update people set updated_at = now(), rosh_level = (
      select case r.type_code ${level} end from registrations r
      where r.person_id = people.id and r.deregistered_on is null and r.type_code = any(${texts(codes)})
      order by r.registered_on desc, r.created_at desc limit 1)
    where id = any(${uuids(personIds)})`.execute(tx)
}

/** MAPPA category and level follow the newest active MAPPA registration (codes such as M2 and M1). */
export async function refreshMappa(tx: Tx, personIds: string[]) {
  if (personIds.length === 0) return
  const digit = (column: 'register_category' | 'level') =>
    sql`(select nullif(regexp_replace(coalesce(r.${sql.ref(column)}, ''), '[^0-9]', '', 'g'), '')::smallint
      from registrations r where r.person_id = people.id and r.deregistered_on is null and r.type_code = 'MAPP'
      order by r.registered_on desc, r.created_at desc limit 1)`
  await sql`update people set mappa_category = ${digit('register_category')}, mappa_level = ${digit('level')},
      updated_at = now()
    where id = any(${uuids(personIds)})`.execute(tx)
}

export async function insertRiskScores(
  tx: Tx,
  rows: {
    personId: string
    kind: string
    score: number | null
    band: string | null
    at: Date
    source: string
  }[],
) {
  if (rows.length === 0) return
  await tx
    .insertInto('risk_scores')
    .values(
      rows.map((r) => ({
        person_id: r.personId,
        kind: r.kind,
        score: r.score,
        band: r.band,
        determined_at: r.at,
        source_system: r.source,
      })),
    )
    .execute()
}
