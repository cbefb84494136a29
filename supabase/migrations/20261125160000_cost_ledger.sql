-- The job cost ledger: one row per pipeline job, one row per booked prediction.
-- Runs unchanged on Supabase, plain Postgres and PGlite (the anon/authenticated/service_role roles exist
-- on Supabase; clipgen's migrations runner creates them elsewhere before applying this file).

create table public.jobs (
  id          uuid primary key,
  -- null means no limit
  budget_usd  numeric(12,6) check (budget_usd >= 0),
  total_cost  numeric(12,6) not null default 0 check (total_cost >= 0),
  currency    text not null default 'USD' check (currency ~ '^[A-Z]{3}$'),
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now()
);

create table public.clip_costs (
  job_id          uuid not null references public.jobs (id) on delete cascade,
  clip_index      integer not null check (clip_index >= 0),
  prediction_id   text not null check (prediction_id <> ''),
  model           text not null,
  amount_usd      numeric(12,6) not null check (amount_usd >= 0),
  -- the planner's estimate, kept beside the amount to measure the estimate error
  estimate_usd    numeric(12,6) not null check (estimate_usd >= 0),
  source          text not null check (source in ('actual', 'estimate')),
  predict_time_s  double precision check (predict_time_s >= 0),
  billing_metric  text not null,
  unit_price_usd  numeric(12,6) not null check (unit_price_usd >= 0),
  created_at      timestamptz not null default now(),
  primary key (job_id, clip_index, prediction_id)
);

create index clip_costs_created_at_idx on public.clip_costs (created_at desc);

-- The worker connects as the table owner or service_role; the public API roles get nothing.
alter table public.jobs enable row level security;
alter table public.clip_costs enable row level security;

revoke all on table public.jobs, public.clip_costs from public, anon, authenticated;
grant select, insert, update, delete on table public.jobs, public.clip_costs to service_role;
