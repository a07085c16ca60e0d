import type { Clock } from '../../platform/clock.js'
import type { Tx } from '../../platform/database/database.js'
import { recordAudit } from '../../platform/audit/audit.js'
import { publish } from '../../platform/outbox/outbox.js'
import { londonDate } from '../../platform/views/format.js'
import { addTimelineEntry } from '../../platform/timeline/timeline.js'
import { createTask } from '../tasks/tasks.service.js'
import { detectDuplicates } from './duplicates.service.js'
import * as pivot from './pivot.repository.js'
import { insertAction, touchPlan } from './plans.repository.js'
import type { CircumstanceChange, PlanAdaptation } from './plans.service.js'

/**
 * The pivot: a change of circumstances adapts the plan. Only open actions that depend on the
 * circumstance change; done and cancelled work is never touched. Status reasons carry a fixed
 * prefix so that a release can resume exactly what custody or recall suspended.
 */
export const SUSPENDED_BECAUSE = {
  custody: 'Suspended while in custody',
  recalled: 'Suspended on recall to custody',
  accommodation_lost: 'Suspended because accommodation was lost',
} as const

const CHANGE_NAMES: Record<CircumstanceChange['change'], string> = {
  recalled: 'recalled to custody',
  custody: 'in custody',
  released: 'released',
  release_date_changed: 'release date changed',
  accommodation_lost: 'accommodation lost',
  new_conviction: 'new conviction',
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/

/** Whole days from one calendar date to another (both YYYY-MM-DD); null if either is missing. */
export function daysBetween(from: string | null | undefined, to: string | null | undefined): number | null {
  if (!from || !to || !ISO_DATE.test(from) || !ISO_DATE.test(to)) return null
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000
  return Number.isFinite(days) ? Math.round(days) : null
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`

export async function adapt(tx: Tx, change: CircumstanceChange, clock: Clock): Promise<PlanAdaptation> {
  const result: PlanAdaptation = {
    suspended: [],
    cancelled: [],
    rescheduled: [],
    resumed: [],
    tasksCreated: 0,
  }
  const facts = await pivot.findPersonFacts(tx, change.personId)
  if (!facts) return result
  const hasPlan = await pivot.lockPlan(tx, change.personId)
  if (!(await pivot.claimAdaptation(tx, change.personId, change.causeRef, change.change))) return result
  const now = clock.now()
  const today = londonDate(now)
  const personId = change.personId
  const lead = { userId: facts.lead_user_id, agencyId: facts.lead_agency_id }
  const affected: pivot.PivotAction[] = []
  const task = async (t: {
    kind: string
    title: string
    reason: string
    owner: typeof lead
    ref: string
  }) => {
    const id = await createTask(tx, {
      personId,
      kind: t.kind,
      title: t.title,
      reason: t.reason,
      ownerUserId: t.owner.userId,
      ownerRole: null,
      ownerAgencyId: t.owner.agencyId,
      dueOn: today,
      source: 'plans',
      sourceRef: `${change.causeRef}:${t.ref}`,
    })
    if (id) result.tasksCreated++
  }
  const suspend = async (circumstance: string, prefix: string) => {
    const actions = await pivot.findOpenDependent(tx, personId, circumstance)
    await pivot.setStatus(
      tx,
      personId,
      actions.map((a) => a.id),
      'suspended',
      `${prefix}: ${change.reason}`,
      now,
    )
    result.suspended.push(...actions.map((a) => a.id))
    affected.push(...actions)
  }

  switch (change.change) {
    case 'custody':
    case 'recalled':
      if (hasPlan) await suspend('in_community', SUSPENDED_BECAUSE[change.change])
      break
    case 'released': {
      if (!hasPlan) break
      const actions = await pivot.findSuspendedWith(tx, personId, [
        SUSPENDED_BECAUSE.custody,
        SUSPENDED_BECAUSE.recalled,
      ])
      await pivot.resume(
        tx,
        personId,
        actions.map((a) => a.id),
        now,
      )
      result.resumed.push(...actions.map((a) => a.id))
      affected.push(...actions)
      break
    }
    case 'release_date_changed': {
      const days = daysBetween(change.previousReleaseOn, change.newReleaseOn)
      if (!hasPlan || !days) break
      const actions = (await pivot.findOpenDependent(tx, personId, 'release_date')).filter((a) => a.due_on)
      await pivot.moveDueDates(
        tx,
        personId,
        actions.map((a) => a.id),
        days,
        now,
      )
      result.rescheduled.push(...actions.map((a) => a.id))
      affected.push(...actions)
      break
    }
    case 'accommodation_lost': {
      if (hasPlan) await suspend('accommodation', SUSPENDED_BECAUSE.accommodation_lost)
      const work = hasPlan
        ? await pivot.findAccommodationWork(tx, personId)
        : { objectiveId: null, hasOpenAction: false }
      if (work.hasOpenAction) break
      const found = await pivot.findAccommodationLead(tx, personId, facts.region_id)
      const owner = found ? { userId: found.user_id, agencyId: found.agency_id } : lead
      if (work.objectiveId) {
        const description = `Urgent: find somewhere to live (${change.reason})`
        const actionId = await insertAction(tx, {
          personId,
          objectiveId: work.objectiveId,
          description,
          serviceType: 'housing',
          ownerAgencyId: owner.agencyId,
          ownerUserId: owner.userId,
          dueOn: today,
          dependsOn: [],
          userId: null,
          at: now,
        })
        await detectDuplicates(
          tx,
          {
            personId,
            actionId,
            serviceType: 'housing',
            ownerAgencyId: owner.agencyId,
            ownerUserId: owner.userId,
          },
          clock,
        )
      }
      await task({
        kind: 'urgent_accommodation',
        title: 'Urgent: the person has lost their accommodation',
        reason: change.reason,
        owner,
        ref: 'accommodation',
      })
      break
    }
    case 'new_conviction':
      await task({
        kind: 'plan_review',
        title: 'Review the plan after a new conviction',
        reason: change.reason,
        owner: lead,
        ref: 'review',
      })
      break
  }

  // Tell each owner once: by person where the action has one, otherwise their agency.
  const owners = new Map<string, { owner: typeof lead; actions: pivot.PivotAction[] }>()
  for (const a of affected) {
    const key = a.owner_user_id ?? `agency:${a.owner_agency_id}`
    const entry = owners.get(key) ?? {
      owner: { userId: a.owner_user_id, agencyId: a.owner_agency_id },
      actions: [],
    }
    entry.actions.push(a)
    owners.set(key, entry)
  }
  for (const [key, { owner, actions }] of owners)
    await task({
      kind: 'plan_changed',
      title: `Plan changed (${CHANGE_NAMES[change.change]}): ${plural(actions.length, 'of your actions')} affected`,
      reason: `${change.reason}. ${actions.map((a) => a.description).join('; ')}`,
      owner,
      ref: `owner:${key}`,
    })

  const summary = [
    result.suspended.length && `${plural(result.suspended.length, 'action')} suspended`,
    result.resumed.length && `${plural(result.resumed.length, 'action')} resumed`,
    result.rescheduled.length &&
      `${plural(result.rescheduled.length, 'action')} moved by ${plural(daysBetween(change.previousReleaseOn, change.newReleaseOn) ?? 0, 'day')}`,
    result.tasksCreated && `${plural(result.tasksCreated, 'task')} created`,
  ].filter(Boolean)
  const changed = summary.length > 0
  if (hasPlan || changed) {
    await addTimelineEntry(tx, {
      personId,
      kind: 'plan.adapted',
      category: 'supervision',
      agencyId: facts.lead_agency_id,
      title: `Plan adapted: ${CHANGE_NAMES[change.change]}`,
      summary: `${change.reason}. ${changed ? summary.join(', ') : 'No actions needed to change'}. Completed work is unchanged.`,
      at: now,
    })
    if (hasPlan) await touchPlan(tx, personId, now)
    await publish(tx, {
      type: 'plan.adapted',
      personId,
      payload: { change: change.change, causeRef: change.causeRef, ...result },
    })
  }
  // Also the idempotency record: a redelivered cause finds it and changes nothing more.
  await recordAudit(tx, {
    actor: null,
    actorLabel: 'plan pivot',
    action: 'update',
    personIds: [personId],
    categories: ['supervision'],
    origin: { route: pivot.PIVOT_ROUTE, requestId: null },
    purpose: `Adapt the case plan to a change of circumstances: ${CHANGE_NAMES[change.change]}`,
    detail: { causeRef: change.causeRef, change: change.change, reason: change.reason, ...result },
  })
  return result
}
