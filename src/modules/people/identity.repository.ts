import { sql, type Insertable } from 'kysely'
import { jsonArrayFrom } from 'kysely/helpers/postgres'
import type { Queryable, Tx } from '../../platform/database/database.js'
import type { PeopleTable, SourceRecordsTable } from '../../platform/database/schema.js'
import type { IdentityFacts } from './matching.js'

export type IdentifierType = 'crn' | 'noms' | 'pnc' | 'cro'
export interface Identifier {
  type: IdentifierType
  value: string
}

/**
 * Serialises arrivals that share a key (an identifier, a source reference), so two records
 * with one CRN arriving together cannot both decide that no such person exists yet. Keys are
 * taken in order, so two arrivals never wait for each other in a cycle.
 */
export async function lockKeys(tx: Tx, keys: string[]) {
  for (const key of [...new Set(keys)].sort())
    await sql`select pg_advisory_xact_lock(7243003, hashtext(${key}))`.execute(tx)
}

/** The living people (merged records resolved to who they were merged into) holding any of these identifiers. */
export async function findByIdentifiers(db: Queryable, identifiers: Identifier[]) {
  if (identifiers.length === 0) return []
  // One join against the pairs as arrays: a batch of hundreds stays one index probe each.
  const types = identifiers.map((i) => i.type)
  const values = identifiers.map((i) => i.value)
  const rows = await sql<{ type: IdentifierType; value: string; person_id: string }>`
    select distinct i.type, i.value, coalesce(p.merged_into, p.id) as person_id
    from unnest(${types}::text[], ${values}::text[]) wanted(type, value)
    join person_identifiers i on i.type = wanted.type and i.value = wanted.value
    join people p on p.id = i.person_id`.execute(db)
  return rows.rows
}

export function findSourceRecord(db: Queryable, sourceSystem: string, sourceRef: string) {
  return db
    .selectFrom('source_records')
    .select(['id', 'person_id', 'match_outcome'])
    .where('source_system', '=', sourceSystem)
    .where('source_ref', '=', sourceRef)
    .executeTakeFirst()
}

/** What matching knows of a person: names, aliases, date of birth, identifiers, current postcode. */
function factsQuery(db: Queryable) {
  return db
    .selectFrom('people as p')
    .select((eb) => [
      'p.id',
      'p.first_name',
      'p.last_name',
      'p.date_of_birth',
      'p.gender',
      'p.crn',
      'p.noms_number',
      'p.pnc_number',
      'p.cro_number',
      eb
        .selectFrom('person_addresses as a')
        .select('a.postcode')
        .whereRef('a.person_id', '=', 'p.id')
        .where('a.ends_on', 'is', null)
        .where('a.postcode', 'is not', null)
        .limit(1)
        .as('postcode'),
      jsonArrayFrom(
        eb
          .selectFrom('person_aliases as al')
          .select([
            'al.first_name as firstName',
            'al.last_name as lastName',
            'al.date_of_birth as dateOfBirth',
          ])
          .whereRef('al.person_id', '=', 'p.id'),
      ).as('aliases'),
    ])
    .where('p.merged_into', 'is', null)
}

export type Candidate = IdentityFacts & { id: string }

function toFacts(row: Awaited<ReturnType<ReturnType<typeof factsQuery>['execute']>>[number]): Candidate {
  return {
    id: row.id,
    firstName: row.first_name,
    lastName: row.last_name,
    dateOfBirth: row.date_of_birth,
    gender: row.gender,
    postcode: row.postcode,
    crn: row.crn,
    nomsNumber: row.noms_number,
    pncNumber: row.pnc_number,
    croNumber: row.cro_number,
    aliases: row.aliases,
  }
}

export async function findFacts(db: Queryable, personIds: string[]): Promise<Candidate[]> {
  if (personIds.length === 0) return []
  return (await factsQuery(db).where('p.id', 'in', personIds).execute()).map(toFacts)
}

/**
 * People who might be the person a record describes: the same or a nearly-same date of birth
 * (swapped day and month, a year out), or a similar name or alias born within a few years.
 * Each branch uses its own index; the scoring then decides.
 */
export async function findCandidates(tx: Tx, record: IdentityFacts, limit = 100): Promise<Candidate[]> {
  const dobs: string[] = []
  if (record.dateOfBirth) {
    const [y, m, d] = record.dateOfBirth.split('-').map(Number) as [number, number, number]
    const iso = (yy: number, mm: number, dd: number) => {
      const date = new Date(Date.UTC(yy, mm - 1, dd))
      return date.getUTCMonth() === mm - 1 ? date.toISOString().slice(0, 10) : null
    }
    for (const candidate of [iso(y, m, d), iso(y, d, m), iso(y - 1, m, d), iso(y + 1, m, d)])
      if (candidate) dobs.push(candidate)
  }
  const name = `${record.firstName} ${record.lastName}`
  const born = record.dateOfBirth ? Number(record.dateOfBirth.slice(0, 4)) : null
  // A stricter similarity than pg_trgm's default, so that a common forename alone is not enough.
  await sql`set local pg_trgm.similarity_threshold = 0.45`.execute(tx)
  const ids = await sql<{ id: string }>`
    select id from (
      select p.id from people p where p.date_of_birth = any(${dobs}::date[])
      union
      select p.id from people p where (p.first_name || ' ' || p.last_name) % ${name}
        and (${born}::int is null or abs(extract(year from p.date_of_birth) - ${born}::int) <= 3)
      union
      select a.person_id from person_aliases a where (a.first_name || ' ' || a.last_name) % ${name}
    ) c limit ${limit * 4}`.execute(tx)
  return findFacts(
    tx,
    ids.rows.map((r) => r.id),
  )
}

export async function insertSourceRecord(tx: Tx, values: Insertable<SourceRecordsTable>) {
  return tx.insertInto('source_records').values(values).returning('id').executeTakeFirstOrThrow()
}

export async function setSourceRecordPerson(
  tx: Tx,
  id: string,
  personId: string | null,
  outcome: SourceRecordsTable['match_outcome'],
) {
  await tx
    .updateTable('source_records')
    .set({ person_id: personId, match_outcome: outcome })
    .where('id', '=', id)
    .execute()
}

export async function insertIdentifiers(
  tx: Tx,
  personId: string,
  identifiers: Identifier[],
  sourceRecordId: string | null,
) {
  if (identifiers.length === 0) return
  await tx
    .insertInto('person_identifiers')
    .values(
      identifiers.map((i) => ({
        type: i.type,
        value: i.value,
        person_id: personId,
        source_record_id: sourceRecordId,
      })),
    )
    .onConflict((oc) => oc.columns(['type', 'value']).doNothing())
    .execute()
}

export function findPersonRow(db: Queryable, id: string) {
  return db.selectFrom('people').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function addAlias(
  tx: Tx,
  personId: string,
  alias: { firstName: string; lastName: string; dateOfBirth: string | null },
  sourceRecordId: string,
) {
  await tx
    .insertInto('person_aliases')
    .values({
      person_id: personId,
      first_name: alias.firstName,
      last_name: alias.lastName,
      date_of_birth: alias.dateOfBirth,
      source_record_id: sourceRecordId,
    })
    .execute()
}

/** Fills identifiers the person lacks (never overwriting one they have) from a linked record. */
export async function fillMissingIdentifiers(
  tx: Tx,
  personId: string,
  facts: { nomsNumber: string | null; pncNumber: string | null; croNumber: string | null },
) {
  await tx
    .updateTable('people')
    .set({
      noms_number: sql`coalesce(noms_number, ${facts.nomsNumber})`,
      pnc_number: sql`coalesce(pnc_number, ${facts.pncNumber})`,
      cro_number: sql`coalesce(cro_number, ${facts.croNumber})`,
      updated_at: sql`now()`,
    })
    .where('id', '=', personId)
    .execute()
}

export async function insertPerson(tx: Tx, values: Insertable<PeopleTable>) {
  return tx.insertInto('people').values(values).returning(['id', 'crn']).executeTakeFirstOrThrow()
}

export async function insertAddress(
  tx: Tx,
  personId: string,
  postcode: string,
  sourceRecordId: string,
  startsOn: string,
) {
  await tx
    .insertInto('person_addresses')
    .values({
      person_id: personId,
      kind: 'main',
      line1: null,
      town: null,
      postcode,
      starts_on: startsOn,
      ends_on: null,
      source_record_id: sourceRecordId,
    })
    .execute()
}

export async function insertReview(
  tx: Tx,
  review: { sourceRecordId: string; candidateId: string; score: number; explanation: unknown[] },
) {
  await tx
    .insertInto('match_reviews')
    .values({
      source_record_id: review.sourceRecordId,
      candidate_person_id: review.candidateId,
      score: review.score,
      explanation: JSON.stringify(review.explanation),
    })
    .execute()
}

export function listPendingReviews(db: Queryable, limit: number) {
  return db
    .selectFrom('match_reviews as r')
    .innerJoin('source_records as s', 's.id', 'r.source_record_id')
    .innerJoin('people as p', 'p.id', 'r.candidate_person_id')
    .select([
      'r.id',
      'r.score',
      'r.created_at',
      'r.candidate_person_id',
      's.source_system',
      's.first_name',
      's.last_name',
      's.date_of_birth',
      'p.crn',
      'p.first_name as candidate_first_name',
      'p.last_name as candidate_last_name',
    ])
    .where('r.status', '=', 'pending')
    .orderBy('r.created_at')
    .limit(limit)
    .execute()
}

export function findReview(db: Queryable, id: string) {
  return db
    .selectFrom('match_reviews as r')
    .innerJoin('source_records as s', 's.id', 'r.source_record_id')
    .select([
      'r.id',
      'r.status',
      'r.score',
      'r.explanation',
      'r.candidate_person_id',
      'r.source_record_id',
      's.person_id as record_person_id',
      's.source_system',
      's.source_ref',
      's.crn',
      's.noms_number',
      's.pnc_number',
      's.cro_number',
      's.first_name',
      's.last_name',
      's.date_of_birth',
      's.gender',
      's.postcode',
      's.agency_id',
      's.received_at',
    ])
    .where('r.id', '=', id)
    .executeTakeFirst()
}

export async function decideReview(tx: Tx, id: string, status: 'same' | 'different', by: string) {
  const result = await tx
    .updateTable('match_reviews')
    .set({ status, decided_by: by, decided_at: sql`now()` })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

/** Other reviews of the same record are settled when one is decided "same". */
export async function closeOtherReviews(tx: Tx, sourceRecordId: string, exceptId: string, by: string) {
  await tx
    .updateTable('match_reviews')
    .set({ status: 'different', decided_by: by, decided_at: sql`now()` })
    .where('source_record_id', '=', sourceRecordId)
    .where('id', '<>', exceptId)
    .where('status', '=', 'pending')
    .execute()
}

export async function countPendingReviews(db: Queryable, sourceRecordId: string) {
  const row = await db
    .selectFrom('match_reviews')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('source_record_id', '=', sourceRecordId)
    .where('status', '=', 'pending')
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

export function findLivingPersonByCrn(db: Queryable, crn: string) {
  return db
    .selectFrom('people')
    .select(['id', 'crn', 'first_name', 'last_name'])
    .where('crn', '=', crn)
    .where('merged_into', 'is', null)
    .executeTakeFirst()
}

export async function countUnmatched(db: Queryable) {
  const row = await db
    .selectFrom('source_records as s')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('s.match_outcome', '=', 'pending')
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('match_reviews as r')
            .select('r.id')
            .whereRef('r.source_record_id', '=', 's.id')
            .where('r.status', '=', 'pending'),
        ),
      ),
    )
    .executeTakeFirstOrThrow()
  return Number(row.n)
}
