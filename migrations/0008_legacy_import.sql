-- Rows taken in by `tandem import`, keyed by the system they came from and the row's own key
-- (its source_ref, or the CRN with the row's natural key), so that importing the same extract
-- again changes nothing. People are keyed in source_records, as every arriving record is;
-- this table keys the other kinds, and remembers a digest of each row so that a row which
-- comes back with different values is reported rather than silently ignored.
-- Keyed by source rather than led by person_id: the key must be unique across people, and it
-- is looked up before the person is known.
create table import_rows (
  source_system text not null,
  kind text not null check (kind in ('sentences', 'appointments', 'contacts', 'registrations')),
  row_key text not null,
  row_hash text not null,
  person_id uuid not null references people (id),
  -- The row created in the kind's own table (sentences.id, appointments.id, ...).
  target_id uuid not null,
  imported_at timestamptz not null default now(),
  primary key (source_system, kind, row_key)
);
create index import_rows_person on import_rows (person_id);
