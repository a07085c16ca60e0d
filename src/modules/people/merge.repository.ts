import { sql } from 'kysely'
import type { Queryable, Tx } from '../../platform/database/database.js'

/**
 * Everything that belongs to a person, by table, with the columns that identify a row
 * within the person. Merging moves these rows and remembers their keys; unmerging moves
 * exactly those rows back. Rows that would clash with one the survivor already has (the same
 * cohort membership, the same restriction) stay where they are.
 */
const PERSON_TABLES: { table: string; key: string[]; clash?: string[] }[] = [
  { table: 'person_identifiers', key: ['type', 'value'] },
  { table: 'person_aliases', key: ['id'] },
  { table: 'person_addresses', key: ['id'] },
  { table: 'person_needs', key: ['id'] },
  { table: 'cohort_memberships', key: ['cohort_id', 'started_on'], clash: ['cohort_id', 'started_on'] },
  { table: 'allocations', key: ['id'] },
  { table: 'case_restrictions', key: ['user_id', 'kind'], clash: ['user_id', 'kind'] },
  { table: 'break_glass_grants', key: ['id'] },
  { table: 'sentences', key: ['id'] },
  { table: 'custody_episodes', key: ['id'] },
  { table: 'licence_conditions', key: ['id'] },
  { table: 'registrations', key: ['id'] },
  { table: 'appointments', key: ['id'] },
  { table: 'contacts', key: ['id'] },
  { table: 'timeline_events', key: ['id'] },
  { table: 'source_records', key: ['id'] },
]

export type MovedRows = Record<string, Record<string, unknown>[]> & {
  demoted_leads?: Record<string, unknown>[]
}

/** Moves every row of `from` to `to`, returning the keys of what moved. */
export async function moveRows(tx: Tx, from: string, to: string): Promise<MovedRows> {
  // One open lead per person: the merged record's lead becomes a co-worker on the survivor.
  const demoted = await sql<{ id: string }>`
    update allocations set is_lead = false
    where person_id = ${from} and is_lead and ended_at is null
      and exists (select 1 from allocations s where s.person_id = ${to} and s.is_lead and s.ended_at is null)
    returning id`.execute(tx)
  const moved: MovedRows = { demoted_leads: demoted.rows }
  for (const { table, key, clash } of PERSON_TABLES) {
    const keys = sql.join(key.map((k) => sql.ref(k)))
    const noClash = clash
      ? sql`and not exists (select 1 from ${sql.table(table)} x where x.person_id = ${to} and ${sql.join(
          clash.map((c) => sql`x.${sql.ref(c)} = ${sql.table(table)}.${sql.ref(c)}`),
          sql` and `,
        )})`
      : sql``
    const { rows } = await sql<Record<string, unknown>>`
      update ${sql.table(table)} set person_id = ${to} where person_id = ${from} ${noClash} returning ${keys}`.execute(
      tx,
    )
    moved[table] = rows
  }
  return moved
}

/** Puts back exactly the rows a merge moved, and the lead it demoted. */
export async function moveRowsBack(tx: Tx, moved: MovedRows, survivor: string, merged: string) {
  for (const { table, key } of PERSON_TABLES) {
    for (const row of moved[table] ?? []) {
      const match = sql.join(
        key.map((k) => sql`${sql.ref(k)} = ${row[k] as string}`),
        sql` and `,
      )
      await sql`update ${sql.table(table)} set person_id = ${merged} where person_id = ${survivor} and ${match}`.execute(
        tx,
      )
    }
  }
  const demoted = (moved.demoted_leads ?? []).map((r) => r.id as string)
  if (demoted.length) {
    await sql`update allocations set is_lead = true where person_id = ${merged} and id = any(${demoted}::uuid[])`.execute(
      tx,
    )
  }
}

export async function insertMerge(
  tx: Tx,
  merge: { survivorId: string; mergedId: string; reason: string; moved: MovedRows; by: string },
) {
  return tx
    .insertInto('person_merges')
    .values({
      survivor_id: merge.survivorId,
      merged_id: merge.mergedId,
      reason: merge.reason,
      moved: JSON.stringify(merge.moved),
      merged_by: merge.by,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
}

export function findMerge(db: Queryable, id: string) {
  return db.selectFrom('person_merges').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function markUnmerged(tx: Tx, id: string, by: string) {
  const result = await tx
    .updateTable('person_merges')
    .set({ unmerged_by: by, unmerged_at: sql`now()` })
    .where('id', '=', id)
    .where('unmerged_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

export async function setMergedInto(tx: Tx, personId: string, into: string | null) {
  await tx
    .updateTable('people')
    .set({ merged_into: into, updated_at: sql`now()` })
    .where('id', '=', personId)
    .execute()
}

export function listMerges(db: Queryable, limit: number) {
  return db
    .selectFrom('person_merges as m')
    .innerJoin('people as s', 's.id', 'm.survivor_id')
    .innerJoin('people as d', 'd.id', 'm.merged_id')
    .leftJoin('users as u', 'u.id', 'm.merged_by')
    .select([
      'm.id',
      'm.survivor_id',
      'm.merged_id',
      'm.reason',
      'm.merged_at',
      'm.unmerged_at',
      's.crn as survivor_crn',
      'd.crn as merged_crn',
      's.first_name',
      's.last_name',
      'u.display_name as merged_by_name',
    ])
    .orderBy('m.merged_at', 'desc')
    .limit(limit)
    .execute()
}
