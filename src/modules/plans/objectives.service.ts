import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../errors.js'
import type { Actor } from '../../platform/access/actor.js'
import type { Origin } from '../../platform/audit/audit.js'
import type { Clock } from '../../platform/clock.js'
import type { Db, Tx } from '../../platform/database/database.js'
import { londonDate } from '../../platform/views/format.js'
import { createTask } from '../tasks/tasks.service.js'
import * as objectives from './objectives.repository.js'
import { auditPlanRead, describeAction, loadPlanPerson } from './plan-view.service.js'
import {
  ACTION_STATUS_NAMES,
  mayEditObjective,
  OBJECTIVE_STATUS_NAMES,
  PATHWAY_CATEGORY,
  PATHWAY_NAMES,
  type ActionStatus,
  type ObjectiveStatus,
  type Pathway,
} from './plans.policy.js'
import * as repo from './plans.repository.js'
import type { EditObjectiveInput } from './plans.schema.js'
import { pathwayName, planPerson, recordChange, type PlanPerson } from './plans.service.js'

/**
 * One objective: its page, rewording it, and marking it achieved, withdrawn or active again.
 *
 * Withdrawing an objective that still has unfinished actions asks for confirmation and then
 * cancels them, telling their owners. A practitioner withdrawing an objective means "we no longer
 * pursue this", so the work towards it should stop; refusing would send them through every action
 * (some owned by other agencies) one at a time, while doing it silently would leave a partner
 * working on something the plan has dropped. Achieving an objective leaves its actions alone:
 * follow-on work (keeping a tenancy once a home is found) often still matters, and its owners
 * close it themselves.
 */

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`

/** The objective with what its page shows; null when the person or objective is not visible. */
export async function viewObjective(
  db: Db,
  actor: Actor,
  crn: string,
  objectiveId: string,
  origin: Origin,
  clock: Clock,
) {
  return db.transaction().execute(async (tx) => {
    const loaded = await loadPlanPerson(tx, actor, crn, clock)
    if (!loaded) return null
    const { header, person } = loaded
    const [objective] = await repo.findObjectives(tx, actor, person.id, objectiveId)
    if (!objective) return null
    // A partner knows of an unshared objective only through its own action under it: it may see
    // that action, not the objective.
    if (!objective.shared) throw new ForbiddenError()
    const pathway = objective.pathway as Pathway
    const need = objective.need_id ? await repo.findNeed(tx, person.id, objective.need_id) : undefined
    const today = londonDate(clock.now())
    const actions = (await repo.findActions(tx, actor, person.id))
      .filter((a) => a.objective_id === objectiveId)
      .map((a) => describeAction(a, today))
    const mayEdit = mayEditObjective(actor, person.lead_agency_id)
    const unfinished = mayEdit ? await objectives.findUnfinishedActions(tx, person.id, objectiveId) : []
    await auditPlanRead(tx, actor, person, [PATHWAY_CATEGORY[pathway]], origin)
    return {
      ...header,
      objective: {
        ...objective,
        description: objective.description ?? '',
        pathwayName: PATHWAY_NAMES[pathway] ?? objective.pathway,
        statusName: OBJECTIVE_STATUS_NAMES[objective.status as ObjectiveStatus] ?? objective.status,
      },
      need: need ?? null,
      actions,
      mayEdit,
      unfinished: unfinished.map((a) => ({
        ...a,
        statusName: ACTION_STATUS_NAMES[a.status as ActionStatus] ?? a.status,
      })),
    }
  })
}

export type ObjectiveView = NonNullable<Awaited<ReturnType<typeof viewObjective>>>

/** 'saved', or 'confirm' when withdrawing would cancel unfinished actions the user has not yet agreed to. */
export type ObjectiveUpdate = 'saved' | 'confirm'

/**
 * Saves an edit made from `input.version`. A stale version is a ConflictError (nothing saved,
 * the caller shows both versions). Withdrawing needs a reason, and cancels the objective's
 * unfinished actions only once the user has confirmed each of them (`input.confirmCancel`);
 * otherwise nothing is saved and 'confirm' is returned.
 */
export async function updateObjective(
  db: Db,
  actor: Actor,
  crn: string,
  objectiveId: string,
  input: EditObjectiveInput,
  origin: Origin,
  clock: Clock,
): Promise<ObjectiveUpdate> {
  return db.transaction().execute(async (tx) => {
    const person = await planPerson(tx, actor, crn)
    const [before] = await repo.findObjectives(tx, actor, person.id, objectiveId)
    if (!before) throw new NotFoundError()
    if (!before.shared || !mayEditObjective(actor, person.lead_agency_id)) throw new ForbiddenError()
    const changing = before.status !== input.status
    const withdrawing = changing && input.status === 'withdrawn'
    if (withdrawing && !input.statusReason)
      throw new ValidationError([{ field: 'statusReason', message: 'Enter why the objective is withdrawn' }])
    // A stale form is a conflict before anything else: the user sees what changed before being
    // asked to confirm anything.
    if (before.version !== input.version) throw new ConflictError()
    const unfinished = withdrawing ? await objectives.findUnfinishedActions(tx, person.id, objectiveId) : []
    const confirmed = new Set(input.confirmCancel)
    if (unfinished.some((a) => !confirmed.has(a.id))) return 'confirm'

    const now = clock.now()
    const saved = await objectives.updateObjective(tx, actor, {
      personId: person.id,
      objectiveId,
      version: input.version,
      description: input.description,
      status: input.status,
      at: now,
    })
    if (!saved) throw new ConflictError()
    const cancelled = await objectives.cancelActions(
      tx,
      person.id,
      unfinished.map((a) => a.id),
      `Objective withdrawn: ${input.statusReason}`,
      now,
    )
    await tellOwners(
      tx,
      actor,
      person,
      unfinished.filter((a) => cancelled.includes(a.id)),
      { objectiveId, version: input.version + 1, reason: input.statusReason ?? '' },
      now,
    )
    const name = pathwayName(before.pathway)
    const title = !changing
      ? `Plan objective updated: ${name}`
      : input.status === 'active'
        ? `Plan objective reopened: ${name}`
        : `Plan objective ${input.status}: ${name}`
    const summary = [
      input.statusReason ? `${input.description} (${input.statusReason})` : input.description,
      cancelled.length ? `${plural(cancelled.length, 'unfinished action')} cancelled` : null,
    ]
      .filter(Boolean)
      .join('. ')
    await recordChange(
      tx,
      actor,
      person,
      {
        type: 'plan.objective.updated',
        pathway: before.pathway,
        title,
        summary,
        payload: {
          objectiveId,
          status: input.status,
          previousStatus: before.status,
          // No column holds the reason: it is kept here, on the timeline and in the audit record.
          reason: input.statusReason,
          version: input.version + 1,
          cancelledActionIds: cancelled,
        },
      },
      origin,
      clock,
    )
    return 'saved'
  })
}

/** Gives each owner of a cancelled action (other than the actor) one task saying why. */
async function tellOwners(
  tx: Tx,
  actor: Actor,
  person: PlanPerson,
  cancelled: objectives.UnfinishedAction[],
  change: { objectiveId: string; version: number; reason: string },
  at: Date,
) {
  const owners = new Map<string, { userId: string | null; agencyId: string; actions: string[] }>()
  for (const a of cancelled) {
    if (a.owner_user_id === actor.userId) continue
    const key = a.owner_user_id ?? `agency:${a.owner_agency_id}`
    const entry = owners.get(key) ?? { userId: a.owner_user_id, agencyId: a.owner_agency_id, actions: [] }
    entry.actions.push(a.description)
    owners.set(key, entry)
  }
  for (const [key, owner] of owners)
    await createTask(tx, {
      personId: person.id,
      kind: 'plan_changed',
      title: `Plan changed (objective withdrawn): ${plural(owner.actions.length, 'of your actions')} cancelled`,
      reason: `${change.reason}. ${owner.actions.join('; ')}`,
      ownerUserId: owner.userId,
      ownerRole: null,
      ownerAgencyId: owner.agencyId,
      dueOn: londonDate(at),
      source: 'plans',
      // One per owner per saved version: a retried request cannot tell them twice.
      sourceRef: `objective:${change.objectiveId}:v${change.version}:owner:${key}`,
    })
}
