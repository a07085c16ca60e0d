import type { Actor } from '../../platform/access/actor.js'
import { accessFor } from '../../platform/access/access.js'
import type { Queryable } from '../../platform/database/database.js'

/** Names and CRNs of the given people that the actor may see (for My day's task list). */
export async function findVisibleNames(db: Queryable, actor: Actor, personIds: string[]) {
  if (personIds.length === 0) return []
  return db
    .selectFrom('people as p')
    .innerJoin(accessFor(actor, 'p'), (j) => j.onTrue())
    .select(['p.id', 'p.crn', 'p.first_name', 'p.last_name'])
    .where('p.id', 'in', personIds)
    .execute()
}
