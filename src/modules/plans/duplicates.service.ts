import { ForbiddenError, NotFoundError } from '../../errors.js'
import type { Actor } from '../../platform/access/actor.js'
import { recordAudit, type Origin } from '../../platform/audit/audit.js'
import type { Clock } from '../../platform/clock.js'
import type { Db, Tx } from '../../platform/database/database.js'
import { publish } from '../../platform/outbox/outbox.js'
import { createTask } from '../tasks/tasks.service.js'
import * as repo from './duplicates.repository.js'
import { findAgency, findPlanPerson } from './plans.repository.js'
import { DUPLICATE_WINDOW_DAYS, SERVICE_TYPE_NAMES, SERVICE_TYPES, type ServiceType } from './plans.policy.js'

const serviceName = (type: string) => SERVICE_TYPE_NAMES[type as ServiceType] ?? type

/**
 * Looks for the same service for the same person from another agency, when an action is
 * created with a service type or given one. Each new pair is recorded once, announced, and
 * both owners get a task pointing at the other action. Returns how many pairs were new.
 */
export async function detectDuplicates(
  tx: Tx,
  action: {
    personId: string
    actionId: string
    serviceType: string | null
    ownerAgencyId: string
    ownerUserId: string | null
  },
  clock: Clock,
): Promise<number> {
  if (!action.serviceType) return 0
  const now = clock.now()
  const windowStart = new Date(now.getTime() - DUPLICATE_WINDOW_DAYS * 86_400_000)
  const candidates = await repo.findDuplicateCandidates(tx, {
    personId: action.personId,
    actionId: action.actionId,
    serviceType: action.serviceType,
    agencyId: action.ownerAgencyId,
    windowStart,
  })
  let found = 0
  for (const other of candidates) {
    const id = await repo.insertDuplicate(tx, {
      personId: action.personId,
      serviceType: action.serviceType,
      actionIds: [other.id, action.actionId],
      at: now,
    })
    if (!id) continue
    found++
    await publish(tx, {
      type: 'plan.duplicate-service.detected',
      personId: action.personId,
      payload: {
        duplicateId: id,
        serviceType: action.serviceType,
        actionIds: [other.id, action.actionId],
        agencyIds: [other.owner_agency_id, action.ownerAgencyId],
      },
    })
    const [mine, theirs] = await Promise.all([
      findAgency(tx, action.ownerAgencyId),
      findAgency(tx, other.owner_agency_id),
    ])
    const sides = [
      {
        actionId: action.actionId,
        agencyId: action.ownerAgencyId,
        userId: action.ownerUserId,
        other: theirs,
      },
      { actionId: other.id, agencyId: other.owner_agency_id, userId: other.owner_user_id, other: mine },
    ]
    for (const side of sides) {
      await createTask(tx, {
        personId: action.personId,
        kind: 'duplicate_service',
        title: `Check for duplicate ${serviceName(action.serviceType).toLowerCase()} support`,
        reason: `${side.other?.name ?? 'Another agency'} also has an open ${serviceName(action.serviceType).toLowerCase()} action for this person. Agree who does it and resolve the duplicate on the plan.`,
        ownerUserId: side.userId,
        ownerRole: null,
        ownerAgencyId: side.agencyId,
        dueOn: null,
        source: 'plans',
        sourceRef: `duplicate:${id}:${side.actionId}`,
      })
    }
  }
  return found
}

/**
 * Agencies other than `agencyId` doing this service for the person through the plan: an open
 * action, or one created within the duplicate window. For other modules (referrals) to warn of
 * the same service arranged twice; names agencies only, so no unshared objective is revealed.
 */
export async function agenciesPlanningService(
  tx: Tx,
  c: { personId: string; serviceType: string; agencyId: string | null },
  clock: Clock,
): Promise<string[]> {
  const nobody = '00000000-0000-0000-0000-000000000000'
  const candidates = await repo.findDuplicateCandidates(tx, {
    personId: c.personId,
    actionId: nobody,
    serviceType: c.serviceType,
    agencyId: c.agencyId ?? nobody,
    windowStart: new Date(clock.now().getTime() - DUPLICATE_WINDOW_DAYS * 86_400_000),
  })
  const agencies = await Promise.all(
    [...new Set(candidates.map((a) => a.owner_agency_id))].map((id) => findAgency(tx, id)),
  )
  return agencies.flatMap((a) => (a ? [a.name] : [])).sort()
}

/** Open duplicates of a person's actions, keyed by action, each naming the other action. */
export async function duplicatesByAction(tx: Tx, actor: Actor, personId: string) {
  const rows = await repo.findOpenDuplicates(tx, actor, personId)
  const byAction = new Map<
    string,
    { id: string; serviceType: string; otherId: string; otherAgency: string; otherVisible: boolean }[]
  >()
  const add = (actionId: string, entry: NonNullable<ReturnType<typeof byAction.get>>[number]) =>
    byAction.set(actionId, [...(byAction.get(actionId) ?? []), entry])
  for (const d of rows) {
    const serviceType = serviceName(d.service_type)
    add(d.first_id, {
      id: d.id,
      serviceType,
      otherId: d.second_id,
      otherAgency: d.second_agency,
      otherVisible: !!d.second_visible,
    })
    add(d.second_id, {
      id: d.id,
      serviceType,
      otherId: d.first_id,
      otherAgency: d.first_agency,
      otherVisible: !!d.first_visible,
    })
  }
  return byAction
}

/** Marks a duplicate resolved with how; the lead agency or either owner may do it. */
export async function resolveDuplicate(
  db: Db,
  actor: Actor,
  crn: string,
  duplicateId: string,
  resolution: string,
  origin: Origin,
  clock: Clock,
) {
  await db.transaction().execute(async (tx) => {
    const person = await findPlanPerson(tx, actor, { crn })
    if (!person) throw new NotFoundError()
    const duplicate = await repo.findDuplicate(tx, person.id, duplicateId)
    if (!duplicate) throw new NotFoundError()
    const involved = [duplicate.first_agency_id, duplicate.second_agency_id].includes(actor.agencyId)
    if (!person.is_lead_agency && !involved) throw new ForbiddenError()
    const resolved = await repo.resolveDuplicate(tx, {
      personId: person.id,
      id: duplicateId,
      userId: actor.userId,
      resolution,
      at: clock.now(),
    })
    if (!resolved) return
    await recordAudit(tx, {
      actor,
      action: 'update',
      personIds: [person.id],
      categories: ['supervision'],
      origin,
      purpose: 'Resolve duplicate work on the case plan',
      relationship: person.relationship,
      detail: { duplicateId, resolution },
    })
    await publish(tx, {
      type: 'plan.duplicate-service.resolved',
      personId: person.id,
      payload: { duplicateId, resolvedBy: actor.userId },
    })
  })
}

/** The duplication report: open duplicates the actor may see, with counts by service and agency pair. */
export async function duplicationReport(db: Db, actor: Actor, cohortId: string | null, origin: Origin) {
  return db.transaction().execute(async (tx) => {
    const rows = await repo.findDuplicateReport(tx, actor, cohortId)
    const cohorts = await repo.findCohorts(tx)
    const byService = SERVICE_TYPES.map((type) => ({
      type,
      name: SERVICE_TYPE_NAMES[type],
      count: rows.filter((r) => r.service_type === type).length,
    })).filter((s) => s.count > 0)
    const pairs = new Map<string, { agencies: string; count: number }>()
    for (const r of rows) {
      const agencies = [r.first_agency, r.second_agency].sort().join(' and ')
      pairs.set(agencies, { agencies, count: (pairs.get(agencies)?.count ?? 0) + 1 })
    }
    if (rows.length)
      await recordAudit(tx, {
        actor,
        action: 'list',
        personIds: [...new Set(rows.map((r) => r.person_id))],
        categories: ['identity'],
        origin,
        purpose: 'Duplicate work report',
        detail: { cohortId },
      })
    return {
      rows: rows.map((r) => ({ ...r, serviceName: serviceName(r.service_type) })),
      byService,
      byPair: [...pairs.values()].sort((a, b) => b.count - a.count),
      cohorts,
    }
  })
}
