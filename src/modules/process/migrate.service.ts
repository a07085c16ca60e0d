import { NotFoundError, ValidationError } from '../../errors.js'
import type { Actor } from '../../platform/access/actor.js'
import { recordAudit, type Origin } from '../../platform/audit/audit.js'
import type { Clock } from '../../platform/clock.js'
import type { Db, Queryable } from '../../platform/database/database.js'
import { publish } from '../../platform/outbox/outbox.js'
import { createStageTasks } from './stage-moves.service.js'
import * as repo from './process.repository.js'
import { parseDefinition } from './process.schema.js'
import { parseTaskRef, stageOf, taskRef } from './stages.js'

/**
 * Moving live processes to a newly published version: each keeps its stage when the new version
 * has a stage with the same code (otherwise the coordinator chooses one), completed work stays,
 * open tasks the new version dropped are cancelled with a reason, and tasks it added to the
 * current stage are created.
 */

/** Who would move, and the stages they are in that the new version no longer has. */
export async function migrationPlan(db: Queryable, id: string) {
  const template = await repo.findTemplate(db, id)
  if (!template) throw new NotFoundError()
  const definition = parseDefinition(template.definition)
  const live = await repo.findLiveProcessesOfFamilyForView(db, template.family_id, id)
  const missing = new Map<string, { code: string; name: string; people: number }>()
  for (const p of live) {
    if (stageOf(definition, p.stage_code)) continue
    const name = stageOf(parseDefinition(p.definition), p.stage_code)?.name ?? p.stage_code
    const entry = missing.get(p.stage_code) ?? { code: p.stage_code, name, people: 0 }
    entry.people += 1
    missing.set(p.stage_code, entry)
  }
  return { template, definition, live: live.length, missing: [...missing.values()] }
}

export interface MigrationResult {
  processes: number
  stagesChanged: number
  tasksCancelled: number
  tasksCreated: number
}

export async function migrateToVersion(
  db: Db,
  actor: Actor,
  origin: Origin,
  id: string,
  targets: Record<string, string>,
  clock: Clock,
): Promise<MigrationResult> {
  return db.transaction().execute(async (tx) => {
    const template = await repo.findTemplate(tx, id)
    if (!template) throw new NotFoundError()
    if (template.status !== 'published')
      throw new ValidationError([
        { field: 'form', message: 'Publish this version before moving people to it' },
      ])
    const definition = parseDefinition(template.definition)
    const live = await repo.findLiveProcessesOfFamily(tx, template.family_id, id)
    const problems = [...new Set(live.map((p) => p.stage_code))]
      .filter((code) => !stageOf(definition, code) && !stageOf(definition, targets[code] ?? ''))
      .map((code) => ({ field: `target-${code}`, message: `Choose the stage for people now in ${code}` }))
    if (problems.length) throw new ValidationError(problems)

    const now = clock.now()
    const result: MigrationResult = { processes: 0, stagesChanged: 0, tasksCancelled: 0, tasksCreated: 0 }
    const people = new Set<string>()
    for (const process of live) {
      const stage =
        stageOf(definition, process.stage_code) ?? stageOf(definition, targets[process.stage_code]!)!
      const changed = stage.code !== process.stage_code
      const enteredAt = changed ? now : process.stage_entered_at
      await repo.updateProcess(tx, {
        personId: process.person_id,
        id: process.id,
        version: process.version,
        templateId: id,
        stageCode: stage.code,
        enteredAt,
      })
      if (changed) {
        await repo.insertStageMove(tx, {
          personId: process.person_id,
          processId: process.id,
          from: process.stage_code,
          to: stage.code,
          cause: `Moved to version ${template.version} of the template, which has no stage ${process.stage_code}`,
          at: now,
        })
        await publish(tx, {
          type: 'process.stage.changed',
          personId: process.person_id,
          payload: {
            processId: process.id,
            templateId: id,
            from: process.stage_code,
            to: stage.code,
            cause: 'migration',
          },
        })
        result.stagesChanged += 1
      }
      // Open tasks whose task the new version no longer has (in its stage) are cancelled.
      const dropped = (await repo.findProcessTasks(tx, process.person_id, process.id))
        .filter((t) => t.status === 'open' || t.status === 'suspended')
        .filter((t) => {
          const ref = parseTaskRef(t.source_ref)
          const kept = ref && stageOf(definition, ref.stageCode)?.tasks.some((k) => k.code === ref.taskCode)
          const leftStage = ref && changed && ref.stageCode === process.stage_code
          return !kept || leftStage
        })
        .map((t) => t.source_ref!)
      result.tasksCancelled += await repo.cancelTasksByRefs(
        tx,
        process.person_id,
        dropped,
        `Removed in version ${template.version} of ${template.name}`,
        now,
      )
      const facts = await repo.findPersonFacts(tx, process.person_id)
      if (facts) {
        // The tasks of the current entry into the stage (a move above counts as a new entry).
        const entry = await repo.countStageEntries(tx, process.person_id, process.id, stage.code)
        const existing = new Set(
          (await repo.findProcessTasks(tx, process.person_id, process.id)).map((t) => t.source_ref),
        )
        const added = new Set(
          stage.tasks
            .filter((t) => !existing.has(taskRef(process.id, stage.code, t.code, entry)))
            .map((t) => t.code),
        )
        result.tasksCreated += await createStageTasks(
          tx,
          { processId: process.id, personId: process.person_id, templateName: template.name, entry },
          stage,
          enteredAt,
          facts,
          added,
        )
      }
      result.processes += 1
      people.add(process.person_id)
    }
    if (people.size > 0)
      await recordAudit(tx, {
        actor,
        action: 'update',
        personIds: [...people],
        categories: ['supervision'],
        origin,
        purpose: `Moving live processes to version ${template.version} of ${template.name}`,
        detail: { ...result },
      })
    return result
  })
}
