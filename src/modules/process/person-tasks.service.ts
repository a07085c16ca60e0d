import { defaultPurpose, mayShow } from '../../platform/access/access.js'
import type { Actor } from '../../platform/access/actor.js'
import { recordAudit, type Origin } from '../../platform/audit/audit.js'
import type { Clock } from '../../platform/clock.js'
import type { Db } from '../../platform/database/database.js'
import { publish } from '../../platform/outbox/outbox.js'
import { londonDate } from '../../platform/views/format.js'
import { personHeader } from '../people/person-view.service.js'
import { changeTaskStatus, tasksOfPerson } from '../tasks/tasks.service.js'
import * as repo from './process.repository.js'
import { OWNER_ROLES, parseDefinition, STAGE_EVENT_NAMES } from './process.schema.js'
import { stageOf } from './stages.js'
import { suggestionsFor } from './suggestions.service.js'

const DAY = 24 * 60 * 60 * 1000

/**
 * The person's "Stage and tasks" page: where they are in each process, how they got there and
 * the work about them. Stages and tasks are supervision data: a viewer whose access does not
 * include it sees neither (the process query itself filters on the category).
 */
export async function viewStageAndTasks(db: Db, actor: Actor, crn: string, origin: Origin, clock: Clock) {
  return db.transaction().execute(async (tx) => {
    const header = await personHeader(tx, actor, crn, clock)
    if (!header) return null
    const { person } = header
    const maySee = mayShow(person.access, 'supervision')
    const now = clock.now()
    const processes = maySee ? await repo.findVisibleProcesses(tx, actor, person.id) : []
    const moves = await repo.findStageMoves(
      tx,
      person.id,
      processes.map((p) => p.id),
    )
    const tasks = maySee ? await tasksOfPerson(tx, person.id) : []
    // Next best actions, from the suggestions service (which filters them by what the actor may see).
    const suggestions = await suggestionsFor(tx, actor, person.id, clock)
    const names = await repo.findUserNames(tx, [
      ...new Set(tasks.map((t) => t.owner_user_id).filter((id): id is string => !!id)),
    ])
    await recordAudit(tx, {
      actor,
      action: 'read',
      personIds: [person.id],
      categories: maySee ? ['supervision'] : [],
      origin,
      purpose: defaultPurpose(person.access.relationship),
      relationship: person.access.relationship,
    })
    const today = londonDate(now)
    return {
      ...header,
      maySee,
      suggestions,
      processes: processes.map((p) => {
        const definition = parseDefinition(p.definition)
        const stageName = (code: string | null) => (code ? (stageOf(definition, code)?.name ?? code) : null)
        const stage = stageOf(definition, p.stage_code)
        return {
          id: p.id,
          templateName: p.template_name,
          templateVersion: p.template_version,
          cohortName: p.cohort_name,
          ended: p.ended_at,
          endReason: p.end_reason,
          stageName: stage?.name ?? p.stage_code,
          stageEntry: stage?.entry.kind === 'event' ? STAGE_EVENT_NAMES[stage.entry.event] : null,
          enteredAt: p.stage_entered_at,
          daysInStage: Math.max(
            0,
            Math.floor((now.getTime() - new Date(p.stage_entered_at).getTime()) / DAY),
          ),
          milestones: stage?.milestones ?? [],
          nextStage:
            definition.stages[definition.stages.findIndex((s) => s.code === p.stage_code) + 1]?.name ?? null,
          history: moves
            .filter((m) => m.process_id === p.id)
            .map((m) => ({ ...m, from: stageName(m.from_stage), to: stageName(m.to_stage) })),
        }
      }),
      tasks: tasks.map((t) => ({
        ...t,
        ownerName: t.owner_user_id ? (names.get(t.owner_user_id) ?? null) : null,
        ownerRoleName: t.owner_role ? (OWNER_ROLES[t.owner_role] ?? t.owner_role) : null,
        overdue: t.status === 'open' && !!t.due_on && t.due_on < today,
      })),
    }
  })
}

/** Completes or reopens one of the person's tasks, from the version the user saw. */
export async function setTaskStatus(
  db: Db,
  actor: Actor,
  origin: Origin,
  change: { crn: string; taskId: string; version: number; status: 'done' | 'open' },
  clock: Clock,
) {
  return db.transaction().execute(async (tx) => {
    const person = await repo.findVisiblePersonForTask(tx, actor, change.crn)
    if (!person) return false
    await changeTaskStatus(
      tx,
      actor,
      {
        personId: person.id,
        taskId: change.taskId,
        version: change.version,
        status: change.status,
        reason: change.status === 'open' ? 'Reopened' : null,
      },
      clock,
    )
    await recordAudit(tx, {
      actor,
      action: 'update',
      personIds: [person.id],
      categories: ['supervision'],
      origin,
      purpose: defaultPurpose(person.relationship),
      relationship: person.relationship,
      detail: { taskId: change.taskId, status: change.status },
    })
    await publish(tx, {
      type: 'task.status.changed',
      personId: person.id,
      payload: { taskId: change.taskId, status: change.status, by: actor.userId },
    })
    return true
  })
}
