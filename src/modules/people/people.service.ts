import type { Actor } from '../../platform/access/actor.js'
import { recordAudit, type Origin } from '../../platform/audit/audit.js'
import type { Clock } from '../../platform/clock.js'
import type { Db } from '../../platform/database/database.js'
import { londonDayBounds } from '../../platform/views/format.js'
import * as repo from './people.repository.js'

export const BREAK_GLASS_HOURS = 4

/** Finds people by name or identifier among those the actor may see; the search is audited. */
export async function searchPeople(
  db: Db,
  actor: Actor,
  criteria: Omit<repo.SearchCriteria, 'limit'>,
  origin: Origin,
) {
  return db.transaction().execute(async (tx) => {
    const results = await repo.searchVisiblePeople(tx, actor, { ...criteria, limit: 50 })
    await recordAudit(tx, {
      actor,
      action: 'search',
      personIds: results.map((p) => p.id),
      categories: ['identity'],
      origin,
      purpose: 'Search for a person',
      detail: { query: criteria.text, results: results.length },
    })
    return results
  })
}

export type BreakGlassOutcome = 'granted' | 'already-allowed' | 'refused'

/**
 * Emergency access to a person outside the actor's relationships, for a stated reason.
 * Every request, granted or not, is audited and queued for the data protection officer.
 * Restricted cases and exclusions are never opened this way.
 */
export async function requestBreakGlass(
  db: Db,
  actor: Actor,
  crn: string,
  reason: string,
  origin: Origin,
  clock: Clock,
): Promise<BreakGlassOutcome> {
  return db.transaction().execute(async (tx) => {
    if (await repo.findVisiblePerson(tx, actor, crn)) return 'already-allowed'
    const target = await repo.findPersonIdForBreakGlass(tx, crn)
    const blocked = target ? await repo.isBlocked(tx, target.id, actor.userId) : true
    if (target && !blocked) {
      const expiresAt = new Date(clock.now().getTime() + BREAK_GLASS_HOURS * 3_600_000)
      await repo.insertBreakGlassGrant(tx, { personId: target.id, userId: actor.userId, reason, expiresAt })
    }
    await recordAudit(tx, {
      actor,
      action: 'break-glass',
      personIds: target ? [target.id] : [],
      categories: [],
      origin,
      purpose: reason,
      detail: { crn, granted: !!target && !blocked },
    })
    return target && !blocked ? 'granted' : 'refused'
  })
}

/** The actor's appointments today (London time), for My day; audited as a list of people. */
export async function todaysAppointments(db: Db, actor: Actor, origin: Origin, clock: Clock) {
  const { start, end } = londonDayBounds(clock.now())
  return db.transaction().execute(async (tx) => {
    const appointments = await repo.findAppointmentsForStaff(tx, actor, start, end)
    if (appointments.length > 0) {
      await recordAudit(tx, {
        actor,
        action: 'list',
        personIds: [...new Set(appointments.map((a) => a.person_id))],
        categories: ['identity', 'supervision'],
        origin,
        purpose: "Today's appointments",
      })
    }
    return appointments
  })
}

export const searchFilterChoices = repo.searchFilterChoices
