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
 * The user's casework agency, the (lead agency, cohort) pairs their agreements cover and those
 * lead agencies, for mayReach: a CTE named `reach`, so a query works them out once however
 * often it tests.
 */
export function reachOf(actor: Actor) {
  const user = sql`${actor.userId}::uuid`
  return sql`reach as materialized (
    select r.agency, r.coverage, array(select distinct split_part(k, '/', 1)::uuid from unnest(r.coverage) k) as agencies
    from (select casework_agency(${user}) as agency, agreement_coverage(${user}) as coverage) r)`
}

/**
 * A cheaper test, true for everyone person_access could show this user (and for some it will
 * not): to narrow many candidates before the exact check. A user sees a person through an
 * allocation, their team, an agreement covering a cohort the person is in (only for people
 * another agency leads) or break-glass; this asks the same questions without working out the
 * categories or restrictions, and reads the user's own allocations and grants once rather than
 * once per candidate. The query must define `reachOf(actor)`. Keep in step with person_access.
 */
export function mayReach(actor: Actor, peopleAlias = 'p') {
  const person = (column: string) => sql.ref(`${peopleAlias}.${column}`)
  const user = sql`${actor.userId}::uuid`
  const coverage = sql`(select coverage from reach)::text[]`
  // Only people led by an agency the agreements cover can be reached through a cohort: tested
  // first, it spares a look at the memberships of everyone else.
  return sql<SqlBool>`(${person('lead_team_id')} in (select tm.team_id from team_members tm where tm.user_id = ${user})
    or ${person('id')} in (select al.person_id from allocations al where al.user_id = ${user} and al.ended_at is null)
    or (${person('lead_agency_id')} is distinct from (select agency from reach)
      and ${person('lead_agency_id')} = any ((select agencies from reach)::uuid[])
      and exists (select 1 from cohort_memberships m where m.person_id = ${person('id')} and m.ended_on is null
        and ${person('lead_agency_id')}::text || '/' || m.cohort_id::text = any (${coverage})))
    or ${person('id')} in (select g.person_id from break_glass_grants g where g.user_id = ${user} and g.expires_at > now()))`
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
