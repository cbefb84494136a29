-- The billing variant a booking was priced at, beside its unit price: Kling's mode ('standard', 'pro') or Hailuo's
-- resolution ('512p', '768p', '1080p'), the one the prediction's metrics reported, else the plan's.
-- Null for models with a single price, and for rows booked before variants were priced.
alter table public.clip_costs
  add column billing_variant text check (billing_variant <> '');
