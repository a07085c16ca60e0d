-- People on probation and what every agency records about them.
-- Every person-scoped table carries person_id and leads its primary key with it, so the
-- schema can be distributed by person (Citus) with related rows co-located.

create table people (
  id uuid primary key default gen_random_uuid(),
  crn text not null unique check (crn ~ '^[A-Z][0-9]{6}$'),
  noms_number text unique check (noms_number ~ '^[A-Z][0-9]{4}[A-Z]{2}$'),
  pnc_number text,
  cro_number text,
  first_name text not null,
  middle_names text,
  last_name text not null,
  date_of_birth date not null,
  gender text not null check (gender in ('male', 'female', 'non_binary', 'not_known')),
  ethnicity text,
  nationality text,
  preferred_language text,
  interpreter_needed boolean not null default false,
  phone text,
  email text,
  region_id uuid references regions (id),
  pdu_id uuid references probation_delivery_units (id),
  lead_agency_id uuid not null references agencies (id),
  lead_team_id uuid references teams (id),
  custody_status text not null default 'community' check (custody_status in (
    'community', 'in_custody', 'released_on_licence', 'unlawfully_at_large', 'order_ended')),
  prison_code text,
  rosh_level text check (rosh_level in ('low', 'medium', 'high', 'very_high')),
  mappa_category smallint check (mappa_category between 1 and 4),
  mappa_level smallint check (mappa_level between 1 and 3),
  tier text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1
);
create index people_lead_team on people (lead_team_id);
create index people_pdu on people (pdu_id);
create index people_pnc on people (pnc_number);
create index people_dob on people (date_of_birth);
create index people_names_trgm on people using gin ((first_name || ' ' || last_name) gin_trgm_ops);

create table cohort_memberships (
  person_id uuid not null references people (id),
  cohort_id uuid not null references cohorts (id),
  started_on date not null,
  ended_on date,
  reason text not null default '',
  review_on date,
  created_at timestamptz not null default now(),
  primary key (person_id, cohort_id, started_on)
);
create index cohort_memberships_cohort on cohort_memberships (cohort_id) where ended_on is null;

create table allocations (
  person_id uuid not null references people (id),
  id uuid not null default gen_random_uuid(),
  user_id uuid not null references users (id),
  team_id uuid references teams (id),
  agency_id uuid not null references agencies (id),
  role text not null,
  is_lead boolean not null default false,
  started_at timestamptz not null default now(),
  ended_at timestamptz,
  handover_note text,
  created_at timestamptz not null default now(),
  primary key (person_id, id)
);
create index allocations_user on allocations (user_id) where ended_at is null;
create unique index allocations_one_lead on allocations (person_id) where is_lead and ended_at is null;

-- Restricted cases (an allow-list) and exclusions (a deny-list) override every other route
-- to a person, as in the national probation case system.
create table case_restrictions (
  person_id uuid not null references people (id),
  user_id uuid not null references users (id),
  kind text not null check (kind in ('allow', 'deny')),
  reason text not null,
  created_by uuid references users (id),
  created_at timestamptz not null default now(),
  primary key (person_id, user_id, kind)
);
create index case_restrictions_user on case_restrictions (user_id);

create table break_glass_grants (
  person_id uuid not null references people (id),
  id uuid not null default gen_random_uuid(),
  user_id uuid not null references users (id),
  reason text not null,
  granted_at timestamptz not null default now(),
  expires_at timestamptz not null,
  reviewed_by uuid references users (id),
  reviewed_at timestamptz,
  review_outcome text check (review_outcome in ('justified', 'not_justified')),
  review_note text,
  primary key (person_id, id)
);
create index break_glass_grants_user on break_glass_grants (user_id, expires_at);
create index break_glass_grants_unreviewed on break_glass_grants (granted_at) where reviewed_at is null;

create table sentences (
  person_id uuid not null references people (id),
  id uuid not null default gen_random_uuid(),
  event_number integer not null,
  sentence_type text not null,
  description text not null,
  offence text not null,
  offence_category text not null,
  court text not null,
  sentenced_on date not null,
  length_days integer,
  expected_release_on date,
  licence_end_on date,
  sentence_end_on date,
  ended_on date,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (person_id, id)
);

create table custody_episodes (
  person_id uuid not null references people (id),
  id uuid not null default gen_random_uuid(),
  prison_code text not null,
  prison_name text not null,
  received_on date not null,
  released_on date,
  release_reason text,
  created_at timestamptz not null default now(),
  primary key (person_id, id)
);

create table licence_conditions (
  person_id uuid not null references people (id),
  id uuid not null default gen_random_uuid(),
  sentence_id uuid not null,
  description text not null,
  starts_on date not null,
  ends_on date,
  primary key (person_id, id)
);

create table registrations (
  person_id uuid not null references people (id),
  id uuid not null default gen_random_uuid(),
  type_code text not null,
  type_description text not null,
  category text not null references data_categories (code),
  level text,
  registered_on date not null,
  next_review_on date,
  deregistered_on date,
  source_system text not null default 'Tandem',
  created_at timestamptz not null default now(),
  primary key (person_id, id)
);

create table appointments (
  person_id uuid not null references people (id),
  id uuid not null default gen_random_uuid(),
  starts_at timestamptz not null,
  ends_at timestamptz not null,
  kind text not null,
  location text not null,
  staff_user_id uuid references users (id),
  agency_id uuid not null references agencies (id),
  outcome text check (outcome in (
    'attended_complied', 'attended_failed_to_comply', 'acceptable_absence',
    'unacceptable_absence', 'rescheduled', 'cancelled')),
  outcome_recorded_at timestamptz,
  notes text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1,
  primary key (person_id, id)
);
create index appointments_staff_day on appointments (staff_user_id, starts_at);

create table contacts (
  person_id uuid not null references people (id),
  id uuid not null default gen_random_uuid(),
  occurred_at timestamptz not null,
  kind text not null,
  summary text not null,
  category text not null references data_categories (code),
  author_user_id uuid references users (id),
  agency_id uuid not null references agencies (id),
  created_at timestamptz not null default now(),
  primary key (person_id, id)
);

-- The person's whole story from every agency and module, one row per thing that happened.
create table timeline_events (
  person_id uuid not null references people (id),
  id bigint generated always as identity,
  occurred_at timestamptz not null,
  kind text not null,
  category text not null,
  agency_id uuid not null references agencies (id),
  source_system text not null,
  title text not null,
  summary text,
  pathway text,
  created_at timestamptz not null default now(),
  primary key (person_id, id)
);
create index timeline_events_person_time on timeline_events (person_id, occurred_at desc, id desc);

-- Restricted cases (an allow-list) and exclusions (a deny-list) override every other route.
create function case_blocked(p_person uuid, p_user uuid) returns boolean
language sql stable as $$
  select exists (select 1 from case_restrictions r where r.person_id = p_person and r.user_id = p_user and r.kind = 'deny')
    or (exists (select 1 from case_restrictions r where r.person_id = p_person and r.kind = 'allow')
        and not exists (select 1 from case_restrictions r where r.person_id = p_person and r.user_id = p_user and r.kind = 'allow'))
$$;

-- The one mechanism that decides what a user may see of a person. Every repository query that
-- returns personal data joins it, so pages, searches, exports and the API agree by construction.
-- Returns no row when the user may not see the person at all.
--   relationship: allocated > team > agreement > break_glass.
--   categories: everything for the person's lead agency; otherwise identity plus what the
--   agreements between the two agencies share (those covering a current cohort of the person,
--   or any agreement in force for break-glass access).
create function person_access(p_person uuid, p_user uuid)
returns table (relationship text, categories text[])
language sql stable as $$
  with actor as (
    select u.id, u.agency_id
    from users u
    where u.id = p_user and u.active
      and (u.kind = 'service' or exists (
        select 1 from user_roles r where r.user_id = u.id
          and r.role in ('practitioner', 'manager', 'partner_worker', 'provider', 'coordinator')))
  ), subject as (
    select p.id, p.lead_agency_id, p.lead_team_id from people p where p.id = p_person
  ), agreements as (
    select a.id,
      exists (
        select 1 from sharing_agreement_cohorts ac
        join cohort_memberships m on m.cohort_id = ac.cohort_id and m.person_id = p_person and m.ended_on is null
        where ac.agreement_id = a.id) as covers_person
    from actor, subject, sharing_agreements a
    where actor.agency_id <> subject.lead_agency_id
      and a.status = 'active'
      and a.starts_on <= (now() at time zone 'Europe/London')::date
      and (a.ends_on is null or a.ends_on >= (now() at time zone 'Europe/London')::date)
      and exists (select 1 from sharing_agreement_agencies x where x.agreement_id = a.id and x.agency_id = actor.agency_id)
      and exists (select 1 from sharing_agreement_agencies x where x.agreement_id = a.id and x.agency_id = subject.lead_agency_id)
  ), relationship as (
    select case
      when exists (select 1 from allocations al where al.person_id = p_person and al.user_id = p_user and al.ended_at is null)
        then 'allocated'
      when exists (select 1 from subject join team_members tm on tm.team_id = subject.lead_team_id and tm.user_id = p_user)
        then 'team'
      when exists (select 1 from agreements where covers_person)
        then 'agreement'
      when exists (select 1 from break_glass_grants g where g.person_id = p_person and g.user_id = p_user and g.expires_at > now())
        then 'break_glass'
    end as kind
  )
  select relationship.kind,
    array(
      select d.code from data_categories d
      where actor.agency_id = subject.lead_agency_id
        or d.code = 'identity'
        or exists (
          select 1 from sharing_agreement_categories c join agreements a on a.id = c.agreement_id
          where c.category = d.code and (a.covers_person or relationship.kind = 'break_glass'))
      order by d.sort)
  from actor, subject, relationship
  where relationship.kind is not null and not case_blocked(p_person, p_user)
$$;
