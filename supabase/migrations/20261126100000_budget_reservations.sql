-- Budget reservations: the estimate of each clip that passed its budget check and is not booked yet, so
-- parallel clips of one job see each other's spending before any of it is booked.
-- One row per (job, clip): a clip's second check (a retry, or its fallback branch) replaces its row.

create table public.budget_reservations (
  job_id      uuid not null references public.jobs (id) on delete cascade,
  clip_index  integer not null check (clip_index >= 0),
  amount_usd  numeric(12,6) not null check (amount_usd >= 0),
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  primary key (job_id, clip_index)
);

alter table public.budget_reservations enable row level security;

revoke all on table public.budget_reservations from public, anon, authenticated;
grant select, insert, update, delete on table public.budget_reservations to service_role;

-- What Replicate did with a booked prediction: canceled and failed predictions that ran are billed too.
-- Rows booked before this migration were all of succeeded predictions.
alter table public.clip_costs
  add column prediction_status text not null default 'succeeded'
    check (prediction_status in ('succeeded', 'canceled', 'failed')),
  -- where the unit price came from: 'catalogue:<date checked>' or 'override'
  add column price_source text not null default 'catalogue';
