import { ConflictError } from '../../errors.js'
import type { Actor } from '../../platform/access/actor.js'
import type { Clock } from '../../platform/clock.js'
import type { Queryable, Tx } from '../../platform/database/database.js'
import { publish } from '../../platform/outbox/outbox.js'
import * as repo from './tasks.repository.js'

/**
 * Tasks are shared by every module that makes work for someone: enforcement, process stages,
 * rules and plans. Callers pass their open transaction so a task is created with its cause.
 */
export type { NewTask, TaskStatus } from './tasks.repository.js'

/**
 * Creates a task once: a task with the same (source, sourceRef) for the person is never created
 * twice, so handlers of redelivered events may call this freely. Returns the new id, or null if
 * it already existed.
 */
export async function createTask(tx: Tx, task: repo.NewTask): Promise<string | null> {
  const id = await repo.insertTask(tx, task)
  if (id) {
    await publish(tx, {
      type: 'task.created',
      personId: task.personId,
      payload: { taskId: id, kind: task.kind, ownerUserId: task.ownerUserId, dueOn: task.dueOn },
    })
  }
  return id
}

export const tasksOfPerson = repo.findTasksOfPerson
export const openTasksOwnedBy = repo.findOpenTasksOwnedBy

/** Completes, suspends, reopens or cancels a task edited from `version`; a stale edit is a conflict. */
export async function changeTaskStatus(
  tx: Tx,
  actor: Actor,
  change: {
    personId: string
    taskId: string
    version: number
    status: repo.TaskStatus
    reason: string | null
  },
  clock: Clock,
) {
  const changed = await repo.updateTaskStatus(tx, { ...change, userId: actor.userId, at: clock.now() })
  if (!changed) throw new ConflictError()
}

/** Suspends, cancels or reopens every unfinished task from one source (e.g. one stage of a process). */
export function changeTasksBySource(
  db: Queryable,
  change: { personId: string; source: string; refPrefix: string; status: repo.TaskStatus; reason: string },
  clock: Clock,
) {
  return repo.updateTasksBySource(
    db,
    change.personId,
    change.source,
    change.refPrefix,
    change.status,
    change.reason,
    clock.now(),
  )
}
