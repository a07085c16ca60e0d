import { sql } from 'kysely'
import type { Queryable } from '../../platform/database/database.js'

/**
 * Tasks a process created: source 'process', source_ref from taskRef() in stages.ts
 * (`${processId}:${stageCode}:${taskCode}`, with `:${entry}` from the second entry into a stage).
 */

export function findProcessTasks(db: Queryable, personId: string, processId: string) {
  return db
    .selectFrom('tasks')
    .select(['id', 'source_ref', 'status', 'due_on', 'version'])
    .where('person_id', '=', personId)
    .where('source', '=', 'process')
    .where('source_ref', 'like', `${processId}:%`)
    .execute()
}

/**
 * How many times the process has entered the stage, counting the move that started it: the
 * entry whose tasks are current. Callers hold the process row's lock, so the count is stable.
 */
export async function countStageEntries(
  db: Queryable,
  personId: string,
  processId: string,
  stageCode: string,
) {
  const row = await db
    .selectFrom('person_stage_moves')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('person_id', '=', personId)
    .where('process_id', '=', processId)
    .where('to_stage', '=', stageCode)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/** Cancels the unfinished tasks with exactly these refs (a prefix would also catch longer codes). */
export async function cancelTasksByRefs(
  db: Queryable,
  personId: string,
  refs: string[],
  reason: string,
  at: Date,
) {
  if (refs.length === 0) return 0
  const rows = await db
    .updateTable('tasks')
    .set({ status: 'cancelled', status_reason: reason, updated_at: at, version: sql`version + 1` })
    .where('person_id', '=', personId)
    .where('source', '=', 'process')
    .where('source_ref', 'in', refs)
    .where('status', 'in', ['open', 'suspended'])
    .returning('id')
    .execute()
  return rows.length
}

export async function rescheduleTask(db: Queryable, personId: string, id: string, dueOn: string, at: Date) {
  await db
    .updateTable('tasks')
    .set({ due_on: dueOn, updated_at: at, version: sql`version + 1` })
    .where('person_id', '=', personId)
    .where('id', '=', id)
    .execute()
}
