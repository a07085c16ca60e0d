import { NotFoundError, ValidationError } from '../../errors.js'
import type { Actor } from '../../platform/access/actor.js'
import { recordAudit, type Origin } from '../../platform/audit/audit.js'
import type { Clock } from '../../platform/clock.js'
import type { Db, Tx } from '../../platform/database/database.js'
import { publish } from '../../platform/outbox/outbox.js'
import { addTimelineEntry } from '../../platform/timeline/timeline.js'
import * as repo from './cohorts.repository.js'
import { audited, cohortByCode, factsOf, today } from './cohorts.service.js'
import { explainMatch } from './criteria.js'
import * as members from './membership.repository.js'

/** Decisions about who is in a cohort: each kept, audited, on the timeline and published. */

/**
 * One person as the subject of a decision about this cohort: null when the actor may not see
 * them. `why` is empty when they do not (or no longer) meet the criteria.
 */
export async function viewCandidate(
  db: Db,
  actor: Actor,
  origin: Origin,
  clock: Clock,
  code: string,
  crn: string,
) {
  const day = today(clock)
  return db.transaction().execute(async (tx) => {
    const cohort = await cohortByCode(tx, code)
    const person = await members.findVisiblePerson(tx, actor, cohort.id, crn)
    if (!person) return null
    const suggestion = await repo.findSuggestion(tx, actor, cohort, day, crn)
    await recordAudit(tx, {
      actor,
      action: 'read',
      personIds: [person.id],
      categories: ['identity'],
      origin,
      purpose: `Cohort management: deciding about ${cohort.name}`,
      relationship: person.relationship,
    })
    return {
      cohort,
      person,
      isMember: !!person.started_on,
      why: suggestion ? explainMatch(cohort.criteria, factsOf(suggestion), day) : [],
    }
  })
}

/** Whether a visible person exists, inside a change: not found otherwise (never "forbidden"). */
async function visiblePerson(tx: Tx, actor: Actor, cohortId: string, crn: string) {
  const person = await members.findVisiblePerson(tx, actor, cohortId, crn)
  if (!person) throw new NotFoundError()
  return person
}

const fullName = (p: { first_name: string; last_name: string }) => `${p.first_name} ${p.last_name}`

/**
 * Records a coordinator's decision about a person: selecting them starts a membership from today
 * with a review date; not selecting them keeps the reason so they are not suggested again soon.
 */
export async function decide(
  db: Db,
  actor: Actor,
  origin: Origin,
  clock: Clock,
  code: string,
  crn: string,
  v: { decision: 'select' | 'not_select'; reason: string; reviewOn: string | null },
) {
  const at = clock.now()
  const day = today(clock)
  return db.transaction().execute(async (tx) => {
    const cohort = await cohortByCode(tx, code)
    const person = await visiblePerson(tx, actor, cohort.id, crn)
    const already = () =>
      new ValidationError([
        { field: 'decision', message: `${fullName(person)} is already in ${cohort.name}` },
      ])
    if (v.decision === 'select') {
      if (await members.isMember(tx, person.id, cohort.id)) throw already()
      const started = await members.startMembership(tx, {
        personId: person.id,
        cohortId: cohort.id,
        today: day,
        reason: v.reason,
        reviewOn: v.reviewOn ?? day,
        by: actor.userId,
      })
      // Someone else selected them between our check and our insert.
      if (!started) throw already()
      await addTimelineEntry(tx, {
        personId: person.id,
        at,
        kind: 'cohort.joined',
        category: 'supervision',
        agencyId: actor.agencyId,
        title: `Selected for ${cohort.name}`,
        summary: v.reason,
      })
      await publish(tx, {
        type: 'person.cohort.joined',
        personId: person.id,
        payload: { cohortId: cohort.id, cohortCode: cohort.code, reason: v.reason },
      })
    } else if (await members.isMember(tx, person.id, cohort.id)) {
      throw already()
    }
    await members.insertDecision(tx, {
      personId: person.id,
      cohortId: cohort.id,
      decision: v.decision === 'select' ? 'selected' : 'not_selected',
      reason: v.reason,
      reviewOn: v.reviewOn,
      by: actor.userId,
      at,
    })
    await audited(tx, actor, origin, {
      action: v.decision === 'select' ? 'create' : 'update',
      personIds: [person.id],
      purpose: `Cohort management: ${v.decision === 'select' ? 'selected for' : 'not selected for'} ${cohort.name}`,
      detail: { cohort: cohort.code, decision: v.decision, relationship: person.relationship },
    })
    return { cohort, person }
  })
}

/** Ends a person's membership today, with the reason. */
export async function deselect(
  db: Db,
  actor: Actor,
  origin: Origin,
  clock: Clock,
  code: string,
  crn: string,
  reason: string,
) {
  const at = clock.now()
  const day = today(clock)
  return db.transaction().execute(async (tx) => {
    const cohort = await cohortByCode(tx, code)
    const person = await visiblePerson(tx, actor, cohort.id, crn)
    const ended = await members.endMembership(tx, {
      personId: person.id,
      cohortId: cohort.id,
      today: day,
      reason,
      by: actor.userId,
    })
    if (!ended)
      throw new ValidationError([
        { field: 'reason', message: `${fullName(person)} is not in ${cohort.name}` },
      ])
    await members.insertDecision(tx, {
      personId: person.id,
      cohortId: cohort.id,
      decision: 'deselected',
      reason,
      reviewOn: null,
      by: actor.userId,
      at,
    })
    await addTimelineEntry(tx, {
      personId: person.id,
      at,
      kind: 'cohort.left',
      category: 'supervision',
      agencyId: actor.agencyId,
      title: `Removed from ${cohort.name}`,
      summary: reason,
    })
    await publish(tx, {
      type: 'person.cohort.left',
      personId: person.id,
      payload: { cohortId: cohort.id, cohortCode: cohort.code, reason },
    })
    await audited(tx, actor, origin, {
      action: 'update',
      personIds: [person.id],
      purpose: `Cohort management: removed from ${cohort.name}`,
      detail: { cohort: cohort.code, decision: 'deselect' },
    })
    return { cohort, person }
  })
}

/** A member the actor may see, for the remove form (the read is audited); null otherwise. */
export async function viewMember(db: Db, actor: Actor, origin: Origin, code: string, crn: string) {
  return db.transaction().execute(async (tx) => {
    const cohort = await cohortByCode(tx, code)
    const person = await members.findVisiblePerson(tx, actor, cohort.id, crn)
    if (!person?.started_on) return null
    await recordAudit(tx, {
      actor,
      action: 'read',
      personIds: [person.id],
      categories: ['identity'],
      origin,
      purpose: `Cohort management: removing from ${cohort.name}`,
      relationship: person.relationship,
    })
    return { cohort, person }
  })
}
