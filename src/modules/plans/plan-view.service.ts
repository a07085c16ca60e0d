import { ForbiddenError } from '../../errors.js'
import type { Actor } from '../../platform/access/actor.js'
import { recordAudit, type Origin } from '../../platform/audit/audit.js'
import type { Clock } from '../../platform/clock.js'
import type { Db, Tx } from '../../platform/database/database.js'
import { londonDate } from '../../platform/views/format.js'
import { personHeader } from '../people/person-view.service.js'
import { duplicatesByAction } from './duplicates.service.js'
import {
  ACTION_STATUS_NAMES,
  CIRCUMSTANCE_NAMES,
  OPEN_STATUSES,
  PATHWAY_CATEGORY,
  PATHWAY_NAMES,
  PATHWAYS,
  SERVICE_TYPE_NAMES,
  type ActionStatus,
  type Circumstance,
  type Pathway,
  type ServiceType,
} from './plans.policy.js'
import * as repo from './plans.repository.js'

/** The plan pages: what each shows is what the repository let through for this actor. */

type Person = NonNullable<Awaited<ReturnType<typeof repo.findPlanPerson>>>

/** The header for `_person.njk` and the plan's view of the person, read together; null if not visible. */
export async function loadPlanPerson(tx: Tx, actor: Actor, crn: string, clock: Clock) {
  const header = await personHeader(tx, actor, crn, clock)
  if (!header) return null
  const person = await repo.findPlanPerson(tx, actor, { crn })
  return person ? { header, person } : null
}

export function auditPlanRead(tx: Tx, actor: Actor, person: Person, categories: string[], origin: Origin) {
  return recordAudit(tx, {
    actor,
    action: 'read',
    personIds: [person.id],
    categories: [...new Set(['identity', ...categories])],
    origin,
    purpose: 'Case planning',
    relationship: person.relationship,
  })
}

export function describeAction(action: repo.ActionRow, today: string) {
  return {
    ...action,
    statusName: ACTION_STATUS_NAMES[action.status as ActionStatus] ?? action.status,
    serviceName: action.service_type ? SERVICE_TYPE_NAMES[action.service_type as ServiceType] : null,
    dependsOnNames: action.depends_on.map((c) => CIRCUMSTANCE_NAMES[c as Circumstance] ?? c),
    overdue:
      !!action.due_on && action.due_on < today && OPEN_STATUSES.includes(action.status as ActionStatus),
  }
}

/** The whole plan as the actor may see it, by pathway, with assessed needs not yet planned for. */
export async function viewPlan(db: Db, actor: Actor, crn: string, origin: Origin, clock: Clock) {
  return db.transaction().execute(async (tx) => {
    const loaded = await loadPlanPerson(tx, actor, crn, clock)
    if (!loaded) return null
    const { header, person } = loaded
    const objectives = await repo.findObjectives(tx, actor, person.id)
    const actions = await repo.findActions(tx, actor, person.id)
    const needs = await repo.findNeeds(tx, actor, person.id)
    const duplicates = await duplicatesByAction(tx, actor, person.id)
    const today = londonDate(clock.now())
    const pathways = PATHWAYS.map((pathway) => ({
      pathway,
      name: PATHWAY_NAMES[pathway],
      objectives: objectives
        .filter((o) => o.pathway === pathway)
        .map((o) => ({
          ...o,
          need: needs.find((n) => n.id === o.need_id) ?? null,
          mayAddAction: !!o.shared && o.status === 'active',
          actions: actions
            .filter((a) => a.objective_id === o.id)
            .map((a) => ({ ...describeAction(a, today), duplicates: duplicates.get(a.id) ?? [] })),
        })),
      gaps: needs.filter((n) => n.pathway === pathway && !n.answered),
    })).filter((p) => p.objectives.length || p.gaps.length)
    const shown = pathways.filter((p) => p.objectives.some((o) => o.shared) || p.gaps.length)
    await auditPlanRead(
      tx,
      actor,
      person,
      shown.map((p) => PATHWAY_CATEGORY[p.pathway]),
      origin,
    )
    return {
      ...header,
      isLeadAgency: !!person.is_lead_agency,
      pathways,
      gapCount: pathways.reduce((n, p) => n + p.gaps.length, 0),
      overdueCount: pathways.reduce(
        (n, p) => n + p.objectives.reduce((m, o) => m + o.actions.filter((a) => a.overdue).length, 0),
        0,
      ),
    }
  })
}

/** Choices for an action's owners: agencies working with the person, and their allocated workers. */
export async function actionChoices(tx: Tx, actor: Actor, person: Person) {
  const workers = await repo.findWorkers(tx, person.id)
  const lead = await repo.findAgency(tx, person.lead_agency_id)
  const agencies = new Map<string, string>()
  if (lead) agencies.set(lead.id, lead.name)
  for (const w of workers) agencies.set(w.agency_id, w.agency_name)
  const mine = (agencyId: string) => person.is_lead_agency || agencyId === actor.agencyId
  if (!person.is_lead_agency) agencies.set(actor.agencyId, actor.agencyName)
  return {
    agencies: [...agencies].filter(([id]) => mine(id)).map(([value, text]) => ({ value, text })),
    workers: workers
      .filter((w) => mine(w.agency_id))
      .map((w) => ({ value: w.user_id, text: `${w.display_name} (${w.agency_name})` })),
  }
}

/** What the add-objective form needs: the person's assessed needs the actor may see. */
export async function viewObjectiveForm(db: Db, actor: Actor, crn: string, origin: Origin, clock: Clock) {
  return db.transaction().execute(async (tx) => {
    const loaded = await loadPlanPerson(tx, actor, crn, clock)
    if (!loaded) return null
    if (!loaded.person.is_lead_agency) throw new ForbiddenError()
    const needs = await repo.findNeeds(tx, actor, loaded.person.id)
    await auditPlanRead(
      tx,
      actor,
      loaded.person,
      needs.map((n) => PATHWAY_CATEGORY[n.pathway as Pathway]),
      origin,
    )
    return {
      ...loaded.header,
      needs: needs.map((n) => ({
        value: n.id,
        text: `${PATHWAY_NAMES[n.pathway as Pathway]}: ${n.description} (${n.level} need)`,
        pathway: n.pathway,
      })),
    }
  })
}

/** What the add-action form needs: the objective (which must be shared) and the owner choices. */
export async function viewActionForm(
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
    const [objective] = await repo.findObjectives(tx, actor, loaded.person.id, objectiveId)
    if (!objective) return null
    if (!objective.shared || objective.status !== 'active') throw new ForbiddenError()
    await auditPlanRead(tx, actor, loaded.person, [PATHWAY_CATEGORY[objective.pathway as Pathway]], origin)
    return {
      ...loaded.header,
      objective: { ...objective, pathwayName: PATHWAY_NAMES[objective.pathway as Pathway] },
      choices: await actionChoices(tx, actor, loaded.person),
    }
  })
}

/** One action with its notes and duplicates, and the edit form's choices; null if not visible. */
export async function viewAction(
  db: Db,
  actor: Actor,
  crn: string,
  actionId: string,
  origin: Origin,
  clock: Clock,
) {
  return db.transaction().execute(async (tx) => {
    const loaded = await loadPlanPerson(tx, actor, crn, clock)
    if (!loaded) return null
    const { header, person } = loaded
    const [action] = await repo.findActions(tx, actor, person.id, actionId)
    if (!action) return null
    const [objective] = await repo.findObjectives(tx, actor, person.id, action.objective_id)
    const notes = await repo.findNotes(tx, person.id, actionId)
    const duplicates = (await duplicatesByAction(tx, actor, person.id)).get(actionId) ?? []
    await auditPlanRead(tx, actor, person, [PATHWAY_CATEGORY[action.pathway as Pathway]], origin)
    return {
      ...header,
      action: describeAction(action, londonDate(clock.now())),
      objective: objective
        ? { ...objective, pathwayName: PATHWAY_NAMES[objective.pathway as Pathway] }
        : null,
      notes,
      duplicates,
      choices: await actionChoices(tx, actor, person),
    }
  })
}
