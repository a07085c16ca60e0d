-- Each change of circumstances adapts a plan once: the row is claimed in the adapting
-- transaction, so a redelivered event finds it and changes nothing more.
create table plan_adaptations (
  person_id uuid not null references people (id),
  cause_ref text not null,
  change text not null,
  applied_at timestamptz not null default now(),
  primary key (person_id, cause_ref)
);
