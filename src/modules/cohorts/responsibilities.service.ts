import { ConflictError, NotFoundError } from '../../errors.js'
import type { Actor, AgencyKind } from '../../platform/access/actor.js'
import { recordAudit, type Origin } from '../../platform/audit/audit.js'
import type { Db, Queryable } from '../../platform/database/database.js'
import * as cohorts from './cohorts.repository.js'
import { PATHWAYS, TASK_TYPES, type Pathway, type TaskType } from './cohorts.schema.js'
import * as repo from './responsibilities.repository.js'

export interface Lead {
  agencyKind: AgencyKind
  allocationRole: string | null
}

/**
 * Which kind of agency (and which allocation role) leads a resettlement pathway for someone in
 * these cohorts and this area. The most specific row wins: cohort and area, then cohort, then
 * the area's default, then the national default. Null when nobody has said.
 */
export async function leadForPathway(
  db: Queryable,
  q: { cohortIds: string[]; regionId: string | null; pathway: Pathway },
): Promise<Lead | null> {
  const row = await repo.mostSpecific(db, {
    cohortIds: q.cohortIds,
    regionId: q.regionId,
    pathway: q.pathway,
  })
  return row ? { agencyKind: row.lead_agency_kind as AgencyKind, allocationRole: row.allocation_role } : null
}

/** The same for a task type such as 'home_visit' or 'drug_testing'. */
export async function leadForTaskType(
  db: Queryable,
  q: { cohortIds: string[]; regionId: string | null; taskType: TaskType | string },
): Promise<Lead | null> {
  const row = await repo.mostSpecific(db, {
    cohortIds: q.cohortIds,
    regionId: q.regionId,
    taskType: q.taskType,
  })
  return row ? { agencyKind: row.lead_agency_kind as AgencyKind, allocationRole: row.allocation_role } : null
}

const PATHWAY_NAMES: Record<Pathway, string> = {
  accommodation: 'Accommodation',
  education_training_employment: 'Education, training and employment',
  health: 'Health',
  drugs_alcohol: 'Drugs and alcohol',
  finance_benefit_debt: 'Finance, benefit and debt',
  children_families: 'Children and families',
  attitudes_thinking_behaviour: 'Attitudes, thinking and behaviour',
}
const TASK_TYPE_NAMES: Record<TaskType, string> = {
  home_visit: 'Home visits',
  drug_testing: 'Drug testing',
  accommodation_referral: 'Accommodation referrals',
  employment_referral: 'Employment referrals',
  intelligence_sharing: 'Intelligence sharing',
}

/** Every line of the matrix: the seven pathways, then the task types. */
export const MATRIX_KEYS = [
  ...PATHWAYS.map((pathway) => ({
    key: `pathway-${pathway}`,
    label: PATHWAY_NAMES[pathway],
    pathway,
    taskType: null,
  })),
  ...TASK_TYPES.map((taskType) => ({
    key: `task-${taskType}`,
    label: TASK_TYPE_NAMES[taskType],
    pathway: null,
    taskType,
  })),
]

type Level = 'this' | 'cohort' | 'area' | 'national'
const LEVEL_NAMES: Record<Level, string> = {
  this: 'Set here',
  cohort: 'From this cohort’s national setting',
  area: 'From the area’s setting for every cohort',
  national: 'From the national setting for every cohort',
}

/** The matrix of one cohort in one area (null: national), with what each line inherits. */
export async function viewMatrix(db: Queryable, code: string, regionId: string | null) {
  const cohort = await cohorts.findCohort(db, code)
  if (!cohort) throw new NotFoundError()
  const rows = await repo.responsibilitiesFor(db, cohort.id)
  const lines = MATRIX_KEYS.map((line) => {
    const matching = rows.filter((r) => r.pathway === line.pathway && r.task_type === line.taskType)
    const at = (cohortId: string | null, region: string | null) =>
      matching.find((r) => r.cohort_id === cohortId && r.region_id === region)
    const own = at(cohort.id, regionId)
    const candidates: [Level, repo.ResponsibilityRow | undefined][] = [
      ['this', own],
      ['cohort', regionId ? at(cohort.id, null) : undefined],
      ['area', regionId ? at(null, regionId) : undefined],
      ['national', at(null, null)],
    ]
    const found = candidates.find(([, row]) => row)
    return {
      ...line,
      own: own ?? null,
      effective: found?.[1] ?? null,
      source: found ? LEVEL_NAMES[found[0]] : null,
    }
  })
  return { cohort, lines }
}

export interface MatrixEntry {
  key: string
  lead: AgencyKind | null
  role: string | null
  version: number
}

/**
 * Saves the lines set for this cohort and area. Each line was read at a version (0: not set); a
 * line someone else changed meanwhile makes the whole save a conflict, so nothing is overwritten.
 */
export async function saveMatrix(
  db: Db,
  actor: Actor,
  origin: Origin,
  code: string,
  regionId: string | null,
  entries: MatrixEntry[],
) {
  await db.transaction().execute(async (tx) => {
    const { cohort, lines } = await viewMatrix(tx, code, regionId)
    for (const line of lines) {
      const entry = entries.find((e) => e.key === line.key)
      if (!entry) continue
      const own = line.own
      if ((own?.version ?? 0) !== entry.version) throw new ConflictError()
      const scope = { cohortId: cohort.id, regionId, pathway: line.pathway, taskType: line.taskType }
      if (!entry.lead) {
        if (own) await repo.deleteResponsibility(tx, own.id, own.version)
      } else if (!own) {
        await repo.insertResponsibility(tx, scope, { lead: entry.lead, role: entry.role })
      } else if (own.lead_agency_kind !== entry.lead || own.allocation_role !== entry.role) {
        await repo.updateResponsibility(tx, own.id, own.version, { lead: entry.lead, role: entry.role })
      }
    }
    await recordAudit(tx, {
      actor,
      action: 'update',
      personIds: [],
      categories: [],
      origin,
      purpose: 'Cohort management: roles and responsibilities',
      detail: { cohort: cohort.code, regionId },
    })
  })
}
