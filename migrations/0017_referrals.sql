-- Referrals of a person to a service: made in Tandem by a practitioner and sent to a provider
-- agency, or followed from another system's events (Refer and Monitor an Intervention). Status
-- only moves forward (draft → sent → assigned → in progress → ended → concluded or cancelled),
-- so a late or repeated event cannot take a referral back.
create table referrals (
  person_id uuid not null references people (id),
  id uuid not null default gen_random_uuid(),
  -- What people quote: Tandem's own, or the upstream referralReference or URN.
  reference text not null,
  -- The kind of service, in the plan's words, so that duplicate work can be spotted; unknown
  -- for an upstream referral until an event names its contract type.
  service_type text check (service_type in (
    'housing', 'drug_treatment', 'alcohol_treatment', 'benefits', 'employment_support', 'mentoring')),
  -- The contract or service as the source names it (e.g. 'Accommodation', 'Dependency and Recovery').
  service_name text,
  pathway text check (pathway in (
    'accommodation', 'education_training_employment', 'health', 'drugs_alcohol',
    'finance_benefit_debt', 'children_families', 'attitudes_thinking_behaviour')),
  -- The agency in Tandem that provides the service, when there is one; its staff see the referral.
  provider_agency_id uuid references agencies (id),
  -- The provider as the source names it, when it is not an agency in Tandem.
  provider_name text,
  status text not null default 'sent' check (status in (
    'draft', 'sent', 'assigned', 'in_progress', 'ended', 'concluded', 'cancelled')),
  reason text,
  notes text,
  sent_at timestamptz,
  assigned_at timestamptz,
  ended_at timestamptz,
  concluded_at timestamptz,
  end_reason text,
  source_system text not null default 'Tandem',
  -- The source's own id (upstream referralId); with the person, identifies the referral there.
  source_ref text,
  source_url text,
  referred_by uuid references users (id),
  referred_by_name text,
  assigned_user_id uuid references users (id),
  assigned_to_name text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1,
  primary key (person_id, id)
);
create unique index referrals_source on referrals (person_id, source_system, source_ref) where source_ref is not null;
create index referrals_provider on referrals (provider_agency_id, status);
create index referrals_referred_by on referrals (referred_by);
create index referrals_assigned_user on referrals (assigned_user_id);

-- A referral's history: status changes, provider progress updates and session feedback, each
-- with who recorded it, for which agency and from which system.
create table referral_updates (
  person_id uuid not null,
  id uuid not null default gen_random_uuid(),
  referral_id uuid not null,
  kind text not null check (kind in ('status', 'progress', 'session_feedback', 'assessment_feedback')),
  -- The status the referral moved to, for a status change.
  status text check (status in (
    'draft', 'sent', 'assigned', 'in_progress', 'ended', 'concluded', 'cancelled')),
  note text,
  occurred_at timestamptz not null,
  author_user_id uuid references users (id),
  author_name text,
  agency_id uuid references agencies (id),
  source_system text not null default 'Tandem',
  -- The event an update came from, so that a redelivered event adds nothing.
  source_key text,
  created_at timestamptz not null default now(),
  primary key (person_id, id),
  foreign key (person_id, referral_id) references referrals (person_id, id)
);
create unique index referral_updates_source on referral_updates (person_id, referral_id, source_key)
  where source_key is not null;
create index referral_updates_referral on referral_updates (person_id, referral_id, occurred_at);
create index referral_updates_author on referral_updates (author_user_id);
create index referral_updates_agency on referral_updates (agency_id);
