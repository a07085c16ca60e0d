-- Outbound webhooks: partner systems subscribe to Tandem events and receive signed deliveries.

create table webhook_subscriptions (
  id uuid primary key default gen_random_uuid(),
  -- The partner agency the subscription belongs to.
  agency_id uuid not null references agencies (id),
  -- The subscription's own service account of that agency: person_access() judges it exactly
  -- as it judges that agency's API clients, so a delivery names only people the API would show.
  service_user_id uuid not null unique references users (id),
  name text not null,
  url text not null,
  -- Tandem event types, or '{*}' for every type partners may subscribe to.
  event_types text[] not null check (cardinality(event_types) > 0),
  -- Kept retrievable, unlike API tokens (only their hash is kept): signing with HMAC needs the
  -- key itself. Shown once at creation; never logged, listed or shown on any page again.
  secret text not null,
  active boolean not null default true,
  created_by uuid references users (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1
);
create index webhook_subscriptions_active on webhook_subscriptions (agency_id) where active;

create table webhook_deliveries (
  id uuid primary key default gen_random_uuid(),
  subscription_id uuid not null references webhook_subscriptions (id),
  -- Null for a test event sent from the admin page.
  outbox_event_id bigint references outbox (id) on delete set null,
  event_type text not null,
  person_id uuid references people (id),
  -- The body exactly as sent, so every retry and replay sends the same bytes.
  payload jsonb not null,
  -- pending: not yet tried (or replayed); failed: tried, will retry; delivered; dead: gave up.
  status text not null default 'pending' check (status in ('pending', 'delivered', 'failed', 'dead')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  last_status_code integer,
  last_error text,
  delivered_at timestamptz,
  created_at timestamptz not null default now(),
  -- One delivery per event per subscription, however often the outbox redelivers the event.
  unique (subscription_id, outbox_event_id)
);
create index webhook_deliveries_due on webhook_deliveries (next_attempt_at) where status in ('pending', 'failed');
create index webhook_deliveries_log on webhook_deliveries (subscription_id, created_at desc);
