import type { Queryable } from '../database/database.js'

/** An item Tandem itself adds to a person's timeline (its source system is Tandem), in the caller's transaction. */
export async function addTimelineEntry(
  db: Queryable,
  entry: {
    personId: string
    at: Date
    kind: string
    category: string
    agencyId: string
    title: string
    summary: string | null
    pathway?: string | null
  },
): Promise<void> {
  await db
    .insertInto('timeline_events')
    .values({
      person_id: entry.personId,
      occurred_at: entry.at,
      kind: entry.kind,
      category: entry.category,
      agency_id: entry.agencyId,
      source_system: 'Tandem',
      title: entry.title,
      summary: entry.summary,
      pathway: entry.pathway ?? null,
    })
    .execute()
}
