import { hasRole, type Actor } from '../../platform/access/actor.js'
import { recordAudit, type Origin } from '../../platform/audit/audit.js'
import type { Db } from '../../platform/database/database.js'
import { ForbiddenError } from '../../errors.js'
import * as repo from './workload.repository.js'

export type { WorkloadRow } from './workload.repository.js'
export const teamWorkload = repo.findTeamWorkload

const CASE_TYPE_NAMES: Record<string, string> = {
  community: 'Community order',
  suspended: 'Suspended sentence order',
  custody: 'In custody',
  licence: 'On licence',
}
export const caseTypeName = (type: string | null) => (type ? (CASE_TYPE_NAMES[type] ?? type) : null)

export interface Suggestion {
  userId: string
  displayName: string
  reason: string
}

/**
 * The least-loaded suitable practitioner: `staff` are the team's active practitioners. Those
 * under 100% of capacity come first, then the lowest capacity, then the fewest points. Someone
 * with no contracted hours cannot take a case.
 */
export function suggestPractitioner(staff: repo.WorkloadRow[]): Suggestion | null {
  const able = staff.filter((s) => s.capacity !== null)
  const ranked = [...able].sort(
    (a, b) =>
      Number(a.capacity! >= 100) - Number(b.capacity! >= 100) ||
      a.capacity! - b.capacity! ||
      a.points - b.points ||
      a.display_name.localeCompare(b.display_name),
  )
  const best = ranked[0]
  if (!best) return null
  const figures = `${best.capacity}% of capacity, ${best.points} points from ${best.cases} ${best.cases === 1 ? 'case' : 'cases'}`
  return {
    userId: best.user_id,
    displayName: best.display_name,
    reason:
      best.capacity! < 100
        ? `Lowest workload in the team (${figures})`
        : `Everyone in the team is at or over capacity; ${best.display_name} has the lowest workload (${figures})`,
  }
}

export const WEIGHT_LABELS: Record<string, string> = {
  tier: 'Tier',
  rosh: 'Risk of serious harm',
  case_type: 'Case type',
}

/** The weights grouped by factor, each with its form field name and label. */
export async function workloadSettings(db: Db) {
  const [weights, settings] = await Promise.all([repo.findWeights(db), repo.findSettings(db)])
  const fields = weights.map((w) => ({
    ...w,
    name: `${w.factor}-${w.value}`,
    label:
      w.factor === 'tier'
        ? `tier ${w.value}`
        : w.factor === 'rosh'
          ? `${w.value.replace('_', ' ')} risk`
          : (caseTypeName(w.value) ?? w.value),
  }))
  const groups = (['tier', 'rosh', 'case_type'] as const).map((factor) => ({
    factor,
    title: WEIGHT_LABELS[factor]!,
    fields: fields.filter((f) => f.factor === factor),
  }))
  return { fields, groups, settings }
}

/** Saves new weights and settings (a manager's decision, recorded in the audit log). */
export async function saveWorkloadSettings(
  db: Db,
  actor: Actor,
  change: { fullTimeHours: number; fullTimePoints: number; weights: repo.WeightRow[] },
  origin: Origin,
) {
  if (!hasRole(actor, 'manager')) throw new ForbiddenError()
  await db.transaction().execute(async (tx) => {
    for (const w of change.weights) await repo.updateWeight(tx, w.factor, w.value, w.points)
    await repo.updateSettings(tx, change)
    await recordAudit(tx, {
      actor,
      action: 'update',
      personIds: [],
      categories: [],
      origin,
      purpose: 'Changed workload weights',
      detail: {
        fullTimeHours: change.fullTimeHours,
        fullTimePoints: change.fullTimePoints,
        weights: Object.fromEntries(change.weights.map((w) => [`${w.factor}:${w.value}`, w.points])),
      },
    })
  })
}
