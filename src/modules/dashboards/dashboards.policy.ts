import { hasRole, type Actor } from '../../platform/access/actor.js'
import type { Level } from './dashboards.schema.js'

/** A place figures are about, with the places above it (for deciding who may see it). */
export interface Area {
  level: Level
  /** Null for the nation and for the user's own caseload. */
  id: string | null
  code: string | null
  name: string
  pduId: string | null
  regionId: string | null
}

/** The areas a user may see figures for. */
export interface Entitlement {
  caseload: boolean
  nation: boolean
  regionIds: string[]
  pduIds: string[]
  teamIds: string[]
}

export const DASHBOARD_ROLES = ['practitioner', 'manager', 'coordinator', 'analyst'] as const

/**
 * What each role may see: a practitioner their own caseload; a manager their teams and the
 * delivery units those teams are in; a coordinator the regions of their teams and agency; an
 * analyst the region of their agency, or the nation when their agency is a national one.
 * Each area includes everything below it.
 */
export function entitlementOf(
  actor: Actor,
  facts: {
    teams: { id: string; pduId: string | null; regionId: string | null }[]
    agencyRegionId: string | null
  },
): Entitlement {
  const regions = new Set<string>()
  const pdus = new Set<string>()
  const teams = new Set<string>()
  if (hasRole(actor, 'manager'))
    for (const team of facts.teams) {
      teams.add(team.id)
      if (team.pduId) pdus.add(team.pduId)
    }
  if (hasRole(actor, 'coordinator')) {
    for (const team of facts.teams) if (team.regionId) regions.add(team.regionId)
    if (facts.agencyRegionId) regions.add(facts.agencyRegionId)
  }
  const nation = hasRole(actor, 'analyst') && !facts.agencyRegionId
  if (hasRole(actor, 'analyst') && facts.agencyRegionId) regions.add(facts.agencyRegionId)
  return {
    caseload: hasRole(actor, 'practitioner', 'manager'),
    nation,
    regionIds: nation ? [] : [...regions],
    pduIds: [...pdus],
    teamIds: [...teams],
  }
}

/** Whether the user may see figures for `area`. */
export function mayView(entitlement: Entitlement, area: Area): boolean {
  const { nation, regionIds, pduIds, teamIds } = entitlement
  const inRegion = !!area.regionId && regionIds.includes(area.regionId)
  switch (area.level) {
    case 'caseload':
      return entitlement.caseload
    case 'nation':
      return nation
    case 'region':
      return nation || (!!area.id && regionIds.includes(area.id))
    case 'pdu':
      return nation || inRegion || (!!area.id && pduIds.includes(area.id))
    case 'team':
      return (
        nation ||
        inRegion ||
        (!!area.pduId && pduIds.includes(area.pduId)) ||
        (!!area.id && teamIds.includes(area.id))
      )
  }
}

/**
 * Whether counts under five are hidden. Always for analysts, and for anyone looking wider than
 * the people they work with; not for a practitioner's own caseload or a manager's own team,
 * whose people they already know.
 */
export function suppresses(actor: Actor, entitlement: Entitlement, area: Area): boolean {
  if (area.level === 'caseload') return false
  if (hasRole(actor, 'analyst')) return true
  return !(area.level === 'team' && !!area.id && entitlement.teamIds.includes(area.id))
}

/** Where a user's dashboard opens: the narrowest area they work in. */
export function defaultArea(
  actor: Actor,
  entitlement: Entitlement,
): { level: Level; id: string | null } | null {
  if (hasRole(actor, 'practitioner')) return { level: 'caseload', id: null }
  if (entitlement.teamIds[0]) return { level: 'team', id: entitlement.teamIds[0] }
  if (entitlement.regionIds[0]) return { level: 'region', id: entitlement.regionIds[0] }
  if (entitlement.nation) return { level: 'nation', id: null }
  if (entitlement.caseload) return { level: 'caseload', id: null }
  return null
}
