-- Multi-agency case management: cohort selection, responsibilities, workload and the allocation
-- queue, multi-agency appointments, tasks, flags, shared case plans, process templates, next
-- best actions and duplicate services. Person-scoped tables lead their keys with person_id.

-- Cohorts: criteria are data (validated by the cohorts module); selection is a decision with a
-- reason and a review date, and every decision is kept.
alter table cohort_memberships
  add column selected_by uuid references users (id),
  add column ended_reason text,
  add column ended_by uuid references users (id);

create table cohort_decisions (
  person_id uuid not null references people (id),
  id uuid not null default gen_random_uuid(),
  cohort_id uuid not null references cohorts (id),
  decision text not null check (decision in ('selected', 'deselected', 'not_selected')),
  reason text not null,
  review_on date,
  decided_by uuid references users (id),
  decided_at timestamptz not null default now(),
  primary key (person_id, id)
);
create index cohort_decisions_cohort on cohort_decisions (cohort_id, decided_at desc);

-- Roles and responsibilities: which kind of agency (and which allocation role) leads a pathway
-- or a task type, per cohort and area. A null cohort or region means "any".
create table responsibilities (
  id uuid primary key default gen_random_uuid(),
  cohort_id uuid references cohorts (id),
  region_id uuid references regions (id),
  pathway text check (pathway in (
    'accommodation', 'education_training_employment', 'health', 'drugs_alcohol',
    'finance_benefit_debt', 'children_families', 'attitudes_thinking_behaviour')),
  task_type text,
  lead_agency_kind text not null,
  allocation_role text,
  notes text not null default '',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1,
  check ((pathway is null) <> (task_type is null))
);
create unique index responsibilities_one_lead on responsibilities (
  coalesce(cohort_id, '00000000-0000-0000-0000-000000000000'),
  coalesce(region_id, '00000000-0000-0000-0000-000000000000'),
  coalesce(pathway, ''), coalesce(task_type, ''));

-- Workload: points per case by tier, risk and case type, as data a manager may change; a
-- full-time practitioner (full_time_hours) at 100% capacity carries full_time_points.
create table workload_weights (
  factor text not null check (factor in ('tier', 'rosh', 'case_type')),
  value text not null,
  points numeric(6, 2) not null check (points >= 0),
  updated_at timestamptz not null default now(),
  primary key (factor, value)
);
insert into workload_weights (factor, value, points) values
  ('tier', 'A3', 12), ('tier', 'A2', 11), ('tier', 'A1', 10), ('tier', 'A0', 9),
  ('tier', 'B3', 8), ('tier', 'B2', 7), ('tier', 'B1', 6), ('tier', 'B0', 5),
  ('tier', 'C3', 5), ('tier', 'C2', 4), ('tier', 'C1', 3), ('tier', 'C0', 3),
  ('tier', 'D3', 3), ('tier', 'D2', 2), ('tier', 'D1', 2), ('tier', 'D0', 1),
  ('rosh', 'low', 0), ('rosh', 'medium', 1), ('rosh', 'high', 3), ('rosh', 'very_high', 5),
  ('case_type', 'community', 0), ('case_type', 'suspended', 0), ('case_type', 'custody', 1),
  ('case_type', 'licence', 3);

create table workload_settings (
  id boolean primary key default true check (id),
  full_time_hours numeric(4, 1) not null default 37 check (full_time_hours > 0),
  full_time_points numeric(6, 1) not null default 200 check (full_time_points > 0),
  updated_at timestamptz not null default now()
);
insert into workload_settings default values;

-- Cases waiting for a manager to allocate them to a practitioner.
create table allocation_requests (
  person_id uuid not null references people (id),
  id uuid not null default gen_random_uuid(),
  team_id uuid not null references teams (id),
  reason text not null,
  requested_at timestamptz not null default now(),
  requested_by uuid references users (id),
  status text not null default 'waiting' check (status in ('waiting', 'allocated', 'withdrawn')),
  allocated_user_id uuid references users (id),
  allocated_by uuid references users (id),
  allocated_at timestamptz,
  primary key (person_id, id)
);
create index allocation_requests_waiting on allocation_requests (team_id, requested_at) where status = 'waiting';
create unique index allocation_requests_one_waiting on allocation_requests (person_id) where status = 'waiting';

-- Appointments: who else attends (multi-agency visits), who recorded the outcome, what it replaced.
alter table appointments
  add column created_by uuid references users (id),
  add column outcome_recorded_by uuid references users (id),
  add column outcome_notes text,
  add column rescheduled_from uuid,
  add column enforceable boolean not null default true;
create index appointments_person_time on appointments (person_id, starts_at);

create table appointment_attendees (
  person_id uuid not null references people (id),
  appointment_id uuid not null,
  user_id uuid not null references users (id),
  agency_id uuid not null references agencies (id),
  primary key (person_id, appointment_id, user_id),
  foreign key (person_id, appointment_id) references appointments (person_id, id)
);
create index appointment_attendees_user on appointment_attendees (user_id);

-- Contact notes keep their history: a correction is a new version pointing at the one it replaces.
alter table contacts
  add column sensitive boolean not null default false,
  add column replaces_id uuid,
  add column superseded boolean not null default false;
create index contacts_person_time on contacts (person_id, occurred_at desc);

-- Work someone must do about a person: enforcement, stage tasks from a template, rules, plans.
-- (source, source_ref) makes creation idempotent, so a redelivered event adds nothing.
create table tasks (
  person_id uuid not null references people (id),
  id uuid not null default gen_random_uuid(),
  kind text not null,
  title text not null,
  reason text not null default '',
  owner_user_id uuid references users (id),
  owner_role text,
  owner_agency_id uuid references agencies (id),
  due_on date,
  required boolean not null default true,
  status text not null default 'open' check (status in ('open', 'done', 'suspended', 'cancelled')),
  status_reason text,
  source text not null,
  source_ref text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  completed_at timestamptz,
  completed_by uuid references users (id),
  version integer not null default 1,
  primary key (person_id, id)
);
create unique index tasks_source on tasks (person_id, source, source_ref) where source_ref is not null;
create index tasks_owner_open on tasks (owner_user_id, due_on) where status = 'open';
create index tasks_person_open on tasks (person_id, due_on) where status = 'open';

-- Flags raised by rules: one open flag per condition; the evidence and rule version are kept.
create table flags (
  person_id uuid not null references people (id),
  id uuid not null default gen_random_uuid(),
  rule_code text not null,
  rule_version integer not null,
  condition_key text not null,
  severity text not null check (severity in ('low', 'medium', 'high', 'critical')),
  title text not null,
  reason text not null,
  evidence jsonb not null default '{}',
  status text not null default 'raised' check (status in ('raised', 'acknowledged', 'resolved', 'dismissed')),
  raised_at timestamptz not null default now(),
  acknowledged_at timestamptz,
  acknowledged_by uuid references users (id),
  escalated_at timestamptz,
  closed_at timestamptz,
  closed_by uuid references users (id),
  close_reason text,
  primary key (person_id, id)
);
create unique index flags_one_open on flags (person_id, condition_key) where status in ('raised', 'acknowledged');

-- One shared case plan per person. Objectives (per resettlement pathway, from an assessed need)
-- hold actions owned by an agency and a person. Edits carry the version they were made from.
create table case_plans (
  person_id uuid primary key references people (id),
  created_by uuid references users (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1
);

create table plan_objectives (
  person_id uuid not null references case_plans (person_id),
  id uuid not null default gen_random_uuid(),
  pathway text not null check (pathway in (
    'accommodation', 'education_training_employment', 'health', 'drugs_alcohol',
    'finance_benefit_debt', 'children_families', 'attitudes_thinking_behaviour')),
  need_id uuid,
  description text not null,
  status text not null default 'active' check (status in ('active', 'achieved', 'withdrawn')),
  created_by uuid references users (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1,
  primary key (person_id, id)
);

create table plan_actions (
  person_id uuid not null,
  id uuid not null default gen_random_uuid(),
  objective_id uuid not null,
  description text not null,
  -- The kind of service the action provides, for spotting two agencies doing the same thing.
  service_type text check (service_type in (
    'housing', 'drug_treatment', 'alcohol_treatment', 'benefits', 'employment_support', 'mentoring')),
  owner_agency_id uuid not null references agencies (id),
  owner_user_id uuid references users (id),
  due_on date,
  status text not null default 'not_started' check (status in (
    'not_started', 'in_progress', 'done', 'suspended', 'cancelled')),
  status_reason text,
  -- Circumstances the action relies on (e.g. 'in_community', 'release_date', 'accommodation'),
  -- so that a change of circumstances knows which actions to adapt.
  depends_on text[] not null default '{}',
  created_by uuid references users (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1,
  primary key (person_id, id),
  foreign key (person_id, objective_id) references plan_objectives (person_id, id)
);
create index plan_actions_owner_open on plan_actions (owner_user_id, due_on) where status in ('not_started', 'in_progress');
create index plan_actions_person_open on plan_actions (person_id, due_on) where status in ('not_started', 'in_progress');
create index plan_actions_agency on plan_actions (owner_agency_id);

create table plan_action_notes (
  person_id uuid not null,
  id uuid not null default gen_random_uuid(),
  action_id uuid not null,
  note text not null,
  author_user_id uuid references users (id),
  agency_id uuid not null references agencies (id),
  created_at timestamptz not null default now(),
  primary key (person_id, id),
  foreign key (person_id, action_id) references plan_actions (person_id, id)
);

-- The same service for the same person from two agencies within a window.
create table duplicate_services (
  person_id uuid not null references people (id),
  id uuid not null default gen_random_uuid(),
  service_type text not null,
  first_action_id uuid not null,
  second_action_id uuid not null,
  detected_at timestamptz not null default now(),
  status text not null default 'open' check (status in ('open', 'resolved')),
  resolved_by uuid references users (id),
  resolved_at timestamptz,
  resolution text,
  primary key (person_id, id),
  unique (person_id, first_action_id, second_action_id)
);

-- Process templates per cohort and area, versioned: a family of versions shares family_id;
-- only one version of a family is published at a time.
create table process_templates (
  id uuid primary key default gen_random_uuid(),
  family_id uuid not null,
  version integer not null,
  name text not null,
  cohort_id uuid references cohorts (id),
  region_id uuid references regions (id),
  status text not null default 'draft' check (status in ('draft', 'published', 'retired')),
  definition jsonb not null,
  created_by uuid references users (id),
  created_at timestamptz not null default now(),
  published_at timestamptz,
  unique (family_id, version)
);
create unique index process_templates_one_published on process_templates (family_id) where status = 'published';
create index process_templates_cohort on process_templates (cohort_id) where status = 'published';

-- A person's place in a template: its current stage, and every move between stages.
create table person_processes (
  person_id uuid not null references people (id),
  id uuid not null default gen_random_uuid(),
  template_id uuid not null references process_templates (id),
  stage_code text not null,
  stage_entered_at timestamptz not null default now(),
  started_at timestamptz not null default now(),
  ended_at timestamptz,
  end_reason text,
  version integer not null default 1,
  primary key (person_id, id)
);
create index person_processes_template on person_processes (template_id) where ended_at is null;

create table person_stage_moves (
  person_id uuid not null references people (id),
  id uuid not null default gen_random_uuid(),
  process_id uuid not null,
  from_stage text,
  to_stage text not null,
  cause text not null,
  moved_at timestamptz not null default now(),
  primary key (person_id, id)
);

-- Next best actions: every suggestion and every decision on it is kept for later insight.
create table suggestions (
  person_id uuid not null references people (id),
  id uuid not null default gen_random_uuid(),
  suggestion_key text not null,
  kind text not null,
  title text not null,
  reason text not null,
  rank integer not null,
  inputs jsonb not null default '{}',
  rule_version integer not null default 1,
  status text not null default 'open' check (status in ('open', 'accepted', 'dismissed', 'expired')),
  created_at timestamptz not null default now(),
  decided_at timestamptz,
  decided_by uuid references users (id),
  decision_reason text,
  primary key (person_id, id)
);
create unique index suggestions_one_open on suggestions (person_id, suggestion_key) where status = 'open';
