import { sql, type Updateable } from 'kysely'
import { ConflictError } from '../../errors.js'
import type { Queryable } from '../../platform/database/database.js'
import type { DB } from '../../platform/database/schema.js'

type Versioned = 'agencies' | 'teams' | 'cohorts' | 'users' | 'sharing_agreements'

/**
 * Updates a row only if nobody has changed it since it was read (its version still matches),
 * bumping the version; otherwise throws ConflictError and changes nothing.
 */
export async function updateVersioned<T extends Versioned>(
  db: Queryable,
  table: T,
  id: string,
  version: number,
  values: Updateable<DB[T]>,
): Promise<void> {
  const result = await db
    .updateTable(table as Versioned)
    .set({ ...(values as object), version: sql`version + 1`, updated_at: sql`now()` })
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst()
  if (Number(result.numUpdatedRows) === 0)
    throw new ConflictError('Someone else changed this record while you were editing it')
}

export function listRegions(db: Queryable) {
  return db
    .selectFrom('regions as r')
    .select([
      'r.id',
      'r.code',
      'r.name',
      (eb) =>
        eb
          .selectFrom('probation_delivery_units as u')
          .select(sql<string[]>`coalesce(array_agg(u.name order by u.name), '{}')`.as('units'))
          .whereRef('u.region_id', '=', 'r.id')
          .as('units'),
    ])
    .orderBy('r.name')
    .execute()
}

export function listPdus(db: Queryable) {
  return db
    .selectFrom('probation_delivery_units as u')
    .innerJoin('regions as r', 'r.id', 'u.region_id')
    .select(['u.id', 'u.code', 'u.name', 'u.region_id', 'r.name as region_name'])
    .orderBy('r.name')
    .orderBy('u.name')
    .execute()
}

export async function insertRegion(db: Queryable, values: { code: string; name: string }) {
  return db.insertInto('regions').values(values).returning('id').executeTakeFirstOrThrow()
}

export async function insertPdu(db: Queryable, values: { regionId: string; code: string; name: string }) {
  return db
    .insertInto('probation_delivery_units')
    .values({ region_id: values.regionId, code: values.code, name: values.name })
    .returning('id')
    .executeTakeFirstOrThrow()
}

export function listAgencies(db: Queryable) {
  return db
    .selectFrom('agencies as a')
    .leftJoin('regions as r', 'r.id', 'a.region_id')
    .select([
      'a.id',
      'a.code',
      'a.name',
      'a.kind',
      'a.version',
      'a.region_id',
      'r.name as region_name',
      (eb) =>
        eb
          .selectFrom('users as u')
          .select(eb.fn.countAll<number>().as('n'))
          .whereRef('u.agency_id', '=', 'a.id')
          .as('users'),
    ])
    .orderBy('a.name')
    .execute()
}

export function findAgency(db: Queryable, id: string) {
  return db.selectFrom('agencies').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function insertAgency(
  db: Queryable,
  v: { code: string; name: string; kind: string; regionId: string | null },
) {
  return db
    .insertInto('agencies')
    .values({ code: v.code, name: v.name, kind: v.kind, region_id: v.regionId })
    .returning('id')
    .executeTakeFirstOrThrow()
}

export function listTeams(db: Queryable) {
  return db
    .selectFrom('teams as t')
    .innerJoin('agencies as a', 'a.id', 't.agency_id')
    .leftJoin('regions as r', 'r.id', 't.region_id')
    .leftJoin('probation_delivery_units as u', 'u.id', 't.pdu_id')
    .select([
      't.id',
      't.code',
      't.name',
      'a.name as agency_name',
      'r.name as region_name',
      'u.name as pdu_name',
      (eb) =>
        eb
          .selectFrom('team_members as m')
          .select(eb.fn.countAll<number>().as('n'))
          .whereRef('m.team_id', '=', 't.id')
          .as('members'),
    ])
    .orderBy('a.name')
    .orderBy('t.name')
    .execute()
}

export function findTeam(db: Queryable, id: string) {
  return db.selectFrom('teams').selectAll().where('id', '=', id).executeTakeFirst()
}

export function findTeamMembers(db: Queryable, teamId: string) {
  return db
    .selectFrom('team_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['u.id', 'u.display_name', 'u.email', 'u.active'])
    .where('m.team_id', '=', teamId)
    .orderBy('u.display_name')
    .execute()
}

export async function insertTeam(
  db: Queryable,
  v: { code: string; name: string; agencyId: string; regionId: string | null; pduId: string | null },
) {
  return db
    .insertInto('teams')
    .values({ code: v.code, name: v.name, agency_id: v.agencyId, region_id: v.regionId, pdu_id: v.pduId })
    .returning('id')
    .executeTakeFirstOrThrow()
}

export function listCohorts(db: Queryable) {
  return db
    .selectFrom('cohorts as c')
    .leftJoin('regions as r', 'r.id', 'c.region_id')
    .select([
      'c.id',
      'c.code',
      'c.name',
      'c.description',
      'c.region_id',
      'c.version',
      'r.name as region_name',
      (eb) =>
        eb
          .selectFrom('cohort_memberships as m')
          .select(eb.fn.countAll<number>().as('n'))
          .whereRef('m.cohort_id', '=', 'c.id')
          .where('m.ended_on', 'is', null)
          .as('members'),
    ])
    .orderBy('c.name')
    .execute()
}

export function findCohort(db: Queryable, id: string) {
  return db.selectFrom('cohorts').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function insertCohort(
  db: Queryable,
  v: { code: string; name: string; description: string; regionId: string | null },
) {
  return db
    .insertInto('cohorts')
    .values({ code: v.code, name: v.name, description: v.description, region_id: v.regionId, criteria: '{}' })
    .returning('id')
    .executeTakeFirstOrThrow()
}

/** Agencies, regions, delivery units and cohorts, for the lists on admin forms. */
export async function listChoices(db: Queryable) {
  const [agencies, regions, pdus, cohorts] = await Promise.all([
    db.selectFrom('agencies').select(['id as value', 'name as text']).orderBy('name').execute(),
    db.selectFrom('regions').select(['id as value', 'name as text']).orderBy('name').execute(),
    db
      .selectFrom('probation_delivery_units as u')
      .innerJoin('regions as r', 'r.id', 'u.region_id')
      .select(['u.id as value', sql<string>`u.name || ' (' || r.name || ')'`.as('text')])
      .orderBy('r.name')
      .orderBy('u.name')
      .execute(),
    db.selectFrom('cohorts').select(['id as value', 'name as text']).orderBy('name').execute(),
  ])
  return { agencies, regions, pdus, cohorts }
}

export function listTeamChoices(db: Queryable, agencyId: string) {
  return db
    .selectFrom('teams')
    .select(['id as value', 'name as text'])
    .where('agency_id', '=', agencyId)
    .orderBy('name')
    .execute()
}
