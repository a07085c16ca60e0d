import { sql, type RawBuilder } from 'kysely'
import { ConflictError } from '../../errors.js'
import { accessFor } from '../../platform/access/access.js'
import type { Actor } from '../../platform/access/actor.js'
import type { Queryable } from '../../platform/database/database.js'
import { criteriaOf, type Criteria } from './cohorts.schema.js'
import { bornOnOrBefore, categoriesUsed, hasCriteria } from './criteria.js'

/** A cohort's definition: criteria are validated on the way out so callers always get a Criteria. */
export interface Cohort {
  id: string
  code: string
  name: string
  description: string
  regionId: string | null
  regionName: string | null
  criteria: Criteria
  version: number
}

/** People not selected or removed this recently are not suggested again. */
export const RECONSIDER_AFTER_DAYS = 182

function cohortRows(db: Queryable) {
  return db
    .selectFrom('cohorts as c')
    .leftJoin('regions as r', 'r.id', 'c.region_id')
    .select([
      'c.id',
      'c.code',
      'c.name',
      'c.description',
      'c.region_id',
      'r.name as region_name',
      'c.criteria',
      'c.version',
    ])
    .where('c.active', '=', true)
}

type CohortRow = Awaited<ReturnType<ReturnType<typeof cohortRows>['executeTakeFirstOrThrow']>>

function toCohort(row: CohortRow): Cohort {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    description: row.description,
    regionId: row.region_id,
    regionName: row.region_name,
    criteria: criteriaOf(row.criteria),
    version: row.version,
  }
}

/** Active cohorts; with an area, those of that area and the national ones ('national': national only). */
export async function listCohorts(db: Queryable, area?: string): Promise<Cohort[]> {
  let query = cohortRows(db).orderBy('c.name')
  if (area === 'national') query = query.where('c.region_id', 'is', null)
  else if (area)
    query = query.where((eb) => eb.or([eb('c.region_id', '=', area), eb('c.region_id', 'is', null)]))
  return (await query.execute()).map(toCohort)
}

export async function findCohort(db: Queryable, code: string): Promise<Cohort | null> {
  const row = await cohortRows(db).where('c.code', '=', code.toUpperCase()).executeTakeFirst()
  return row ? toCohort(row) : null
}

export interface CohortValues {
  name: string
  description: string
  regionId: string | null
  criteria: Criteria
}

export async function insertCohort(db: Queryable, code: string, v: CohortValues) {
  const row = await db
    .insertInto('cohorts')
    .values({
      code,
      name: v.name,
      description: v.description,
      region_id: v.regionId,
      criteria: JSON.stringify(v.criteria),
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

/** Saves a definition read at `version`; a stale edit changes nothing and is a conflict. */
export async function updateCohort(db: Queryable, id: string, version: number, v: CohortValues) {
  const result = await db
    .updateTable('cohorts')
    .set({
      name: v.name,
      description: v.description,
      region_id: v.regionId,
      criteria: JSON.stringify(v.criteria),
      version: sql`version + 1`,
      updated_at: sql`now()`,
    })
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst()
  if (Number(result.numUpdatedRows) === 0)
    throw new ConflictError('Someone else changed this cohort while you were editing it')
}

export function listRegions(db: Queryable) {
  return db.selectFrom('regions').select(['id as value', 'name as text']).orderBy('name').execute()
}

/**
 * Whether the person aliased `p` (with their current sentence `cs` and access row `access`)
 * meets the cohort's criteria, as one parameterised predicate. A criterion is only judged for
 * a viewer who may see its data category, so a suggestion never discloses what they may not see.
 */
export function criteriaPredicate(cohort: Cohort, today: string): RawBuilder<boolean> {
  const c = cohort.criteria
  const parts: RawBuilder<unknown>[] = [sql`p.merged_into is null`]
  if (cohort.regionId) parts.push(sql`p.region_id = ${cohort.regionId}::uuid`)
  for (const category of categoriesUsed(c)) parts.push(sql`${category}::text = any(access.categories)`)
  if (c.offenceCategories?.length) parts.push(sql`cs.offence_category = any(${c.offenceCategories}::text[])`)
  if (c.sentenceTypes?.length) parts.push(sql`cs.sentence_type = any(${c.sentenceTypes}::text[])`)
  if (c.minSentenceDays !== undefined) parts.push(sql`cs.length_days >= ${c.minSentenceDays}::int`)
  if (c.maxSentenceDays !== undefined) parts.push(sql`cs.length_days <= ${c.maxSentenceDays}::int`)
  if (c.roshLevels?.length) parts.push(sql`p.rosh_level = any(${c.roshLevels}::text[])`)
  if (c.custodyStatuses?.length) parts.push(sql`p.custody_status = any(${c.custodyStatuses}::text[])`)
  if (c.minAge !== undefined) parts.push(sql`p.date_of_birth <= ${bornOnOrBefore(today, c.minAge)}::date`)
  // Aged at most N: not yet N + 1.
  if (c.maxAge !== undefined) parts.push(sql`p.date_of_birth > ${bornOnOrBefore(today, c.maxAge + 1)}::date`)
  // Criteria with nothing in them suggest nobody rather than everyone.
  if (!hasCriteria(c)) parts.push(sql`false`)
  return sql<boolean>`(${sql.join(parts, sql` and `)})`
}

/** Suggested: meets the criteria, is not a member, and was not turned down or removed recently. */
function suggestedPredicate(cohort: Cohort, today: string) {
  return sql<boolean>`${criteriaPredicate(cohort, today)}
    and not exists (select 1 from cohort_memberships m
      where m.person_id = p.id and m.cohort_id = ${cohort.id}::uuid and m.ended_on is null)
    and not exists (select 1 from cohort_decisions d
      where d.person_id = p.id and d.cohort_id = ${cohort.id}::uuid and d.decision in ('not_selected', 'deselected')
        and d.decided_at > ${today}::date - ${RECONSIDER_AFTER_DAYS}::int)`
}

/** People the actor may see, with their current sentence (the latest that has not ended) as `cs`. */
function visibleWithSentence(db: Queryable, actor: Actor) {
  return db
    .selectFrom('people as p')
    .innerJoin(accessFor(actor, 'p'), (join) => join.onTrue())
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('sentences as s')
          .select(['s.offence', 's.offence_category', 's.sentence_type', 's.length_days'])
          .whereRef('s.person_id', '=', 'p.id')
          .where('s.ended_on', 'is', null)
          .orderBy('s.sentenced_on', 'desc')
          .orderBy('s.event_number', 'desc')
          .limit(1)
          .as('cs'),
      (join) => join.onTrue(),
    )
}

const shared = <T>(category: string, column: RawBuilder<unknown>) =>
  sql<T | null>`case when ${category}::text = any(access.categories) then ${column} end`

export interface Suggestion {
  id: string
  crn: string
  first_name: string
  last_name: string
  date_of_birth: string
  team_name: string | null
  offence: string | null
  offence_category: string | null
  sentence_type: string | null
  length_days: number | null
  rosh_level: string | null
  custody_status: string | null
  categories: string[]
}

function suggestionRows(db: Queryable, actor: Actor, cohort: Cohort, today: string) {
  return visibleWithSentence(db, actor)
    .leftJoin('teams as t', 't.id', 'p.lead_team_id')
    .where(suggestedPredicate(cohort, today))
    .select([
      'p.id',
      'p.crn',
      'p.first_name',
      'p.last_name',
      'p.date_of_birth',
      't.name as team_name',
      shared<string>('sentence', sql`cs.offence`).as('offence'),
      shared<string>('sentence', sql`cs.offence_category`).as('offence_category'),
      shared<string>('sentence', sql`cs.sentence_type`).as('sentence_type'),
      shared<number>('sentence', sql`cs.length_days`).as('length_days'),
      shared<string>('risk', sql`p.rosh_level`).as('rosh_level'),
      shared<string>('sentence', sql`p.custody_status`).as('custody_status'),
      'access.categories',
    ])
}

export async function findSuggestions(
  db: Queryable,
  actor: Actor,
  cohort: Cohort,
  today: string,
  page: { limit: number; offset: number },
): Promise<Suggestion[]> {
  const rows = await suggestionRows(db, actor, cohort, today)
    .orderBy('p.last_name')
    .orderBy('p.first_name')
    .orderBy('p.crn')
    .limit(page.limit)
    .offset(page.offset)
    .execute()
  return rows as Suggestion[]
}

/** One person, if they are a suggestion for this actor. */
export async function findSuggestion(
  db: Queryable,
  actor: Actor,
  cohort: Cohort,
  today: string,
  crn: string,
) {
  const row = await suggestionRows(db, actor, cohort, today).where('p.crn', '=', crn).executeTakeFirst()
  return (row as Suggestion | undefined) ?? null
}

export async function countSuggestions(
  db: Queryable,
  actor: Actor,
  cohort: Cohort,
  today: string,
  area?: string,
): Promise<number> {
  let query = visibleWithSentence(db, actor).where(suggestedPredicate(cohort, today))
  if (area && area !== 'national') query = query.where('p.region_id', '=', area)
  const row = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  return Number(row.n)
}
