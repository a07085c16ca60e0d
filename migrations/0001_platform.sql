-- Platform: organisations, users and sign-in, sharing agreements, audit and outbox.
-- Forward-only. Runs unchanged on PostgreSQL 15+ and on PGlite.

create extension if not exists pg_trgm;
create extension if not exists fuzzystrmatch;

create table regions (
  id uuid primary key default gen_random_uuid(),
  code text not null unique,
  name text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table probation_delivery_units (
  id uuid primary key default gen_random_uuid(),
  region_id uuid not null references regions (id),
  code text not null unique,
  name text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index probation_delivery_units_region on probation_delivery_units (region_id);

create table agencies (
  id uuid primary key default gen_random_uuid(),
  code text not null unique,
  name text not null,
  kind text not null check (kind in (
    'probation', 'police', 'prison', 'court', 'youth_offending', 'health',
    'local_authority_housing', 'dwp', 'third_sector', 'accommodation_provider')),
  region_id uuid references regions (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1
);

create table teams (
  id uuid primary key default gen_random_uuid(),
  agency_id uuid not null references agencies (id),
  region_id uuid references regions (id),
  pdu_id uuid references probation_delivery_units (id),
  code text not null unique,
  name text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1
);
create index teams_agency on teams (agency_id);

create table users (
  id uuid primary key default gen_random_uuid(),
  agency_id uuid not null references agencies (id),
  -- 'person' signs in with a password or OpenID Connect; 'service' is an API client's account.
  kind text not null default 'person' check (kind in ('person', 'service')),
  email text not null,
  display_name text not null,
  job_title text,
  phone text,
  password_hash text,
  oidc_subject text unique,
  active boolean not null default true,
  contracted_hours numeric(4, 1) not null default 37,
  failed_sign_ins integer not null default 0,
  locked_until timestamptz,
  last_sign_in_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1
);
create unique index users_email on users (lower(email));
create index users_agency on users (agency_id);

create table user_roles (
  user_id uuid not null references users (id) on delete cascade,
  role text not null check (role in (
    'practitioner', 'manager', 'partner_worker', 'provider', 'coordinator',
    'analyst', 'administrator', 'data_protection_officer')),
  primary key (user_id, role)
);

create table team_members (
  team_id uuid not null references teams (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  primary key (team_id, user_id)
);
create index team_members_user on team_members (user_id);

-- Sessions are server-side so that sign-out, idle and absolute timeouts are enforced
-- here rather than trusted to the browser. Only a hash of the cookie's token is kept.
create table user_sessions (
  token_hash text primary key,
  user_id uuid not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  ended_at timestamptz,
  ended_reason text,
  ip text,
  user_agent text
);
create index user_sessions_user on user_sessions (user_id);

create table api_tokens (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  name text not null,
  token_hash text not null unique,
  scopes text[] not null,
  created_by uuid references users (id),
  created_at timestamptz not null default now(),
  expires_at timestamptz,
  revoked_at timestamptz,
  last_used_at timestamptz
);

create table data_categories (
  code text primary key,
  name text not null,
  description text not null,
  sort integer not null
);
insert into data_categories (code, name, description, sort) values
  ('identity', 'Identity', 'Names, identifiers, date of birth, contact details and who is working with the person', 1),
  ('sentence', 'Sentence and custody', 'Orders, sentences, custody, release and licence conditions', 2),
  ('risk', 'Risk', 'Risk of serious harm, MAPPA, registrations and risk scores', 3),
  ('supervision', 'Supervision', 'Appointments, contacts, enforcement and the case plan', 4),
  ('accommodation', 'Accommodation', 'Addresses, housing need, referrals and placements', 5),
  ('employment_finance', 'Employment and finance', 'Education, training, employment, benefits and debt', 6),
  ('family', 'Children and families', 'Children, families and relationships', 7),
  ('health', 'Health', 'Physical and mental health', 8),
  ('substance_misuse', 'Substance misuse', 'Drug and alcohol use and treatment', 9),
  ('police_intelligence', 'Police intelligence', 'Intelligence and incidents recorded by the police', 10),
  ('victim', 'Victim information', 'Information about victims and victim contact', 11);

create table cohorts (
  id uuid primary key default gen_random_uuid(),
  code text not null unique,
  name text not null,
  description text not null default '',
  region_id uuid references regions (id),
  criteria jsonb not null default '{}',
  active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1
);

-- An information sharing agreement: its parties share the listed categories about people
-- in the listed cohorts, between its start and end dates, while it is active.
create table sharing_agreements (
  id uuid primary key default gen_random_uuid(),
  reference text not null unique,
  title text not null,
  purpose text not null,
  lawful_basis text not null,
  starts_on date not null,
  ends_on date,
  status text not null default 'active' check (status in ('active', 'suspended')),
  created_by uuid references users (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1,
  check (ends_on is null or ends_on >= starts_on)
);

create table sharing_agreement_agencies (
  agreement_id uuid not null references sharing_agreements (id) on delete cascade,
  agency_id uuid not null references agencies (id),
  primary key (agreement_id, agency_id)
);
create index sharing_agreement_agencies_agency on sharing_agreement_agencies (agency_id);

create table sharing_agreement_cohorts (
  agreement_id uuid not null references sharing_agreements (id) on delete cascade,
  cohort_id uuid not null references cohorts (id),
  primary key (agreement_id, cohort_id)
);

create table sharing_agreement_categories (
  agreement_id uuid not null references sharing_agreements (id) on delete cascade,
  category text not null references data_categories (code),
  primary key (agreement_id, category)
);

-- The audit log is append-only. Rows are written in the same transaction as the read or
-- change they record; the worker later seals them into a hash chain (seq, prev_hash, hash)
-- in the order it finds them, so that writers never queue behind one global lock.
create table audit_log (
  id bigint generated always as identity primary key,
  occurred_at timestamptz not null default now(),
  actor_user_id uuid references users (id),
  actor_label text not null,
  actor_agency_id uuid references agencies (id),
  action text not null,
  person_ids uuid[] not null default '{}',
  categories text[] not null default '{}',
  route text not null,
  purpose text not null,
  relationship text,
  detail jsonb,
  request_id text,
  seq bigint unique,
  prev_hash text,
  hash text
);
create index audit_log_people on audit_log using gin (person_ids);
create index audit_log_actor on audit_log (actor_user_id, occurred_at desc);
create index audit_log_unsealed on audit_log (id) where seq is null;

create function audit_log_append_only() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' then
    raise exception 'audit_log is append-only';
  end if;
  -- The only update allowed is sealing an unsealed row, leaving its content untouched.
  if old.seq is not null or new.seq is null or new.hash is null
     or (to_jsonb(new) - array['seq', 'prev_hash', 'hash']) <> (to_jsonb(old) - array['seq', 'prev_hash', 'hash']) then
    raise exception 'audit_log is append-only';
  end if;
  return new;
end
$$;
create trigger audit_log_append_only before update or delete on audit_log
  for each row execute function audit_log_append_only();

-- Domain events written in the same transaction as the change that causes them.
create table outbox (
  id bigint generated always as identity primary key,
  event_type text not null,
  person_id uuid,
  payload jsonb not null default '{}',
  occurred_at timestamptz not null default now(),
  available_at timestamptz not null default now(),
  attempts integer not null default 0,
  last_error text,
  processed_at timestamptz,
  failed_at timestamptz
);
create index outbox_pending on outbox (available_at, id) where processed_at is null and failed_at is null;

-- One row per (event, subscriber) once that subscriber's effects are committed, so a retry
-- after a partial failure re-runs only the subscribers that have not yet succeeded.
create table outbox_deliveries (
  event_id bigint not null references outbox (id) on delete cascade,
  subscriber text not null,
  delivered_at timestamptz not null default now(),
  primary key (event_id, subscriber)
);
