import { sql, type Insertable } from 'kysely'
import type { Queryable, Tx } from '../../../platform/database/database.js'
import type { DB } from '../../../platform/database/schema.js'

/** jsonb columns are sent as text and cast per row, so no driver re-encodes the JSON. */
type SqlType = 'uuid' | 'text' | 'date' | 'timestamptz' | 'int' | 'bool' | 'jsonb'

/**
 * Inserts many rows in one statement by unnesting one array per column. The statement's text
 * is the same for any number of rows, so PostgreSQL parses and plans it once per connection
 * (a multi-row VALUES would be a new prepared statement for every batch size).
 */
export async function insertMany<T extends keyof DB & string>(
  tx: Tx,
  table: T,
  types: Partial<Record<keyof Insertable<DB[T]> & string, SqlType>>,
  // Partial: columns left out take their defaults, and the database checks what is required.
  rows: Partial<Insertable<DB[T]>>[],
  onConflict = sql``,
) {
  if (rows.length === 0) return
  const columns = Object.keys(types) as (keyof typeof types & string)[]
  const arrays = columns.map((c) => {
    const type = types[c] === 'jsonb' ? 'text' : types[c]!
    return sql`${rows.map((r) => (r as Record<string, unknown>)[c] ?? null)}::${sql.raw(type)}[]`
  })
  const names = columns.map((_, i) => sql.ref(`c${i}`))
  const values = columns.map((c, i) => (types[c] === 'jsonb' ? sql`${names[i]}::jsonb` : names[i]!))
  await sql`insert into ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))})
    select ${sql.join(values)} from unnest(${sql.join(arrays)}) as u(${sql.join(names)}) ${onConflict}`.execute(
    tx,
  )
}

/**
 * Takes the same advisory locks as identity matching (identity.repository lockKeys), in the
 * same order, so a batch and a record arriving through the API cannot both decide that no one
 * holds an identifier. One statement for the whole batch; a batch of 500 people takes up to
 * 2,500 locks, well inside PostgreSQL's default lock table.
 */
export async function lockKeys(tx: Tx, keys: string[]) {
  if (keys.length === 0) return
  await sql`select count(pg_advisory_xact_lock(7243003, hashtext(k)))
    from (select k from unnest(${[...new Set(keys)]}::text[]) k order by k collate "C") s`.execute(tx)
}

export async function findAgencies(db: Queryable, codes: string[]) {
  if (codes.length === 0) return []
  return db
    .selectFrom('agencies')
    .select(['id', 'code'])
    .where('code', '=', sql<string>`any(${codes})`)
    .execute()
}

export async function findUsersByEmail(db: Queryable, emails: string[]) {
  if (emails.length === 0) return []
  return (
    await sql<{ email: string; id: string }>`
      select lower(email) as email, id from users where lower(email) = any(${emails}::text[])`.execute(db)
  ).rows
}

/** The living person each CRN leads to (a merged record leads to who it was merged into). */
export async function findPeopleByCrn(db: Queryable, crns: string[]) {
  if (crns.length === 0) return []
  return (
    await sql<{ crn: string; person_id: string; lead_agency_id: string }>`
      select distinct on (k.crn) k.crn, p.id as person_id, p.lead_agency_id
      from (
        select i.value as crn, i.person_id from person_identifiers i where i.type = 'crn' and i.value = any(${crns}::text[])
        union all
        select crn, id from people where crn = any(${crns}::text[])
      ) k
      join people p0 on p0.id = k.person_id
      join people p on p.id = coalesce(p0.merged_into, p0.id)`.execute(db)
  ).rows
}

/** Living holders of identifiers, from the identifier index and from people's own columns. */
export async function findIdentifierHolders(db: Queryable, identifiers: { type: string; value: string }[]) {
  if (identifiers.length === 0) return []
  const of = (type: string) => identifiers.filter((i) => i.type === type).map((i) => i.value)
  return (
    await sql<{ type: string; value: string; person_id: string }>`
      select distinct k.type, k.value, coalesce(p.merged_into, p.id) as person_id
      from (
        select i.type, i.value, i.person_id from person_identifiers i
        where (i.type, i.value) in (select * from unnest(${identifiers.map((i) => i.type)}::text[],
          ${identifiers.map((i) => i.value)}::text[]))
        union all
        select 'crn', crn, id from people where crn = any(${of('crn')}::text[])
        union all
        select 'noms', noms_number, id from people where noms_number = any(${of('noms')}::text[])
        union all
        select 'pnc', pnc_number, id from people where pnc_number = any(${of('pnc')}::text[])
      ) k
      join people p on p.id = k.person_id`.execute(db)
  ).rows
}

export function findSourceRecords(db: Queryable, sourceSystem: string, refs: string[]) {
  return db
    .selectFrom('source_records')
    .selectAll()
    .where('source_system', '=', sourceSystem)
    .where('source_ref', '=', sql<string>`any(${refs}::text[])`)
    .execute()
}

/** What matching compares for each person: as identity.repository's facts, in bulk. */
export interface PersonFacts {
  id: string
  lead_agency_id: string
  first_name: string
  last_name: string
  date_of_birth: string
  gender: string
  crn: string
  noms_number: string | null
  pnc_number: string | null
  cro_number: string | null
  postcode: string | null
  aliases: { firstName: string; lastName: string; dateOfBirth: string | null }[]
}

export async function findFacts(db: Queryable, ids: string[]) {
  if (ids.length === 0) return []
  return (
    await sql<PersonFacts>`
      select p.id, p.lead_agency_id, p.first_name, p.last_name, p.date_of_birth, p.gender, p.crn,
        p.noms_number, p.pnc_number, p.cro_number,
        (select a.postcode from person_addresses a
          where a.person_id = p.id and a.ends_on is null and a.postcode is not null limit 1) as postcode,
        coalesce((select json_agg(json_build_object('firstName', al.first_name, 'lastName', al.last_name,
          'dateOfBirth', al.date_of_birth)) from person_aliases al where al.person_id = p.id), '[]') as aliases
      from people p
      where p.merged_into is null and p.id = any(${ids}::uuid[])`.execute(db)
  ).rows
}

/**
 * The names of everyone born on any of these dates (the matcher's date-of-birth candidates),
 * and no more: at national scale a batch has tens of thousands, and most are ruled out by name.
 */
export async function findNamesBornOn(db: Queryable, dobs: string[]) {
  if (dobs.length === 0) return []
  return (
    await sql<{
      id: string
      first_name: string
      last_name: string
      date_of_birth: string
      aliases: { firstName: string; lastName: string }[] | null
    }>`
      select p.id, p.first_name, p.last_name, p.date_of_birth,
        (select json_agg(json_build_object('firstName', al.first_name, 'lastName', al.last_name))
          from person_aliases al where al.person_id = p.id) as aliases
      from people p
      where p.merged_into is null and p.date_of_birth = any(${dobs}::date[])`.execute(db)
  ).rows
}

export async function findImportedRows(
  db: Queryable,
  sourceSystem: string,
  kind: DB['import_rows']['kind'],
  keys: string[],
) {
  if (keys.length === 0) return []
  return db
    .selectFrom('import_rows')
    .select(['row_key', 'row_hash'])
    .where('source_system', '=', sourceSystem)
    .where('kind', '=', kind)
    .where('row_key', '=', sql<string>`any(${keys}::text[])`)
    .execute()
}

/**
 * Records rows as imported, returning the keys this transaction claimed. A key another import
 * claimed first (even one still running) is not returned, so its row is written only once.
 */
export async function claimImportRows(tx: Tx, rows: Insertable<DB['import_rows']>[]) {
  if (rows.length === 0) return new Set<string>()
  const claimed = await sql<{ row_key: string }>`
    insert into import_rows (source_system, kind, row_key, row_hash, person_id, target_id)
    select * from unnest(${rows.map((r) => r.source_system)}::text[], ${rows.map((r) => r.kind)}::text[],
      ${rows.map((r) => r.row_key)}::text[], ${rows.map((r) => r.row_hash)}::text[],
      ${rows.map((r) => r.person_id)}::uuid[], ${rows.map((r) => r.target_id)}::uuid[])
    on conflict do nothing
    returning row_key`.execute(tx)
  return new Set(claimed.rows.map((r) => r.row_key))
}

/** The highest event number each person's sentences have, so imported ones follow on. */
export async function lastEventNumbers(db: Queryable, personIds: string[]) {
  if (personIds.length === 0) return []
  return db
    .selectFrom('sentences')
    .select(['person_id', (eb) => eb.fn.max('event_number').as('last')])
    .where('person_id', '=', sql<string>`any(${personIds}::uuid[])`)
    .groupBy('person_id')
    .execute()
}

/** Fills identifiers people lack (never overwriting one they have), as identity linking does. */
export async function fillMissingIdentifiers(
  tx: Tx,
  rows: { personId: string; noms: string | null; pnc: string | null; cro: string | null }[],
) {
  if (rows.length === 0) return
  await sql`
    update people p set
      noms_number = coalesce(p.noms_number, f.noms), pnc_number = coalesce(p.pnc_number, f.pnc),
      cro_number = coalesce(p.cro_number, f.cro), updated_at = now()
    from (select distinct on (id) * from unnest(${rows.map((r) => r.personId)}::uuid[],
      ${rows.map((r) => r.noms)}::text[], ${rows.map((r) => r.pnc)}::text[], ${rows.map((r) => r.cro)}::text[])
      as u(id, noms, pnc, cro)) f
    where p.id = f.id
      and ((p.noms_number is null and f.noms is not null
        and not exists (select 1 from people o where o.noms_number = f.noms))
        or (p.pnc_number is null and f.pnc is not null) or (p.cro_number is null and f.cro is not null))`.execute(
    tx,
  )
}

/** Domain events for many rows at once: the same rows publish() writes, one statement. */
export async function publishMany(
  tx: Tx,
  events: { type: string; personId: string; payload: Record<string, unknown> }[],
) {
  await insertMany(
    tx,
    'outbox',
    { event_type: 'text', person_id: 'uuid', payload: 'jsonb' },
    events.map((e) => ({ event_type: e.type, person_id: e.personId, payload: JSON.stringify(e.payload) })),
  )
}

/** The tables an import of this kind grows, whose planner statistics it keeps current. */
const GROWN: Record<string, string[]> = {
  people: [
    'people',
    'person_identifiers',
    'person_aliases',
    'person_addresses',
    'source_records',
    'timeline_events',
  ],
  records: ['import_rows', 'timeline_events', 'sentences', 'appointments', 'contacts', 'registrations'],
}

export async function refreshStatistics(db: Queryable, kind: string) {
  for (const table of GROWN[kind === 'people' ? 'people' : 'records']!)
    await sql`analyze ${sql.table(table)}`.execute(db)
}

/** Column types of the timeline rows an import writes, for insertMany. */
export const TIMELINE_COLUMNS = {
  person_id: 'uuid',
  occurred_at: 'timestamptz',
  kind: 'text',
  category: 'text',
  agency_id: 'uuid',
  source_system: 'text',
  title: 'text',
  summary: 'text',
} as const
