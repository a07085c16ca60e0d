import { NotFoundError } from '../../errors.js'
import { defaultPurpose } from '../../platform/access/access.js'
import type { Actor } from '../../platform/access/actor.js'
import { recordAudit, type Origin } from '../../platform/audit/audit.js'
import type { Clock } from '../../platform/clock.js'
import type { Db, Tx } from '../../platform/database/database.js'
import { publish } from '../../platform/outbox/outbox.js'
import { londonDate } from '../../platform/views/format.js'
import { createTask } from '../tasks/tasks.service.js'
import { DefinitionSchema, type Definition } from './process.schema.js'
import { dueOn, stageOf, taskRef } from './stages.js'
import * as repo from './suggestions.repository.js'
import {
  addDays,
  buildSuggestions,
  MAX_SHOWN,
  NEW_REGISTRATION_DAYS,
  TASK_HORIZON_DAYS,
  type SuggestionFacts,
} from './suggestions.rules.js'

/** A dismissed suggestion is not made again for this long, so "no" is respected. */
export const DISMISSED_QUIET_DAYS = 30
/** An accepted one is not made again for this long: the task it created is the reminder. */
export const ACCEPTED_QUIET_DAYS = 14

/** The task ref of a milestone: milestones have names, not codes. Entries count as in taskRef. */
export const milestoneRef = (processId: string, stageCode: string, name: string, entry = 1) =>
  `${processId}:${stageCode}:milestone:${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}${entry > 1 ? `:${entry}` : ''}`

/**
 * What the current stage of each live process expects that has no task yet: its tasks, and
 * its milestones that are not optional. A definition this cannot read expects nothing here.
 */
function expectations(processes: repo.FactRow['processes'], releaseOn: string | null) {
  const expected: SuggestionFacts['expected'] = []
  for (const p of processes) {
    const definition = DefinitionSchema.safeParse(p.definition)
    const stage = definition.success ? stageOf(definition.data as Definition, p.stageCode) : undefined
    if (!stage) continue
    const refs = new Set(p.taskRefs ?? [])
    const common = {
      processId: p.id,
      templateName: p.templateName,
      stageCode: p.stageCode,
      stageName: stage.name,
    }
    for (const task of stage.tasks) {
      const ref = taskRef(p.id, p.stageCode, task.code, p.stageEntry)
      if (refs.has(ref)) continue
      const due = dueOn(stage, task, new Date(p.stageEnteredAt), releaseOn)
      expected.push({
        ...common,
        ref,
        title: task.title,
        milestone: false,
        dueOn: due,
      })
    }
    for (const milestone of stage.milestones) {
      const ref = milestoneRef(p.id, p.stageCode, milestone.name, p.stageEntry)
      if (milestone.optional || refs.has(ref)) continue
      expected.push({ ...common, ref, title: milestone.name, milestone: true, dueOn: null })
    }
  }
  return expected
}

/** Reads the facts about each of these people the actor may see; those they may not see are left out. */
async function factsOf(tx: Tx, actor: Actor, personIds: string[], now: Date) {
  const today = londonDate(now)
  const rows = await repo.findFacts(tx, actor, personIds, {
    today,
    now,
    taskHorizon: addDays(today, TASK_HORIZON_DAYS),
    registrationsSince: addDays(today, -NEW_REGISTRATION_DAYS),
  })
  return new Map(
    rows.map((row): [string, SuggestionFacts] => [
      row.id,
      {
        today,
        categories: row.categories,
        custodyStatus: row.custody_status,
        needs: row.needs,
        objectives: row.objectives,
        actions: row.actions,
        housingAction: row.housing_action,
        tasks: row.tasks.flatMap((t) => (t.dueOn ? [{ ...t, dueOn: t.dueOn }] : [])),
        expected: expectations(row.processes, row.release_on),
        flags: row.flags.map((f) => ({ ...f, raisedAt: String(f.raisedAt) })),
        nextAppointmentOn: row.next_appointment_at ? londonDate(new Date(row.next_appointment_at)) : null,
        releaseOn: row.release_on,
        registrations: row.registrations,
      },
    ]),
  )
}

/** What accepting a suggestion does: the task it creates (if any) and where the work is done. */
export function acceptPlan(
  suggestion: { id: string; kind: string; title: string; reason: string; inputs: Record<string, unknown> },
  today: string,
): {
  task: { kind: string; title: string; dueOn: string | null; source: string; sourceRef: string } | null
  page: string
} {
  const task = (title: string, dueOn: string | null = addDays(today, TASK_HORIZON_DAYS)) => ({
    kind: `suggestion.${suggestion.kind}`,
    title,
    dueOn,
    source: 'suggestion',
    sourceRef: suggestion.id,
  })
  const inputs = suggestion.inputs
  switch (suggestion.kind) {
    case 'task_due':
      return { task: null, page: '/tasks' }
    case 'stage_expected':
      // The very task the template expects (same source and ref), so the stage sees it as its own.
      return {
        task: {
          kind: inputs.milestone ? 'process.milestone' : 'process',
          title: inputs.milestone ? `Reach milestone: ${String(inputs.taskTitle)}` : String(inputs.taskTitle),
          dueOn: typeof inputs.dueOn === 'string' ? inputs.dueOn : addDays(today, TASK_HORIZON_DAYS),
          source: inputs.milestone ? 'process-milestone' : 'process',
          sourceRef: String(inputs.ref),
        },
        page: '/tasks',
      }
    case 'release_accommodation': {
      const releaseOn = typeof inputs.releaseOn === 'string' ? inputs.releaseOn : null
      const due = addDays(today, TASK_HORIZON_DAYS)
      return { task: task(suggestion.title, releaseOn && releaseOn < due ? releaseOn : due), page: '/plan' }
    }
    case 'no_appointment':
      return { task: task(suggestion.title, addDays(today, 2)), page: '/appointments' }
    case 'flag_unacknowledged':
      return { task: task(suggestion.title, today), page: '/tasks' }
    default:
      return { task: task(suggestion.title), page: '/plan' }
  }
}

export type ShownSuggestion = repo.OpenSuggestion

/**
 * The person's next best actions for this actor, most urgent first (at most MAX_SHOWN).
 * Works out what applies now, keeps one open row per suggestion key (refreshing its facts),
 * expires open ones that no longer apply and does not bring back what was recently dismissed
 * or accepted. The caller records the read of the page that shows them.
 */
export async function suggestionsFor(tx: Tx, actor: Actor, personId: string, clock: Clock) {
  return (await suggestionsForPeople(tx, actor, [personId], clock)).get(personId) ?? []
}

/**
 * suggestionsFor for several people at once, in the same few queries however many there are.
 * People the actor may not see get none.
 */
export async function suggestionsForPeople(
  tx: Tx,
  actor: Actor,
  personIds: string[],
  clock: Clock,
): Promise<Map<string, ShownSuggestion[]>> {
  const now = clock.now()
  const facts = await factsOf(tx, actor, personIds, now)
  const visible = [...facts.keys()]
  if (visible.length === 0) return new Map()
  const day = 86_400_000
  const quiet = await repo.findRecentlyDecidedKeys(tx, visible, {
    dismissed: new Date(now.getTime() - DISMISSED_QUIET_DAYS * day),
    accepted: new Date(now.getTime() - ACCEPTED_QUIET_DAYS * day),
  })
  const current = new Map(
    [...facts].map(([personId, f]) => [
      personId,
      buildSuggestions(f).filter((s) => !quiet.get(personId)?.has(s.key)),
    ]),
  )
  const unchanged = await repo.findUnchangedOpen(tx, current)
  for (const [personId, suggestions] of current)
    for (const suggestion of suggestions)
      if (!unchanged.get(personId)?.has(suggestion.key)) await repo.upsertOpen(tx, personId, suggestion)
  // The facts were read as this actor may see each person: their categories are that access.
  const outlooks = visible.map((personId) => ({
    personId,
    keep: current.get(personId)!.map((s) => s.key),
    categories: facts.get(personId)!.categories,
  }))
  await repo.expireOthers(tx, outlooks, now)
  return repo.findOpenWithin(tx, outlooks, MAX_SHOWN)
}

/** A suggestion to decide on, for the dismiss page; audited as a read. Null if not visible. */
export async function viewSuggestion(db: Db, actor: Actor, crn: string, id: string, origin: Origin) {
  return db.transaction().execute(async (tx) => {
    const found = await repo.findVisibleSuggestion(tx, actor, crn, id)
    if (!found) return null
    await recordAudit(tx, {
      actor,
      action: 'read',
      personIds: [found.personId],
      categories: (found.inputs.categories as string[] | undefined) ?? [],
      origin,
      purpose: defaultPurpose(found.relationship),
      relationship: found.relationship,
      detail: { suggestionId: found.id },
    })
    return found
  })
}

export type Decision =
  | { kind: 'accepted'; redirect: string }
  | { kind: 'dismissed'; redirect: string }
  | { kind: 'already'; status: string; title: string }

/**
 * Accepts or dismisses an open suggestion, keeping who decided, when and why; accepting makes
 * the task the suggestion proposes and sends the actor to where the work is done. A suggestion
 * already decided (or expired) is reported as such, not decided twice.
 */
export async function decideSuggestion(
  db: Db,
  actor: Actor,
  d: { crn: string; id: string; decision: 'accepted' | 'dismissed'; reason: string | null },
  origin: Origin,
  clock: Clock,
): Promise<Decision> {
  return db.transaction().execute(async (tx) => {
    const found = await repo.findVisibleSuggestion(tx, actor, d.crn, d.id)
    if (!found) throw new NotFoundError()
    const now = clock.now()
    const decided = await repo.decide(tx, {
      personId: found.personId,
      id: found.id,
      status: d.decision,
      userId: actor.userId,
      reason: d.reason,
      at: now,
    })
    if (!decided) {
      const now2 = await repo.findVisibleSuggestion(tx, actor, d.crn, d.id)
      return { kind: 'already', status: now2?.status ?? found.status, title: found.title }
    }
    const plan = acceptPlan(found, londonDate(now))
    let taskId: string | null = null
    if (d.decision === 'accepted' && plan.task)
      taskId = await createTask(tx, {
        personId: found.personId,
        kind: plan.task.kind,
        title: plan.task.title,
        reason: `Suggested: ${found.reason}`,
        ownerUserId: actor.userId,
        ownerRole: null,
        ownerAgencyId: actor.agencyId,
        dueOn: plan.task.dueOn,
        source: plan.task.source,
        sourceRef: plan.task.sourceRef,
      })
    await recordAudit(tx, {
      actor,
      action: 'update',
      personIds: [found.personId],
      categories: (found.inputs.categories as string[] | undefined) ?? [],
      origin,
      purpose: defaultPurpose(found.relationship),
      relationship: found.relationship,
      detail: { suggestionId: found.id, decision: d.decision, reason: d.reason, taskId },
    })
    await publish(tx, {
      type: d.decision === 'accepted' ? 'suggestion.accepted' : 'suggestion.dismissed',
      personId: found.personId,
      payload: { suggestionId: found.id, kind: found.kind, reason: d.reason, taskId },
    })
    const page = d.decision === 'accepted' ? plan.page : '/tasks'
    return { kind: d.decision, redirect: `/people/${d.crn}${page}` }
  })
}
