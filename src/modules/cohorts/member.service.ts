import { ConflictError, NotFoundError, ValidationError } from '../../errors.js'
import type { Actor } from '../../platform/access/actor.js'
import { recordAudit, type Origin } from '../../platform/audit/audit.js'
import type { Clock } from '../../platform/clock.js'
import type { Db } from '../../platform/database/database.js'
import { publish } from '../../platform/outbox/outbox.js'
import { formatDate } from '../../platform/views/format.js'
import { addTimelineEntry } from '../../platform/timeline/timeline.js'
import { audited, cohortByCode, today } from './cohorts.service.js'
import * as members from './membership.repository.js'

/** One member of a cohort: their membership, every decision about it, and a new review date. */

export const DECISION_NAMES: Record<members.DecisionKind, string> = {
  selected: 'Selected',
  deselected: 'Removed',
  not_selected: 'Not selected',
  review_changed: 'Review date changed',
}

/** A current member the actor may see, with the decisions about them (the read is audited); null otherwise. */
export async function viewMembership(
  db: Db,
  actor: Actor,
  origin: Origin,
  clock: Clock,
  code: string,
  crn: string,
) {
  return db.transaction().execute(async (tx) => {
    const cohort = await cohortByCode(tx, code)
    const person = await members.findVisiblePerson(tx, actor, cohort.id, crn)
    if (!person?.started_on) return null
    const decisions = await members.decisionsAbout(tx, person.id, cohort.id)
    await recordAudit(tx, {
      actor,
      action: 'read',
      personIds: [person.id],
      categories: ['identity', 'supervision'],
      origin,
      purpose: `Cohort management: reviewing membership of ${cohort.name}`,
      relationship: person.relationship,
    })
    return {
      cohort,
      person,
      reviewDue: !!person.review_on && person.review_on <= today(clock),
      decisions: decisions.map((d) => ({
        ...d,
        decisionName: DECISION_NAMES[d.decision as members.DecisionKind] ?? d.decision,
      })),
    }
  })
}

/**
 * Sets a member's review date, with the reason: kept in the decision history, on the timeline,
 * published and audited, in one transaction. `seenReviewOn` is the date the user was shown; if
 * someone changed it since, nothing is saved (ConflictError). Not a current member: NotFoundError.
 */
export async function changeReviewDate(
  db: Db,
  actor: Actor,
  origin: Origin,
  clock: Clock,
  code: string,
  crn: string,
  v: { reviewOn: string; reason: string; seenReviewOn: string },
) {
  const at = clock.now()
  return db.transaction().execute(async (tx) => {
    const cohort = await cohortByCode(tx, code)
    const person = await members.findVisiblePerson(tx, actor, cohort.id, crn)
    if (!person) throw new NotFoundError()
    // Locked, so two coordinators changing it at once are taken in turn and the second is told.
    const membership = await members.lockCurrentMembership(tx, person.id, cohort.id)
    if (!membership) throw new NotFoundError()
    const previous = membership.review_on
    if ((previous ?? '') !== v.seenReviewOn) throw new ConflictError()
    if (previous === v.reviewOn)
      throw new ValidationError([
        { field: 'reviewOn', message: `The review date is already ${formatDate(v.reviewOn)}` },
      ])
    await members.setReviewDate(tx, {
      personId: person.id,
      cohortId: cohort.id,
      startedOn: membership.started_on,
      reviewOn: v.reviewOn,
    })
    await members.insertDecision(tx, {
      personId: person.id,
      cohortId: cohort.id,
      decision: 'review_changed',
      reason: v.reason,
      reviewOn: v.reviewOn,
      by: actor.userId,
      at,
    })
    await addTimelineEntry(tx, {
      personId: person.id,
      at,
      kind: 'cohort.review-changed',
      category: 'supervision',
      agencyId: actor.agencyId,
      title: `Review date for ${cohort.name} changed to ${formatDate(v.reviewOn)}`,
      summary: previous ? `${v.reason} (was ${formatDate(previous)})` : v.reason,
    })
    await publish(tx, {
      type: 'person.cohort.review-changed',
      personId: person.id,
      payload: {
        cohortId: cohort.id,
        cohortCode: cohort.code,
        reviewOn: v.reviewOn,
        previousReviewOn: previous,
        reason: v.reason,
      },
    })
    await audited(tx, actor, origin, {
      action: 'update',
      personIds: [person.id],
      purpose: `Cohort management: review date changed for ${cohort.name}`,
      detail: { cohort: cohort.code, reviewOn: v.reviewOn, previousReviewOn: previous },
    })
    return { cohort, person }
  })
}
