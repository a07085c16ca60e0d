-- Scores Tandem calculates for a person (OGRS3, the tier's protect level), kept with everything
-- needed to explain them: the inputs, the settings (the disputed weights), the calculator's
-- version, each term of the result and what caused the calculation. A new row is written only
-- when the inputs or settings change; the row it replaces is kept, marked superseded.
create table person_scores (
  person_id uuid not null references people (id),
  id uuid not null default gen_random_uuid(),
  kind text not null check (kind in ('ogrs3', 'tier')),
  calculator_version integer not null check (calculator_version > 0),
  status text not null check (status in ('calculated', 'not_calculated')),
  inputs jsonb not null,
  settings jsonb not null default '{}',
  -- the result with its terms, or null when an input is missing
  result jsonb,
  -- why it could not be calculated, one plain sentence each
  missing text[] not null default '{}',
  -- headline figure and band, for lists and counts: OGRS3 two-year %, tier protect points
  score numeric,
  band text,
  -- the data categories the inputs reveal: a viewer must be allowed every one of them
  categories text[] not null,
  -- a hash of calculator version, inputs and settings: same fingerprint, same answer
  fingerprint text not null,
  cause text not null,
  cause_event_id bigint,
  computed_at timestamptz not null,
  superseded_at timestamptz,
  created_at timestamptz not null default now(),
  primary key (person_id, id),
  check ((status = 'calculated') = (result is not null))
);
create unique index person_scores_current on person_scores (person_id, kind) where superseded_at is null;
create index person_scores_history on person_scores (person_id, kind, computed_at desc);

-- The disputed OGRS3 weights (risk-scores.md §1.6), chosen by a coordinator or administrator.
create table score_settings (
  kind text primary key check (kind in ('ogrs3')),
  settings jsonb not null,
  version integer not null default 1,
  updated_by uuid references users (id),
  updated_at timestamptz not null default now()
);
insert into score_settings (kind, settings) values
  ('ogrs3', '{"sexualNotAgainstChildWeight": 0.003276327, "femaleUnder16Weights": "negative"}');

-- The fairness view counts flags raised and suggestions made in a period, by rule: with what it
-- reads included, a period's rows come from the index alone.
create index flags_raised on flags (raised_at) include (person_id, rule_code, status);
create index suggestions_made on suggestions (created_at) include (person_id, kind, status);
