import { sql, type AliasedRawBuilder, type SqlBool } from 'kysely'
import type { Queryable } from '../database/database.js'
import type { Actor, DataCategory } from './actor.js'

export type Relationship = 'allocated' | 'team' | 'agreement' | 'break_glass'

/** What the actor may see of one person, as decided by the database function person_access. */
export interface Access {
  relationship: Relationship
  categories: DataCategory[]
}

/**
 * The access decision for `actor` as a joinable row source, aliased `access`, over the people
 * row aliased `peopleAlias`. Inner-joining it drops every person the actor may not see; its
 * `categories` column says which data categories may be shown for the rows that remain.
 *
 *   db.selectFrom('people as p').innerJoin(accessFor(actor, 'p'), (j) => j.onTrue())
 */
export function accessFor(
  actor: Actor,
  peopleAlias = 'p',
): AliasedRawBuilder<{ relationship: Relationship; categories: DataCategory[] }, 'access'> {
  // OFFSET 0 keeps the function from being flattened into the outer query, so its result is
  // computed once per person however many times `access.categories` is referred to.
  return sql<{
    relationship: Relationship
    categories: DataCategory[]
  }>`lateral (select * from person_access(${sql.table(peopleAlias)}, ${actor.userId}::uuid) offset 0)`.as(
    'access',
  )
}

/**
 * What a user reaches people through, besides their own allocations, team and break-glass
 * grants: their casework agency; the (lead agency, cohort) pairs, as 'agency/cohort' keys, that
 * agreements in force share with it; and those lead agencies that lead anyone (a police force
 * or a housing office that shares with probation usually leads no one in Tandem). Read once per
 * search and passed into its query as values, so the planner sees them (see reachRoutes).
 */
export interface Reach {
  agency: string | null
  coverage: string[]
  agencies: string[]
}

export async function findReach(db: Queryable, actor: Actor): Promise<Reach> {
  // Materialized, so agreement_coverage runs once rather than once for each use of it.
  const { rows } = await sql<Reach>`
    with r as materialized (
      select casework_agency(${actor.userId}::uuid) as agency, agreement_coverage(${actor.userId}::uuid) as coverage)
    select r.agency, r.coverage, array(
        select c.agency from (select distinct split_part(k, '/', 1)::uuid as agency from unnest(r.coverage) k) c
        where exists (select 1 from people p where p.lead_agency_id = c.agency)) as agencies
    from r`.execute(db)
  return rows[0]!
}

/**
 * Cheaper tests than person_access, together true for everyone it could show this user (and
 * for some it will not): to narrow many candidates before the exact check. Keep in step with
 * person_access.
 *
 * `near` are the routes few enough to read whole (the user's team, allocations and break-glass
 * grants), each a test an index serves on its own; `agreement` reaches people another agency
 * leads who are in a cohort an agreement covers, and is null when no agreement covers any.
 */
export function reachRoutes(actor: Actor, reach: Reach, peopleAlias = 'p') {
  const person = (column: string) => sql.ref(`${peopleAlias}.${column}`)
  const user = sql`${actor.userId}::uuid`
  const near = [
    sql<SqlBool>`${person('lead_team_id')} in (select tm.team_id from team_members tm where tm.user_id = ${user})`,
    sql<SqlBool>`${person('id')} in (select al.person_id from allocations al where al.user_id = ${user} and al.ended_at is null)`,
    sql<SqlBool>`${person('id')} in (select g.person_id from break_glass_grants g where g.user_id = ${user} and g.expires_at > now())`,
  ]
  // Only people led by an agency the agreements cover can be reached through a cohort: tested
  // first, it spares a look at the memberships of everyone else.
  const agreement = reach.agencies.length
    ? sql<SqlBool>`(${person('lead_agency_id')} = any(${reach.agencies}::uuid[])
        and ${person('lead_agency_id')} is distinct from ${reach.agency}::uuid
        and exists (select 1 from cohort_memberships m where m.person_id = ${person('id')} and m.ended_on is null
          and ${person('lead_agency_id')}::text || '/' || m.cohort_id::text = any (${reach.coverage}::text[])))`
    : null
  return { near, agreement }
}

/** Whether the user may reach the person by any route (see reachRoutes). */
export function mayReach(actor: Actor, reach: Reach, peopleAlias = 'p') {
  const { near, agreement } = reachRoutes(actor, reach, peopleAlias)
  return sql<SqlBool>`(${sql.join(agreement ? [...near, agreement] : near, sql` or `)})`
}

export function mayShow(access: Access, category: DataCategory): boolean {
  return access.categories.includes(category)
}

/** The purpose recorded in the audit log when nobody states one: why this actor may look. */
export function defaultPurpose(relationship: Relationship): string {
  switch (relationship) {
    case 'allocated':
      return 'Case management: allocated to this person'
    case 'team':
      return "Case management: the person's case is held by my team"
    case 'agreement':
      return 'Information sharing agreement with the lead agency'
    case 'break_glass':
      return 'Emergency (break-glass) access'
  }
}

/** Whether the user is the person's lead practitioner (who may, for example, see who has viewed the record). */
export async function isLeadPractitioner(db: Queryable, personId: string, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('allocations')
    .select('id')
    .where('person_id', '=', personId)
    .where('user_id', '=', userId)
    .where('is_lead', '=', true)
    .where('ended_at', 'is', null)
    .executeTakeFirst()
  return !!row
}
