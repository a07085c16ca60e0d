import type { ColumnType, Generated, JSONColumnType } from 'kysely'

/** timestamptz: read as Date, written as Date or ISO string; defaulted by the database. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
/** date columns are kept as 'YYYY-MM-DD' strings so that no time zone can shift them. */
type DateOnly = string
type Uuid = string
/** jsonb: read as an object, written as a JSON string (so arrays are not taken for SQL arrays). */
type Json = JSONColumnType<Record<string, unknown>, string | undefined, string>

export interface RegionsTable {
  id: Generated<Uuid>
  code: string
  name: string
  created_at: Timestamp
  updated_at: Timestamp
}

export interface ProbationDeliveryUnitsTable {
  id: Generated<Uuid>
  region_id: Uuid
  code: string
  name: string
  created_at: Timestamp
  updated_at: Timestamp
}

export interface AgenciesTable {
  id: Generated<Uuid>
  code: string
  name: string
  kind: string
  region_id: Uuid | null
  created_at: Timestamp
  updated_at: Timestamp
  version: Generated<number>
}

export interface TeamsTable {
  id: Generated<Uuid>
  agency_id: Uuid
  region_id: Uuid | null
  pdu_id: Uuid | null
  code: string
  name: string
  created_at: Timestamp
  updated_at: Timestamp
  version: Generated<number>
}

export interface UsersTable {
  id: Generated<Uuid>
  agency_id: Uuid
  kind: Generated<'person' | 'service'>
  email: string
  display_name: string
  job_title: string | null
  phone: string | null
  password_hash: string | null
  oidc_subject: string | null
  active: Generated<boolean>
  contracted_hours: Generated<number>
  failed_sign_ins: Generated<number>
  locked_until: NullableTimestamp
  last_sign_in_at: NullableTimestamp
  created_at: Timestamp
  updated_at: Timestamp
  version: Generated<number>
}

export interface UserRolesTable {
  user_id: Uuid
  role: string
}

export interface TeamMembersTable {
  team_id: Uuid
  user_id: Uuid
}

export interface UserSessionsTable {
  token_hash: string
  user_id: Uuid
  created_at: Timestamp
  last_seen_at: Timestamp
  ended_at: NullableTimestamp
  ended_reason: string | null
  ip: string | null
  user_agent: string | null
}

export interface ApiTokensTable {
  id: Generated<Uuid>
  user_id: Uuid
  name: string
  token_hash: string
  scopes: string[]
  created_by: Uuid | null
  created_at: Timestamp
  expires_at: NullableTimestamp
  revoked_at: NullableTimestamp
  last_used_at: NullableTimestamp
}

export interface DataCategoriesTable {
  code: string
  name: string
  description: string
  sort: number
}

export interface CohortsTable {
  id: Generated<Uuid>
  code: string
  name: string
  description: Generated<string>
  region_id: Uuid | null
  criteria: Json
  active: Generated<boolean>
  created_at: Timestamp
  updated_at: Timestamp
  version: Generated<number>
}

export interface SharingAgreementsTable {
  id: Generated<Uuid>
  reference: string
  title: string
  purpose: string
  lawful_basis: string
  starts_on: DateOnly
  ends_on: DateOnly | null
  status: Generated<'active' | 'suspended'>
  created_by: Uuid | null
  created_at: Timestamp
  updated_at: Timestamp
  version: Generated<number>
}

export interface SharingAgreementAgenciesTable {
  agreement_id: Uuid
  agency_id: Uuid
}

export interface SharingAgreementCohortsTable {
  agreement_id: Uuid
  cohort_id: Uuid
}

export interface SharingAgreementCategoriesTable {
  agreement_id: Uuid
  category: string
}

export interface AuditLogTable {
  id: Generated<number>
  occurred_at: Timestamp
  actor_user_id: Uuid | null
  actor_label: string
  actor_agency_id: Uuid | null
  action: string
  person_ids: ColumnType<Uuid[], Uuid[] | undefined, never>
  categories: ColumnType<string[], string[] | undefined, never>
  route: string
  purpose: string
  relationship: string | null
  detail: JSONColumnType<Record<string, unknown> | null, string | null | undefined, never>
  request_id: string | null
  seq: number | null
  prev_hash: string | null
  hash: string | null
}

export interface OutboxTable {
  id: Generated<number>
  event_type: string
  person_id: Uuid | null
  payload: Json
  occurred_at: Timestamp
  available_at: Timestamp
  attempts: Generated<number>
  last_error: string | null
  processed_at: NullableTimestamp
  failed_at: NullableTimestamp
}

export interface OutboxDeliveriesTable {
  event_id: number
  subscriber: string
  delivered_at: Timestamp
}

export interface PeopleTable {
  id: Generated<Uuid>
  crn: string
  noms_number: string | null
  pnc_number: string | null
  cro_number: string | null
  first_name: string
  middle_names: string | null
  last_name: string
  date_of_birth: DateOnly
  gender: string
  ethnicity: string | null
  nationality: string | null
  preferred_language: string | null
  interpreter_needed: Generated<boolean>
  phone: string | null
  email: string | null
  region_id: Uuid | null
  pdu_id: Uuid | null
  lead_agency_id: Uuid
  lead_team_id: Uuid | null
  custody_status: Generated<string>
  prison_code: string | null
  rosh_level: string | null
  mappa_category: number | null
  mappa_level: number | null
  tier: string | null
  accessibility_needs: Generated<string[]>
  communication_needs: string | null
  merged_into: Uuid | null
  created_at: Timestamp
  updated_at: Timestamp
  version: Generated<number>
}

export interface PersonIdentifiersTable {
  type: 'crn' | 'noms' | 'pnc' | 'cro'
  value: string
  person_id: Uuid
  source_record_id: Uuid | null
  created_at: Timestamp
}

export interface PersonAliasesTable {
  person_id: Uuid
  id: Generated<Uuid>
  first_name: string
  last_name: string
  date_of_birth: DateOnly | null
  source_record_id: Uuid | null
  created_at: Timestamp
}

export interface PersonAddressesTable {
  person_id: Uuid
  id: Generated<Uuid>
  kind: string
  line1: string | null
  town: string | null
  postcode: string | null
  starts_on: DateOnly
  ends_on: DateOnly | null
  source_record_id: Uuid | null
  created_at: Timestamp
}

export interface PersonNeedsTable {
  person_id: Uuid
  id: Generated<Uuid>
  pathway: string
  level: string
  description: string
  assessed_on: DateOnly
  source_system: string
}

export interface SourceRecordsTable {
  id: Generated<Uuid>
  person_id: Uuid | null
  source_system: string
  source_ref: string
  agency_id: Uuid | null
  crn: string | null
  noms_number: string | null
  pnc_number: string | null
  cro_number: string | null
  first_name: string
  last_name: string
  date_of_birth: DateOnly | null
  gender: string | null
  postcode: string | null
  received_at: Timestamp
  match_outcome: 'identifier' | 'automatic' | 'reviewed' | 'new' | 'pending'
  match_score: number | null
}

export interface MatchReviewsTable {
  id: Generated<Uuid>
  source_record_id: Uuid
  candidate_person_id: Uuid
  score: number
  explanation: ColumnType<unknown[], string, string>
  status: Generated<'pending' | 'same' | 'different'>
  decided_by: Uuid | null
  decided_at: NullableTimestamp
  created_at: Timestamp
}

export interface PersonMergesTable {
  id: Generated<Uuid>
  survivor_id: Uuid
  merged_id: Uuid
  reason: string
  moved: ColumnType<Record<string, unknown[]>, string, string>
  merged_by: Uuid | null
  merged_at: Timestamp
  unmerged_by: Uuid | null
  unmerged_at: NullableTimestamp
}

export interface CohortMembershipsTable {
  person_id: Uuid
  cohort_id: Uuid
  started_on: DateOnly
  ended_on: DateOnly | null
  reason: Generated<string>
  review_on: DateOnly | null
  created_at: Timestamp
  selected_by: Uuid | null
  ended_reason: string | null
  ended_by: Uuid | null
}

export interface AllocationsTable {
  person_id: Uuid
  id: Generated<Uuid>
  user_id: Uuid
  team_id: Uuid | null
  agency_id: Uuid
  role: string
  is_lead: Generated<boolean>
  started_at: Timestamp
  ended_at: NullableTimestamp
  handover_note: string | null
  created_at: Timestamp
}

export interface CaseRestrictionsTable {
  person_id: Uuid
  user_id: Uuid
  kind: 'allow' | 'deny'
  reason: string
  created_by: Uuid | null
  created_at: Timestamp
}

export interface BreakGlassGrantsTable {
  person_id: Uuid
  id: Generated<Uuid>
  user_id: Uuid
  reason: string
  granted_at: Timestamp
  expires_at: Timestamp
  reviewed_by: Uuid | null
  reviewed_at: NullableTimestamp
  review_outcome: 'justified' | 'not_justified' | null
  review_note: string | null
}

export interface SentencesTable {
  person_id: Uuid
  id: Generated<Uuid>
  event_number: number
  sentence_type: string
  description: string
  offence: string
  offence_category: string
  court: string
  sentenced_on: DateOnly
  length_days: number | null
  expected_release_on: DateOnly | null
  licence_end_on: DateOnly | null
  sentence_end_on: DateOnly | null
  ended_on: DateOnly | null
  created_at: Timestamp
  updated_at: Timestamp
}

export interface CustodyEpisodesTable {
  person_id: Uuid
  id: Generated<Uuid>
  prison_code: string
  prison_name: string
  received_on: DateOnly
  released_on: DateOnly | null
  release_reason: string | null
  created_at: Timestamp
}

export interface LicenceConditionsTable {
  person_id: Uuid
  id: Generated<Uuid>
  sentence_id: Uuid
  description: string
  starts_on: DateOnly
  ends_on: DateOnly | null
}

export interface RegistrationsTable {
  person_id: Uuid
  id: Generated<Uuid>
  type_code: string
  type_description: string
  category: string
  level: string | null
  registered_on: DateOnly
  next_review_on: DateOnly | null
  deregistered_on: DateOnly | null
  source_system: Generated<string>
  source_ref: string | null
  register_category: string | null
  created_at: Timestamp
}

export interface AppointmentsTable {
  person_id: Uuid
  id: Generated<Uuid>
  starts_at: Timestamp
  ends_at: Timestamp
  kind: string
  location: string
  staff_user_id: Uuid | null
  agency_id: Uuid
  outcome: string | null
  outcome_recorded_at: NullableTimestamp
  notes: string | null
  created_at: Timestamp
  updated_at: Timestamp
  version: Generated<number>
  created_by: Uuid | null
  outcome_recorded_by: Uuid | null
  outcome_notes: string | null
  rescheduled_from: Uuid | null
  enforceable: Generated<boolean>
}

export interface ContactsTable {
  person_id: Uuid
  id: Generated<Uuid>
  occurred_at: Timestamp
  kind: string
  summary: string
  category: string
  author_user_id: Uuid | null
  agency_id: Uuid
  created_at: Timestamp
  sensitive: Generated<boolean>
  replaces_id: Uuid | null
  superseded: Generated<boolean>
}

export interface TimelineEventsTable {
  person_id: Uuid
  id: Generated<number>
  occurred_at: Timestamp
  kind: string
  category: string
  agency_id: Uuid
  source_system: string
  title: string
  summary: string | null
  pathway: string | null
  created_at: Timestamp
}

export interface InboundMessagesTable {
  message_key: string
  event_type: string
  occurred_at: Timestamp
  person_id: Uuid | null
  received_at: Timestamp
}

export interface DeadLettersTable {
  id: Generated<number>
  message_key: string
  event_type: string | null
  body: string
  reason: string
  waiting_for: ColumnType<string[], string[] | undefined, string[]>
  received_at: Timestamp
  attempts: Generated<number>
  last_attempt_at: Timestamp
  resolved_at: NullableTimestamp
  resolution: 'applied' | 'duplicate' | 'discarded' | null
  resolved_by: Uuid | null
}

export interface PersonStateClockTable {
  person_id: Uuid
  aspect: string
  occurred_at: Timestamp
}

export interface RiskScoresTable {
  person_id: Uuid
  id: Generated<Uuid>
  kind: string
  score: ColumnType<string | null, number | null, number | null>
  band: string | null
  determined_at: Timestamp
  source_system: string
  created_at: Timestamp
}

export interface ImportRowsTable {
  source_system: string
  kind: 'sentences' | 'appointments' | 'contacts' | 'registrations'
  row_key: string
  row_hash: string
  person_id: Uuid
  target_id: Uuid
  imported_at: Timestamp
}

export interface WebhookSubscriptionsTable {
  id: Generated<Uuid>
  agency_id: Uuid
  service_user_id: Uuid
  name: string
  url: string
  event_types: ColumnType<string[], string[], string[]>
  secret: string
  active: Generated<boolean>
  created_by: Uuid | null
  created_at: Timestamp
  updated_at: Timestamp
  version: Generated<number>
}

export interface WebhookDeliveriesTable {
  id: Generated<Uuid>
  subscription_id: Uuid
  outbox_event_id: number | null
  event_type: string
  person_id: Uuid | null
  payload: Json
  status: Generated<'pending' | 'delivered' | 'failed' | 'dead'>
  attempts: Generated<number>
  next_attempt_at: Timestamp
  last_status_code: number | null
  last_error: string | null
  delivered_at: NullableTimestamp
  created_at: Timestamp
}

export interface CohortDecisionsTable {
  person_id: Uuid
  id: Generated<Uuid>
  cohort_id: Uuid
  decision: 'selected' | 'deselected' | 'not_selected' | 'review_changed'
  reason: string
  review_on: DateOnly | null
  decided_by: Uuid | null
  decided_at: Timestamp
}

export interface ResponsibilitiesTable {
  id: Generated<Uuid>
  cohort_id: Uuid | null
  region_id: Uuid | null
  pathway: string | null
  task_type: string | null
  lead_agency_kind: string
  allocation_role: string | null
  notes: Generated<string>
  created_at: Timestamp
  updated_at: Timestamp
  version: Generated<number>
}

export interface WorkloadWeightsTable {
  factor: 'tier' | 'rosh' | 'case_type'
  value: string
  /** numeric: read as a string by pg, so convert with Number(). */
  points: ColumnType<string, number | string, number | string>
  updated_at: Timestamp
}

export interface WorkloadSettingsTable {
  id: Generated<boolean>
  full_time_hours: ColumnType<string, number | string | undefined, number | string>
  full_time_points: ColumnType<string, number | string | undefined, number | string>
  updated_at: Timestamp
}

export interface AllocationRequestsTable {
  person_id: Uuid
  id: Generated<Uuid>
  team_id: Uuid
  reason: string
  requested_at: Timestamp
  requested_by: Uuid | null
  status: Generated<'waiting' | 'allocated' | 'withdrawn'>
  allocated_user_id: Uuid | null
  allocated_by: Uuid | null
  allocated_at: NullableTimestamp
}

export interface AppointmentAttendeesTable {
  person_id: Uuid
  appointment_id: Uuid
  user_id: Uuid
  agency_id: Uuid
}

export interface TasksTable {
  person_id: Uuid
  id: Generated<Uuid>
  kind: string
  title: string
  reason: Generated<string>
  owner_user_id: Uuid | null
  owner_role: string | null
  owner_agency_id: Uuid | null
  due_on: DateOnly | null
  required: Generated<boolean>
  status: Generated<'open' | 'done' | 'suspended' | 'cancelled'>
  status_reason: string | null
  source: string
  source_ref: string | null
  created_at: Timestamp
  updated_at: Timestamp
  completed_at: NullableTimestamp
  completed_by: Uuid | null
  version: Generated<number>
}

export interface FlagsTable {
  person_id: Uuid
  id: Generated<Uuid>
  rule_code: string
  rule_version: number
  condition_key: string
  severity: 'low' | 'medium' | 'high' | 'critical'
  title: string
  reason: string
  evidence: Json
  status: Generated<'raised' | 'acknowledged' | 'resolved' | 'dismissed'>
  raised_at: Timestamp
  acknowledged_at: NullableTimestamp
  acknowledged_by: Uuid | null
  escalated_at: NullableTimestamp
  closed_at: NullableTimestamp
  closed_by: Uuid | null
  close_reason: string | null
}

export interface CasePlansTable {
  person_id: Uuid
  created_by: Uuid | null
  created_at: Timestamp
  updated_at: Timestamp
  version: Generated<number>
}

export interface PlanObjectivesTable {
  person_id: Uuid
  id: Generated<Uuid>
  pathway: string
  need_id: Uuid | null
  description: string
  status: Generated<'active' | 'achieved' | 'withdrawn'>
  created_by: Uuid | null
  created_at: Timestamp
  updated_at: Timestamp
  version: Generated<number>
}

export interface PlanActionsTable {
  person_id: Uuid
  id: Generated<Uuid>
  objective_id: Uuid
  description: string
  service_type: string | null
  owner_agency_id: Uuid
  owner_user_id: Uuid | null
  due_on: DateOnly | null
  status: Generated<'not_started' | 'in_progress' | 'done' | 'suspended' | 'cancelled'>
  status_reason: string | null
  depends_on: ColumnType<string[], string[] | undefined, string[]>
  created_by: Uuid | null
  created_at: Timestamp
  updated_at: Timestamp
  version: Generated<number>
}

export interface PlanActionNotesTable {
  person_id: Uuid
  id: Generated<Uuid>
  action_id: Uuid
  note: string
  author_user_id: Uuid | null
  agency_id: Uuid
  created_at: Timestamp
}

export interface DuplicateServicesTable {
  person_id: Uuid
  id: Generated<Uuid>
  service_type: string
  first_action_id: Uuid
  second_action_id: Uuid
  detected_at: Timestamp
  status: Generated<'open' | 'resolved'>
  resolved_by: Uuid | null
  resolved_at: NullableTimestamp
  resolution: string | null
}

export interface ProcessTemplatesTable {
  id: Generated<Uuid>
  family_id: Uuid
  version: number
  name: string
  cohort_id: Uuid | null
  region_id: Uuid | null
  status: Generated<'draft' | 'published' | 'retired'>
  definition: Json
  created_by: Uuid | null
  created_at: Timestamp
  published_at: NullableTimestamp
}

export interface PersonProcessesTable {
  person_id: Uuid
  id: Generated<Uuid>
  template_id: Uuid
  stage_code: string
  stage_entered_at: Timestamp
  started_at: Timestamp
  ended_at: NullableTimestamp
  end_reason: string | null
  version: Generated<number>
}

export interface PersonStageMovesTable {
  person_id: Uuid
  id: Generated<Uuid>
  process_id: Uuid
  from_stage: string | null
  to_stage: string
  cause: string
  moved_at: Timestamp
}

export interface SuggestionsTable {
  person_id: Uuid
  id: Generated<Uuid>
  suggestion_key: string
  kind: string
  title: string
  reason: string
  rank: number
  inputs: Json
  rule_version: Generated<number>
  status: Generated<'open' | 'accepted' | 'dismissed' | 'expired'>
  created_at: Timestamp
  decided_at: NullableTimestamp
  decided_by: Uuid | null
  decision_reason: string | null
}

export interface RulesTable {
  code: string
  version: number
  name: string
  description: Generated<string>
  kind: string
  parameters: Json
  severity: 'low' | 'medium' | 'high' | 'critical'
  category: string
  reason_template: string
  task_owner_role: 'lead_practitioner' | 'manager' | 'coordinator' | null
  task_due_days: number | null
  acknowledge_within_hours: Generated<number>
  status: Generated<'draft' | 'enabled' | 'retired'>
  created_by: Uuid | null
  created_at: Timestamp
  enabled_at: NullableTimestamp
  enabled_by: Uuid | null
}

export interface PlanAdaptationsTable {
  person_id: Uuid
  cause_ref: string
  change: string
  applied_at: Timestamp
}

export type ReferralStatus =
  'draft' | 'sent' | 'assigned' | 'in_progress' | 'ended' | 'concluded' | 'cancelled'

export interface ReferralsTable {
  person_id: Uuid
  id: Generated<Uuid>
  reference: string
  service_type: string | null
  service_name: string | null
  pathway: string | null
  provider_agency_id: Uuid | null
  provider_name: string | null
  status: Generated<ReferralStatus>
  reason: string | null
  notes: string | null
  sent_at: NullableTimestamp
  assigned_at: NullableTimestamp
  ended_at: NullableTimestamp
  concluded_at: NullableTimestamp
  end_reason: string | null
  source_system: Generated<string>
  source_ref: string | null
  source_url: string | null
  referred_by: Uuid | null
  referred_by_name: string | null
  assigned_user_id: Uuid | null
  assigned_to_name: string | null
  created_at: Timestamp
  updated_at: Timestamp
  version: Generated<number>
}

export interface ReferralUpdatesTable {
  person_id: Uuid
  id: Generated<Uuid>
  referral_id: Uuid
  kind: 'status' | 'progress' | 'session_feedback' | 'assessment_feedback'
  status: ReferralStatus | null
  note: string | null
  occurred_at: Timestamp
  author_user_id: Uuid | null
  author_name: string | null
  agency_id: Uuid | null
  source_system: Generated<string>
  source_key: string | null
  created_at: Timestamp
}

export interface DB {
  regions: RegionsTable
  probation_delivery_units: ProbationDeliveryUnitsTable
  agencies: AgenciesTable
  teams: TeamsTable
  users: UsersTable
  user_roles: UserRolesTable
  team_members: TeamMembersTable
  user_sessions: UserSessionsTable
  api_tokens: ApiTokensTable
  data_categories: DataCategoriesTable
  cohorts: CohortsTable
  sharing_agreements: SharingAgreementsTable
  sharing_agreement_agencies: SharingAgreementAgenciesTable
  sharing_agreement_cohorts: SharingAgreementCohortsTable
  sharing_agreement_categories: SharingAgreementCategoriesTable
  audit_log: AuditLogTable
  outbox: OutboxTable
  outbox_deliveries: OutboxDeliveriesTable
  people: PeopleTable
  person_identifiers: PersonIdentifiersTable
  person_aliases: PersonAliasesTable
  person_addresses: PersonAddressesTable
  person_needs: PersonNeedsTable
  source_records: SourceRecordsTable
  match_reviews: MatchReviewsTable
  person_merges: PersonMergesTable
  cohort_memberships: CohortMembershipsTable
  allocations: AllocationsTable
  case_restrictions: CaseRestrictionsTable
  break_glass_grants: BreakGlassGrantsTable
  sentences: SentencesTable
  custody_episodes: CustodyEpisodesTable
  licence_conditions: LicenceConditionsTable
  registrations: RegistrationsTable
  appointments: AppointmentsTable
  contacts: ContactsTable
  timeline_events: TimelineEventsTable
  inbound_messages: InboundMessagesTable
  dead_letters: DeadLettersTable
  person_state_clock: PersonStateClockTable
  risk_scores: RiskScoresTable
  import_rows: ImportRowsTable
  webhook_subscriptions: WebhookSubscriptionsTable
  webhook_deliveries: WebhookDeliveriesTable
  cohort_decisions: CohortDecisionsTable
  responsibilities: ResponsibilitiesTable
  workload_weights: WorkloadWeightsTable
  workload_settings: WorkloadSettingsTable
  allocation_requests: AllocationRequestsTable
  appointment_attendees: AppointmentAttendeesTable
  tasks: TasksTable
  flags: FlagsTable
  case_plans: CasePlansTable
  plan_objectives: PlanObjectivesTable
  plan_actions: PlanActionsTable
  plan_action_notes: PlanActionNotesTable
  duplicate_services: DuplicateServicesTable
  process_templates: ProcessTemplatesTable
  person_processes: PersonProcessesTable
  person_stage_moves: PersonStageMovesTable
  suggestions: SuggestionsTable
  plan_adaptations: PlanAdaptationsTable
  rules: RulesTable
  referrals: ReferralsTable
  referral_updates: ReferralUpdatesTable
}
