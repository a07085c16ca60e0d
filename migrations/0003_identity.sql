-- One view of the person: identity across systems, aliases, addresses, needs, and the record
-- of every matching and merging decision, so that each can be explained and undone.

alter table people
  add column accessibility_needs text[] not null default '{}',
  add column communication_needs text,
  -- Set when this record has been merged into another: it stays so that its identifiers,
  -- bookmarks and audit history still lead somewhere, and so that the merge can be undone.
  add column merged_into uuid references people (id);

-- Every identifier any system has given a person. The primary key is the guarantee that one
-- identifier names one person, even when records carrying it arrive at the same moment.
create table person_identifiers (
  type text not null check (type in ('crn', 'noms', 'pnc', 'cro')),
  value text not null,
  person_id uuid not null references people (id),
  source_record_id uuid,
  created_at timestamptz not null default now(),
  primary key (type, value)
);
create index person_identifiers_person on person_identifiers (person_id);

create table person_aliases (
  person_id uuid not null references people (id),
  id uuid not null default gen_random_uuid(),
  first_name text not null,
  last_name text not null,
  date_of_birth date,
  source_record_id uuid,
  created_at timestamptz not null default now(),
  primary key (person_id, id)
);
create index person_aliases_names_trgm on person_aliases using gin ((first_name || ' ' || last_name) gin_trgm_ops);

create table person_addresses (
  person_id uuid not null references people (id),
  id uuid not null default gen_random_uuid(),
  kind text not null check (kind in ('main', 'secondary', 'approved_premises', 'temporary', 'prison', 'no_fixed_abode')),
  line1 text,
  town text,
  postcode text,
  starts_on date not null,
  ends_on date,
  source_record_id uuid,
  created_at timestamptz not null default now(),
  primary key (person_id, id)
);
create index person_addresses_postcode on person_addresses (postcode) where ends_on is null;

-- Assessed needs by resettlement pathway.
create table person_needs (
  person_id uuid not null references people (id),
  id uuid not null default gen_random_uuid(),
  pathway text not null check (pathway in (
    'accommodation', 'education_training_employment', 'health', 'drugs_alcohol',
    'finance_benefit_debt', 'children_families', 'attitudes_thinking_behaviour')),
  level text not null check (level in ('none', 'low', 'medium', 'high')),
  description text not null,
  assessed_on date not null,
  source_system text not null,
  primary key (person_id, id)
);

-- What each system told us about a person, kept as it arrived, with how it was matched.
create table source_records (
  id uuid primary key default gen_random_uuid(),
  person_id uuid references people (id),
  source_system text not null,
  source_ref text not null,
  agency_id uuid references agencies (id),
  crn text,
  noms_number text,
  pnc_number text,
  cro_number text,
  first_name text not null,
  last_name text not null,
  date_of_birth date,
  gender text,
  postcode text,
  received_at timestamptz not null default now(),
  match_outcome text not null check (match_outcome in ('identifier', 'automatic', 'reviewed', 'new', 'pending')),
  match_score numeric,
  unique (source_system, source_ref)
);
create index source_records_person on source_records (person_id);

-- Records whose best match scored in the middle band wait here for a person to decide.
create table match_reviews (
  id uuid primary key default gen_random_uuid(),
  source_record_id uuid not null references source_records (id),
  candidate_person_id uuid not null references people (id),
  score numeric not null,
  explanation jsonb not null,
  status text not null default 'pending' check (status in ('pending', 'same', 'different')),
  decided_by uuid references users (id),
  decided_at timestamptz,
  created_at timestamptz not null default now()
);
create index match_reviews_pending on match_reviews (created_at) where status = 'pending';

-- Each merge records exactly which rows moved, so that unmerging puts every one back.
create table person_merges (
  id uuid primary key default gen_random_uuid(),
  survivor_id uuid not null references people (id),
  merged_id uuid not null references people (id),
  reason text not null,
  moved jsonb not null,
  merged_by uuid references users (id),
  merged_at timestamptz not null default now(),
  unmerged_by uuid references users (id),
  unmerged_at timestamptz
);
create index person_merges_people on person_merges (survivor_id, merged_id);

-- Existing people's identifiers, so that exact matching has one place to look.
insert into person_identifiers (type, value, person_id)
select 'crn', crn, id from people
union all select 'noms', noms_number, id from people where noms_number is not null
union all select 'pnc', pnc_number, id from people where pnc_number is not null
union all select 'cro', cro_number, id from people where cro_number is not null
on conflict do nothing;
