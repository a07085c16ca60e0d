-- Inbound HMPPS domain events. Each message is applied exactly once: its key goes into the
-- inbox in the same transaction as its effects, so a redelivery finds it and changes nothing.
create table inbound_messages (
  message_key text primary key,
  event_type text not null,
  occurred_at timestamptz not null,
  person_id uuid references people (id),
  received_at timestamptz not null default now()
);

-- Messages that could not be applied (unknown type, unreadable, no such person), kept whole
-- with the reason until an administrator replays or discards them; never dropped.
create table dead_letters (
  id bigint generated always as identity primary key,
  message_key text not null unique,
  event_type text,
  body text not null,
  reason text not null,
  -- identifiers ('crn:X123456') the message waits for: replayed when a person gains one
  waiting_for text[] not null default '{}',
  received_at timestamptz not null default now(),
  attempts integer not null default 1,
  last_attempt_at timestamptz not null default now(),
  resolved_at timestamptz,
  resolution text check (resolution in ('applied', 'duplicate', 'discarded')),
  resolved_by uuid references users (id)
);
create index dead_letters_open on dead_letters (received_at desc) where resolved_at is null;
create index dead_letters_waiting on dead_letters using gin (waiting_for) where resolved_at is null;

-- When each part of a person's state last changed, by the time upstream says it happened: an
-- older event arriving late still joins the timeline but does not overwrite newer state.
create table person_state_clock (
  person_id uuid not null references people (id),
  aspect text not null,
  occurred_at timestamptz not null,
  primary key (person_id, aspect)
);

-- Registrations keep the upstream id so that updates and deletions find them, and the
-- register's own category code (MAPPA M1 to M4; `category` is the data category).
alter table registrations add column source_ref text;
alter table registrations add column register_category text;
create unique index registrations_source_ref on registrations (person_id, source_system, source_ref)
  where source_ref is not null;

-- Risk scores from other systems (OASys RSR/OSP, manual OGRS3), as they were determined.
create table risk_scores (
  person_id uuid not null references people (id),
  id uuid not null default gen_random_uuid(),
  kind text not null,
  score numeric,
  band text,
  determined_at timestamptz not null,
  source_system text not null,
  created_at timestamptz not null default now(),
  primary key (person_id, id)
);
create index risk_scores_person_kind on risk_scores (person_id, kind, determined_at desc);
