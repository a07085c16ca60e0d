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

-- Access: who may see a person, and what. See docs/SECURITY.md.
-- The functions are plain SQL so that PostgreSQL inlines them into each query; the parts that
-- depend only on the user are written as scalar subqueries, which run once per query.

-- Restricted cases (an allow-list) and exclusions (a deny-list) override every other route.
create function case_blocked(p_person uuid, p_user uuid) returns boolean
language sql stable as $$
  select exists (select 1 from case_restrictions r where r.person_id = p_person and r.user_id = p_user and r.kind = 'deny')
    or (exists (select 1 from case_restrictions r where r.person_id = p_person and r.kind = 'allow')
        and not exists (select 1 from case_restrictions r where r.person_id = p_person and r.user_id = p_user and r.kind = 'allow'))
$$;

-- The agency a user works with people for: null unless active and in a casework role (or an
-- API client's service account). Analysts, administrators and DPOs reach no one this way.
create function casework_agency(p_user uuid) returns uuid
language sql stable as $$
  select u.agency_id from users u
  where u.id = p_user and u.active
    and (u.kind = 'service' or exists (
      select 1 from user_roles r where r.user_id = u.id
        and r.role in ('practitioner', 'manager', 'partner_worker', 'provider', 'coordinator')))
$$;

create function agreement_in_force(a sharing_agreements) returns boolean
language sql stable as $$
  select a.status = 'active'
    and a.starts_on <= (now() at time zone 'Europe/London')::date
    and (a.ends_on is null or a.ends_on >= (now() at time zone 'Europe/London')::date)
$$;

-- Every (lead agency, cohort) pair that agreements in force share with the user's agency,
-- as 'agency/cohort' keys: computed once per query, then probed per person.
create function agreement_coverage(p_user uuid) returns text[]
language sql stable as $$
  select coalesce(array_agg(distinct theirs.agency_id::text || '/' || ac.cohort_id::text), '{}')
  from sharing_agreement_agencies mine
  join sharing_agreements a on a.id = mine.agreement_id and agreement_in_force(a)
  join sharing_agreement_agencies theirs on theirs.agreement_id = a.id and theirs.agency_id <> mine.agency_id
  join sharing_agreement_cohorts ac on ac.agreement_id = a.id
  where mine.agency_id = casework_agency(p_user)
$$;

-- The one mechanism that decides what a user may see of a person. Every repository query that
-- returns personal data joins it, so pages, searches, exports and the API agree by construction.
-- Returns no row when the user may not see the person at all.
--   relationship: allocated > team > agreement > break_glass.
--   categories: everything for the person's lead agency; otherwise identity plus what the
--   agreements in force between the two agencies share (those covering a current cohort of
--   the person, or any such agreement for break-glass access).
create function person_access(p_person people, p_user uuid)
returns table (relationship text, categories text[])
language sql stable as $$
  select r.kind,
    array(
      select d.code from data_categories d
      where p_person.lead_agency_id = (select casework_agency(p_user))
        or d.code = 'identity'
        or d.code in (
          select c.category
          from sharing_agreement_agencies mine
          join sharing_agreements a on a.id = mine.agreement_id and agreement_in_force(a)
          join sharing_agreement_agencies theirs on theirs.agreement_id = a.id and theirs.agency_id = p_person.lead_agency_id
          join sharing_agreement_categories c on c.agreement_id = a.id
          where mine.agency_id = (select casework_agency(p_user))
            and (r.kind = 'break_glass' or exists (
              select 1 from sharing_agreement_cohorts ac
              join cohort_memberships m on m.cohort_id = ac.cohort_id and m.person_id = p_person.id and m.ended_on is null
              where ac.agreement_id = a.id)))
      order by d.sort)
  from (select case
      when exists (select 1 from allocations al where al.person_id = p_person.id and al.user_id = p_user and al.ended_at is null)
        then 'allocated'
      when exists (select 1 from team_members tm where tm.team_id = p_person.lead_team_id and tm.user_id = p_user)
        then 'team'
      when p_person.lead_agency_id <> (select casework_agency(p_user)) and exists (
          select 1 from cohort_memberships m
          where m.person_id = p_person.id and m.ended_on is null
            and p_person.lead_agency_id::text || '/' || m.cohort_id::text = any ((select agreement_coverage(p_user))::text[]))
        then 'agreement'
      when exists (select 1 from break_glass_grants g where g.person_id = p_person.id and g.user_id = p_user and g.expires_at > now())
        then 'break_glass'
    end as kind) r
  where r.kind is not null
    and (select casework_agency(p_user)) is not null
    and not case_blocked(p_person.id, p_user)
$$;
