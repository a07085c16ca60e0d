-- The outbox is a queue: every event is inserted, then updated once when handled, so its
-- pending index fills with dead entries that each drain must step over. Vacuum it after a
-- fixed number of changes rather than a fifth of a table that only grows.
alter table outbox set (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 20000,
  autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 20000);
