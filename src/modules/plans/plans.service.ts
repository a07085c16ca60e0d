import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../errors.js'
import type { Actor } from '../../platform/access/actor.js'
import { recordAudit, type Origin } from '../../platform/audit/audit.js'
import type { Clock } from '../../platform/clock.js'
import type { Db, Tx } from '../../platform/database/database.js'
import { publish } from '../../platform/outbox/outbox.js'
import { addTimelineEntry } from '../../platform/timeline/timeline.js'
import { detectDuplicates } from './duplicates.service.js'
import { adapt } from './pivot.service.js'
import { PATHWAY_CATEGORY, PATHWAY_NAMES, type Pathway } from './plans.policy.js'
import * as repo from './plans.repository.js'
import type { ActionInput, EditActionInput, ObjectiveInput } from './plans.schema.js'

export { viewAction, viewActionForm, viewObjectiveForm, viewPlan } from './plan-view.service.js'
export { peopleWithPlans } from './pivot.repository.js'

/** A change of circumstances that the plan must adapt to (the "pivot"). */
export interface CircumstanceChange {
  personId: string
  change:
    'recalled' | 'custody' | 'released' | 'release_date_changed' | 'accommodation_lost' | 'new_conviction'
  /** Why, in words for the timeline and the owners, e.g. 'Recalled to HMP Leeds on 3 March'. */
  reason: string
  /** For release_date_changed: the old and new dates (YYYY-MM-DD). */
  previousReleaseOn?: string | null
  newReleaseOn?: string | null
  /** Idempotency: the outbox event or message that caused the change. */
  causeRef: string
}

export interface PlanAdaptation {
  suspended: string[]
  cancelled: string[]
  rescheduled: string[]
  resumed: string[]
  tasksCreated: number
}

/**
 * Adapts the person's plan to a change of circumstances: dependent actions are suspended,
 * cancelled or rescheduled, owners are told, completed work stays, and the change is recorded
 * on the timeline. Idempotent by causeRef.
 */
export async function adaptPlanToChange(
  tx: Tx,
  change: CircumstanceChange,
  clock: Clock,
): Promise<PlanAdaptation> {
  return adapt(tx, change, clock)
}

const categoryOf = (pathway: string) => PATHWAY_CATEGORY[pathway as Pathway] ?? 'supervision'
export const pathwayName = (pathway: string) => PATHWAY_NAMES[pathway as Pathway] ?? pathway

/** The person for a change, or NotFoundError (also when they may not be seen). */
export async function planPerson(tx: Tx, actor: Actor, crn: string) {
  const person = await repo.findPlanPerson(tx, actor, { crn })
  if (!person) throw new NotFoundError()
  return person
}

export type PlanPerson = Awaited<ReturnType<typeof planPerson>>

/** Audit, outbox event and timeline row for one change to the plan, in the caller's transaction. */
export async function recordChange(
  tx: Tx,
  actor: Actor,
  person: PlanPerson,
  change: {
    type: string
    pathway: string
    title: string
    summary: string | null
    payload: Record<string, unknown>
  },
  origin: Origin,
  clock: Clock,
) {
  const category = categoryOf(change.pathway)
  await recordAudit(tx, {
    actor,
    action: change.type.endsWith('added') ? 'create' : 'update',
    personIds: [person.id],
    categories: [category],
    origin,
    purpose: 'Case planning',
    relationship: person.relationship,
    detail: { event: change.type, ...change.payload },
  })
  await publish(tx, { type: change.type, personId: person.id, payload: change.payload })
  await addTimelineEntry(tx, {
    personId: person.id,
    kind: change.type,
    category,
    agencyId: actor.agencyId,
    title: change.title,
    summary: change.summary,
    pathway: change.pathway,
    at: clock.now(),
  })
  await repo.touchPlan(tx, person.id, clock.now())
}

/** Adds an objective, from an assessed need when one is given. Only the lead agency plans objectives. */
export async function addObjective(
  db: Db,
  actor: Actor,
  crn: string,
  input: ObjectiveInput,
  origin: Origin,
  clock: Clock,
): Promise<string> {
  return db.transaction().execute(async (tx) => {
    const person = await planPerson(tx, actor, crn)
    if (!person.is_lead_agency) throw new ForbiddenError()
    if (input.needId) {
      const need = await repo.findNeed(tx, person.id, input.needId)
      if (!need)
        throw new ValidationError([{ field: 'needId', message: 'Choose an assessed need from the list' }])
      if (need.pathway !== input.pathway)
        throw new ValidationError([
          {
            field: 'needId',
            message: `Choose a need in the ${pathwayName(input.pathway).toLowerCase()} pathway, or none`,
          },
        ])
    }
    await repo.ensurePlan(tx, person.id, actor.userId, clock.now())
    const id = await repo.insertObjective(tx, {
      ...input,
      personId: person.id,
      userId: actor.userId,
      at: clock.now(),
    })
    await recordChange(
      tx,
      actor,
      person,
      {
        type: 'plan.objective.added',
        pathway: input.pathway,
        title: `Plan objective added: ${pathwayName(input.pathway)}`,
        summary: input.description,
        payload: { objectiveId: id, pathway: input.pathway, needId: input.needId },
      },
      origin,
      clock,
    )
    return id
  })
}

/**
 * Checks an action's owners: the agency must work with the person (or lead the case) and a
 * partner may only give actions to its own agency; the owner must be allocated from that agency.
 */
async function checkOwners(tx: Tx, actor: Actor, person: PlanPerson, input: ActionInput) {
  if (!person.is_lead_agency && input.ownerAgencyId !== actor.agencyId)
    throw new ValidationError([
      { field: 'ownerAgencyId', message: 'Choose your own agency: partners add and keep their own actions' },
    ])
  const workers = await repo.findWorkers(tx, person.id)
  const agencies = new Set([person.lead_agency_id, ...workers.map((w) => w.agency_id)])
  if (!agencies.has(input.ownerAgencyId))
    throw new ValidationError([
      { field: 'ownerAgencyId', message: 'Choose an agency that works with this person' },
    ])
  if (
    input.ownerUserId &&
    !workers.some((w) => w.user_id === input.ownerUserId && w.agency_id === input.ownerAgencyId)
  )
    throw new ValidationError([
      { field: 'ownerUserId', message: 'Choose someone from the owning agency who works with this person' },
    ])
}

/** Adds an action under an objective the actor may see; duplicates with other agencies are detected. */
export async function addAction(
  db: Db,
  actor: Actor,
  crn: string,
  objectiveId: string,
  input: ActionInput,
  origin: Origin,
  clock: Clock,
): Promise<string> {
  return db.transaction().execute(async (tx) => {
    const person = await planPerson(tx, actor, crn)
    const [objective] = await repo.findObjectives(tx, actor, person.id, objectiveId)
    if (!objective) throw new NotFoundError()
    if (!objective.shared || objective.status !== 'active') throw new ForbiddenError()
    await checkOwners(tx, actor, person, input)
    const id = await repo.insertAction(tx, {
      ...input,
      personId: person.id,
      objectiveId,
      userId: actor.userId,
      at: clock.now(),
    })
    await recordChange(
      tx,
      actor,
      person,
      {
        type: 'plan.action.added',
        pathway: objective.pathway,
        title: `Plan action added: ${pathwayName(objective.pathway)}`,
        summary: input.description,
        payload: {
          actionId: id,
          objectiveId,
          ownerAgencyId: input.ownerAgencyId,
          serviceType: input.serviceType,
        },
      },
      origin,
      clock,
    )
    await detectDuplicates(tx, { personId: person.id, actionId: id, ...input }, clock)
    return id
  })
}

/** The action an actor may edit, or NotFound/Forbidden. */
async function editableAction(tx: Tx, actor: Actor, personId: string, actionId: string) {
  const [action] = await repo.findActions(tx, actor, personId, actionId)
  if (!action) throw new NotFoundError()
  if (!action.may_edit) throw new ForbiddenError()
  return action
}

/**
 * Saves an edit made from `input.version`. A stale version is a ConflictError: nothing is
 * saved, and the caller shows both versions so the user can apply their change again.
 */
export async function updateAction(
  db: Db,
  actor: Actor,
  crn: string,
  actionId: string,
  input: EditActionInput,
  origin: Origin,
  clock: Clock,
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const person = await planPerson(tx, actor, crn)
    const before = await editableAction(tx, actor, person.id, actionId)
    await checkOwners(tx, actor, person, input)
    const saved = await repo.updateAction(tx, actor, {
      ...input,
      personId: person.id,
      actionId,
      at: clock.now(),
    })
    if (!saved) throw new ConflictError()
    const statusChanged = before.status !== input.status
    await recordChange(
      tx,
      actor,
      person,
      {
        type: 'plan.action.updated',
        pathway: before.pathway,
        title: statusChanged
          ? `Plan action ${input.status.replace('_', ' ')}: ${pathwayName(before.pathway)}`
          : `Plan action updated: ${pathwayName(before.pathway)}`,
        summary: input.statusReason ? `${input.description} (${input.statusReason})` : input.description,
        payload: {
          actionId,
          status: input.status,
          previousStatus: before.status,
          version: input.version + 1,
        },
      },
      origin,
      clock,
    )
    if (input.serviceType !== before.service_type || input.ownerAgencyId !== before.owner_agency_id)
      await detectDuplicates(tx, { personId: person.id, actionId, ...input }, clock)
  })
}

/** Adds a progress note to an action the actor's agency owns (or leads the case for). */
export async function addNote(
  db: Db,
  actor: Actor,
  crn: string,
  actionId: string,
  note: string,
  origin: Origin,
  clock: Clock,
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const person = await planPerson(tx, actor, crn)
    const action = await editableAction(tx, actor, person.id, actionId)
    await repo.insertNote(tx, {
      personId: person.id,
      actionId,
      note,
      userId: actor.userId,
      agencyId: actor.agencyId,
      at: clock.now(),
    })
    await recordChange(
      tx,
      actor,
      person,
      {
        type: 'plan.action.noted',
        pathway: action.pathway,
        title: `Progress on plan action: ${pathwayName(action.pathway)}`,
        summary: note,
        payload: { actionId },
      },
      origin,
      clock,
    )
  })
}
