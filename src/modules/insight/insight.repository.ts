import { sql } from 'kysely'
import type { Queryable } from '../../platform/database/database.js'

/** People on the books by region and risk of serious harm: counts only, no personal data. */
export function countPeopleByRegionAndRisk(db: Queryable) {
  return db
    .selectFrom('people as p')
    .leftJoin('regions as r', 'r.id', 'p.region_id')
    .select([
      sql<string>`coalesce(r.name, 'No region')`.as('region'),
      sql<string>`coalesce(p.rosh_level, 'not_assessed')`.as('rosh_level'),
      (eb) => eb.fn.countAll<number>().as('people'),
    ])
    .groupBy(['r.name', 'p.rosh_level'])
    .orderBy('region')
    .execute()
}
