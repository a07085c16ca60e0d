import type { DataCategory } from '../../platform/access/actor.js'

/** The seven resettlement pathways, in the order practitioners know them. */
export const PATHWAYS = [
  'accommodation',
  'education_training_employment',
  'health',
  'drugs_alcohol',
  'finance_benefit_debt',
  'children_families',
  'attitudes_thinking_behaviour',
] as const
export type Pathway = (typeof PATHWAYS)[number]

export const PATHWAY_NAMES: Record<Pathway, string> = {
  accommodation: 'Accommodation',
  education_training_employment: 'Education, training and employment',
  health: 'Health',
  drugs_alcohol: 'Drugs and alcohol',
  finance_benefit_debt: 'Finance, benefit and debt',
  children_families: 'Children and families',
  attitudes_thinking_behaviour: 'Attitudes, thinking and behaviour',
}

/** Which data category a pathway's objectives belong to: what an agreement must share to show them. */
export const PATHWAY_CATEGORY: Record<Pathway, DataCategory> = {
  accommodation: 'accommodation',
  education_training_employment: 'employment_finance',
  health: 'health',
  drugs_alcohol: 'substance_misuse',
  finance_benefit_debt: 'employment_finance',
  children_families: 'family',
  attitudes_thinking_behaviour: 'supervision',
}

export const SERVICE_TYPES = [
  'housing',
  'drug_treatment',
  'alcohol_treatment',
  'benefits',
  'employment_support',
  'mentoring',
] as const
export type ServiceType = (typeof SERVICE_TYPES)[number]

export const SERVICE_TYPE_NAMES: Record<ServiceType, string> = {
  housing: 'Housing',
  drug_treatment: 'Drug treatment',
  alcohol_treatment: 'Alcohol treatment',
  benefits: 'Benefits',
  employment_support: 'Employment support',
  mentoring: 'Mentoring',
}

export const ACTION_STATUSES = ['not_started', 'in_progress', 'done', 'suspended', 'cancelled'] as const
export type ActionStatus = (typeof ACTION_STATUSES)[number]
export const OPEN_STATUSES: readonly ActionStatus[] = ['not_started', 'in_progress']

export const ACTION_STATUS_NAMES: Record<ActionStatus, string> = {
  not_started: 'Not started',
  in_progress: 'In progress',
  done: 'Done',
  suspended: 'Suspended',
  cancelled: 'Cancelled',
}

/** Circumstances an action may rely on; a change of circumstances adapts the actions that do. */
export const CIRCUMSTANCES = ['in_community', 'release_date', 'accommodation'] as const
export type Circumstance = (typeof CIRCUMSTANCES)[number]

export const CIRCUMSTANCE_NAMES: Record<Circumstance, string> = {
  in_community: 'The person being in the community',
  release_date: 'The release date',
  accommodation: 'The person’s current accommodation',
}

/**
 * Two agencies' actions of the same service type count as duplicate work when the earlier one
 * is still open or was created within this many days of the later one.
 */
export const DUPLICATE_WINDOW_DAYS = 90

export const OBJECTIVE_STATUSES = ['active', 'achieved', 'withdrawn'] as const
export type ObjectiveStatus = (typeof OBJECTIVE_STATUSES)[number]

export const OBJECTIVE_STATUS_NAMES: Record<ObjectiveStatus, string> = {
  active: 'Active',
  achieved: 'Achieved',
  withdrawn: 'Withdrawn',
}

/**
 * Action statuses that are still live work: what withdrawing an objective would cancel. Suspended
 * counts, because a release would otherwise resume work under an objective nobody pursues.
 */
export const UNFINISHED_STATUSES: readonly ActionStatus[] = ['not_started', 'in_progress', 'suspended']

/**
 * Objectives are the lead agency's: it answers for the plan as a whole, so it alone adds, rewords,
 * achieves or withdraws them. Partners own the actions they add under them, never the objective,
 * even where their agreement shares its pathway.
 */
export function mayEditObjective(actor: { agencyId: string }, leadAgencyId: string) {
  return actor.agencyId === leadAgencyId
}

/** Where a plan action is editable: the lead agency edits any; a partner only its own agency's. */
export function mayEditAction(actor: { agencyId: string }, leadAgencyId: string, ownerAgencyId: string) {
  return actor.agencyId === leadAgencyId || actor.agencyId === ownerAgencyId
}
