import { NotFoundError, ValidationError } from '../../errors.js'
import type { Actor } from '../../platform/access/actor.js'
import { recordAudit, type Origin } from '../../platform/audit/audit.js'
import type { Clock } from '../../platform/clock.js'
import type { Db, Queryable, Tx } from '../../platform/database/database.js'
import { uniqueViolation } from '../../platform/database/errors.js'
import { londonDate } from '../../platform/views/format.js'
import * as repo from './cohorts.repository.js'
import { criteriaFrom, type CohortFormValue } from './cohorts.schema.js'
import { describeCriteria, explainMatch, hasCriteria } from './criteria.js'
import * as members from './membership.repository.js'

export { leadForPathway, leadForTaskType } from './responsibilities.service.js'
export type { Cohort } from './cohorts.repository.js'

export const PAGE_SIZE = 50

export const today = (clock: Clock) => londonDate(clock.now())
const pageOf = (page: number) => ({ limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE })

/** A cohort by code, or not found. */
export async function cohortByCode(db: Queryable, code: string) {
  const cohort = await repo.findCohort(db, code)
  if (!cohort) throw new NotFoundError()
  return cohort
}

export const regionChoices = repo.listRegions

/** Every cohort with how many people the actor may see in it, are suggested for it and are due a review. */
export async function listCohorts(db: Db, actor: Actor, clock: Clock, area?: string) {
  const day = today(clock)
  const cohorts = await repo.listCohorts(db, area)
  const counted = []
  for (const cohort of cohorts) {
    counted.push({
      ...cohort,
      members: await members.countMembers(db, actor, cohort.id, day, { area }),
      reviewsDue: await members.countMembers(db, actor, cohort.id, day, { area, reviewDue: true }),
      suggested: await repo.countSuggestions(db, actor, cohort, day, area),
    })
  }
  return counted
}

export function audited(
  tx: Tx,
  actor: Actor,
  origin: Origin,
  what: { action: 'list' | 'create' | 'update'; personIds: string[]; purpose: string; detail?: object },
) {
  return recordAudit(tx, {
    actor,
    action: what.action,
    personIds: what.personIds,
    categories: what.personIds.length === 0 ? [] : what.action === 'list' ? ['identity'] : ['supervision'],
    origin,
    purpose: what.purpose,
    detail: what.detail ? { ...what.detail } : null,
  })
}

/** A cohort's current members (those the actor may see), filtered and a page at a time. */
export async function viewMembers(
  db: Db,
  actor: Actor,
  origin: Origin,
  clock: Clock,
  code: string,
  filter: members.MemberFilter & { page: number },
) {
  const day = today(clock)
  return db.transaction().execute(async (tx) => {
    const cohort = await cohortByCode(tx, code)
    const [rows, matching, total, reviewsDue, teams] = [
      await members.findMembers(tx, actor, cohort.id, day, filter, pageOf(filter.page)),
      await members.countMembers(tx, actor, cohort.id, day, filter),
      await members.countMembers(tx, actor, cohort.id, day),
      await members.countMembers(tx, actor, cohort.id, day, { reviewDue: true }),
      await members.memberTeams(tx, actor, cohort.id),
    ]
    if (rows.length)
      await audited(tx, actor, origin, {
        action: 'list',
        personIds: rows.map((r) => r.id),
        purpose: `Cohort management: members of ${cohort.name}`,
      })
    return {
      cohort,
      criteria: describeCriteria(cohort.criteria),
      members: rows.map((r) => ({ ...r, reviewDue: !!r.review_on && r.review_on <= day })),
      counts: { matching, total, reviewsDue },
      teams,
      pages: Math.max(1, Math.ceil(matching / PAGE_SIZE)),
    }
  })
}

/** People who meet the criteria and are not members, each with why they meet them. */
export async function viewSuggestions(
  db: Db,
  actor: Actor,
  origin: Origin,
  clock: Clock,
  code: string,
  page: number,
) {
  const day = today(clock)
  return db.transaction().execute(async (tx) => {
    const cohort = await cohortByCode(tx, code)
    const rows = await repo.findSuggestions(tx, actor, cohort, day, pageOf(page))
    const total = await repo.countSuggestions(tx, actor, cohort, day)
    if (rows.length)
      await audited(tx, actor, origin, {
        action: 'list',
        personIds: rows.map((r) => r.id),
        purpose: `Cohort management: people who meet the criteria of ${cohort.name}`,
      })
    return {
      cohort,
      hasCriteria: hasCriteria(cohort.criteria),
      criteria: describeCriteria(cohort.criteria),
      suggestions: rows.map((r) => ({ ...r, why: explainMatch(cohort.criteria, factsOf(r), day) })),
      total,
      pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
      decisions: await members.recentDecisions(tx, actor, cohort.id, 10),
    }
  })
}

export function factsOf(r: repo.Suggestion) {
  return {
    offence: r.offence,
    offenceCategory: r.offence_category,
    sentenceType: r.sentence_type,
    lengthDays: r.length_days,
    roshLevel: r.rosh_level,
    custodyStatus: r.custody_status,
    dateOfBirth: r.date_of_birth,
  }
}

export async function createCohort(
  db: Db,
  actor: Actor,
  origin: Origin,
  v: CohortFormValue & { code: string },
) {
  try {
    return await db.transaction().execute(async (tx) => {
      const id = await repo.insertCohort(tx, v.code, { ...v, criteria: criteriaFrom(v) })
      await audited(tx, actor, origin, {
        action: 'create',
        personIds: [],
        purpose: 'Cohort management: define a cohort',
        detail: { cohort: v.code },
      })
      return id
    })
  } catch (error) {
    if (uniqueViolation(error) === 'cohorts_code_key')
      throw new ValidationError([{ field: 'code', message: 'A cohort with this code already exists' }])
    throw error
  }
}

export async function updateCohort(
  db: Db,
  actor: Actor,
  origin: Origin,
  code: string,
  v: CohortFormValue & { version: number },
) {
  await db.transaction().execute(async (tx) => {
    const cohort = await cohortByCode(tx, code)
    await repo.updateCohort(tx, cohort.id, v.version, { ...v, criteria: criteriaFrom(v) })
    await audited(tx, actor, origin, {
      action: 'update',
      personIds: [],
      purpose: 'Cohort management: change a cohort’s definition',
      detail: { cohort: cohort.code },
    })
  })
}
