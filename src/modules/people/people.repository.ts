import { sql, type RawBuilder, type SqlBool } from 'kysely'
import {
  accessFor,
  findReach,
  mayReach,
  reachRoutes,
  type Access,
  type Reach,
} from '../../platform/access/access.js'
import type { Actor, DataCategory } from '../../platform/access/actor.js'
import type { Queryable, Tx } from '../../platform/database/database.js'
import { canonicalCro, canonicalPnc, CRN, NOMS_NUMBER } from './identifiers.js'

/**
 * Every query here joins person_access, so a person the actor may not see never leaves the
 * database, and columns of a category the actor may not see come back as null.
 */

/** A column's value only where the access row shares its category. */
function shared<T>(category: DataCategory, column: string) {
  return sql<T | null>`case when ${category} = any(access.categories) then ${sql.ref(column)} end`
}

export interface PersonRecord {
  id: string
  crn: string
  nomsNumber: string | null
  pncNumber: string | null
  croNumber: string | null
  firstName: string
  lastName: string
  dateOfBirth: string
  gender: string
  custodyStatus: string | null
  prisonCode: string | null
  roshLevel: string | null
  mappaCategory: number | null
  mappaLevel: number | null
  tier: string | null
  leadAgencyName: string
  leadTeamName: string | null
  access: Access
}

export function personColumns() {
  return [
    'p.id',
    'p.crn',
    'p.noms_number',
    'p.pnc_number',
    'p.cro_number',
    'p.first_name',
    'p.last_name',
    'p.date_of_birth',
    'p.gender',
    shared<string>('sentence', 'p.custody_status').as('custody_status'),
    shared<string>('sentence', 'p.prison_code').as('prison_code'),
    shared<string>('risk', 'p.rosh_level').as('rosh_level'),
    shared<number>('risk', 'p.mappa_category').as('mappa_category'),
    shared<number>('risk', 'p.mappa_level').as('mappa_level'),
    shared<string>('risk', 'p.tier').as('tier'),
    'a.name as lead_agency_name',
    't.name as lead_team_name',
    'access.relationship',
    'access.categories',
  ] as const
}

export type PersonRow = {
  id: string
  crn: string
  noms_number: string | null
  pnc_number: string | null
  cro_number: string | null
  first_name: string
  last_name: string
  date_of_birth: string
  gender: string
  custody_status: string | null
  prison_code: string | null
  rosh_level: string | null
  mappa_category: number | null
  mappa_level: number | null
  tier: string | null
  lead_agency_name: string
  lead_team_name: string | null
  relationship: Access['relationship']
  categories: Access['categories']
}

export function toPerson(row: PersonRow): PersonRecord {
  return {
    id: row.id,
    crn: row.crn,
    nomsNumber: row.noms_number,
    pncNumber: row.pnc_number,
    croNumber: row.cro_number,
    firstName: row.first_name,
    lastName: row.last_name,
    dateOfBirth: row.date_of_birth,
    gender: row.gender,
    custodyStatus: row.custody_status,
    prisonCode: row.prison_code,
    roshLevel: row.rosh_level,
    mappaCategory: row.mappa_category,
    mappaLevel: row.mappa_level,
    tier: row.tier,
    leadAgencyName: row.lead_agency_name,
    leadTeamName: row.lead_team_name,
    access: { relationship: row.relationship, categories: row.categories },
  }
}

/** People the actor may see (merged records excluded), each with their access row. */
export function visiblePeople(db: Queryable, actor: Actor) {
  return db
    .selectFrom('people as p')
    .innerJoin(accessFor(actor, 'p'), (join) => join.onTrue())
    .innerJoin('agencies as a', 'a.id', 'p.lead_agency_id')
    .leftJoin('teams as t', 't.id', 'p.lead_team_id')
    .where('p.merged_into', 'is', null)
}

export async function findVisiblePerson(
  db: Queryable,
  actor: Actor,
  crn: string,
): Promise<PersonRecord | null> {
  const row = await visiblePeople(db, actor)
    .select(personColumns())
    .where('p.crn', '=', crn)
    .executeTakeFirst()
  return row ? toPerson(row as PersonRow) : null
}

export interface SearchCriteria {
  text: string
  regionId?: string | undefined
  teamId?: string | undefined
  cohortId?: string | undefined
  limit: number
}

export type SearchTerm =
  | { kind: 'identifier'; type: 'crn' | 'noms' | 'pnc' | 'cro'; value: string }
  | { kind: 'date_of_birth'; value: string }
  | { kind: 'name'; value: string }

/**
 * What the search box was given: an identifier in one of the justice formats (checked, and
 * put in canonical form), a date of birth, or otherwise a name.
 */
export function classifySearch(text: string): SearchTerm {
  const upper = text.trim().toUpperCase()
  if (CRN.test(upper)) return { kind: 'identifier', type: 'crn', value: upper }
  if (NOMS_NUMBER.test(upper)) return { kind: 'identifier', type: 'noms', value: upper }
  const pnc = canonicalPnc(upper)
  if (pnc) return { kind: 'identifier', type: 'pnc', value: pnc }
  const cro = canonicalCro(upper)
  if (cro) return { kind: 'identifier', type: 'cro', value: cro }
  if (/^\d{4}-\d{2}-\d{2}$/.test(upper)) return { kind: 'date_of_birth', value: upper }
  return { kind: 'name', value: text.trim() }
}

const fullName = (alias: string) =>
  sql<string>`(${sql.ref(`${alias}.first_name`)} || ' ' || ${sql.ref(`${alias}.last_name`)})`

/**
 * Who could be meant, with a score: any system's identifier or a date of birth (a handful of
 * people, found by index and then tested for reach), or a name or alias that resembles the text.
 */
function searchCandidates(term: SearchTerm, actor: Actor, reach: Reach, criteria: SearchCriteria) {
  const inFilters = searchFilters(criteria)
  switch (term.kind) {
    case 'identifier':
      return sql`select p.id, p.last_name, p.first_name, 1.0 as score
        from person_identifiers i join people p on p.id = i.person_id
        where i.type = ${term.type} and i.value = ${term.value} and ${mayReach(actor, reach)} and ${inFilters}`
    case 'date_of_birth':
      return sql`select p.id, p.last_name, p.first_name, 1.0 as score from people p
        where p.date_of_birth = ${term.value}::date and ${mayReach(actor, reach)} and ${inFilters}`
    case 'name':
      return nameCandidates(term.value, actor, reach, inFilters)
  }
}

/**
 * People whose name or an alias resembles the text (trigram word similarity; aliases count a
 * little less). A name common across the country matches thousands, nearly all beyond the
 * user's reach, so the candidates are found route by route: the people of the user's team,
 * allocations and break-glass grants are read whole (a team's caseload, from its index) and
 * their names compared; only people reached through an agreement are found from the national
 * trigram indexes, and only when the agreements' agencies lead someone.
 */
function nameCandidates(text: string, actor: Actor, reach: Reach, inFilters: RawBuilder<SqlBool>) {
  const { near, agreement } = reachRoutes(actor, reach)
  const score = (alias: string) => sql`word_similarity(${text}, ${fullName(alias)})`
  const resembles = (alias: string) => sql`${text} <% ${fullName(alias)}`
  const nearPeople = sql.join(
    near.map(
      (route) => sql`select p.id, p.first_name, p.last_name from people p where ${route} and ${inFilters}`,
    ),
    sql` union `,
  )
  // Each resembling alias looks up its own person (OFFSET 0 keeps it so): otherwise the planner
  // may read all the people an agreement's agencies lead, to hash-join a few hundred aliases.
  const throughAgreements = agreement
    ? sql`union all
      select p.id, p.last_name, p.first_name, ${score('p')} from people p
        where ${resembles('p')} and ${agreement} and ${inFilters}
      union all
      select p.id, p.last_name, p.first_name, ${score('a')} * 0.95 from person_aliases a
        cross join lateral (select p.id, p.last_name, p.first_name from people p
          where p.id = a.person_id and ${agreement} and ${inFilters} offset 0) p
        where ${resembles('a')}`
    : sql``
  return sql`select id, last_name, first_name, max(score) as score from (
      with near as materialized (${nearPeople})
      select n.id, n.last_name, n.first_name, ${score('n')} as score from near n where ${resembles('n')}
      union all
      select n.id, n.last_name, n.first_name, ${score('a')} * 0.95 from near n join person_aliases a on a.person_id = n.id
        where ${resembles('a')}
      ${throughAgreements}
    ) names group by id, last_name, first_name`
}

/** Not merged, and within the region, team and cohort the search is narrowed to. */
function searchFilters(criteria: SearchCriteria): RawBuilder<SqlBool> {
  const conditions = [sql`p.merged_into is null`]
  if (criteria.regionId) conditions.push(sql`p.region_id = ${criteria.regionId}`)
  if (criteria.teamId) conditions.push(sql`p.lead_team_id = ${criteria.teamId}`)
  if (criteria.cohortId)
    conditions.push(sql`exists (select 1 from cohort_memberships m
      where m.person_id = p.id and m.cohort_id = ${criteria.cohortId} and m.ended_on is null)`)
  return sql<SqlBool>`(${sql.join(conditions, sql` and `)})`
}

/**
 * People the actor may see who match the search, best first, narrowed by region, team or
 * cohort. People the actor may not see are filtered out inside the query, so neither the
 * results nor their count reveal that such a person exists.
 */
export async function searchVisiblePeople(db: Tx, actor: Actor, criteria: SearchCriteria) {
  const term = classifySearch(criteria.text)
  const reach = await findReach(db, actor)
  if (term.kind === 'name') {
    // The planner must see the term and the user's reach to choose indexes; a cached generic
    // plan for a prepared statement cannot. A threshold of 0.5 (not pg_trgm's 0.6) lets a name
    // with one letter missing or wrong still match.
    await sql`select set_config('plan_cache_mode', 'force_custom_plan', true),
      set_config('pg_trgm.word_similarity_threshold', '0.5', true)`.execute(db)
  }
  // Candidates the user could not possibly reach are dropped cheaply as they are found, and
  // the rest ranked; then checked for access in that order until there are enough, so a common
  // surname costs a handful of access checks rather than one per namesake. Ranking and checking
  // are two statements, because only the ranking needs planning for its term: the check, with
  // the access function inlined, costs more to plan than to run, and keeps its prepared plan.
  const ranked = await sql<{ id: string }>`
    select c.id from (${searchCandidates(term, actor, reach, criteria)}) c
    order by c.score desc, c.last_name, c.first_name, c.id`.execute(db)
  if (ranked.rows.length === 0) return []
  await sql`set local plan_cache_mode to force_generic_plan`.execute(db)
  const rows = await visiblePeople(db, actor)
    .innerJoin(
      sql<{ id: string; rank: number }>`(select u.id, u.rank
        from unnest(${ranked.rows.map((r) => r.id)}::uuid[]) with ordinality u (id, rank))`.as('r'),
      (join) => join.onRef('r.id', '=', 'p.id'),
    )
    .select(personColumns())
    .orderBy('r.rank')
    .limit(criteria.limit)
    .execute()
  return rows.map((row) => toPerson(row as PersonRow))
}

/** Regions, teams and cohorts to narrow a search by: teams are the actor's agency's. */
export async function searchFilterChoices(db: Queryable, actor: Actor) {
  const [regions, teams, cohorts] = await Promise.all([
    db.selectFrom('regions').select(['id as value', 'name as text']).orderBy('name').execute(),
    db
      .selectFrom('teams')
      .select(['id as value', 'name as text'])
      .where('agency_id', '=', actor.agencyId)
      .orderBy('name')
      .execute(),
    db
      .selectFrom('cohorts')
      .select(['id as value', 'name as text'])
      .where('active', '=', true)
      .orderBy('name')
      .execute(),
  ])
  return { regions, teams, cohorts }
}

/** Whether a CRN belongs to anyone, for break-glass only (the caller audits the question). */
export function findPersonIdForBreakGlass(db: Queryable, crn: string) {
  return db.selectFrom('people as p').select(['p.id']).where('p.crn', '=', crn).executeTakeFirst()
}

export async function isBlocked(db: Queryable, personId: string, userId: string): Promise<boolean> {
  const { rows } = await sql<{
    blocked: boolean
  }>`select case_blocked(${personId}, ${userId}) as blocked`.execute(db)
  return rows[0]?.blocked ?? true
}

export async function insertBreakGlassGrant(
  db: Queryable,
  grant: { personId: string; userId: string; reason: string; expiresAt: Date },
) {
  await db
    .insertInto('break_glass_grants')
    .values({
      person_id: grant.personId,
      user_id: grant.userId,
      reason: grant.reason,
      expires_at: grant.expiresAt,
    })
    .execute()
}

/** Appointments the actor runs in a time range, with the people they may see. */
export async function findAppointmentsForStaff(db: Queryable, actor: Actor, from: Date, to: Date) {
  return db
    .selectFrom('appointments as ap')
    .innerJoin('people as p', 'p.id', 'ap.person_id')
    .innerJoin(accessFor(actor, 'p'), (join) => join.onTrue())
    .select([
      'ap.id',
      'ap.starts_at',
      'ap.ends_at',
      'ap.kind',
      'ap.location',
      'ap.outcome',
      'p.id as person_id',
      'p.crn',
      'p.first_name',
      'p.last_name',
    ])
    .where('ap.staff_user_id', '=', actor.userId)
    .where('ap.starts_at', '>=', from)
    .where('ap.starts_at', '<', to)
    .orderBy('ap.starts_at')
    .execute()
}
