-- Dashboards: figures for every team, probation delivery unit, region and the nation, worked
-- out by the worker at most a minute apart, so that a national page reads a few rows instead
-- of counting a quarter of a million people. Rebuilt whole by each refresh (in one transaction,
-- so readers see either the old figures or the new), and so a derived table with no
-- created_at, updated_at or version of its own: dashboard_refreshes says when it was made.
create table dashboard_figures (
  level text not null check (level in ('team', 'pdu', 'region', 'nation')),
  -- The team, delivery unit or region; null for the nation.
  area_id uuid,
  -- Null: everyone in the area; otherwise only the cohort's current members (and, for the
  -- cohort measure, the cohort the figures are about).
  cohort_id uuid,
  -- '4w', '13w' or '52w' for measures over a period; 'now' for snapshots.
  period text not null,
  -- {"measure|key": count, "measure|key|median": median, …}
  figures jsonb not null
);
create index dashboard_figures_area on dashboard_figures (level, area_id, cohort_id, period);

create table dashboard_refreshes (
  id boolean primary key default true check (id),
  refreshed_at timestamptz not null,
  took_ms integer not null,
  figures integer not null
);
