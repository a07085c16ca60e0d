import { randomInt } from 'node:crypto'
import type { DataCategory } from '../../platform/access/actor.js'
import type { ReferralStatus } from '../../platform/database/schema.js'
import { PATHWAY_CATEGORY, type Pathway, type ServiceType } from '../plans/plans.policy.js'

export type { ReferralStatus }

/**
 * Referrals use the plan's service types and pathways, so that a referral and another agency's
 * plan action for the same service can be recognised as the same work.
 */
export {
  PATHWAY_CATEGORY,
  PATHWAY_NAMES,
  PATHWAYS,
  SERVICE_TYPE_NAMES,
  SERVICE_TYPES,
  type Pathway,
  type ServiceType,
} from '../plans/plans.policy.js'

export const REFERRAL_STATUSES = [
  'draft',
  'sent',
  'assigned',
  'in_progress',
  'ended',
  'concluded',
  'cancelled',
] as const satisfies readonly ReferralStatus[]

export const REFERRAL_STATUS_NAMES: Record<ReferralStatus, string> = {
  draft: 'Draft',
  sent: 'Sent',
  assigned: 'Assigned',
  in_progress: 'In progress',
  ended: 'Ended early',
  concluded: 'Concluded',
  cancelled: 'Cancelled',
}

export const REFERRAL_STATUS_COLOURS: Record<ReferralStatus, string> = {
  draft: 'grey',
  sent: 'light-blue',
  assigned: 'blue',
  in_progress: 'blue',
  ended: 'orange',
  concluded: 'green',
  cancelled: 'grey',
}

/**
 * How far along its life a referral is. Status only ever moves to a higher rank, which is what
 * makes a late, repeated or out-of-order event harmless: it cannot take a referral back.
 */
export const STATUS_RANK: Record<ReferralStatus, number> = {
  draft: 0,
  sent: 1,
  assigned: 2,
  in_progress: 3,
  ended: 4,
  concluded: 5,
  cancelled: 5,
}

/** Referrals still being worked on: the ones that can duplicate someone else's work. */
export const OPEN_REFERRAL_STATUSES: readonly ReferralStatus[] = ['sent', 'assigned', 'in_progress']

/** Where a status may go next, from the page. */
const NEXT: Record<ReferralStatus, ReferralStatus[]> = {
  draft: ['sent', 'cancelled'],
  sent: ['assigned', 'in_progress', 'ended', 'cancelled'],
  assigned: ['in_progress', 'ended', 'cancelled'],
  in_progress: ['ended', 'concluded', 'cancelled'],
  ended: ['concluded'],
  concluded: [],
  cancelled: [],
}

/** Only the referring side sends or cancels a referral; only the provider reports its progress. */
const REFERRER_MOVES: readonly ReferralStatus[] = ['sent', 'cancelled']

/** Statuses that need a reason: why it ended or was cancelled. */
export const NEEDS_REASON: readonly ReferralStatus[] = ['ended', 'cancelled']

/**
 * The statuses this actor may move a referral to. The lead agency refers (sends, cancels) and,
 * for a provider outside Tandem, records its progress too; the provider agency reports progress.
 */
export function nextStatuses(
  actor: { agencyId: string },
  referral: { status: ReferralStatus; lead_agency_id: string; provider_agency_id: string | null },
): ReferralStatus[] {
  const referrer = actor.agencyId === referral.lead_agency_id
  const provider =
    actor.agencyId === referral.provider_agency_id || (referrer && referral.provider_agency_id === null)
  return NEXT[referral.status].filter((s) => (REFERRER_MOVES.includes(s) ? referrer : provider))
}

/** Whether the actor's agency may update the referral at all: the referrer or the provider. */
export function mayUpdate(
  actor: { agencyId: string },
  referral: { lead_agency_id: string; provider_agency_id: string | null },
) {
  return actor.agencyId === referral.lead_agency_id || actor.agencyId === referral.provider_agency_id
}

/** The data category a referral belongs to: its pathway's, or supervision when it has none. */
export function referralCategory(pathway: string | null): DataCategory {
  return (pathway && PATHWAY_CATEGORY[pathway as Pathway]) || 'supervision'
}

/** Agency kinds that provide services people are referred to. */
export const PROVIDER_KINDS = [
  'accommodation_provider',
  'local_authority_housing',
  'health',
  'dwp',
  'third_sector',
  'youth_offending',
] as const

/** The system whose events Tandem follows referrals from (Refer and Monitor an Intervention). */
export const INTERVENTIONS_SOURCE = 'Refer and monitor an intervention'

/**
 * An upstream contract type (Commissioned Rehabilitative Services) in the plan's words. Types
 * with no plan service (emotional wellbeing, family) keep only their pathway, if any.
 */
export function serviceOfContract(name: string | null): {
  serviceType: ServiceType | null
  pathway: Pathway | null
} {
  const n = (name ?? '').toLowerCase()
  const match = (serviceType: ServiceType | null, pathway: Pathway | null) => ({ serviceType, pathway })
  if (n.includes('accommodation')) return match('housing', 'accommodation')
  if (n.includes('dependency') || n.includes('recovery')) return match('drug_treatment', 'drugs_alcohol')
  if (n.includes('finance') || n.includes('benefit') || n.includes('debt'))
    return match('benefits', 'finance_benefit_debt')
  if (n.includes('employment') || n.includes('education'))
    return match('employment_support', 'education_training_employment')
  if (n.includes('family')) return match(null, 'children_families')
  if (n.includes('wellbeing')) return match(null, 'health')
  return match(null, null)
}

const LETTERS = 'ABCDEFGHJKLMNPQRSTUVWXYZ'

/**
 * A reference in the shape Refer and Monitor uses (two letters without I or O, four digits,
 * then two letters of the service), so people quote Tandem's and upstream's alike.
 */
export function newReference(serviceType: string): string {
  const letter = () => LETTERS[randomInt(LETTERS.length)]
  const digits = String(randomInt(10_000)).padStart(4, '0')
  return `${letter()}${letter()}${digits}${serviceType.replace(/_/g, '').slice(0, 2).toUpperCase()}`
}
