-- src/views.sql
-- What dashboards read: set-returning functions with an explicit as_of and
-- window (for services and history), and views over them that use now() and
-- the nps.* settings (for BI tools).  Every view column is a plain scalar.
--
-- Windows: the current window is (as_of - window_length, as_of]; the
-- previous one, for change tests, is (as_of - 2 * window_length,
-- as_of - window_length].  Responses are placed by answered_at, journey
-- events by occurred_at, service cases by opened_at.
--
-- All functions run with search_path = pg_catalog, pg_temp and qualify every
-- nps object, so they behave the same under any caller search_path.  They
-- are SECURITY INVOKER and the views are security_invoker, so table
-- privileges and row-level security of the caller apply.

-- ============================================================ stage NPS
-- touchpoint_nps and segment_nps are one computation: NPS per touchpoint in
-- journey order, over all responses (touchpoint_nps) or per customer segment
-- (segment_nps).  nps.stage_nps_at does it once for both.
--
-- Fact tables (issue 8): these functions (stage NPS, funnel, detractor
-- queue and reasons) take the relations they read as regclass arguments
-- (response_table, journey_event_table, default nps.response and
-- nps.journey_event; see fact_tables.sql).  Each checks its arguments and
-- those relations first (nps.check_fact_table), then runs its query with
-- EXECUTE ... USING: the relation is put in with format('%s', regclass),
-- which prints it qualified and quoted, and each call is planned for its
-- actual window (a one-shot custom plan: a parallel scan and hash aggregates
-- on a large window, where the generic plan of an SQL function body guessed
-- a small one).  A dynamic query is not bound to its objects like an SQL
-- function body, so it names the extension's objects through the schema
-- recorded in pg_extension (%2$s: by OID, whatever the schema is called
-- now; never a schema found by the name nps), and calls each function with
-- arguments of exactly its types (nps_ci and nps_test with their defaults
-- written out), so an overload added in the schema is never chosen.

CREATE FUNCTION nps.stage_nps_at(
    as_of timestamptz, window_length interval, per_segment boolean,
    response_table regclass DEFAULT 'nps.response'::pg_catalog.regclass)
  RETURNS TABLE (
    segment text,
    journey_id integer, journey text, journey_name text,
    touchpoint_id integer, touchpoint text, touchpoint_name text, stage_order integer,
    window_start timestamptz, window_end timestamptz,
    responses bigint, promoters bigint, passives bigint, detractors bigint,
    nps double precision, margin_95 double precision,
    ci_low double precision, ci_high double precision,
    change_from_previous_stage double precision,
    journey_responses bigint, journey_nps double precision,
    overall_points_lost double precision)
  LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE ROWS 60
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  -- the extension's schema, by OID (whatever it is named now): the query
  -- names the extension's objects through it, never through a schema found by
  -- the name nps (README, Security model)
  nps_schema regnamespace := (SELECT e.extnamespace::pg_catalog.regnamespace
                                FROM pg_catalog.pg_extension e WHERE e.extname = 'nps');
BEGIN
  EXECUTE pg_catalog.format('SELECT %1$s.check_window_length($1), %1$s.check_fact_table($2, ''response''::text)', nps_schema)
    USING window_length, response_table;
  RETURN QUERY EXECUTE pg_catalog.format($q$
  WITH w AS (
    SELECT $1 - %2$s.check_window_length($2) AS lo, $1 AS hi
  ), per_stage AS (     -- segment NULL for all responses when not per segment
    SELECT CASE WHEN $3 THEN r.segment END AS seg, r.touchpoint_id AS tp, %2$s.nps_agg(r.score) AS res
      FROM %1$s r
     WHERE r.answered_at > $4 AND r.answered_at <= $1
     GROUP BY 1, 2
  ), per_journey AS (   -- from the counts, never an average of stage NPS
    SELECT s.seg, t.journey_id AS jid, %2$s.nps_rollup(s.res) AS res
      FROM per_stage s JOIN %2$s.touchpoint t ON t.id = s.tp
     GROUP BY s.seg, t.journey_id
  ), listed AS (        -- every journey once; per segment: the journeys it answered in
    SELECT NULL::text AS seg, j.id AS jid FROM %2$s.journey j WHERE NOT $3
    UNION ALL
    SELECT pj.seg, pj.jid FROM per_journey pj WHERE $3
  ), base AS (
    SELECT l.seg,
           j.id AS jid, j.code AS jcode, j.name AS jname,
           t.id AS tid, t.code AS tcode, t.name AS tname, t.stage_order AS ord,
           w.lo, w.hi,
           coalesce((s.res).responses, 0) AS n,
           coalesce((s.res).promoters, 0)::bigint AS p,
           coalesce((s.res).passives, 0)::bigint AS a,
           coalesce((s.res).detractors, 0)::bigint AS d,
           (s.res).nps AS score,
           (s.res).margin_95 AS margin,
           ci.ci_low, ci.ci_high,
           coalesce((pj.res).responses, 0) AS jn,
           (pj.res).nps AS jscore
      FROM listed l
      JOIN %2$s.journey j ON j.id = l.jid
      JOIN %2$s.touchpoint t ON t.journey_id = j.id
      CROSS JOIN w
      LEFT JOIN per_journey pj ON pj.jid = l.jid AND pj.seg IS NOT DISTINCT FROM l.seg
      LEFT JOIN per_stage s ON s.tp = t.id AND s.seg IS NOT DISTINCT FROM l.seg
      LEFT JOIN LATERAL %2$s.nps_ci(s.res, 0.95::double precision, 'adjusted_wald'::text) ci ON true      -- adjusted Wald
  )
  SELECT seg, jid, jcode, jname, tid, tcode, tname, ord, lo, hi,
         n, p, a, d, score, margin, ci_low, ci_high,
         score - lag(score) OVER (PARTITION BY seg, jid ORDER BY ord),
         jn, jscore,
         CASE WHEN n = 0 THEN CASE WHEN jn > 0 THEN 0::double precision END
              ELSE n::double precision / jn * (jscore - score) END
    FROM base
   ORDER BY seg, jcode, ord
  $q$, response_table, nps_schema)
  USING as_of, window_length, per_segment, as_of - window_length;
END
$fn$;
ALTER FUNCTION nps.stage_nps_at(timestamptz, interval, boolean, regclass) OWNER TO @extowner@;
COMMENT ON FUNCTION nps.stage_nps_at(timestamptz, interval, boolean, regclass) IS
  'internal (behind touchpoint_nps_at and segment_nps_at): NPS per touchpoint in journey order over (as_of - window_length, as_of], over all responses (segment NULL, every journey listed) or per_segment (each segment with the journeys it answered in), with the adjusted-Wald interval, the change from the previous stage and the journey NPS points each stage costs';

CREATE FUNCTION nps.touchpoint_nps_at(
    as_of timestamptz DEFAULT pg_catalog.now(),
    window_length interval DEFAULT nps.setting_window_length(),
    response_table regclass DEFAULT 'nps.response'::pg_catalog.regclass)
  RETURNS TABLE (
    journey_id integer, journey text, journey_name text,
    touchpoint_id integer, touchpoint text, touchpoint_name text, stage_order integer,
    window_start timestamptz, window_end timestamptz,
    responses bigint, promoters bigint, passives bigint, detractors bigint,
    nps double precision, margin_95 double precision,
    ci_low double precision, ci_high double precision,
    change_from_previous_stage double precision,
    journey_responses bigint, journey_nps double precision,
    overall_points_lost double precision)
  LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE ROWS 20
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  -- the extension's schema, by OID (whatever it is named now): the query
  -- names the extension's objects through it, never through a schema found by
  -- the name nps (README, Security model)
  nps_schema regnamespace := (SELECT e.extnamespace::pg_catalog.regnamespace
                                FROM pg_catalog.pg_extension e WHERE e.extname = 'nps');
BEGIN
  EXECUTE pg_catalog.format('SELECT %1$s.check_window_length($1), %1$s.check_fact_table($2, ''response''::text)', nps_schema)
    USING window_length, response_table;
  RETURN QUERY EXECUTE pg_catalog.format($q$
  SELECT s.journey_id, s.journey, s.journey_name,
         s.touchpoint_id, s.touchpoint, s.touchpoint_name, s.stage_order,
         s.window_start, s.window_end,
         s.responses, s.promoters, s.passives, s.detractors,
         s.nps, s.margin_95, s.ci_low, s.ci_high,
         s.change_from_previous_stage,
         s.journey_responses, s.journey_nps, s.overall_points_lost
    FROM %2$s.stage_nps_at($1, $2, false, response_table => $3) s
   ORDER BY s.journey, s.stage_order
  $q$, response_table, nps_schema)
  USING as_of, window_length, response_table;
END
$fn$;
ALTER FUNCTION nps.touchpoint_nps_at(timestamptz, interval, regclass) OWNER TO @extowner@;
COMMENT ON FUNCTION nps.touchpoint_nps_at(timestamptz, interval, regclass) IS
  'NPS per touchpoint in journey order over (as_of - window_length, as_of], with adjusted-Wald interval, change from the previous stage and the points of journey NPS each stage costs; the function behind nps.touchpoint_nps';

CREATE VIEW nps.touchpoint_nps WITH (security_invoker = true) AS
  SELECT * FROM nps.touchpoint_nps_at(pg_catalog.now(), nps.setting_window_length());
COMMENT ON VIEW nps.touchpoint_nps IS
  'NPS per touchpoint in journey order over the last nps.window_length (default 30 days); nps.touchpoint_nps_at(as_of, window_length) for any period';
COMMENT ON COLUMN nps.touchpoint_nps.journey_id IS 'journey id';
COMMENT ON COLUMN nps.touchpoint_nps.journey IS 'journey code';
COMMENT ON COLUMN nps.touchpoint_nps.journey_name IS 'journey display name';
COMMENT ON COLUMN nps.touchpoint_nps.touchpoint_id IS 'touchpoint id';
COMMENT ON COLUMN nps.touchpoint_nps.touchpoint IS 'touchpoint code';
COMMENT ON COLUMN nps.touchpoint_nps.touchpoint_name IS 'touchpoint display name';
COMMENT ON COLUMN nps.touchpoint_nps.stage_order IS 'position of the touchpoint in its journey';
COMMENT ON COLUMN nps.touchpoint_nps.window_start IS 'window start (exclusive): now() - nps.window_length';
COMMENT ON COLUMN nps.touchpoint_nps.window_end IS 'window end (inclusive): now()';
COMMENT ON COLUMN nps.touchpoint_nps.responses IS 'responses at this touchpoint in the window (0 rows are shown with responses 0)';
COMMENT ON COLUMN nps.touchpoint_nps.promoters IS 'responses scoring 9-10';
COMMENT ON COLUMN nps.touchpoint_nps.passives IS 'responses scoring 7-8';
COMMENT ON COLUMN nps.touchpoint_nps.detractors IS 'responses scoring 0-6';
COMMENT ON COLUMN nps.touchpoint_nps.nps IS 'Net Promoter Score, -100..100 (NULL without responses)';
COMMENT ON COLUMN nps.touchpoint_nps.margin_95 IS 'half-width of the 95% Wald interval, in points';
COMMENT ON COLUMN nps.touchpoint_nps.ci_low IS 'lower end of the 95% adjusted-Wald interval (nps_ci), in points';
COMMENT ON COLUMN nps.touchpoint_nps.ci_high IS 'upper end of the 95% adjusted-Wald interval (nps_ci), in points';
COMMENT ON COLUMN nps.touchpoint_nps.change_from_previous_stage IS 'nps minus the nps of the previous stage of the journey (NULL for the first stage or when either has no responses)';
COMMENT ON COLUMN nps.touchpoint_nps.journey_responses IS 'responses at all touchpoints of the journey in the window';
COMMENT ON COLUMN nps.touchpoint_nps.journey_nps IS 'NPS of all responses of the journey in the window (from counts, not an average of stage NPS)';
COMMENT ON COLUMN nps.touchpoint_nps.overall_points_lost IS 'points of journey NPS this stage costs: (responses / journey_responses) * (journey_nps - nps), i.e. how much journey_nps would rise if this stage scored the journey NPS; negative when the stage lifts the journey; sums to 0 over a journey';

CREATE FUNCTION nps.segment_nps_at(
    as_of timestamptz DEFAULT pg_catalog.now(),
    window_length interval DEFAULT nps.setting_window_length(),
    response_table regclass DEFAULT 'nps.response'::pg_catalog.regclass)
  RETURNS TABLE (
    segment text,
    journey_id integer, journey text, journey_name text,
    touchpoint_id integer, touchpoint text, touchpoint_name text, stage_order integer,
    window_start timestamptz, window_end timestamptz,
    responses bigint, promoters bigint, passives bigint, detractors bigint,
    nps double precision, margin_95 double precision,
    ci_low double precision, ci_high double precision,
    change_from_previous_stage double precision,
    journey_responses bigint, journey_nps double precision,
    overall_points_lost double precision)
  LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE ROWS 60
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  -- the extension's schema, by OID (whatever it is named now): the query
  -- names the extension's objects through it, never through a schema found by
  -- the name nps (README, Security model)
  nps_schema regnamespace := (SELECT e.extnamespace::pg_catalog.regnamespace
                                FROM pg_catalog.pg_extension e WHERE e.extname = 'nps');
BEGIN
  EXECUTE pg_catalog.format('SELECT %1$s.check_window_length($1), %1$s.check_fact_table($2, ''response''::text)', nps_schema)
    USING window_length, response_table;
  RETURN QUERY EXECUTE pg_catalog.format($q$
  SELECT s.* FROM %2$s.stage_nps_at($1, $2, true, response_table => $3) s
   ORDER BY s.segment, s.journey, s.stage_order
  $q$, response_table, nps_schema)
  USING as_of, window_length, response_table;
END
$fn$;
ALTER FUNCTION nps.segment_nps_at(timestamptz, interval, regclass) OWNER TO @extowner@;
COMMENT ON FUNCTION nps.segment_nps_at(timestamptz, interval, regclass) IS
  'NPS per customer segment and touchpoint over (as_of - window_length, as_of], for each segment with responses in the journey; the function behind nps.segment_nps';

CREATE VIEW nps.segment_nps WITH (security_invoker = true) AS
  SELECT * FROM nps.segment_nps_at(pg_catalog.now(), nps.setting_window_length());
COMMENT ON VIEW nps.segment_nps IS
  'NPS per segment x touchpoint over the last nps.window_length; every touchpoint of a journey is listed for each segment that answered in that journey (responses 0 where none)';
COMMENT ON COLUMN nps.segment_nps.segment IS 'customer segment (NULL = responses without a segment)';
COMMENT ON COLUMN nps.segment_nps.journey_id IS 'journey id';
COMMENT ON COLUMN nps.segment_nps.journey IS 'journey code';
COMMENT ON COLUMN nps.segment_nps.journey_name IS 'journey display name';
COMMENT ON COLUMN nps.segment_nps.touchpoint_id IS 'touchpoint id';
COMMENT ON COLUMN nps.segment_nps.touchpoint IS 'touchpoint code';
COMMENT ON COLUMN nps.segment_nps.touchpoint_name IS 'touchpoint display name';
COMMENT ON COLUMN nps.segment_nps.stage_order IS 'position of the touchpoint in its journey';
COMMENT ON COLUMN nps.segment_nps.window_start IS 'window start (exclusive): now() - nps.window_length';
COMMENT ON COLUMN nps.segment_nps.window_end IS 'window end (inclusive): now()';
COMMENT ON COLUMN nps.segment_nps.responses IS 'responses of the segment at this touchpoint in the window';
COMMENT ON COLUMN nps.segment_nps.promoters IS 'responses scoring 9-10';
COMMENT ON COLUMN nps.segment_nps.passives IS 'responses scoring 7-8';
COMMENT ON COLUMN nps.segment_nps.detractors IS 'responses scoring 0-6';
COMMENT ON COLUMN nps.segment_nps.nps IS 'Net Promoter Score of the segment at the touchpoint, -100..100 (NULL without responses)';
COMMENT ON COLUMN nps.segment_nps.margin_95 IS 'half-width of the 95% Wald interval, in points';
COMMENT ON COLUMN nps.segment_nps.ci_low IS 'lower end of the 95% adjusted-Wald interval, in points';
COMMENT ON COLUMN nps.segment_nps.ci_high IS 'upper end of the 95% adjusted-Wald interval, in points';
COMMENT ON COLUMN nps.segment_nps.change_from_previous_stage IS 'nps minus the segment''s nps at the previous stage';
COMMENT ON COLUMN nps.segment_nps.journey_responses IS 'responses of the segment at all touchpoints of the journey';
COMMENT ON COLUMN nps.segment_nps.journey_nps IS 'NPS of the segment over the whole journey (from counts)';
COMMENT ON COLUMN nps.segment_nps.overall_points_lost IS 'points of the segment''s journey NPS this stage costs: (responses / journey_responses) * (journey_nps - nps); sums to 0 over a journey';

-- ============================================================ funnel

CREATE FUNCTION nps.journey_funnel_at(
    as_of timestamptz DEFAULT pg_catalog.now(),
    window_length interval DEFAULT nps.setting_window_length(),
    journey_event_table regclass DEFAULT 'nps.journey_event'::pg_catalog.regclass)
  RETURNS TABLE (
    journey_id integer, journey text, journey_name text,
    touchpoint_id integer, touchpoint text, touchpoint_name text, stage_order integer,
    window_start timestamptz, window_end timestamptz,
    customers bigint,
    previous_stage_customers bigint,
    continued_from_previous_stage bigint,
    drop_off bigint,
    conversion_from_previous_stage double precision,
    continued_from_first_stage bigint,
    conversion_from_first_stage double precision,
    median_time_from_previous_stage interval,
    median_hours_from_previous_stage double precision)
  LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE ROWS 20
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  -- the extension's schema, by OID (whatever it is named now): the query
  -- names the extension's objects through it, never through a schema found by
  -- the name nps (README, Security model)
  nps_schema regnamespace := (SELECT e.extnamespace::pg_catalog.regnamespace
                                FROM pg_catalog.pg_extension e WHERE e.extname = 'nps');
  stages integer[];
  by_customer boolean := false;
BEGIN
  EXECUTE pg_catalog.format('SELECT %1$s.check_window_length($1), %1$s.check_fact_table($2, ''journey_event''::text)', nps_schema)
    USING window_length, journey_event_table;
  -- The journeys for funnel_counts: {touchpoint, previous stage, first stage}
  -- per touchpoint, in journey order.
  EXECUTE pg_catalog.format($q$
  SELECT coalesce(pg_catalog.array_agg(ARRAY[s.id, s.prev_id, s.first_id] ORDER BY s.journey_id, s.stage_order),
                             '{}'::integer[])
    FROM (SELECT t.id, t.journey_id, t.stage_order,
                 lag(t.id) OVER j AS prev_id, first_value(t.id) OVER j AS first_id
            FROM %1$s.touchpoint t
          WINDOW j AS (PARTITION BY t.journey_id ORDER BY t.stage_order)) s
  $q$, nps_schema) INTO stages;
  -- One group of events on one node; on Citus, with the events distributed
  -- by customer, a group per customer, so the shards do the per-customer
  -- work (a group they can not split) and return a row per customer and
  -- stage (README, Citus).
  IF pg_catalog.to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL THEN
    EXECUTE $q$
    SELECT pg_catalog.count(*) > 0 FROM pg_catalog.pg_dist_partition p
     WHERE p.logicalrelid = $1 AND p.partmethod = 'h'
       AND pg_catalog.column_to_column_name(p.logicalrelid, p.partkey) = 'customer'
    $q$ INTO by_customer USING journey_event_table;
  END IF;
  RETURN QUERY EXECUTE pg_catalog.format($q$
  -- funnel_counts (funnel.c) reads each event once into a hash table of
  -- customers and journeys (each customer's first time at each stage) and
  -- counts per stage who reached it, continued from the previous stage and
  -- came from the first one, with the median gap: no sort of the events.
  -- Groups of disjoint customers add up; their medians merge exactly only
  -- when each group has at most one gap per stage, as a group per customer
  -- has.  The window's bounds are parameters ($3, $1), so a foreign or
  -- distributed table gets them as constants.
  WITH w AS (
    SELECT $1 - %2$s.check_window_length($2) AS lo, $1 AS hi
  ), st AS (          -- the rows of the stages argument ($4)
    SELECT $4[i][1] AS id, $4[i][2] AS prev_id, $4[i][3] AS first_id
      FROM generate_subscripts($4, 1) AS i
  ), reach AS (
    SELECT s.touchpoint_id AS id,
           sum(s.customers)::bigint AS customers,
           sum(s.continued)::bigint AS continued,
           sum(s.from_first)::bigint AS from_first,
           CASE WHEN count(*) FILTER (WHERE s.continued > 0) <= 1 THEN min(s.median_gap)
                ELSE percentile_cont(0.5) WITHIN GROUP (ORDER BY s.median_gap) FILTER (WHERE s.continued > 0)
           END AS median_gap
      FROM (SELECT %2$s.funnel_counts(e.customer, e.touchpoint_id, e.occurred_at, $4) AS stages
              FROM %1$s e
             WHERE e.occurred_at > $3 AND e.occurred_at <= $1
             GROUP BY %3$s) g
     CROSS JOIN LATERAL unnest(g.stages) AS s
     GROUP BY s.touchpoint_id
  )
  SELECT j.id, j.code, j.name, t.id, t.code, t.name, t.stage_order, w.lo, w.hi,
         coalesce(r.customers, 0),
         CASE WHEN st.prev_id IS NOT NULL THEN coalesce(rp.customers, 0) END,
         CASE WHEN st.prev_id IS NOT NULL THEN coalesce(r.continued, 0) END,
         CASE WHEN st.prev_id IS NOT NULL THEN coalesce(rp.customers, 0) - coalesce(r.continued, 0) END,
         CASE WHEN st.prev_id IS NOT NULL AND rp.customers > 0
              THEN coalesce(r.continued, 0)::double precision / rp.customers END,
         coalesce(r.from_first, 0),
         CASE WHEN rf.customers > 0 THEN coalesce(r.from_first, 0)::double precision / rf.customers END,
         r.median_gap,
         extract(epoch FROM r.median_gap)::double precision / 3600
    FROM %2$s.journey j
    JOIN %2$s.touchpoint t ON t.journey_id = j.id
    JOIN st ON st.id = t.id
    CROSS JOIN w
    LEFT JOIN reach r ON r.id = t.id
    LEFT JOIN reach rp ON rp.id = st.prev_id
    LEFT JOIN reach rf ON rf.id = st.first_id
   ORDER BY j.code, t.stage_order
  $q$, journey_event_table, nps_schema, CASE WHEN by_customer THEN 'e.customer' ELSE '()' END)
  USING as_of, window_length, as_of - window_length, stages;
END
$fn$;
ALTER FUNCTION nps.journey_funnel_at(timestamptz, interval, regclass) OWNER TO @extowner@;
COMMENT ON FUNCTION nps.journey_funnel_at(timestamptz, interval, regclass) IS
  'journey funnel from the journey events (journey_event_table, default nps.journey_event) over (as_of - window_length, as_of]: customers per stage, step and overall conversion, drop-off and median time between stages; the function behind nps.journey_funnel';

CREATE VIEW nps.journey_funnel WITH (security_invoker = true) AS
  SELECT * FROM nps.journey_funnel_at(pg_catalog.now(), nps.setting_window_length());
COMMENT ON VIEW nps.journey_funnel IS
  'journey funnel over the last nps.window_length: a customer counts at a stage if they reached it (nps.journey_event) in the window; they continued from the previous stage if they reached that stage first (times of the first event at each stage)';
COMMENT ON COLUMN nps.journey_funnel.journey_id IS 'journey id';
COMMENT ON COLUMN nps.journey_funnel.journey IS 'journey code';
COMMENT ON COLUMN nps.journey_funnel.journey_name IS 'journey display name';
COMMENT ON COLUMN nps.journey_funnel.touchpoint_id IS 'touchpoint id';
COMMENT ON COLUMN nps.journey_funnel.touchpoint IS 'touchpoint code';
COMMENT ON COLUMN nps.journey_funnel.touchpoint_name IS 'touchpoint display name';
COMMENT ON COLUMN nps.journey_funnel.stage_order IS 'position of the stage in its journey';
COMMENT ON COLUMN nps.journey_funnel.window_start IS 'window start (exclusive): now() - nps.window_length';
COMMENT ON COLUMN nps.journey_funnel.window_end IS 'window end (inclusive): now()';
COMMENT ON COLUMN nps.journey_funnel.customers IS 'distinct customers who reached this stage in the window';
COMMENT ON COLUMN nps.journey_funnel.previous_stage_customers IS 'customers who reached the previous stage (NULL for the first stage)';
COMMENT ON COLUMN nps.journey_funnel.continued_from_previous_stage IS 'customers who reached the previous stage and then (at or after it) this one';
COMMENT ON COLUMN nps.journey_funnel.drop_off IS 'previous_stage_customers - continued_from_previous_stage: customers lost between the previous stage and this one';
COMMENT ON COLUMN nps.journey_funnel.conversion_from_previous_stage IS 'continued_from_previous_stage / previous_stage_customers, 0..1 (NULL for the first stage or no previous customers)';
COMMENT ON COLUMN nps.journey_funnel.continued_from_first_stage IS 'customers who reached the first stage and then this one (for the first stage: its customers)';
COMMENT ON COLUMN nps.journey_funnel.conversion_from_first_stage IS 'continued_from_first_stage / customers of the first stage, 0..1';
COMMENT ON COLUMN nps.journey_funnel.median_time_from_previous_stage IS 'median time from reaching the previous stage to reaching this one, over customers who continued';
COMMENT ON COLUMN nps.journey_funnel.median_hours_from_previous_stage IS 'median_time_from_previous_stage in hours (for charts)';

-- ============================================================ metric status
-- In named parts, each saying one thing:
--   nps.metric_owner_touchpoints()       the touchpoints each assignment covers (ownership.sql)
--   nps.metric_response_results_at(...)  NPS, CSAT and CES results of the
--                                        assignments of response metrics, both windows
--   nps.metric_case_results_at(...)      rate results of the assignments of
--                                        rate metrics (service cases), both windows
--   nps.direction_sign(direction)        +1 when higher is better, -1 when lower (ownership.sql)
--   nps.metric_status_at(...)            statistics per kind (all in C), the
--                                        judgement, and the names to show
-- Response metrics: the responses of both windows are aggregated once per
-- (touchpoint, segment, channel, window), and each assignment merges the
-- groups of its scope with nps_rollup / csat_rollup / ces_rollup (exact:
-- counts are added), so the cost is one scan of the two windows whatever the
-- number of metrics.
--
-- Daily summaries (summary.sql): over the extension's own nps.response, for
-- a caller who may read it and both summary tables whole (table-level SELECT,
-- no row-level security active: owner security filters the caller's rows,
-- the summaries would not), the groups of the summarized days lying wholly
-- inside one window are read from nps.response_day (per day; the rollup
-- merges them exactly the same way), and only the rest of the two windows
-- from nps.response, by ranges of answered_at (the index reads only the
-- edges).  Otherwise, and when no summarized day lies in the windows, the
-- one query over the rows, as before.

CREATE FUNCTION nps.metric_response_results_at(
    as_of timestamptz, window_length interval,
    response_table regclass DEFAULT 'nps.response'::pg_catalog.regclass)
  RETURNS TABLE (
    metric_owner_id integer,
    current_nps nps.nps_result, previous_nps nps.nps_result,
    current_csat nps.csat_result, previous_csat nps.csat_result,
    current_ces nps.ces_result, previous_ces nps.ces_result)
  LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE ROWS 50
  SET search_path = pg_catalog, pg_temp
AS $fn$
-- A query over a relation known only when it runs is planned then, with the
-- actual window (a custom plan: parallel scans, hash aggregation).  Its text
-- names nothing by a name someone else could have given to another object:
-- the relation is printed from its oid (format's %s of a regclass, quoted);
-- the extension's own objects are qualified with the schema the extension
-- lives in now (pg_extension, not the name nps: renamed, a look-alike nps
-- could have taken that name), and each function is called with arguments
-- of exactly its parameter types and no defaulted argument left out, so no
-- overload added to that schema is a better or an equal match.
DECLARE
  ext text := (SELECT pg_catalog.quote_ident(n.nspname)
                 FROM pg_catalog.pg_extension e
                 JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
                WHERE e.extname OPERATOR(pg_catalog.=) 'nps');
  own_response regclass;
  response_day regclass;
  summarized_day regclass;
  days date[];          -- summarized days lying wholly inside one window
  d date;
  edge timestamptz;     -- rows after it are not covered yet
  lo timestamptz[] := '{}';     -- the raw ranges (lo[i], hi[i]]
  hi timestamptz[] := '{}';
  raw_ranges text;
  groups text := $g$
    SELECT r.touchpoint_id AS tp, r.segment AS seg, r.channel AS chan,
           r.answered_at > w.current_start AS is_current,
           %2$s.nps_agg(r.score) AS nps_res,
           %2$s.csat_agg(r.csat, 5, 4) AS csat_res,     -- 1-5, satisfied 4-5
           %2$s.ces_agg(r.ces, 7, 5) AS ces_res         -- 1-7, easy 5-7
      FROM %1$s r, w
     WHERE r.answered_at > $3 AND r.answered_at <= $1
       -- (a column in the EXISTS list: Citus ships this subquery of local
       -- tables to the workers as an intermediate result, and one with no
       -- column is read back without a column definition list, an error)
       AND EXISTS (SELECT mo.id FROM %2$s.metric_owner mo JOIN %2$s.metric m ON m.code = mo.metric
                    WHERE m.metric_kind IN ('nps', 'csat', 'ces'))
     GROUP BY 1, 2, 3, 4$g$;
BEGIN
  -- the window first: a huge negative one is refused (22023) before the
  -- bounds below are computed from it (which would overflow: 22008)
  EXECUTE pg_catalog.format('SELECT %1$s.check_window_length($3), %1$s.check_fact_table($1, $2)', ext)
    USING response_table, 'response'::text, window_length;
  own_response := pg_catalog.to_regclass(ext OPERATOR(pg_catalog.||) '.response');
  response_day := pg_catalog.to_regclass(ext OPERATOR(pg_catalog.||) '.response_day');
  summarized_day := pg_catalog.to_regclass(ext OPERATOR(pg_catalog.||) '.response_summarized_day');
  IF response_table OPERATOR(pg_catalog.=) own_response
     AND pg_catalog.has_table_privilege(own_response, 'SELECT')
     AND pg_catalog.has_table_privilege(response_day, 'SELECT')
     AND pg_catalog.has_table_privilege(summarized_day, 'SELECT')
     AND NOT pg_catalog.row_security_active(own_response)
     AND NOT pg_catalog.row_security_active(response_day)
     AND NOT pg_catalog.row_security_active(summarized_day) THEN
    EXECUTE pg_catalog.format('SELECT %s.check_window_length($1)', ext) USING window_length;
    -- a day [d 00:00, d+1 00:00) UTC lies wholly inside (lo, hi] iff
    -- d 00:00 > lo and d+1 00:00 <= hi
    EXECUTE pg_catalog.format($q$
      SELECT pg_catalog.array_agg(s.day ORDER BY s.day)
        FROM %1$s s, LATERAL (SELECT s.day::timestamp AT TIME ZONE 'UTC',
                                     (s.day + 1)::timestamp AT TIME ZONE 'UTC') AS b(day_start, day_end)
       WHERE s.day >= ($1 AT TIME ZONE 'UTC')::date AND s.day <= ($3 AT TIME ZONE 'UTC')::date
         AND b.day_start > $1 AND b.day_end <= $3
         AND (b.day_start > $2 OR b.day_end <= $2)$q$, summarized_day)
      INTO days
      USING as_of - 2 * window_length, as_of - window_length, as_of;
  END IF;
  IF days IS NOT NULL THEN
    -- the rest of (as_of - 2 * window_length, as_of] as ranges (lo, hi]:
    -- timestamptz counts microseconds, so answered_at < t is
    -- answered_at <= t - 1 microsecond, and answered_at >= t is
    -- answered_at > t - 1 microsecond
    edge := as_of - 2 * window_length;
    FOREACH d IN ARRAY days LOOP
      IF (d::timestamp AT TIME ZONE 'UTC') - interval '1 microsecond' > edge THEN
        lo := pg_catalog.array_append(lo, edge);
        hi := pg_catalog.array_append(hi, (d::timestamp AT TIME ZONE 'UTC') - interval '1 microsecond');
      END IF;
      edge := ((d + 1)::timestamp AT TIME ZONE 'UTC') - interval '1 microsecond';
    END LOOP;
    IF as_of > edge THEN
      lo := pg_catalog.array_append(lo, edge);
      hi := pg_catalog.array_append(hi, as_of);
    END IF;
    raw_ranges := COALESCE(
      (SELECT pg_catalog.string_agg(pg_catalog.format('(r.answered_at > $4[%1$s] AND r.answered_at <= $5[%1$s])', i), ' OR ' ORDER BY i)
         FROM pg_catalog.generate_subscripts(lo, 1) AS g(i)), 'false');
    groups := $g$
    SELECT d.touchpoint_id AS tp, d.segment AS seg, d.channel AS chan,
           (d.day::timestamp AT TIME ZONE 'UTC') > w.current_start AS is_current,
           d.nps AS nps_res, d.csat AS csat_res, d.ces AS ces_res
      FROM %2$s.response_day d, w
     WHERE d.day = ANY ($6)
       AND EXISTS (SELECT mo.id FROM %2$s.metric_owner mo JOIN %2$s.metric m ON m.code = mo.metric
                    WHERE m.metric_kind IN ('nps', 'csat', 'ces'))
    UNION ALL
    SELECT r.touchpoint_id, r.segment, r.channel, r.answered_at > w.current_start,
           %2$s.nps_agg(r.score), %2$s.csat_agg(r.csat, 5, 4), %2$s.ces_agg(r.ces, 7, 5)
      FROM %1$s r, w
     WHERE ($g$ OPERATOR(pg_catalog.||) raw_ranges OPERATOR(pg_catalog.||) $g$)
       AND EXISTS (SELECT mo.id FROM %2$s.metric_owner mo JOIN %2$s.metric m ON m.code = mo.metric
                    WHERE m.metric_kind IN ('nps', 'csat', 'ces'))
     GROUP BY 1, 2, 3, 4$g$;
  END IF;
  RETURN QUERY EXECUTE pg_catalog.format($q$
  WITH w AS (
    SELECT $1 - %2$s.check_window_length($2) AS current_start, $1 - 2 * $2 AS previous_start, $1 AS window_end
  ), groups AS MATERIALIZED (    -- per touchpoint, segment, channel and window (or day)$q$
    OPERATOR(pg_catalog.||) groups OPERATOR(pg_catalog.||) $q$
  ), scoped AS (                 -- the groups in each assignment's scope
    SELECT mt.metric_owner_id, m.metric_kind, g.*
      FROM %2$s.metric_owner_touchpoints() mt
      JOIN %2$s.metric_owner mo ON mo.id = mt.metric_owner_id
      JOIN %2$s.metric m ON m.code = mo.metric
      JOIN groups g ON g.tp = mt.touchpoint_id
     WHERE (m.segment IS NULL OR g.seg = m.segment)
       AND (m.channel IS NULL OR g.chan = m.channel)
  )
  SELECT s.metric_owner_id,
         %2$s.nps_rollup(s.nps_res) FILTER (WHERE s.metric_kind = 'nps' AND s.is_current),
         %2$s.nps_rollup(s.nps_res) FILTER (WHERE s.metric_kind = 'nps' AND NOT s.is_current),
         %2$s.csat_rollup(s.csat_res) FILTER (WHERE s.metric_kind = 'csat' AND s.is_current),
         %2$s.csat_rollup(s.csat_res) FILTER (WHERE s.metric_kind = 'csat' AND NOT s.is_current),
         %2$s.ces_rollup(s.ces_res) FILTER (WHERE s.metric_kind = 'ces' AND s.is_current),
         %2$s.ces_rollup(s.ces_res) FILTER (WHERE s.metric_kind = 'ces' AND NOT s.is_current)
    FROM scoped s
   GROUP BY s.metric_owner_id
  $q$, response_table, ext) USING as_of, window_length, as_of - 2 * window_length, lo, hi, days;
END
$fn$;
ALTER FUNCTION nps.metric_response_results_at(timestamptz, interval, regclass) OWNER TO @extowner@;
COMMENT ON FUNCTION nps.metric_response_results_at(timestamptz, interval, regclass) IS
  'internal (part of metric_status_at): for each assignment of a response metric (metric_kind nps, csat or ces), the result of its kind over the responses of its scope (touchpoints, segment, channel) in the current window (as_of - window_length, as_of] and the previous one before it; the results of other kinds are NULL';

CREATE FUNCTION nps.metric_case_results_at(
    as_of timestamptz, window_length interval,
    service_case_table regclass DEFAULT 'nps.service_case'::pg_catalog.regclass)
  RETURNS TABLE (metric_owner_id integer, current_rate nps.rate_result, previous_rate nps.rate_result)
  LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE ROWS 50
  SET search_path = pg_catalog, pg_temp
AS $fn$
-- A query over a relation known only when it runs is planned then, with the
-- actual window (a custom plan: parallel scans, hash aggregation).  Its text
-- names nothing by a name someone else could have given to another object:
-- the relation is printed from its oid (format's %s of a regclass, quoted);
-- the extension's own objects are qualified with the schema the extension
-- lives in now (pg_extension, not the name nps: renamed, a look-alike nps
-- could have taken that name), and each function is called with arguments
-- of exactly its parameter types and no defaulted argument left out, so no
-- overload added to that schema is a better or an equal match.
DECLARE
  ext text := (SELECT pg_catalog.quote_ident(n.nspname)
                 FROM pg_catalog.pg_extension e
                 JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
                WHERE e.extname OPERATOR(pg_catalog.=) 'nps');
BEGIN
  -- the window first, as in metric_response_results_at
  EXECUTE pg_catalog.format('SELECT %1$s.check_window_length($3), %1$s.check_fact_table($1, $2)', ext)
    USING service_case_table, 'service_case'::text, window_length;
  RETURN QUERY EXECUTE pg_catalog.format($q$
  WITH w AS (
    SELECT $1 - %2$s.check_window_length($2) AS current_start, $1 - 2 * $2 AS previous_start, $1 AS window_end
  ), counted AS (
    SELECT mt.metric_owner_id,
           c.opened_at > w.current_start AS is_current,
           -- what each rate measure counts, with what was known at as_of;
           -- NULL = not counted (yet): see nps.metric.measure
           CASE m.measure
             WHEN 'first_contact_resolution' THEN
               CASE WHEN c.resolved_at <= w.window_end THEN c.contacts = 1 AND NOT c.reopened END
             WHEN 'first_response_within_sla' THEN
               CASE WHEN c.first_response_at <= w.window_end OR c.opened_at + m.sla <= w.window_end
                    THEN coalesce(c.first_response_at <= w.window_end
                                  AND c.first_response_at <= c.opened_at + m.sla, false) END
             WHEN 'resolution_within_sla' THEN
               CASE WHEN c.resolved_at <= w.window_end OR c.opened_at + m.sla <= w.window_end
                    THEN coalesce(c.resolved_at <= w.window_end
                                  AND c.resolved_at <= c.opened_at + m.sla, false) END
             WHEN 'complaint' THEN c.complaint
             WHEN 'reopened' THEN
               CASE WHEN c.resolved_at <= w.window_end THEN c.reopened END
           END AS hit
      FROM %2$s.metric_owner_touchpoints() mt
      JOIN %2$s.metric_owner mo ON mo.id = mt.metric_owner_id
      JOIN %2$s.metric m ON m.code = mo.metric
      JOIN %1$s c ON c.touchpoint_id = mt.touchpoint_id
      CROSS JOIN w
     WHERE m.metric_kind = 'rate'
       AND c.opened_at > $3 AND c.opened_at <= $1
  )
  SELECT x.metric_owner_id,
         %2$s.rate_agg(x.hit) FILTER (WHERE x.is_current),
         %2$s.rate_agg(x.hit) FILTER (WHERE NOT x.is_current)
    FROM counted x
   GROUP BY x.metric_owner_id
  $q$, service_case_table, ext) USING as_of, window_length, as_of - 2 * window_length;
END
$fn$;
ALTER FUNCTION nps.metric_case_results_at(timestamptz, interval, regclass) OWNER TO @extowner@;
COMMENT ON FUNCTION nps.metric_case_results_at(timestamptz, interval, regclass) IS
  'internal (part of metric_status_at): for each assignment of a rate metric, the rate of its measure over the service cases of its touchpoints opened in the current window (as_of - window_length, as_of] and in the previous one before it, each case judged with what was known at as_of';

CREATE FUNCTION nps.metric_status_at(
    as_of timestamptz DEFAULT pg_catalog.now(),
    window_length interval DEFAULT nps.setting_window_length(),
    minimum_responses integer DEFAULT nps.setting_min_responses(),
    response_table regclass DEFAULT 'nps.response'::pg_catalog.regclass,
    service_case_table regclass DEFAULT 'nps.service_case'::pg_catalog.regclass)
  RETURNS TABLE (
    metric_owner_id integer,
    metric text, metric_name text, metric_kind text, direction text, unit text,
    journey_id integer, journey text, journey_name text,
    touchpoint_id integer, touchpoint text, touchpoint_name text,
    owner_id integer, owner_name text, department text, owner_role name,
    window_start timestamptz, window_end timestamptz,
    responses bigint, value double precision, std_error double precision,
    ci_low double precision, ci_high double precision,
    target double precision, alert_line double precision, min_responses integer,
    status text,
    previous_window_responses bigint, previous_window_value double precision,
    change_from_previous_window double precision, change_p_value double precision, change_significant boolean,
    change_q_value double precision)
  LANGUAGE sql STABLE STRICT PARALLEL SAFE ROWS 50
  SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  -- The facts are read by metric_response_results_at (response_table) and
  -- metric_case_results_at (service_case_table), which plan their scans
  -- with the actual window; checked here too (one-time filters at the end)
  -- so that a wrong relation is refused whatever the data.
  WITH w AS (
    SELECT $1 - nps.check_window_length($2) AS current_start, $1 AS window_end,
           nps.check_min_responses($3) AS min_n
  ), results AS (
    SELECT mo.id AS metric_owner_id, rr.current_nps, rr.previous_nps, rr.current_csat,
           rr.previous_csat, rr.current_ces, rr.previous_ces, cr.current_rate, cr.previous_rate
      FROM nps.metric_owner mo
      LEFT JOIN nps.metric_response_results_at($1, $2, response_table => $4) rr ON rr.metric_owner_id = mo.id
      LEFT JOIN nps.metric_case_results_at($1, $2, service_case_table => $5) cr ON cr.metric_owner_id = mo.id
  ), stats AS (
    -- Only the results of the metric's kind are not NULL, so coalesce picks
    -- them; every statistic comes from the C functions of that kind:
    -- nps_ci/nps_test (adjusted Wald), csat_ci/csat_test (Wilson, pooled z),
    -- ces_ci/ces_test (normal, z on the means), rate_result/rate_test.
    SELECT r.metric_owner_id,
           coalesce((r.current_nps).responses, (r.current_csat).responses,
                    (r.current_ces).responses, (r.current_rate).responses, 0) AS responses,
           coalesce((r.current_nps).nps, (r.current_csat).csat,
                    (r.current_ces).mean, (r.current_rate).rate) AS value,
           coalesce((r.current_nps).std_error, (r.current_csat).std_error,
                    (r.current_ces).std_error, (r.current_rate).std_error) AS std_error,
           coalesce(nci.ci_low, cci.ci_low, eci.ci_low, (r.current_rate).ci_low) AS ci_low,
           coalesce(nci.ci_high, cci.ci_high, eci.ci_high, (r.current_rate).ci_high) AS ci_high,
           coalesce((r.previous_nps).responses, (r.previous_csat).responses,
                    (r.previous_ces).responses, (r.previous_rate).responses, 0) AS previous_responses,
           coalesce((r.previous_nps).nps, (r.previous_csat).csat,
                    (r.previous_ces).mean, (r.previous_rate).rate) AS previous_value,
           coalesce(nt.p_value, ct.p_value, et.p_value, rt.p_value) AS change_p_value
      FROM results r
      LEFT JOIN LATERAL nps.nps_ci(r.current_nps) nci ON true
      LEFT JOIN LATERAL nps.csat_ci(r.current_csat) cci ON true
      LEFT JOIN LATERAL nps.ces_ci(r.current_ces) eci ON true
      LEFT JOIN LATERAL nps.nps_test(r.current_nps, r.previous_nps) nt ON true
      LEFT JOIN LATERAL nps.csat_test(r.current_csat, r.previous_csat) ct ON true
      LEFT JOIN LATERAL nps.ces_test(r.current_ces, r.previous_ces) et ON true
      LEFT JOIN LATERAL nps.rate_test(r.current_rate, r.previous_rate) rt ON true
  ), ranked AS (
    -- Benjamini-Hochberg across the metrics of this call: the m p-values
    -- that are not NULL ranked 1..m (ties by metric_owner_id; NULLs last).
    SELECT v.*,
           pg_catalog.row_number() OVER (ORDER BY v.change_p_value, v.metric_owner_id) AS p_rank,
           pg_catalog.count(v.change_p_value) OVER () AS p_m
      FROM stats v
  ), adjusted AS (
    -- q of rank i = min over ranks j >= i of p_(j) m / j, at most 1 (the
    -- window runs from the largest rank down to i; NULL p-values add NULL,
    -- which min ignores)
    SELECT r.*,
           CASE WHEN r.change_p_value IS NOT NULL THEN
             least(1::double precision,
               pg_catalog.min(r.change_p_value * r.p_m / r.p_rank)
                 OVER (ORDER BY r.p_rank DESC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW))
           END AS change_q_value
      FROM ranked r
  )
  SELECT mo.id, m.code, m.name, m.metric_kind, m.direction, m.unit,
         j.id, j.code, j.name, t.id, t.code, t.name,
         o.id, o.name,
         coalesce(o.department, CASE WHEN o.owner_kind = 'department' THEN o.name END),
         o.role_name,
         w.current_start, w.window_end,
         v.responses, v.value, v.std_error, v.ci_low, v.ci_high,
         mo.target, mo.alert_line, coalesce(mo.min_responses, w.min_n),
         -- red: even the better end of the interval is worse than the alert
         -- line; amber: the value is worse than the target
         CASE
           WHEN v.value IS NULL OR v.responses < coalesce(mo.min_responses, w.min_n) THEN 'insufficient'
           WHEN greatest(s.sign * v.ci_low, s.sign * v.ci_high) < s.sign * mo.alert_line THEN 'red'
           WHEN s.sign * v.value < s.sign * mo.target THEN 'amber'
           ELSE 'green'
         END,
         v.previous_responses, v.previous_value,
         v.value - v.previous_value, v.change_p_value, v.change_q_value < nps.setting_change_fdr(),
         v.change_q_value
    FROM nps.metric_owner mo
    JOIN nps.metric m ON m.code = mo.metric
    CROSS JOIN LATERAL (SELECT nps.direction_sign(m.direction) AS sign) s
    JOIN nps.journey j ON j.id = mo.journey_id
    LEFT JOIN nps.touchpoint t ON t.id = mo.touchpoint_id
    JOIN nps.owner o ON o.id = mo.owner_id
    CROSS JOIN w
    JOIN adjusted v ON v.metric_owner_id = mo.id
   WHERE nps.check_fact_table($4, 'response') IS NOT NULL
     AND nps.check_fact_table($5, 'service_case') IS NOT NULL
     AND nps.check_min_responses($3) IS NOT NULL   -- also when every assignment has its own
   ORDER BY j.code, t.stage_order NULLS FIRST, m.code, mo.id;
END;
COMMENT ON FUNCTION nps.metric_status_at(timestamptz, interval, integer, regclass, regclass) IS
  'status of every owned metric (nps.metric_owner) over (as_of - window_length, as_of]: value, 95% interval, red/amber/green/insufficient, and the change from the previous window with its test, over the facts in response_table and service_case_table (default nps.response and nps.service_case); the function behind nps.metric_status';

CREATE VIEW nps.metric_status WITH (security_invoker = true) AS
  SELECT * FROM nps.metric_status_at(pg_catalog.now(), nps.setting_window_length(), nps.setting_min_responses());
COMMENT ON VIEW nps.metric_status IS
  'one row per owned metric (nps.metric_owner) over the last nps.window_length: value, 95% interval, target, alert line, status and the change from the previous window; nps.metric_status_at(as_of, window_length, minimum_responses) for any period';
COMMENT ON COLUMN nps.metric_status.metric_owner_id IS 'nps.metric_owner id';
COMMENT ON COLUMN nps.metric_status.metric IS 'metric code';
COMMENT ON COLUMN nps.metric_status.metric_name IS 'metric display name';
COMMENT ON COLUMN nps.metric_status.metric_kind IS 'nps, csat, ces or rate (nps.metric.metric_kind)';
COMMENT ON COLUMN nps.metric_status.direction IS 'higher or lower: which way is better';
COMMENT ON COLUMN nps.metric_status.unit IS 'unit of value, interval, target and alert line';
COMMENT ON COLUMN nps.metric_status.journey_id IS 'journey id';
COMMENT ON COLUMN nps.metric_status.journey IS 'journey code';
COMMENT ON COLUMN nps.metric_status.journey_name IS 'journey display name';
COMMENT ON COLUMN nps.metric_status.touchpoint_id IS 'touchpoint id; NULL = the metric is owned for the whole journey';
COMMENT ON COLUMN nps.metric_status.touchpoint IS 'touchpoint code; NULL = whole journey';
COMMENT ON COLUMN nps.metric_status.touchpoint_name IS 'touchpoint display name; NULL = whole journey';
COMMENT ON COLUMN nps.metric_status.owner_id IS 'nps.owner id';
COMMENT ON COLUMN nps.metric_status.owner_name IS 'owner display name';
COMMENT ON COLUMN nps.metric_status.department IS 'the owner''s department (the owner itself when it is a department)';
COMMENT ON COLUMN nps.metric_status.owner_role IS 'the owner''s database role, if any';
COMMENT ON COLUMN nps.metric_status.window_start IS 'current window start (exclusive): now() - nps.window_length; the previous window is the same length before it';
COMMENT ON COLUMN nps.metric_status.window_end IS 'current window end (inclusive): now()';
COMMENT ON COLUMN nps.metric_status.responses IS 'responses (response metrics) or cases (rate metrics) counted in the current window';
COMMENT ON COLUMN nps.metric_status.value IS 'metric value in the current window (NPS points, CSAT %, CES mean, rate %)';
COMMENT ON COLUMN nps.metric_status.std_error IS 'standard error of value: std_error of the nps_result, csat_result, ces_result or rate_result';
COMMENT ON COLUMN nps.metric_status.ci_low IS 'lower end of the 95% interval of value (NPS: nps_ci, adjusted Wald; CSAT: csat_ci and rates: rate_result, Wilson; CES: ces_ci, mean - 1.96 SE clamped to the scale, NULL below 2 responses)';
COMMENT ON COLUMN nps.metric_status.ci_high IS 'upper end of the 95% interval of value';
COMMENT ON COLUMN nps.metric_status.target IS 'target; value on the wrong side of it is amber';
COMMENT ON COLUMN nps.metric_status.alert_line IS 'alert line; the whole interval on the wrong side of it is red';
COMMENT ON COLUMN nps.metric_status.min_responses IS 'responses needed before the status is judged (metric_owner.min_responses, else nps.min_responses)';
COMMENT ON COLUMN nps.metric_status.status IS 'insufficient (fewer than min_responses, or no value); red (higher-is-better: ci_high < alert_line; lower-is-better: ci_low > alert_line); amber (value misses target but not red); green';
COMMENT ON COLUMN nps.metric_status.previous_window_responses IS 'responses (cases) in the previous window';
COMMENT ON COLUMN nps.metric_status.previous_window_value IS 'metric value in the previous window';
COMMENT ON COLUMN nps.metric_status.change_from_previous_window IS 'value - previous_window_value (signed, in the metric''s unit)';
COMMENT ON COLUMN nps.metric_status.change_p_value IS 'two-sided p-value of the change (NPS: nps_test, adjusted Wald; CSAT: csat_test and rates: rate_test, pooled two-proportion z; CES: ces_test, z on the means, NULL below 2 responses in either window)';
COMMENT ON COLUMN nps.metric_status.change_significant IS 'the change is significant at the false discovery rate nps.change_fdr (default 1%) across the metrics judged together: change_q_value < nps.change_fdr';
COMMENT ON COLUMN nps.metric_status.change_q_value IS 'Benjamini-Hochberg adjusted change_p_value across the metrics of this as_of (the rows of one metric_status_at call with a p-value): min over ranks j >= i of p_(j) m / j, at most 1';

-- The owner scorecard counts improvement actions too, so it is defined after
-- them, in action.sql.

-- ============================================================ detractor queue

CREATE FUNCTION nps.detractor_queue_at(
    as_of timestamptz DEFAULT pg_catalog.now(),
    followup_sla interval DEFAULT nps.setting_followup_sla(),
    response_table regclass DEFAULT 'nps.response'::pg_catalog.regclass)
  RETURNS TABLE (
    response_id bigint, customer text, answered_at timestamptz, score smallint,
    segment text, channel text,
    journey_id integer, journey text, journey_name text,
    touchpoint_id integer, touchpoint text, touchpoint_name text,
    hours_waiting double precision, due_at timestamptz, overdue boolean,
    owner_names text, owner_roles text,
    comment text, reasons text[])
  LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE ROWS 100
  SET search_path = pg_catalog, pg_temp
  SET jit = off     -- a short index-driven query: compiling it costs more than it saves
AS $fn$
DECLARE
  -- the extension's schema, by OID (whatever it is named now): the query
  -- names the extension's objects through it, never through a schema found by
  -- the name nps (README, Security model)
  nps_schema regnamespace := (SELECT e.extnamespace::pg_catalog.regnamespace
                                FROM pg_catalog.pg_extension e WHERE e.extname = 'nps');
BEGIN
  EXECUTE pg_catalog.format('SELECT %1$s.check_followup_sla($1), %1$s.check_fact_table($2, ''response''::text)', nps_schema)
    USING followup_sla, response_table;
  RETURN QUERY EXECUTE pg_catalog.format($q$
  WITH open AS (
    -- still open now: served by the partial index on open detractors
    SELECT r.* FROM %1$s r
     WHERE r.score <= 6 AND r.followed_up_at IS NULL AND r.answered_at <= $1
    UNION ALL
    -- followed up only after as_of (a queue as of a past time)
    SELECT r.* FROM %1$s r
     WHERE r.score <= 6 AND r.followed_up_at > $1 AND r.answered_at <= $1
  ), own AS (
    -- the owners once per distinct (touchpoint, segment, channel) of the
    -- queue, not once per row: few keys, many detractors
    SELECT k.touchpoint_id, k.segment, k.channel, o.names, o.roles
      FROM (SELECT DISTINCT q.touchpoint_id, q.segment, q.channel FROM open q) k
      LEFT JOIN LATERAL (
        SELECT string_agg(ow.owner_name, ', ' ORDER BY ow.owner_rank) AS names,
               string_agg(ow.owner_role::text, ', ' ORDER BY ow.owner_rank) AS roles
          FROM %2$s.detractor_owners(k.touchpoint_id, k.segment, k.channel) ow
      ) o ON true
  )
  SELECT r.id, r.customer, r.answered_at, r.score, r.segment, r.channel,
         j.id, j.code, j.name, t.id, t.code, t.name,
         extract(epoch FROM $1 - r.answered_at)::double precision / 3600,
         r.answered_at + $2,
         $1 > r.answered_at + $2,
         own.names, own.roles,
         r.comment, r.reasons
    FROM open r
    JOIN %2$s.touchpoint t ON t.id = r.touchpoint_id
    JOIN %2$s.journey j ON j.id = t.journey_id
    -- a NULL segment or channel is a key of its own: IS NULL and coalesce
    -- are plain equalities (a hash or merge join), where IS NOT DISTINCT
    -- FROM would only nest-loop
    LEFT JOIN own ON own.touchpoint_id = r.touchpoint_id
                 AND (own.segment IS NULL) = (r.segment IS NULL)
                 AND coalesce(own.segment, '') = coalesce(r.segment, '')
                 AND (own.channel IS NULL) = (r.channel IS NULL)
                 AND coalesce(own.channel, '') = coalesce(r.channel, '')
   WHERE %2$s.check_followup_sla($2) IS NOT NULL   -- checked once, before any row (a one-time filter)
   ORDER BY r.answered_at, r.id
  $q$, response_table, nps_schema)
  USING as_of, followup_sla;
END
$fn$;
ALTER FUNCTION nps.detractor_queue_at(timestamptz, interval, regclass) OWNER TO @extowner@;
COMMENT ON FUNCTION nps.detractor_queue_at(timestamptz, interval, regclass) IS
  'detractors (score 0-6) answered by as_of and not followed up by as_of, oldest first, with time waiting and SLA; the function behind nps.detractor_queue';

CREATE VIEW nps.detractor_queue WITH (security_invoker = true) AS
  SELECT * FROM nps.detractor_queue_at(pg_catalog.now(), nps.setting_followup_sla());
COMMENT ON VIEW nps.detractor_queue IS
  'detractors (score 0-6) still waiting for a follow-up, oldest first, against the nps.followup_sla (default 48 hours). Close one with UPDATE nps.response SET followed_up_at = now() WHERE id = <response_id>';
COMMENT ON COLUMN nps.detractor_queue.response_id IS 'nps.response id (to UPDATE followed_up_at)';
COMMENT ON COLUMN nps.detractor_queue.customer IS 'customer identifier';
COMMENT ON COLUMN nps.detractor_queue.answered_at IS 'when the detractor answered';
COMMENT ON COLUMN nps.detractor_queue.score IS 'score, 0-6';
COMMENT ON COLUMN nps.detractor_queue.segment IS 'customer segment';
COMMENT ON COLUMN nps.detractor_queue.channel IS 'channel';
COMMENT ON COLUMN nps.detractor_queue.journey_id IS 'journey id';
COMMENT ON COLUMN nps.detractor_queue.journey IS 'journey code';
COMMENT ON COLUMN nps.detractor_queue.journey_name IS 'journey display name';
COMMENT ON COLUMN nps.detractor_queue.touchpoint_id IS 'touchpoint id';
COMMENT ON COLUMN nps.detractor_queue.touchpoint IS 'touchpoint code';
COMMENT ON COLUMN nps.detractor_queue.touchpoint_name IS 'touchpoint display name';
COMMENT ON COLUMN nps.detractor_queue.hours_waiting IS 'hours since the answer';
COMMENT ON COLUMN nps.detractor_queue.due_at IS 'answered_at + nps.followup_sla';
COMMENT ON COLUMN nps.detractor_queue.overdue IS 'true when waiting longer than nps.followup_sla';
COMMENT ON COLUMN nps.detractor_queue.owner_names IS 'owners of NPS metrics covering this response (nps.detractor_owners: touchpoint owners first, then whole-journey owners, by owner id), comma-separated';
COMMENT ON COLUMN nps.detractor_queue.owner_roles IS 'their database roles, comma-separated';
COMMENT ON COLUMN nps.detractor_queue.comment IS 'verbatim comment';
COMMENT ON COLUMN nps.detractor_queue.reasons IS 'reason tags';

-- ============================================================ detractor reasons

CREATE FUNCTION nps.detractor_reasons_at(
    as_of timestamptz DEFAULT pg_catalog.now(),
    window_length interval DEFAULT nps.setting_window_length(),
    response_table regclass DEFAULT 'nps.response'::pg_catalog.regclass)
  RETURNS TABLE (
    scope text,
    journey_id integer, journey text, journey_name text,
    touchpoint_id integer, touchpoint text, touchpoint_name text,
    reason text, rank bigint,
    detractors bigint, share double precision, cumulative_share double precision,
    scope_detractors bigint, detractor_share double precision,
    responses bigint, nps double precision,
    nps_without double precision, points_if_fixed double precision)
  LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE ROWS 100
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  -- the extension's schema, by OID (whatever it is named now): the query
  -- names the extension's objects through it, never through a schema found by
  -- the name nps (README, Security model)
  nps_schema regnamespace := (SELECT e.extnamespace::pg_catalog.regnamespace
                                FROM pg_catalog.pg_extension e WHERE e.extname = 'nps');
BEGIN
  EXECUTE pg_catalog.format('SELECT %1$s.check_window_length($1), %1$s.check_fact_table($2, ''response''::text)', nps_schema)
    USING window_length, response_table;
  RETURN QUERY EXECUTE pg_catalog.format($q$
  WITH g AS MATERIALIZED (  -- the one read of the window: its responses per touchpoint and
    -- list of reasons (few groups: every figure below is derived from them)
    SELECT t.journey_id AS jid, s.tid, s.reasons, s.d, s.n, s.res
      FROM (SELECT r.touchpoint_id AS tid, r.reasons,
                   count(*) FILTER (WHERE r.score <= 6) AS d,
                   count(*) AS n,
                   %2$s.nps_agg(r.score) AS res
              FROM %1$s r
             WHERE r.answered_at > $2 AND r.answered_at <= $1
             GROUP BY r.touchpoint_id, r.reasons) s
      JOIN %2$s.touchpoint t ON t.id = s.tid
  ), tagged AS (        -- one row per group and distinct reason of its list (its first occurrence)
    SELECT g.jid, g.tid, g.d, g.n, g.res, u.reason
      FROM g CROSS JOIN LATERAL unnest(g.reasons) WITH ORDINALITY AS u(reason, i)
     WHERE pg_catalog.array_position(g.reasons, u.reason) = u.i
  ), per_reason AS (    -- exact: counts add, nps_rollup merges the groups' states
    SELECT g.jid, g.tid, GROUPING(g.jid, g.tid) AS lvl, g.reason,
           sum(g.d)::bigint AS d,
           sum(g.n)::bigint AS n,
           (%2$s.nps_rollup(g.res)).nps AS score
      FROM tagged g
     GROUP BY GROUPING SETS ((g.jid, g.tid, g.reason), (g.jid, g.reason), (g.reason))
  ), totals AS (
    SELECT g.jid, g.tid, GROUPING(g.jid, g.tid) AS lvl,
           sum(g.d)::bigint AS d
      FROM g
     GROUP BY GROUPING SETS ((g.jid, g.tid), (g.jid), ())
  ), ranked AS (
    SELECT p.*, tot.d AS scope_d,
           row_number() OVER scope_w AS rk,
           sum(p.d) OVER (PARTITION BY p.lvl, p.jid, p.tid) AS mentions,
           sum(p.d) OVER (scope_w ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum
      FROM per_reason p
      JOIN totals tot ON tot.lvl = p.lvl AND tot.jid IS NOT DISTINCT FROM p.jid
                     AND tot.tid IS NOT DISTINCT FROM p.tid
     WHERE p.d > 0
    WINDOW scope_w AS (PARTITION BY p.lvl, p.jid, p.tid ORDER BY p.d DESC, p.reason)
  ), impact AS (        -- per ranked reason: the scope's responses, and those not citing it
    -- (the groups of the scope merged with nps_rollup: exact, counts add)
    SELECT x.lvl, x.jid, x.tid, x.reason,
           sum((g.res).responses)::bigint AS scope_n,
           (%2$s.nps_rollup(g.res) FILTER (WHERE NOT (x.reason = ANY (g.reasons)))).nps AS without
      FROM ranked x
      JOIN g ON x.lvl = 3 OR (x.lvl = 1 AND g.jid = x.jid) OR (x.lvl = 0 AND g.tid = x.tid)
     GROUP BY x.lvl, x.jid, x.tid, x.reason
  )
  SELECT CASE x.lvl WHEN 0 THEN 'touchpoint' WHEN 1 THEN 'journey' ELSE 'all' END,
         x.jid, j.code, j.name, x.tid, t.code, t.name,
         x.reason, x.rk, x.d,
         x.d::double precision / x.mentions,
         x.cum::double precision / x.mentions,
         x.scope_d,
         x.d::double precision / x.scope_d,
         x.n, x.score,
         i.without,
         x.n::double precision / i.scope_n * (i.without - x.score)
    FROM ranked x
    JOIN impact i ON i.lvl = x.lvl AND i.jid IS NOT DISTINCT FROM x.jid
                 AND i.tid IS NOT DISTINCT FROM x.tid AND i.reason = x.reason
    LEFT JOIN %2$s.journey j ON j.id = x.jid
    LEFT JOIN %2$s.touchpoint t ON t.id = x.tid
   ORDER BY x.lvl DESC, j.code NULLS FIRST, t.stage_order NULLS FIRST, x.rk
  $q$, response_table, nps_schema)
  USING as_of, as_of - window_length;
END
$fn$;
ALTER FUNCTION nps.detractor_reasons_at(timestamptz, interval, regclass) OWNER TO @extowner@;
COMMENT ON FUNCTION nps.detractor_reasons_at(timestamptz, interval, regclass) IS
  'reason tags ranked by the detractors citing them (Pareto) per touchpoint, per journey and over all responses in (as_of - window_length, as_of], with the NPS points each reason costs the scope (nps_without, points_if_fixed); the function behind nps.detractor_reasons';

CREATE VIEW nps.detractor_reasons WITH (security_invoker = true) AS
  SELECT * FROM nps.detractor_reasons_at(pg_catalog.now(), nps.setting_window_length());
COMMENT ON VIEW nps.detractor_reasons IS
  'reasons of detractors over the last nps.window_length, ranked (Pareto) within each scope: all responses, each journey, each touchpoint; only reasons cited by at least one detractor';
COMMENT ON COLUMN nps.detractor_reasons.scope IS 'all (every journey), journey (journey_id set) or touchpoint (touchpoint_id set)';
COMMENT ON COLUMN nps.detractor_reasons.journey_id IS 'journey id (NULL for scope all)';
COMMENT ON COLUMN nps.detractor_reasons.journey IS 'journey code (NULL for scope all)';
COMMENT ON COLUMN nps.detractor_reasons.journey_name IS 'journey display name (NULL for scope all)';
COMMENT ON COLUMN nps.detractor_reasons.touchpoint_id IS 'touchpoint id (scope touchpoint only)';
COMMENT ON COLUMN nps.detractor_reasons.touchpoint IS 'touchpoint code (scope touchpoint only)';
COMMENT ON COLUMN nps.detractor_reasons.touchpoint_name IS 'touchpoint display name (scope touchpoint only)';
COMMENT ON COLUMN nps.detractor_reasons.reason IS 'reason tag';
COMMENT ON COLUMN nps.detractor_reasons.rank IS '1 = cited by most detractors in the scope (ties broken by reason)';
COMMENT ON COLUMN nps.detractor_reasons.detractors IS 'detractor responses citing this reason';
COMMENT ON COLUMN nps.detractor_reasons.share IS 'detractors / all detractor citations of the scope (a response with two reasons counts twice): shares sum to 1 in a scope';
COMMENT ON COLUMN nps.detractor_reasons.cumulative_share IS 'running total of share in rank order (the Pareto curve), reaching 1 at the last reason';
COMMENT ON COLUMN nps.detractor_reasons.scope_detractors IS 'detractor responses in the scope, with or without reasons';
COMMENT ON COLUMN nps.detractor_reasons.detractor_share IS 'detractors / scope_detractors: fraction of the scope''s detractors citing this reason';
COMMENT ON COLUMN nps.detractor_reasons.responses IS 'responses of any score citing this reason in the scope';
COMMENT ON COLUMN nps.detractor_reasons.nps IS 'NPS of the responses citing this reason';
COMMENT ON COLUMN nps.detractor_reasons.nps_without IS 'NPS of the scope''s responses not citing this reason (NULL when every response of the scope cites it)';
COMMENT ON COLUMN nps.detractor_reasons.points_if_fixed IS 'NPS points the scope gains if the responses citing this reason scored like those not citing it: responses / responses of the scope * (nps_without - nps); negative when the reason''s responses score above the others';

-- ============================================================ ownership
-- The views belong to the extension owner, like the tables they read (see
-- journey.sql): it may grant them on (GRANT SELECT ON ALL TABLES IN SCHEMA
-- nps).  They are security_invoker, so a reader also needs SELECT on the
-- tables behind them, and sees only the rows row-level security lets it see.
ALTER VIEW nps.touchpoint_nps OWNER TO @extowner@;
ALTER VIEW nps.segment_nps OWNER TO @extowner@;
ALTER VIEW nps.journey_funnel OWNER TO @extowner@;
ALTER VIEW nps.metric_status OWNER TO @extowner@;
ALTER VIEW nps.detractor_queue OWNER TO @extowner@;
ALTER VIEW nps.detractor_reasons OWNER TO @extowner@;
