import { ConflictError, ForbiddenError, ValidationError } from '../../errors.js'
import { hasRole, type Actor } from '../../platform/access/actor.js'
import { recordAudit, type Origin } from '../../platform/audit/audit.js'
import type { Clock } from '../../platform/clock.js'
import type { Db, Tx } from '../../platform/database/database.js'
import { publish } from '../../platform/outbox/outbox.js'
import { personHeader } from '../people/person-view.service.js'
import { addTimelineEntry } from '../../platform/timeline/timeline.js'
import * as repo from './allocation.repository.js'
import { changeLead } from './allocation.service.js'
import { findTeamWorkload } from './workload.repository.js'
import { suggestPractitioner } from './workload.service.js'

/**
 * Who may do what about a person's allocation: the manager of the person's lead team may
 * reallocate the lead and manage co-workers; the lead practitioner may view and manage
 * co-workers; nobody else (partners included) may see or change the page.
 */
async function relation(tx: Tx, actor: Actor, crn: string, clock: Clock) {
  const header = await personHeader(tx, actor, crn, clock)
  if (!header) return null
  const keys = (await repo.findPersonKeys(tx, crn))!
  const allocations = await repo.findAllocations(tx, keys.id)
  const lead = allocations.find((a) => a.is_lead) ?? null
  const isManager =
    hasRole(actor, 'manager') && !!keys.lead_team_id && actor.teamIds.includes(keys.lead_team_id)
  const isLead = lead?.user_id === actor.userId
  if (!isManager && !isLead) throw new ForbiddenError()
  return { header, keys, allocations, lead, mayReallocate: isManager }
}

/** The person's lead and co-workers, with what the actor may change; null when not visible. */
export async function personAllocation(db: Db, actor: Actor, crn: string, origin: Origin, clock: Clock) {
  return db.transaction().execute(async (tx) => {
    const found = await relation(tx, actor, crn, clock)
    if (!found) return null
    const practitioners =
      found.mayReallocate && found.keys.lead_team_id
        ? (await findTeamWorkload(tx, [found.keys.lead_team_id])).filter(
            (p) => p.user_id !== found.lead?.user_id,
          )
        : []
    const candidates = await repo.findCoWorkerCandidates(tx, found.keys)
    await recordAudit(tx, {
      actor,
      action: 'read',
      personIds: [found.keys.id],
      categories: ['identity'],
      origin,
      purpose: 'Allocation and co-workers',
      relationship: found.header.person.access.relationship,
    })
    return {
      ...found.header,
      allocations: found.allocations,
      lead: found.lead,
      coWorkers: found.allocations.filter((a) => !a.is_lead),
      mayReallocate: found.mayReallocate,
      practitioners,
      suggestion: suggestPractitioner(practitioners),
      candidates: candidates.filter((c) => !found.allocations.some((a) => a.user_id === c.id)),
    }
  })
}

/**
 * Hands the lead to another practitioner of the lead team with a handover note, which stays on
 * the new allocation for the new lead to read. The form carries the lead it was read with, so
 * a reallocation made meanwhile by someone else is a conflict rather than silently replaced.
 */
export async function reallocate(
  db: Db,
  actor: Actor,
  crn: string,
  form: { currentLeadId: string; userId: string; handoverNote: string },
  origin: Origin,
  clock: Clock,
) {
  return db.transaction().execute(async (tx) => {
    const found = await relation(tx, actor, crn, clock)
    if (!found) return null
    if (!found.mayReallocate || !found.keys.lead_team_id) throw new ForbiddenError()
    if ((found.lead?.id ?? 'none') !== form.currentLeadId) throw new ConflictError()
    if (found.lead?.user_id === form.userId)
      throw new ValidationError([{ field: 'userId', message: 'Choose someone other than the current lead' }])
    const practitioner = await repo.findEligiblePractitioner(tx, found.keys.lead_team_id, form.userId)
    if (!practitioner)
      throw new ValidationError([
        { field: 'userId', message: 'Choose the new lead practitioner from the list' },
      ])
    const at = clock.now()
    // A case reallocated while it waited in the queue no longer waits.
    await repo.settleWaitingRequests(tx, {
      personId: found.keys.id,
      userId: practitioner.id,
      by: actor.userId,
      at,
    })
    await changeLead(tx, actor, {
      personId: found.keys.id,
      teamId: found.keys.lead_team_id,
      practitioner,
      note: form.handoverNote,
      why: 'Reallocated with a handover note',
      origin,
      at,
    })
    return practitioner.display_name
  })
}

/** Adds a worker from another agency with an explicit role. */
export async function addCoWorker(
  db: Db,
  actor: Actor,
  crn: string,
  form: { userId: string; role: string },
  origin: Origin,
  clock: Clock,
) {
  return db.transaction().execute(async (tx) => {
    const found = await relation(tx, actor, crn, clock)
    if (!found) return null
    const candidate = (await repo.findCoWorkerCandidates(tx, found.keys)).find((c) => c.id === form.userId)
    if (!candidate || found.allocations.some((a) => a.user_id === form.userId))
      throw new ValidationError([
        { field: 'userId', message: 'Choose someone from the list who is not already allocated' },
      ])
    const at = clock.now()
    const id = await repo.insertAllocation(tx, {
      personId: found.keys.id,
      userId: candidate.id,
      teamId: null,
      agencyId: candidate.agency_id,
      role: form.role,
      isLead: false,
      handoverNote: null,
      at,
    })
    await recordAudit(tx, {
      actor,
      action: 'create',
      personIds: [found.keys.id],
      categories: ['identity'],
      origin,
      purpose: 'Added a co-worker',
      detail: { allocationId: id, userId: candidate.id, role: form.role },
    })
    await publish(tx, {
      type: 'person.co-worker.added',
      personId: found.keys.id,
      payload: { allocationId: id, userId: candidate.id, agencyId: candidate.agency_id, role: form.role },
    })
    await addTimelineEntry(tx, {
      personId: found.keys.id,
      at,
      kind: 'allocation.changed',
      category: 'identity',
      agencyId: actor.agencyId,
      title: `${candidate.display_name} (${candidate.agency_name}) joined as a co-worker`,
      summary: null,
    })
    return candidate.display_name
  })
}

/** Ends a co-worker's allocation, with the reason kept in the audit log and on the timeline. */
export async function endCoWorker(
  db: Db,
  actor: Actor,
  crn: string,
  allocationId: string,
  reason: string,
  origin: Origin,
  clock: Clock,
) {
  return db.transaction().execute(async (tx) => {
    const found = await relation(tx, actor, crn, clock)
    if (!found) return null
    const at = clock.now()
    const ended = await repo.endCoWorker(tx, found.keys.id, allocationId, at)
    if (!ended) throw new ConflictError()
    const who = found.allocations.find((a) => a.id === allocationId)
    await recordAudit(tx, {
      actor,
      action: 'update',
      personIds: [found.keys.id],
      categories: ['identity'],
      origin,
      purpose: 'Ended a co-worker allocation',
      detail: { allocationId, userId: ended.user_id, reason },
    })
    await publish(tx, {
      type: 'person.co-worker.ended',
      personId: found.keys.id,
      payload: { allocationId, userId: ended.user_id, reason },
    })
    await addTimelineEntry(tx, {
      personId: found.keys.id,
      at,
      kind: 'allocation.changed',
      category: 'identity',
      agencyId: actor.agencyId,
      title: `${who?.display_name ?? 'A co-worker'} is no longer allocated`,
      summary: reason,
    })
    return who?.display_name ?? ''
  })
}
