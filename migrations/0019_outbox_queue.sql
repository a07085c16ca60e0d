-- The outbox is a queue: every event is inserted, then updated once when handled, so its
-- pending index fills with dead entries that each drain must step over. Vacuum it after a
-- fixed number of changes rather than a fifth of a table that only grows.
alter table outbox set (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 20000,
  autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 20000);

-- A live My day page asks "what flag events about my people are recent?" several times a
-- second; this answers from the person's own entries, whatever the volume of other events.
create index outbox_flag_changes on outbox (person_id, occurred_at) where event_type like 'flag.%';
