import type { Actor } from '../../platform/access/actor.js'
import type { Db } from '../../platform/database/database.js'
import type { Area, Entitlement } from './dashboards.policy.js'
import { listPlaces, teamsByIds } from './dashboards.repository.js'

/**
 * The areas the user may choose in the filter form: their caseload, the nation, regions and
 * delivery units, and their own teams (other teams are reached from their delivery unit's
 * breakdown, and the current one is always listed).
 */
export async function areaChoices(db: Db, actor: Actor, entitlement: Entitlement, current: Area) {
  const choices: { value: string; text: string }[] = []
  if (entitlement.caseload) choices.push({ value: 'caseload', text: 'My caseload' })
  if (entitlement.nation) choices.push({ value: 'nation', text: 'National' })
  const places = await listPlaces(db, entitlement.nation ? 'all' : entitlement)
  for (const r of places.regions) choices.push({ value: `region:${r.code}`, text: `${r.name} (region)` })
  for (const u of places.pdus)
    choices.push({ value: `pdu:${u.code}`, text: `${u.name} (delivery unit, ${u.regionName})` })
  const teams = await teamsByIds(db, [
    ...entitlement.teamIds,
    ...(current.level === 'team' && current.id ? [current.id] : []),
  ])
  for (const t of teams)
    if (!choices.some((c) => c.value === `team:${t.code}`))
      choices.push({ value: `team:${t.code}`, text: `${t.name} (team)` })
  return choices
}
