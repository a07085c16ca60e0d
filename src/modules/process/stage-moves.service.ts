import { recordAudit } from '../../platform/audit/audit.js'
import type { Clock } from '../../platform/clock.js'
import type { Db, Tx } from '../../platform/database/database.js'
import { publish } from '../../platform/outbox/outbox.js'
import { addTimelineEntry } from '../../platform/timeline/timeline.js'
import { createTask } from '../tasks/tasks.service.js'
import * as repo from './process.repository.js'
import { parseDefinition, type Definition, type Stage, type StageEvent } from './process.schema.js'
import {
  dueOn,
  eventTarget,
  initialStage,
  parseTaskRef,
  stageOf,
  taskRef,
  timedMove,
  type Circumstances,
} from './stages.js'

/**
 * People move through their cohort's process template as events arrive and time passes. Each
 * move is one transaction: the process row (version-checked), the move, the new stage's tasks,
 * optional tasks of the stage left cancelled (required ones stay open), a timeline item, an
 * audit record and a `process.stage.changed` event.
 */

const SYSTEM = 'Tandem process templates'

function circumstances(facts: repo.PersonFacts): Circumstances {
  return {
    custodyStatus: facts.custody_status,
    expectedReleaseOn: facts.expected_release_on,
    releasedOn: facts.released_on,
  }
}

/**
 * Creates the tasks of the stage a process has entered; each only once per entry into the stage
 * (`p.entry`, 1 unless given), however often called.
 */
export async function createStageTasks(
  tx: Tx,
  p: { processId: string; personId: string; templateName: string; entry?: number },
  stage: Stage,
  enteredAt: Date,
  facts: repo.PersonFacts,
  onlyCodes?: Set<string>,
) {
  let created = 0
  for (const task of stage.tasks) {
    if (onlyCodes && !onlyCodes.has(task.code)) continue
    const owner =
      task.ownerRole === 'lead'
        ? facts.owners.find((o) => o.is_lead)
        : facts.owners.find((o) => o.role === task.ownerRole)
    const id = await createTask(tx, {
      personId: p.personId,
      kind: 'process',
      title: task.title,
      reason: `${p.templateName}: ${stage.name}`,
      ownerUserId: owner?.user_id ?? null,
      ownerRole: task.ownerRole,
      ownerAgencyId: owner?.agency_id ?? null,
      dueOn: dueOn(stage, task, enteredAt, facts.expected_release_on),
      required: task.required,
      source: 'process',
      sourceRef: taskRef(p.processId, stage.code, task.code, p.entry),
    })
    if (id) created += 1
  }
  return created
}

interface Move {
  to: Stage
  enteredAt: Date
  cause: string
}

/** Moves one locked process to another stage. Returns false when the process changed meanwhile. */
async function moveProcess(tx: Tx, process: repo.LiveProcess, move: Move, facts: repo.PersonFacts, at: Date) {
  const definition = parseDefinition(process.definition)
  const from = stageOf(definition, process.stage_code)
  const moved = await repo.updateProcess(tx, {
    personId: process.person_id,
    id: process.id,
    version: process.version,
    templateId: process.template_id,
    stageCode: move.to.code,
    enteredAt: move.enteredAt,
  })
  if (!moved) return false
  // Which entry into the stage being left, and then into the new one, the tasks belong to.
  const leftEntry = await repo.countStageEntries(tx, process.person_id, process.id, process.stage_code)
  await repo.insertStageMove(tx, {
    personId: process.person_id,
    processId: process.id,
    from: process.stage_code,
    to: move.to.code,
    cause: move.cause,
    at,
  })
  const optional = (from?.tasks ?? []).filter((t) => !t.required)
  await repo.cancelTasksByRefs(
    tx,
    process.person_id,
    optional.map((t) => taskRef(process.id, process.stage_code, t.code, leftEntry)),
    `Optional task of ${from?.name ?? process.stage_code}, which the person has left`,
    at,
  )
  const p = {
    processId: process.id,
    personId: process.person_id,
    templateName: process.template_name,
    entry: await repo.countStageEntries(tx, process.person_id, process.id, move.to.code),
  }
  const tasksCreated = await createStageTasks(tx, p, move.to, move.enteredAt, facts)
  await recordStageChange(tx, process, from?.name ?? null, move, facts, at, tasksCreated)
  return true
}

async function recordStageChange(
  tx: Tx,
  process: { id: string; person_id: string; template_id: string; template_name: string; stage_code?: string },
  fromName: string | null,
  move: Move,
  facts: repo.PersonFacts,
  at: Date,
  tasksCreated: number,
) {
  await addTimelineEntry(tx, {
    personId: process.person_id,
    at,
    kind: 'process.stage-changed',
    category: 'supervision',
    agencyId: facts.lead_agency_id,
    title: fromName
      ? `Moved to the ${move.to.name} stage`
      : `Started ${process.template_name}: ${move.to.name}`,
    summary: `${fromName ? `From ${fromName}. ` : ''}${move.cause}. ${tasksCreated} task${tasksCreated === 1 ? '' : 's'} created.`,
  })
  await publish(tx, {
    type: 'process.stage.changed',
    personId: process.person_id,
    payload: {
      processId: process.id,
      templateId: process.template_id,
      from: process.stage_code ?? null,
      to: move.to.code,
      cause: move.cause,
      tasksCreated,
    },
  })
  await recordAudit(tx, {
    actor: null,
    actorLabel: SYSTEM,
    action: 'update',
    personIds: [process.person_id],
    categories: ['supervision'],
    origin: { route: 'process stage move', requestId: null },
    purpose: 'Moving a person through their process template',
    detail: { processId: process.id, to: move.to.code, cause: move.cause },
  })
}

/** Starts the cohort's published template for a person (nothing if one is already running). */
export async function startProcess(tx: Tx, personId: string, cohortId: string, cause: string, clock: Clock) {
  const facts = await repo.findPersonFacts(tx, personId)
  if (!facts) return null
  const template = await repo.findPublishedFor(tx, cohortId, facts.region_id)
  if (!template) return null
  const live = await repo.findLiveProcesses(tx, personId)
  if (live.some((p) => p.family_id === template.family_id || p.cohort_id === cohortId)) return null
  const definition = parseDefinition(template.definition)
  const now = clock.now()
  const first = initialStage(definition, circumstances(facts), now)
  if (!first) return null
  const processId = await repo.insertProcess(tx, {
    personId,
    templateId: template.id,
    stageCode: first.stage.code,
    enteredAt: first.enteredAt,
    at: now,
  })
  await repo.insertStageMove(tx, { personId, processId, from: null, to: first.stage.code, cause, at: now })
  const p = { processId, personId, templateName: template.name }
  const created = await createStageTasks(tx, p, first.stage, first.enteredAt, facts)
  await recordStageChange(
    tx,
    { id: processId, person_id: personId, template_id: template.id, template_name: template.name },
    null,
    { to: first.stage, enteredAt: first.enteredAt, cause },
    facts,
    now,
    created,
  )
  return processId
}

/** Moves each live process of the person whose template has a stage for the event. */
export async function applyEvent(
  tx: Tx,
  personId: string,
  event: StageEvent,
  enteredAt: Date,
  cause: string,
  clock: Clock,
) {
  const facts = await repo.findPersonFacts(tx, personId)
  if (!facts) return 0
  let moves = 0
  for (const found of await repo.findLiveProcesses(tx, personId)) {
    const process = await repo.lockProcess(tx, personId, found.id)
    if (!process) continue
    const to = eventTarget(parseDefinition(process.definition), process.stage_code, event)
    if (to && (await moveProcess(tx, process, { to, enteredAt, cause }, facts, clock.now()))) moves += 1
  }
  return moves
}

/** A new expected release date: open pre-release tasks fall due relative to it. */
export async function retimePreReleaseTasks(tx: Tx, personId: string, releaseOn: string, clock: Clock) {
  let changed = 0
  for (const process of await repo.findLiveProcesses(tx, personId)) {
    const definition = parseDefinition(process.definition)
    for (const task of await repo.findProcessTasks(tx, personId, process.id)) {
      const ref = parseTaskRef(task.source_ref)
      const stage = ref && stageOf(definition, ref.stageCode)
      const step = stage?.tasks.find((t) => t.code === ref?.taskCode)
      if (!stage || !step || stage.entry.kind !== 'before_release' || task.status !== 'open') continue
      const due = dueOn(stage, step, clock.now(), releaseOn)
      if (due && due !== task.due_on) {
        await repo.rescheduleTask(tx, personId, task.id, due, clock.now())
        changed += 1
      }
    }
  }
  return changed
}
/**
 * Time-based moves, for the worker to call periodically: N days in a stage, or coming within N
 * days of release. Each move is its own transaction; returns how many moves were made.
 */
export async function advanceTimedStages(db: Db, clock: Clock): Promise<number> {
  let moves = 0
  for (const candidate of await repo.findAllLiveProcesses(db)) {
    moves += await db.transaction().execute(async (tx) => {
      let made = 0
      // A long pause of the worker may owe several moves; make them in order.
      for (let step = 0; step < 20; step++) {
        const process = await repo.lockProcess(tx, candidate.person_id, candidate.id)
        const facts = process && (await repo.findPersonFacts(tx, process.person_id))
        if (!process || !facts) break
        const definition: Definition = parseDefinition(process.definition)
        const move = timedMove(
          definition,
          process.stage_code,
          process.stage_entered_at,
          circumstances(facts),
          clock.now(),
        )
        if (!move) break
        const cause =
          move.stage.entry.kind === 'before_release'
            ? `${move.stage.entry.days} days before the expected release date`
            : `${move.stage.entry.kind === 'after_days' ? move.stage.entry.days : 0} days in the previous stage`
        if (
          !(await moveProcess(
            tx,
            process,
            { to: move.stage, enteredAt: move.enteredAt, cause },
            facts,
            clock.now(),
          ))
        )
          break
        made += 1
      }
      return made
    })
  }
  return moves
}
