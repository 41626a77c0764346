-- src/funnel.sql
-- The journey funnel's per-customer pass (funnel.c): the composite type
-- funnel_stage and the aggregate funnel_counts, one pass over a group of
-- journey events with a hash table of customers (no sort); journey_funnel_at
-- (views.sql) is built on it.

CREATE TYPE nps.funnel_stage AS (
  touchpoint_id integer,
  customers     bigint,
  continued     bigint,
  from_first    bigint,
  median_gap    interval
);
COMMENT ON TYPE nps.funnel_stage IS
  'a stage of a journey funnel over a group of journey events (an element of funnel_counts''s result)';
COMMENT ON COLUMN nps.funnel_stage.touchpoint_id IS 'the stage''s touchpoint';
COMMENT ON COLUMN nps.funnel_stage.customers IS 'customers who reached the stage (their first event there is its time)';
COMMENT ON COLUMN nps.funnel_stage.continued IS 'of those, customers who reached the previous stage too, at or before (0 for a first stage)';
COMMENT ON COLUMN nps.funnel_stage.from_first IS 'of those, customers who reached the journey''s first stage, at or before (all of them at the first stage)';
COMMENT ON COLUMN nps.funnel_stage.median_gap IS 'median time from the previous stage of the customers who continued (percentile_cont(0.5) of their gaps; NULL for none)';

CREATE FUNCTION nps.funnel_counts_trans(internal, text, integer, timestamptz, integer[])
  RETURNS internal
  AS 'MODULE_PATHNAME', 'nps_funnel_counts_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION nps.funnel_counts_trans(internal, text, integer, timestamptz, integer[]) IS
  'transition function of funnel_counts';

CREATE FUNCTION nps.funnel_counts_final(internal)
  RETURNS nps.funnel_stage[]
  AS 'MODULE_PATHNAME', 'nps_funnel_counts_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION nps.funnel_counts_final(internal) IS
  'final function of funnel_counts';

CREATE AGGREGATE nps.funnel_counts(customer text, touchpoint_id integer, occurred_at timestamptz, stages integer[]) (
  SFUNC = nps.funnel_counts_trans, STYPE = internal,
  FINALFUNC = nps.funnel_counts_final, FINALFUNC_MODIFY = READ_ONLY,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps.funnel_counts(text, integer, timestamptz, integer[]) IS
  'journey funnel of a group of journey events: one nps.funnel_stage per row of stages (a two-dimensional array, one row {touchpoint_id, previous_touchpoint_id or NULL, first_touchpoint_id} per stage, read from the first row); a customer reaches a stage at their first event there; counts of groups with disjoint customers add up';
