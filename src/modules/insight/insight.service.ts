import type { Db } from '../../platform/database/database.js'
import { countPeopleByRegionAndRisk } from './insight.repository.js'

/** Counts below this are shown as "fewer than 5" so that nobody can be picked out of a table. */
export const SUPPRESS_BELOW = 5

export const RISK_LEVELS = ['low', 'medium', 'high', 'very_high', 'not_assessed'] as const

export type Count = { value: number; suppressed: boolean }

function suppress(value: number): Count {
  return value > 0 && value < SUPPRESS_BELOW ? { value: 0, suppressed: true } : { value, suppressed: false }
}

/** Caseload by region and risk level, with small numbers suppressed. */
export async function caseloadByRegion(db: Db) {
  const rows = await countPeopleByRegionAndRisk(db)
  const regions = new Map<string, Record<string, number>>()
  for (const row of rows) {
    const counts = regions.get(row.region) ?? {}
    counts[row.rosh_level] = Number(row.people)
    regions.set(row.region, counts)
  }
  return [...regions].map(([region, counts]) => ({
    region,
    counts: RISK_LEVELS.map((level) => suppress(counts[level] ?? 0)),
    total: suppress(RISK_LEVELS.reduce((sum, level) => sum + (counts[level] ?? 0), 0)),
  }))
}
