import { sql, type SqlBool } from 'kysely'
import { accessFor } from '../../platform/access/access.js'
import type { Actor } from '../../platform/access/actor.js'
import type { Queryable } from '../../platform/database/database.js'

/**
 * A contact carries its own data category: the actor sees it when their access to the person
 * includes that category, or their agency wrote it. A sensitive contact is seen only inside
 * the author's agency, whatever the category.
 */
function contactVisible(actor: Actor) {
  return sql<SqlBool>`((c.category = any(access.categories) or c.agency_id = ${actor.agencyId})
    and (not c.sensitive or c.agency_id = ${actor.agencyId}))`
}

function visibleContacts(db: Queryable, actor: Actor, personId: string) {
  return db
    .selectFrom('contacts as c')
    .innerJoin('people as p', 'p.id', 'c.person_id')
    .innerJoin(accessFor(actor, 'p'), (join) => join.onTrue())
    .innerJoin('agencies as ag', 'ag.id', 'c.agency_id')
    .innerJoin('data_categories as dc', 'dc.code', 'c.category')
    .leftJoin('users as u', 'u.id', 'c.author_user_id')
    .where('p.merged_into', 'is', null)
    .where('c.person_id', '=', personId)
    .where(contactVisible(actor))
    .select([
      'c.id',
      'c.occurred_at',
      'c.kind',
      'c.summary',
      'c.category',
      'c.sensitive',
      'c.superseded',
      'c.replaces_id',
      'c.agency_id',
      'c.created_at',
      'dc.name as category_name',
      'ag.name as agency_name',
      'u.display_name as author_name',
    ])
}

export type ContactRow = Awaited<ReturnType<ReturnType<typeof visibleContacts>['executeTakeFirstOrThrow']>>

/** The current version of each contact, newest first, optionally of one type. */
export function findContacts(
  db: Queryable,
  actor: Actor,
  personId: string,
  kind: string | undefined,
  limit: number,
) {
  let query = visibleContacts(db, actor, personId).where('c.superseded', '=', false)
  if (kind) query = query.where('c.kind', '=', kind)
  return query.orderBy('c.occurred_at', 'desc').orderBy('c.created_at', 'desc').limit(limit).execute()
}

/** The types of contact the actor can see for the person, for the filter. */
export async function findContactKinds(db: Queryable, actor: Actor, personId: string) {
  const rows = await visibleContacts(db, actor, personId)
    .clearSelect()
    .select('c.kind')
    .distinct()
    .where('c.superseded', '=', false)
    .execute()
  return rows.map((r) => r.kind)
}

export function findContact(db: Queryable, actor: Actor, personId: string, id: string) {
  return visibleContacts(db, actor, personId).where('c.id', '=', id).executeTakeFirst()
}

/**
 * The versions `id` replaced, newest first, as far back as the actor may see them (at most
 * `limit`): the chain is followed in one recursive query rather than one query per version.
 */
export async function findEarlierVersions(
  db: Queryable,
  actor: Actor,
  personId: string,
  id: string,
  limit: number,
) {
  const chain = await sql<{ id: string }>`
    with recursive earlier(id, replaces_id, depth) as (
      select v.id, v.replaces_id, 1 from contacts c
      join contacts v on v.person_id = c.person_id and v.id = c.replaces_id
      where c.person_id = ${personId} and c.id = ${id}
      union all
      select v.id, v.replaces_id, e.depth + 1 from earlier e
      join contacts v on v.person_id = ${personId} and v.id = e.replaces_id
      where e.depth < ${limit}
    )
    select e.id from earlier e order by e.depth`.execute(db)
  const ids = chain.rows.map((r) => r.id)
  if (ids.length === 0) return []
  const visible = new Map(
    (await visibleContacts(db, actor, personId).where('c.id', 'in', ids).execute()).map((c) => [c.id, c]),
  )
  // Stop at the first version the actor may not see, as reading one at a time would.
  const versions: ContactRow[] = []
  for (const versionId of ids) {
    const version = visible.get(versionId)
    if (!version) break
    versions.push(version)
  }
  return versions
}

/** The version that corrected this one, if any. */
export function findCorrection(db: Queryable, actor: Actor, personId: string, id: string) {
  return visibleContacts(db, actor, personId).where('c.replaces_id', '=', id).executeTakeFirst()
}

/** Data categories by code and name, in their usual order. */
export function findCategories(db: Queryable, codes: string[]) {
  if (codes.length === 0) return Promise.resolve([])
  return db
    .selectFrom('data_categories')
    .select(['code', 'name'])
    .where('code', 'in', codes)
    .orderBy('sort')
    .execute()
}

export async function insertContact(
  db: Queryable,
  row: {
    personId: string
    occurredAt: Date
    kind: string
    summary: string
    category: string
    sensitive: boolean
    authorUserId: string
    agencyId: string
    replacesId: string | null
    at: Date
  },
) {
  const { id } = await db
    .insertInto('contacts')
    .values({
      person_id: row.personId,
      occurred_at: row.occurredAt,
      kind: row.kind,
      summary: row.summary,
      category: row.category,
      sensitive: row.sensitive,
      author_user_id: row.authorUserId,
      agency_id: row.agencyId,
      replaces_id: row.replacesId,
      created_at: row.at,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return id
}

/** Marks a version superseded; false when it already was (someone else corrected it first). */
export async function markSuperseded(db: Queryable, personId: string, id: string) {
  const result = await db
    .updateTable('contacts')
    .set({ superseded: true })
    .where('person_id', '=', personId)
    .where('id', '=', id)
    .where('superseded', '=', false)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}
