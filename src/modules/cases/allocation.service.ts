import { ForbiddenError, ValidationError } from '../../errors.js'
import { hasRole, type Actor } from '../../platform/access/actor.js'
import { recordAudit, type Origin } from '../../platform/audit/audit.js'
import type { Clock } from '../../platform/clock.js'
import type { Db, Tx } from '../../platform/database/database.js'
import { publish } from '../../platform/outbox/outbox.js'
import { addTimelineEntry } from '../../platform/timeline/timeline.js'
import * as repo from './allocation.repository.js'
import { findTeamNames } from './caseload.repository.js'
import { findTeamWorkload, preferGenericPlans } from './workload.repository.js'
import { caseTypeName, suggestPractitioner } from './workload.service.js'

function managerOnly(actor: Actor) {
  if (!hasRole(actor, 'manager')) throw new ForbiddenError()
}

function describeQueue(rows: repo.QueueRow[]) {
  return rows.map((r) => ({ ...r, caseTypeName: caseTypeName(r.case_type) }))
}

/**
 * The allocation queue of the manager's teams: the cases waiting, oldest first, with the points
 * each would add; each team's practitioners with their workload; and the suggested practitioner.
 * Listing the waiting people is audited.
 */
export async function allocationQueue(db: Db, actor: Actor, origin: Origin) {
  managerOnly(actor)
  return db.transaction().execute(async (tx) => {
    await preferGenericPlans(tx)
    const [queue, workload, teams] = await Promise.all([
      repo.findQueue(tx, actor, actor.teamIds),
      findTeamWorkload(tx, actor.teamIds),
      findTeamNames(tx, actor.teamIds),
    ])
    if (queue.length > 0) {
      await recordAudit(tx, {
        actor,
        action: 'list',
        personIds: queue.map((q) => q.person_id),
        categories: ['identity', 'risk', 'sentence'],
        origin,
        purpose: 'Allocation queue',
      })
    }
    return teams.map((team) => {
      const practitioners = workload.filter((w) => w.team_id === team.id)
      return {
        ...team,
        practitioners,
        suggestion: suggestPractitioner(practitioners),
        waiting: describeQueue(queue.filter((q) => q.team_id === team.id)),
      }
    })
  })
}

/** One waiting case with its team's practitioners and the suggestion; null when not waiting or not visible. */
export async function allocationChoice(db: Db, actor: Actor, crn: string, origin: Origin) {
  managerOnly(actor)
  return db.transaction().execute(async (tx) => {
    const [request] = describeQueue(await repo.findQueue(tx, actor, actor.teamIds, crn))
    if (!request) return null
    const practitioners = await findTeamWorkload(tx, [request.team_id])
    await recordAudit(tx, {
      actor,
      action: 'read',
      personIds: [request.person_id],
      categories: ['identity', 'risk', 'sentence'],
      origin,
      purpose: 'Allocate a case',
    })
    return { request, practitioners, suggestion: suggestPractitioner(practitioners) }
  })
}

export type AllocationOutcome = { outcome: 'allocated'; to: string } | { outcome: 'taken' }

/**
 * Allocates a waiting case to a practitioner of its team. When two managers allocate the same
 * case at once, the first wins and the second is told the case has already been allocated.
 */
export async function allocateFromQueue(
  db: Db,
  actor: Actor,
  form: { crn: string; requestId: string; userId: string; note: string },
  origin: Origin,
  clock: Clock,
): Promise<AllocationOutcome> {
  managerOnly(actor)
  return db.transaction().execute(async (tx) => {
    const [request] = await repo.findQueue(tx, actor, actor.teamIds, form.crn)
    if (!request || request.request_id !== form.requestId) return { outcome: 'taken' }
    const practitioner = await repo.findEligiblePractitioner(tx, request.team_id, form.userId)
    if (!practitioner)
      throw new ValidationError([{ field: 'userId', message: 'Choose a practitioner from the list' }])
    const at = clock.now()
    const claimed = await repo.claimRequest(tx, {
      personId: request.person_id,
      requestId: request.request_id,
      userId: practitioner.id,
      by: actor.userId,
      at,
    })
    if (!claimed) return { outcome: 'taken' }
    await changeLead(tx, actor, {
      personId: request.person_id,
      teamId: request.team_id,
      practitioner,
      note: form.note || null,
      why: `Allocated from the queue: ${request.reason}`,
      origin,
      at,
    })
    return { outcome: 'allocated', to: practitioner.display_name }
  })
}

/**
 * Makes `practitioner` the person's lead in `teamId`: the previous lead allocation ends in the
 * same transaction (one open lead per person is also a unique index), the person's lead team
 * follows, and the change is audited, published and put on the timeline.
 */
export async function changeLead(
  tx: Tx,
  actor: Actor,
  change: {
    personId: string
    teamId: string
    practitioner: { id: string; display_name: string; agency_id: string }
    note: string | null
    why: string
    origin: Origin
    at: Date
  },
) {
  const previous = await repo.endLead(tx, change.personId, change.at)
  await repo.insertAllocation(tx, {
    personId: change.personId,
    userId: change.practitioner.id,
    teamId: change.teamId,
    agencyId: change.practitioner.agency_id,
    role: 'probation_practitioner',
    isLead: true,
    handoverNote: change.note,
    at: change.at,
  })
  await repo.setLeadTeam(tx, change.personId, change.teamId)
  await recordAudit(tx, {
    actor,
    action: 'update',
    personIds: [change.personId],
    categories: ['identity'],
    origin: change.origin,
    purpose: change.why,
    detail: { leadUserId: change.practitioner.id, previousUserId: previous?.user_id ?? null },
  })
  await publish(tx, {
    type: 'person.allocation.changed',
    personId: change.personId,
    payload: {
      userId: change.practitioner.id,
      teamId: change.teamId,
      previousUserId: previous?.user_id ?? null,
    },
  })
  await addTimelineEntry(tx, {
    personId: change.personId,
    at: change.at,
    kind: 'allocation.changed',
    category: 'identity',
    agencyId: actor.agencyId,
    title: `Lead practitioner is now ${change.practitioner.display_name}`,
    summary: change.why,
  })
}
