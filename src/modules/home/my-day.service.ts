import type { Actor } from '../../platform/access/actor.js'
import { recordAudit, type Origin } from '../../platform/audit/audit.js'
import type { Clock } from '../../platform/clock.js'
import type { Db } from '../../platform/database/database.js'
import { londonDate } from '../../platform/views/format.js'
import { openFlagsOfMyPeople, type MyFlag } from '../intelligence/flags.service.js'
import { todaysAppointments } from '../people/people.service.js'
import { suggestionsForPeople } from '../process/suggestions.service.js'
import { openTasksOwnedBy } from '../tasks/tasks.service.js'
import { findVisibleNames } from './home.repository.js'

const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const
/** People with due work whose next best actions My day works out. */
const SUGGESTION_PEOPLE = 5

/** Open flags of my people grouped by severity, most severe first; empty groups left out. */
export async function flagsBySeverity(db: Db, actor: Actor, origin: Origin) {
  const flags = await openFlagsOfMyPeople(db, actor, origin)
  return groupBySeverity(flags)
}

export function groupBySeverity(flags: MyFlag[]) {
  return SEVERITIES.map((severity) => ({
    severity,
    flags: flags.filter((f) => f.severity === severity),
  })).filter((g) => g.flags.length > 0)
}

/** Everything on the practitioner's start page. */
export async function myDay(db: Db, actor: Actor, origin: Origin, clock: Clock) {
  const today = londonDate(clock.now())
  const appointments = await todaysAppointments(db, actor, origin, clock)
  const flags = await openFlagsOfMyPeople(db, actor, origin)
  return db.transaction().execute(async (tx) => {
    const owned = await openTasksOwnedBy(tx, actor.userId)
    const due = owned.filter((t) => t.due_on !== null && t.due_on <= today)
    const names = new Map(
      (await findVisibleNames(tx, actor, [...new Set(due.map((t) => t.person_id))])).map((p) => [p.id, p]),
    )
    const tasks = due.flatMap((t) => {
      const person = names.get(t.person_id)
      return person ? [{ ...t, person, overdue: t.due_on! < today }] : []
    })
    // Next best actions for the people who need something doing today, most pressing first.
    const pressing = [...new Set([...flags.map((f) => f.person_id), ...tasks.map((t) => t.person_id)])].slice(
      0,
      SUGGESTION_PEOPLE,
    )
    const people = new Map([
      ...flags.map(
        (f) => [f.person_id, { crn: f.crn, first_name: f.first_name, last_name: f.last_name }] as const,
      ),
      ...tasks.map((t) => [t.person_id, t.person] as const),
    ])
    const shown = await suggestionsForPeople(tx, actor, pressing, clock)
    const suggestions = pressing.flatMap((personId) => {
      const top = shown.get(personId)?.[0]
      const person = people.get(personId)
      return top && person ? [{ ...top, person }] : []
    })
    if (tasks.length > 0 || suggestions.length > 0)
      await recordAudit(tx, {
        actor,
        action: 'list',
        personIds: [...new Set([...tasks.map((t) => t.person_id), ...pressing])],
        categories: ['supervision'],
        origin,
        purpose: 'My day: tasks due and next best actions',
        detail: { tasks: tasks.length, suggestions: suggestions.length },
      })
    return { appointments, flagGroups: groupBySeverity(flags), tasks, suggestions, today: clock.now() }
  })
}
