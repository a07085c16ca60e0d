import { sql } from 'kysely'
import type { Queryable } from '../../platform/database/database.js'

export type TaskStatus = 'open' | 'done' | 'suspended' | 'cancelled'

export interface NewTask {
  personId: string
  kind: string
  title: string
  reason: string
  ownerUserId: string | null
  ownerRole: string | null
  ownerAgencyId: string | null
  dueOn: string | null
  required?: boolean
  source: string
  sourceRef: string | null
}

/** Inserts a task; with a source_ref, a second insert of the same task returns null and adds nothing. */
export async function insertTask(db: Queryable, task: NewTask) {
  const row = await db
    .insertInto('tasks')
    .values({
      person_id: task.personId,
      kind: task.kind,
      title: task.title,
      reason: task.reason,
      owner_user_id: task.ownerUserId,
      owner_role: task.ownerRole,
      owner_agency_id: task.ownerAgencyId,
      due_on: task.dueOn,
      required: task.required ?? true,
      source: task.source,
      source_ref: task.sourceRef,
      status_reason: null,
      completed_by: null,
    })
    .onConflict((oc) =>
      oc.columns(['person_id', 'source', 'source_ref']).where('source_ref', 'is not', null).doNothing(),
    )
    .returning(['id'])
    .executeTakeFirst()
  return row?.id ?? null
}

const TASK_COLUMNS = [
  't.id',
  't.person_id',
  't.kind',
  't.title',
  't.reason',
  't.owner_user_id',
  't.owner_role',
  't.owner_agency_id',
  't.due_on',
  't.required',
  't.status',
  't.status_reason',
  't.source',
  't.source_ref',
  't.created_at',
  't.completed_at',
  't.version',
] as const

export function findTasksOfPerson(db: Queryable, personId: string) {
  return db
    .selectFrom('tasks as t')
    .select(TASK_COLUMNS)
    .where('t.person_id', '=', personId)
    .orderBy(sql`t.status = 'open'`, 'desc')
    .orderBy('t.due_on', (ob) => ob.asc().nullsLast())
    .orderBy('t.created_at')
    .execute()
}

export function findOpenTasksOwnedBy(db: Queryable, userId: string) {
  return db
    .selectFrom('tasks as t')
    .select(TASK_COLUMNS)
    .where('t.owner_user_id', '=', userId)
    .where('t.status', '=', 'open')
    .orderBy('t.due_on', (ob) => ob.asc().nullsLast())
    .execute()
}

/** Changes a task's status if it is still at `version`; returns false when someone got there first. */
export async function updateTaskStatus(
  db: Queryable,
  change: {
    personId: string
    taskId: string
    version: number
    status: TaskStatus
    reason: string | null
    userId: string | null
    at: Date
  },
) {
  const result = await db
    .updateTable('tasks')
    .set({
      status: change.status,
      status_reason: change.reason,
      updated_at: change.at,
      completed_at: change.status === 'done' ? change.at : null,
      completed_by: change.status === 'done' ? change.userId : null,
      version: sql`version + 1`,
    })
    .where('person_id', '=', change.personId)
    .where('id', '=', change.taskId)
    .where('version', '=', change.version)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

/** Sets the status of every task from one source whose ref starts with `refPrefix`, except finished ones. */
export async function updateTasksBySource(
  db: Queryable,
  personId: string,
  source: string,
  refPrefix: string,
  status: TaskStatus,
  reason: string,
  at: Date,
) {
  const rows = await db
    .updateTable('tasks')
    .set({ status, status_reason: reason, updated_at: at, version: sql`version + 1` })
    .where('person_id', '=', personId)
    .where('source', '=', source)
    .where('source_ref', 'like', `${refPrefix.replace(/[\\%_]/g, '\\$&')}%`)
    .where('status', 'in', ['open', 'suspended'])
    .returning(['id'])
    .execute()
  return rows.length
}
