/**
 * Every SQL statement of the ledger, shared by the Postgres and PGlite adapters. All are sent unnamed
 * (no prepared statements), so they also run through Supabase's transaction pooler.
 */

/**
 * Creates the roles Supabase has and plain Postgres or PGlite lack, so the migration files' grants run
 * unchanged everywhere; then the Supabase CLI's migration history table. Idempotent.
 */
export const BOOTSTRAP_SQL = `
do $bootstrap$
declare
  missing_roles constant text :=
    'clipgen needs the roles anon, authenticated and service_role (Supabase has them): create them once as a '
    'superuser, or grant the ledger''s database user CREATEROLE';
begin
  if not exists (select from pg_catalog.pg_roles where rolname = 'anon') then
    begin
      create role anon nologin noinherit;
    -- roles are cluster-wide: a migrator of another database on the same server may have just made it
    exception
      when duplicate_object or unique_violation then null;
      when insufficient_privilege then raise exception using errcode = '42501', message = missing_roles;
    end;
  end if;
  if not exists (select from pg_catalog.pg_roles where rolname = 'authenticated') then
    begin
      create role authenticated nologin noinherit;
    exception
      when duplicate_object or unique_violation then null;
      when insufficient_privilege then raise exception using errcode = '42501', message = missing_roles;
    end;
  end if;
  if not exists (select from pg_catalog.pg_roles where rolname = 'service_role') then
    begin
      create role service_role nologin noinherit bypassrls;
    exception
      when duplicate_object or unique_violation then null;
      -- only a superuser may grant bypassrls; the ledger's own user owns the tables and needs none
      when insufficient_privilege then
        begin
          create role service_role nologin noinherit;
        exception
          when duplicate_object or unique_violation then null;
          when insufficient_privilege then raise exception using errcode = '42501', message = missing_roles;
        end;
    end;
  end if;
end
$bootstrap$;

create schema if not exists supabase_migrations;
create table if not exists supabase_migrations.schema_migrations (
  version text not null primary key,
  statements text[],
  name text
);
`;

/** Serialises migrators on one database for the rest of the transaction (Postgres only). */
export const LOCK_MIGRATIONS = `select pg_advisory_xact_lock(hashtext('clipgen:supabase_migrations'))`;

export const MIGRATION_HISTORY_EXISTS = `
select to_regclass('supabase_migrations.schema_migrations') is not null as exists`;

export const SELECT_APPLIED_VERSIONS = `select version from supabase_migrations.schema_migrations`;

export const SELECT_VERSION_APPLIED = `select 1 as applied from supabase_migrations.schema_migrations where version = $1`;

export const INSERT_APPLIED_VERSION = `
insert into supabase_migrations.schema_migrations (version, name, statements) values ($1, $2, $3)`;

export const ENSURE_JOB = `insert into public.jobs (id) values ($1) on conflict (id) do nothing`;

export const UPSERT_JOB_BUDGET = `
insert into public.jobs (id, budget_usd) values ($1, $2)
on conflict (id) do update set budget_usd = excluded.budget_usd, updated_at = now()`;

export const SELECT_JOB = `select id, budget_usd, total_cost from public.jobs where id = $1 for update`;

/**
 * Inserts the cost once and adds it to the job's total in one statement. A duplicate key inserts nothing,
 * so nothing is added; under READ COMMITTED a concurrent booking for the same job waits for the row lock
 * and adds to the newest total, so no update is lost. Always returns one row: both columns are null when
 * the key was already booked.
 */
export const BOOK_CLIP_COST = `
with inserted as (
  insert into public.clip_costs
    (job_id, clip_index, prediction_id, model, amount_usd, estimate_usd, source, predict_time_s, billing_metric,
     unit_price_usd, prediction_status, price_source, billing_variant)
  values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
  on conflict (job_id, clip_index, prediction_id) do nothing
  returning job_id, amount_usd
), updated as (
  update public.jobs j
  set total_cost = j.total_cost + inserted.amount_usd, updated_at = now()
  from inserted
  where j.id = inserted.job_id
  returning j.total_cost
)
select (select amount_usd from inserted) as amount_usd, (select total_cost from updated) as total_cost`;

/**
 * Read in a statement of its own after a duplicate: its fresh snapshot sees a concurrent booking of the
 * same key that the booking statement's snapshot predates.
 */
export const SELECT_BOOKED_CLIP_COST = `
select c.amount_usd, j.total_cost
from public.clip_costs c
join public.jobs j on j.id = c.job_id
where c.job_id = $1 and c.clip_index = $2 and c.prediction_id = $3`;

const CLIP_COST_COLUMNS = `job_id, clip_index, prediction_id, model, amount_usd, estimate_usd, source, predict_time_s,
       billing_metric, unit_price_usd, billing_variant, prediction_status, price_source, created_at`;

export const LIST_CLIP_COSTS = `
select ${CLIP_COST_COLUMNS}
from public.clip_costs
where job_id = $1
order by clip_index, created_at, prediction_id`;

export const LIST_RECENT_CLIP_COSTS = `
select ${CLIP_COST_COLUMNS}
from public.clip_costs
order by created_at desc, job_id, clip_index, prediction_id
limit $1`;

export const LIST_CLIP_COSTS_BOOKED_SINCE = `
select ${CLIP_COST_COLUMNS}
from public.clip_costs
where created_at >= $1
order by created_at, job_id, clip_index, prediction_id`;

/**
 * Every budget check of a job takes this row lock first, and every booking updates the row, so checks
 * and bookings of one job take turns: no two checks can both spend the same headroom.
 */
export const LOCK_JOB = `select budget_usd, total_cost from public.jobs where id = $1 for update`;

export const SUM_OTHER_RESERVATIONS = `
select coalesce(sum(amount_usd), 0) as reserved_usd, count(*)::integer as clips
from public.budget_reservations
where job_id = $1 and clip_index <> $2`;

export const UPSERT_RESERVATION = `
insert into public.budget_reservations (job_id, clip_index, amount_usd) values ($1, $2, $3)
on conflict (job_id, clip_index) do update set amount_usd = excluded.amount_usd, updated_at = now()`;

export const DELETE_RESERVATION = `
delete from public.budget_reservations where job_id = $1 and clip_index = $2 returning clip_index`;

export const LIST_RESERVATIONS = `
select clip_index, amount_usd, updated_at from public.budget_reservations where job_id = $1 order by clip_index`;

/** Transaction-local, so nothing leaks into a pooled server connection. */
export const SET_LOCAL_STATEMENT_TIMEOUT = `select set_config('statement_timeout', $1, true)`;
