import type { AgencyKind } from '../../platform/access/actor.js'
import type { Criteria, Pathway, TaskType } from './cohorts.schema.js'

/** Neighbourhood crime: the acquisitive offences IOM and PPO schemes focus on. */
const ACQUISITIVE: NonNullable<Criteria['offenceCategories']> = [
  'burglary_domestic',
  'burglary_other',
  'robbery',
  'theft_non_motor',
  'theft_from_vehicles',
  'taking_and_driving_away',
  'handling_stolen_goods',
]

/** Starting criteria for the cohorts every area runs; coordinators change them per area. */
export const DEFAULT_CRITERIA: Record<string, Criteria> = {
  'IOM-FIXED': {
    offenceCategories: ACQUISITIVE,
    roshLevels: ['low', 'medium', 'high'],
    custodyStatuses: ['community', 'in_custody', 'released_on_licence'],
  },
  'IOM-FLEX': {
    offenceCategories: [...ACQUISITIVE, 'drug_possession_supply', 'violence', 'criminal_damage'],
    roshLevels: ['medium', 'high', 'very_high'],
  },
  'IOM-FREE': {
    offenceCategories: [...ACQUISITIVE, 'drug_possession_supply', 'fraud_forgery', 'public_order'],
    custodyStatuses: ['community', 'released_on_licence'],
  },
  PPO: {
    offenceCategories: ['burglary_domestic', 'robbery', 'theft_non_motor', 'theft_from_vehicles'],
    roshLevels: ['medium', 'high', 'very_high'],
  },
  'SHORT-SENTENCE': {
    sentenceTypes: ['short_custody'],
    maxSentenceDays: 364,
  },
  'DA-PERPETRATOR': {
    // Breach of a restraining order is recorded as 'other'.
    offenceCategories: ['violence', 'other'],
    minAge: 18,
  },
  'YOUTH-DIVERSION': {
    minAge: 18,
    maxAge: 25,
  },
}

export interface DefaultResponsibility {
  pathway?: Pathway
  taskType?: TaskType
  lead: AgencyKind
  role: string | null
}

const IOM: DefaultResponsibility[] = [
  { taskType: 'intelligence_sharing', lead: 'police', role: 'police_iom_officer' },
  { taskType: 'home_visit', lead: 'police', role: 'police_iom_officer' },
  { pathway: 'accommodation', lead: 'local_authority_housing', role: 'housing_officer' },
  { taskType: 'accommodation_referral', lead: 'local_authority_housing', role: 'housing_officer' },
  { pathway: 'drugs_alcohol', lead: 'health', role: 'drug_and_alcohol_worker' },
  { taskType: 'drug_testing', lead: 'health', role: 'drug_and_alcohol_worker' },
  { pathway: 'health', lead: 'health', role: 'drug_and_alcohol_worker' },
  { pathway: 'finance_benefit_debt', lead: 'dwp', role: 'work_coach' },
  { pathway: 'education_training_employment', lead: 'dwp', role: 'work_coach' },
  { taskType: 'employment_referral', lead: 'dwp', role: 'work_coach' },
  { pathway: 'attitudes_thinking_behaviour', lead: 'probation', role: 'probation_practitioner' },
  { pathway: 'children_families', lead: 'probation', role: 'probation_practitioner' },
]

/** Who leads what for each seeded cohort, nationally; areas override rows as they agree them. */
export const DEFAULT_RESPONSIBILITIES: Record<string, DefaultResponsibility[]> = {
  'IOM-FIXED': IOM,
  'IOM-FLEX': IOM,
  'IOM-FREE': IOM,
  PPO: IOM,
  'SHORT-SENTENCE': [
    { pathway: 'accommodation', lead: 'local_authority_housing', role: 'housing_officer' },
    { taskType: 'accommodation_referral', lead: 'local_authority_housing', role: 'housing_officer' },
    { pathway: 'finance_benefit_debt', lead: 'dwp', role: 'work_coach' },
    { pathway: 'education_training_employment', lead: 'dwp', role: 'work_coach' },
    { taskType: 'employment_referral', lead: 'dwp', role: 'work_coach' },
    { pathway: 'drugs_alcohol', lead: 'health', role: 'drug_and_alcohol_worker' },
    { taskType: 'home_visit', lead: 'probation', role: 'probation_practitioner' },
    { pathway: 'attitudes_thinking_behaviour', lead: 'probation', role: 'probation_practitioner' },
  ],
  'DA-PERPETRATOR': [
    { taskType: 'intelligence_sharing', lead: 'police', role: 'police_iom_officer' },
    { taskType: 'home_visit', lead: 'probation', role: 'probation_practitioner' },
    { pathway: 'attitudes_thinking_behaviour', lead: 'probation', role: 'probation_practitioner' },
    { pathway: 'children_families', lead: 'probation', role: 'probation_practitioner' },
    { pathway: 'drugs_alcohol', lead: 'health', role: 'drug_and_alcohol_worker' },
    { pathway: 'accommodation', lead: 'local_authority_housing', role: 'housing_officer' },
  ],
  'YOUTH-DIVERSION': [
    { pathway: 'education_training_employment', lead: 'third_sector', role: 'mentor' },
    { taskType: 'employment_referral', lead: 'dwp', role: 'work_coach' },
    { pathway: 'attitudes_thinking_behaviour', lead: 'youth_offending', role: 'youth_offending_worker' },
    { pathway: 'drugs_alcohol', lead: 'health', role: 'drug_and_alcohol_worker' },
    { pathway: 'accommodation', lead: 'local_authority_housing', role: 'housing_officer' },
  ],
}

/** The default criteria of a cohort code, as the JSON stored in cohorts.criteria. */
export function defaultCriteriaJson(code: string): string {
  return JSON.stringify(DEFAULT_CRITERIA[code] ?? {})
}

/** Rows for the responsibilities table: national defaults for each cohort id by code. */
export function defaultResponsibilityRows(cohortIds: Record<string, string>) {
  return Object.entries(cohortIds).flatMap(([code, cohortId]) =>
    (DEFAULT_RESPONSIBILITIES[code] ?? []).map((r) => ({
      cohort_id: cohortId,
      region_id: null,
      pathway: r.pathway ?? null,
      task_type: r.taskType ?? null,
      lead_agency_kind: r.lead,
      allocation_role: r.role,
    })),
  )
}
