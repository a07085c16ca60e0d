export const ROLES = [
  'practitioner',
  'manager',
  'partner_worker',
  'provider',
  'coordinator',
  'analyst',
  'administrator',
  'data_protection_officer',
] as const
export type Role = (typeof ROLES)[number]

export const ROLE_NAMES: Record<Role, string> = {
  practitioner: 'Probation practitioner',
  manager: 'Team manager',
  partner_worker: 'Partner worker',
  provider: 'Accommodation or intervention provider',
  coordinator: 'IOM or board coordinator',
  analyst: 'Analyst',
  administrator: 'Administrator',
  data_protection_officer: 'Data protection officer',
}

/** Roles that work with individual people and so may see personal data through a relationship. */
export const CASEWORK_ROLES: readonly Role[] = [
  'practitioner',
  'manager',
  'partner_worker',
  'provider',
  'coordinator',
]

export const DATA_CATEGORIES = [
  'identity',
  'sentence',
  'risk',
  'supervision',
  'accommodation',
  'employment_finance',
  'family',
  'health',
  'substance_misuse',
  'police_intelligence',
  'victim',
] as const
export type DataCategory = (typeof DATA_CATEGORIES)[number]

export const AGENCY_KINDS = [
  'probation',
  'police',
  'prison',
  'court',
  'youth_offending',
  'health',
  'local_authority_housing',
  'dwp',
  'third_sector',
  'accommodation_provider',
] as const
export type AgencyKind = (typeof AGENCY_KINDS)[number]

export const AGENCY_KIND_NAMES: Record<AgencyKind, string> = {
  probation: 'Probation',
  police: 'Police',
  prison: 'Prison',
  court: 'Court',
  youth_offending: 'Youth offending',
  health: 'Health',
  local_authority_housing: 'Local authority housing',
  dwp: 'Department for Work and Pensions',
  third_sector: 'Third sector',
  accommodation_provider: 'Accommodation provider',
}

/** What someone allocated to a person does for them. */
export const ALLOCATION_ROLE_NAMES: Record<string, string> = {
  probation_practitioner: 'Probation practitioner',
  police_iom_officer: 'Police IOM officer',
  prison_offender_manager: 'Prison offender manager',
  drug_and_alcohol_worker: 'Drug and alcohol worker',
  housing_officer: 'Housing officer',
  work_coach: 'DWP work coach',
  mentor: 'Mentor',
  youth_offending_worker: 'Youth offending worker',
}

export const API_SCOPES = [
  'people:read',
  'timeline:read',
  'appointments:read',
  'plans:read',
  'flags:read',
  'referrals:read',
  'records:write',
  'events:write',
] as const
export type ApiScope = (typeof API_SCOPES)[number]

/** Who is acting: a signed-in person or an API client's service account. */
export interface Actor {
  userId: string
  kind: 'person' | 'service'
  displayName: string
  email: string
  agencyId: string
  agencyName: string
  agencyKind: AgencyKind
  roles: Role[]
  teamIds: string[]
  /** Present for API clients: what the token may do. */
  scopes: ApiScope[] | null
}

export function hasRole(actor: Actor | null | undefined, ...roles: readonly Role[]): boolean {
  return !!actor && actor.roles.some((r) => roles.includes(r))
}

export function isCaseworker(actor: Actor | null | undefined): boolean {
  return !!actor && (actor.kind === 'service' || hasRole(actor, ...CASEWORK_ROLES))
}
