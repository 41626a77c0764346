-- src/trend.sql
-- Trends (new in 1.1): each owned metric over consecutive buckets (windows)
-- ending at as_of, one row per metric and bucket, for a line chart with an
-- error band.  A bucket is judged exactly as nps.metric_status_at judges a
-- window of that length ending at the bucket's end: the same results (C
-- aggregates and rollups of the metric's kind, never averages of
-- percentages), the same interval and the same status rule, because it IS
-- metric_status_at, called once per bucket.

CREATE FUNCTION nps.check_buckets(buckets integer) RETURNS integer
  AS 'MODULE_PATHNAME', 'nps_check_buckets' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.check_buckets(integer) IS
  'internal: its argument when it is 1..1000 (the number of buckets of a trend); raises 22023 otherwise';

CREATE FUNCTION nps.metric_trend_at(
    as_of timestamptz DEFAULT pg_catalog.now(),
    bucket interval DEFAULT '7 days',
    buckets integer DEFAULT 12,
    minimum_responses integer DEFAULT nps.setting_min_responses(),
    response_table regclass DEFAULT 'nps.response'::pg_catalog.regclass,
    service_case_table regclass DEFAULT 'nps.service_case'::pg_catalog.regclass)
  RETURNS TABLE (
    metric_owner_id integer,
    metric text, metric_name text, metric_kind text, direction text, unit text,
    journey_id integer, journey text, journey_name text,
    touchpoint_id integer, touchpoint text, touchpoint_name text,
    owner_id integer, owner_name text,
    bucket_number integer, window_start timestamptz, window_end timestamptz,
    responses bigint, value double precision, std_error double precision,
    ci_low double precision, ci_high double precision,
    target double precision, alert_line double precision, min_responses integer,
    status text)
  LANGUAGE sql STABLE STRICT PARALLEL SAFE ROWS 600
  SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  -- bucket k of n is (as_of - (n - k + 1) * bucket, as_of - (n - k) * bucket]:
  -- the last one ends at as_of.  metric_status_at lists the assignments in
  -- the same order in every bucket (journey, stage, metric, id): its
  -- ordinality orders the rows, then the bucket.  minimum_responses is
  -- checked here: metric_status_at uses it only for assignments without
  -- their own.  The facts (response_table, service_case_table) are read by
  -- metric_status_at; checked here too (one-time filters) so that a wrong
  -- relation is refused whatever the data.
  SELECT s.metric_owner_id, s.metric, s.metric_name, s.metric_kind, s.direction, s.unit,
         s.journey_id, s.journey, s.journey_name, s.touchpoint_id, s.touchpoint, s.touchpoint_name,
         s.owner_id, s.owner_name,
         b.k, s.window_start, s.window_end,
         s.responses, s.value, s.std_error, s.ci_low, s.ci_high,
         s.target, s.alert_line, s.min_responses, s.status
    FROM pg_catalog.generate_series(1, nps.check_buckets($3)) AS b(k)
    -- (the bucket checked before it is used: a huge negative one would
    -- overflow the bounds, 22008, before metric_status_at refuses it, 22023)
    CROSS JOIN LATERAL nps.metric_status_at($1 - ($3 - b.k) * nps.check_window_length($2), $2, nps.check_min_responses($4),
                                            response_table => $5, service_case_table => $6) WITH ORDINALITY AS s
   WHERE nps.check_fact_table($5, 'response') IS NOT NULL
     AND nps.check_fact_table($6, 'service_case') IS NOT NULL
   ORDER BY s.ordinality, b.k;
END;
COMMENT ON FUNCTION nps.metric_trend_at(timestamptz, interval, integer, integer, regclass, regclass) IS
  'each owned metric (nps.metric_owner) over buckets consecutive windows of length bucket, the last ending at as_of: responses (cases for rates), value, 95% interval and the status each bucket would have had, exactly as nps.metric_status_at(window_end, bucket, minimum_responses, response_table, service_case_table) judges it; one row per metric and bucket, oldest bucket first; the function behind nps.metric_trend';

CREATE VIEW nps.metric_trend WITH (security_invoker = true) AS
  SELECT * FROM nps.metric_trend_at(pg_catalog.now(), '7 days', 12, nps.setting_min_responses());
COMMENT ON VIEW nps.metric_trend IS
  'each owned metric over the last 12 weeks, one row per metric and week (the last week ends now()): value, 95% interval and the status of that week; nps.metric_trend_at(as_of, bucket, buckets, minimum_responses) for other periods';
COMMENT ON COLUMN nps.metric_trend.metric_owner_id IS 'nps.metric_owner id';
COMMENT ON COLUMN nps.metric_trend.metric IS 'metric code';
COMMENT ON COLUMN nps.metric_trend.metric_name IS 'metric display name';
COMMENT ON COLUMN nps.metric_trend.metric_kind IS 'nps, csat, ces or rate (nps.metric.metric_kind)';
COMMENT ON COLUMN nps.metric_trend.direction IS 'higher or lower: which way is better';
COMMENT ON COLUMN nps.metric_trend.unit IS 'unit of value, interval, target and alert line';
COMMENT ON COLUMN nps.metric_trend.journey_id IS 'journey id';
COMMENT ON COLUMN nps.metric_trend.journey IS 'journey code';
COMMENT ON COLUMN nps.metric_trend.journey_name IS 'journey display name';
COMMENT ON COLUMN nps.metric_trend.touchpoint_id IS 'touchpoint id; NULL = the metric is owned for the whole journey';
COMMENT ON COLUMN nps.metric_trend.touchpoint IS 'touchpoint code; NULL = whole journey';
COMMENT ON COLUMN nps.metric_trend.touchpoint_name IS 'touchpoint display name; NULL = whole journey';
COMMENT ON COLUMN nps.metric_trend.owner_id IS 'nps.owner id';
COMMENT ON COLUMN nps.metric_trend.owner_name IS 'owner display name';
COMMENT ON COLUMN nps.metric_trend.bucket_number IS 'position of the bucket, 1 = oldest, 12 = the week ending now()';
COMMENT ON COLUMN nps.metric_trend.window_start IS 'bucket start (exclusive)';
COMMENT ON COLUMN nps.metric_trend.window_end IS 'bucket end (inclusive)';
COMMENT ON COLUMN nps.metric_trend.responses IS 'responses (response metrics) or cases (rate metrics) counted in the bucket';
COMMENT ON COLUMN nps.metric_trend.value IS 'metric value in the bucket (NPS points, CSAT %, CES mean, rate %), from the counts of the bucket';
COMMENT ON COLUMN nps.metric_trend.std_error IS 'standard error of value';
COMMENT ON COLUMN nps.metric_trend.ci_low IS 'lower end of the 95% interval of value (as in nps.metric_status)';
COMMENT ON COLUMN nps.metric_trend.ci_high IS 'upper end of the 95% interval of value';
COMMENT ON COLUMN nps.metric_trend.target IS 'target of the assignment';
COMMENT ON COLUMN nps.metric_trend.alert_line IS 'alert line of the assignment';
COMMENT ON COLUMN nps.metric_trend.min_responses IS 'responses needed before a bucket is judged (metric_owner.min_responses, else nps.min_responses)';
COMMENT ON COLUMN nps.metric_trend.status IS 'the status of the bucket by the rule of nps.metric_status: insufficient, red, amber or green';

ALTER VIEW nps.metric_trend OWNER TO @extowner@;
