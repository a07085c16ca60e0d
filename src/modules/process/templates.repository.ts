import { sql } from 'kysely'
import type { Queryable } from '../../platform/database/database.js'
import type { Definition } from './process.schema.js'

/** Process templates: versions of a family, drafts edited in place, one published per family. */

const TEMPLATE_COLUMNS = [
  'pt.id',
  'pt.family_id',
  'pt.version',
  'pt.name',
  'pt.cohort_id',
  'pt.region_id',
  'pt.status',
  'pt.definition',
  'pt.created_at',
  'pt.published_at',
] as const

export function listTemplates(db: Queryable) {
  return db
    .selectFrom('process_templates as pt')
    .leftJoin('cohorts as c', 'c.id', 'pt.cohort_id')
    .leftJoin('regions as r', 'r.id', 'pt.region_id')
    .select(TEMPLATE_COLUMNS)
    .select(['c.name as cohort_name', 'r.name as region_name'])
    .select((eb) =>
      eb
        .selectFrom('person_processes as pp')
        .whereRef('pp.template_id', '=', 'pt.id')
        .where('pp.ended_at', 'is', null)
        .select((e) => e.fn.countAll<string>().as('n'))
        .as('live'),
    )
    .orderBy('c.name')
    .orderBy('r.name', (ob) => ob.asc().nullsFirst())
    .orderBy('pt.name')
    .orderBy('pt.version', 'desc')
    .execute()
}

export function findTemplate(db: Queryable, id: string) {
  return db
    .selectFrom('process_templates as pt')
    .leftJoin('cohorts as c', 'c.id', 'pt.cohort_id')
    .leftJoin('regions as r', 'r.id', 'pt.region_id')
    .select(TEMPLATE_COLUMNS)
    .select(['c.name as cohort_name', 'r.name as region_name'])
    .where('pt.id', '=', id)
    .executeTakeFirst()
}

export function findFamily(db: Queryable, familyId: string) {
  return db
    .selectFrom('process_templates as pt')
    .select(['pt.id', 'pt.version', 'pt.status', 'pt.definition', 'pt.published_at'])
    .where('pt.family_id', '=', familyId)
    .orderBy('pt.version', 'desc')
    .execute()
}

export async function insertTemplate(
  db: Queryable,
  t: {
    familyId: string | null
    version: number
    name: string
    cohortId: string | null
    regionId: string | null
    definition: Definition
    createdBy: string | null
    status?: 'draft' | 'published'
    publishedAt?: Date | null
  },
) {
  const row = await db
    .insertInto('process_templates')
    .values({
      family_id: t.familyId ?? sql<string>`gen_random_uuid()`,
      version: t.version,
      name: t.name,
      cohort_id: t.cohortId,
      region_id: t.regionId,
      definition: JSON.stringify(t.definition),
      created_by: t.createdBy,
      status: t.status ?? 'draft',
      published_at: t.publishedAt ?? null,
    })
    .returning(['id', 'family_id'])
    .executeTakeFirstOrThrow()
  return row
}

/** Saves a draft's new definition if it is still the one the edit started from. */
export async function updateDraftDefinition(db: Queryable, id: string, from: unknown, to: Definition) {
  const result = await db
    .updateTable('process_templates')
    .set({ definition: JSON.stringify(to) })
    .where('id', '=', id)
    .where('status', '=', 'draft')
    .where('definition', '=', sql<never>`${JSON.stringify(from)}::jsonb`)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

/** Publishes a draft and retires the version it replaces; returns the retired version's id. */
export async function publishTemplate(db: Queryable, id: string, familyId: string, at: Date) {
  const retired = await db
    .updateTable('process_templates')
    .set({ status: 'retired' })
    .where('family_id', '=', familyId)
    .where('status', '=', 'published')
    .returning('id')
    .executeTakeFirst()
  const result = await db
    .updateTable('process_templates')
    .set({ status: 'published', published_at: at })
    .where('id', '=', id)
    .where('status', '=', 'draft')
    .executeTakeFirst()
  return { published: result.numUpdatedRows > 0n, retiredId: retired?.id ?? null }
}

export async function nextVersion(db: Queryable, familyId: string) {
  const row = await db
    .selectFrom('process_templates')
    .select((eb) => eb.fn.max('version').as('v'))
    .where('family_id', '=', familyId)
    .executeTakeFirst()
  return Number(row?.v ?? 0) + 1
}

export async function templateChoices(db: Queryable) {
  const [cohorts, regions] = await Promise.all([
    db.selectFrom('cohorts').select(['id as value', 'name as text']).orderBy('name').execute(),
    db.selectFrom('regions').select(['id as value', 'name as text']).orderBy('name').execute(),
  ])
  return { cohorts, regions }
}

/** The published template for a cohort in the person's area, preferring one made for that area. */
export function findPublishedFor(db: Queryable, cohortId: string, regionId: string | null) {
  return db
    .selectFrom('process_templates as pt')
    .select(['pt.id', 'pt.family_id', 'pt.version', 'pt.name', 'pt.definition'])
    .where('pt.cohort_id', '=', cohortId)
    .where('pt.status', '=', 'published')
    .where((eb) => eb.or([eb('pt.region_id', 'is', null), eb('pt.region_id', '=', regionId)]))
    .orderBy(sql`pt.region_id is null`)
    .orderBy('pt.published_at', 'desc')
    .executeTakeFirst()
}
