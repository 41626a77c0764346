-- src/upgrade--1.1.sql
-- Changes to objects of nps 1.0 that the upgrade to 1.1 makes: ALTER, CREATE
-- OR REPLACE and DROP of what 1.0 installed, in the words of the new
-- sources (which hold the objects as they are in 1.1).  New areas are not
-- written here: their sources follow this file in the upgrade script (the
-- Makefile's UPGRADE_SOURCES).  The script runs as the bootstrap superuser
-- on behalf of the extension owner, like the install script: qualify
-- everything, bind SQL bodies at creation, give code-running objects to
-- @extowner@.

-- ---------- owner scorecard: counts improvement actions (action.sql) ----------
-- owner_scorecard_at and its view gain open_actions, last_checked_action_id
-- and last_checked_verdict; they read nps.action_effect_at, so since 1.1
-- they are defined in action.sql (after the actions), which follows this file
-- and creates them again.
DROP VIEW nps.owner_scorecard;
DROP FUNCTION nps.owner_scorecard_at(timestamptz, interval, integer);

-- ---------- setting nps.change_fdr (journey.sql, settings.c) ----------
-- The false discovery rate of metric_status's change alarms; its reader is
-- bound into metric_status_at below.
CREATE FUNCTION nps.setting_change_fdr() RETURNS double precision
  AS 'MODULE_PATHNAME', 'nps_setting_change_fdr' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION nps.setting_change_fdr() IS
  'current value of the nps.change_fdr setting (default 0.01): false discovery rate below which a change of metric_status is significant (change_q_value < nps.change_fdr)';

-- ---------- metric status: change_q_value (views.sql) ----------
-- metric_status_at and its view gain change_q_value (Benjamini-Hochberg
-- across the metrics of one call), and change_significant uses it: a new
-- column, so both are dropped and created again as views.sql defines them.
-- They and their parts metric_response_results_at and metric_case_results_at
-- also take the fact tables to read (response_table, service_case_table:
-- fact_tables.sql, issue 8): new signatures, so these are dropped and
-- created again too.
-- What depends on them is created after this file (owner_scorecard_at in
-- action.sql, dropped above; metric_trend_at in trend.sql;
-- record_metric_status in status_record.sql).
DROP VIEW nps.metric_status;
DROP FUNCTION nps.metric_status_at(timestamptz, interval, integer);
DROP FUNCTION nps.metric_response_results_at(timestamptz, interval);
DROP FUNCTION nps.metric_case_results_at(timestamptz, interval);

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
BEGIN
  EXECUTE pg_catalog.format('SELECT %s.check_fact_table($1, $2)', ext) USING response_table, 'response'::text;
  RETURN QUERY EXECUTE pg_catalog.format($q$
  WITH w AS (
    SELECT $1 - %2$s.check_window_length($2) AS current_start, $1 - 2 * $2 AS previous_start, $1 AS window_end
  ), groups AS MATERIALIZED (    -- per touchpoint, segment, channel and window
    SELECT r.touchpoint_id AS tp, r.segment AS seg, r.channel AS chan,
           r.answered_at > w.current_start AS is_current,
           %2$s.nps_agg(r.score) AS nps_res,
           %2$s.csat_agg(r.csat, 5, 4) AS csat_res,     -- 1-5, satisfied 4-5
           %2$s.ces_agg(r.ces, 7, 5) AS ces_res         -- 1-7, easy 5-7
      FROM %1$s r, w
     WHERE r.answered_at > w.previous_start AND r.answered_at <= w.window_end
       AND EXISTS (SELECT FROM %2$s.metric_owner mo JOIN %2$s.metric m ON m.code = mo.metric
                    WHERE m.metric_kind IN ('nps', 'csat', 'ces'))
     GROUP BY 1, 2, 3, 4
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
  $q$, response_table, ext) USING as_of, window_length;
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
  EXECUTE pg_catalog.format('SELECT %s.check_fact_table($1, $2)', ext) USING service_case_table, 'service_case'::text;
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
       AND c.opened_at > w.previous_start AND c.opened_at <= w.window_end
  )
  SELECT x.metric_owner_id,
         %2$s.rate_agg(x.hit) FILTER (WHERE x.is_current),
         %2$s.rate_agg(x.hit) FILTER (WHERE NOT x.is_current)
    FROM counted x
   GROUP BY x.metric_owner_id
  $q$, service_case_table, ext) USING as_of, window_length;
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
ALTER VIEW nps.metric_status OWNER TO @extowner@;

-- ============================================================ owner security (closed_loop.sql)
-- Two more tables under owner security: nps.metric_status_log
-- (status_log.sql, which comes before this file in the upgrade script: the
-- list of tables binds to it) and nps.improvement_action (action.sql, after
-- this file: looked up by name when the list is read; action.sql re-applies
-- the policies when owner security is on).  The list, the check that counts
-- them and the policies, as closed_loop.sql now defines them.

CREATE OR REPLACE FUNCTION nps.owner_security_tables() RETURNS regclass[]
  LANGUAGE sql STABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT ARRAY['nps.response'::regclass, 'nps.journey_event'::regclass, 'nps.service_case'::regclass,
               'nps.metric_owner'::regclass, 'nps.owner'::regclass, 'nps.metric_status_log'::regclass,
               pg_catalog.to_regclass('nps.improvement_action')];
END;
COMMENT ON FUNCTION nps.owner_security_tables() IS
  'internal: the tables owner security puts policies on (response, journey_event, service_case, metric_owner, owner, metric_status_log, improvement_action), in the order they are locked';

CREATE OR REPLACE FUNCTION nps.owner_security_applied() RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT pg_catalog.count(*) FILTER (WHERE c.relrowsecurity) = pg_catalog.cardinality(nps.owner_security_tables())
         AND (SELECT pg_catalog.count(*) FROM pg_catalog.pg_policy p
               WHERE p.polname = 'nps_owner_touchpoints'
                 AND p.polrelid = ANY (nps.owner_security_tables())) = pg_catalog.cardinality(nps.owner_security_tables())
    FROM pg_catalog.pg_class c
   WHERE c.oid = ANY (nps.owner_security_tables());
END;
COMMENT ON FUNCTION nps.owner_security_applied() IS
  'internal: true when every table of nps.owner_security_tables() has row-level security on and its nps_owner_touchpoints policy';

CREATE OR REPLACE FUNCTION nps.set_owner_security(enabled boolean) RETURNS void
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
  SET lock_timeout = '5s'
AS $fn$
-- Puts the policies and the row security flags in the wanted state.  Runs as
-- the extension owner, who owns the tables.  Callers skip it when nothing
-- would change.
--
-- Locking: ACCESS EXCLUSIVE on the tables, which conflicts with every
-- writer, and writers take these tables in many orders (a trigger reads
-- metric_owner after an INSERT locked response; an admin inserts an owner,
-- then a metric_owner row).  So this never waits while it holds any of them:
-- it tries all of them in the fixed order without waiting, and when one is busy
-- it lets go of everything, waits for that one alone, and tries again.  It
-- gives up after 5 s (55P03, like lock_timeout): retry later.
DECLARE
  tbl      regclass;
  busy     regclass;
  waiting  boolean;
  fact     text;
  deadline timestamptz := pg_catalog.clock_timestamp() + interval '5 s';
BEGIN
  LOOP
    BEGIN
      waiting := busy IS NOT NULL;
      IF waiting THEN     -- holding nothing: wait for the busy table (lock_timeout 5 s)
        EXECUTE pg_catalog.format('LOCK TABLE %s IN ACCESS EXCLUSIVE MODE', busy);
        waiting := false;
      END IF;
      FOREACH tbl IN ARRAY nps.owner_security_tables() LOOP
        busy := tbl;
        EXECUTE pg_catalog.format('LOCK TABLE %s IN ACCESS EXCLUSIVE MODE NOWAIT', tbl);
      END LOOP;
      EXIT;               -- all held (the block's subtransaction keeps them)
    EXCEPTION WHEN lock_not_available THEN
      -- the block is rolled back: every lock it took is released
      IF waiting OR pg_catalog.clock_timestamp() > deadline THEN
        RAISE EXCEPTION 'could not lock table % to switch owner security', busy
          USING ERRCODE = 'lock_not_available',
                DETAIL = 'Writers kept it busy for 5 seconds.',
                HINT = 'Try again when fewer transactions write to it.';
      END IF;
    END;
  END LOOP;

  FOR tbl IN SELECT p.polrelid::regclass FROM pg_catalog.pg_policy p
              WHERE p.polname = 'nps_owner_touchpoints'
                AND p.polrelid = ANY (nps.owner_security_tables())
  LOOP
    EXECUTE pg_catalog.format('DROP POLICY nps_owner_touchpoints ON %s', tbl);
  END LOOP;
  IF NOT enabled THEN
    FOREACH tbl IN ARRAY nps.owner_security_tables() LOOP
      EXECUTE pg_catalog.format('ALTER TABLE %s DISABLE ROW LEVEL SECURITY', tbl);
    END LOOP;
    RETURN;
  END IF;

  -- Facts: rows of owned touchpoints.
  FOREACH fact IN ARRAY ARRAY['response', 'journey_event', 'service_case'] LOOP
    EXECUTE pg_catalog.format(
      'CREATE POLICY nps_owner_touchpoints ON nps.%1$I'
      ' USING ((SELECT nps.sees_all_rows())'
      '        OR touchpoint_id IN (SELECT c.touchpoint_id FROM nps.current_role_touchpoints c))'
      ' WITH CHECK ((SELECT nps.sees_all_rows())'
      '        OR touchpoint_id IN (SELECT c.touchpoint_id FROM nps.current_role_touchpoints c))', fact);
    EXECUTE pg_catalog.format(
      'COMMENT ON POLICY nps_owner_touchpoints ON nps.%1$I IS %2$L', fact,
      'nps owner security: a role sees the rows of the touchpoints it owns (nps.current_role_touchpoints); '
      'the extension owner and the roles in nps.unrestricted_role see all');
  END LOOP;

  -- Assignments: those of owned touchpoints and journey-wide ones of owned
  -- journeys (and through them metric_status and owner_scorecard).
  CREATE POLICY nps_owner_touchpoints ON nps.metric_owner
    USING ((SELECT nps.sees_all_rows())
           OR touchpoint_id IN (SELECT c.touchpoint_id FROM nps.current_role_touchpoints c)
           OR (touchpoint_id IS NULL
               AND journey_id IN (SELECT c.journey_id FROM nps.current_role_touchpoints c WHERE c.whole_journey)))
    WITH CHECK ((SELECT nps.sees_all_rows()));
  COMMENT ON POLICY nps_owner_touchpoints ON nps.metric_owner IS
    'nps owner security: a role sees the metric assignments (and so the metric status) of the touchpoints it owns and journey-wide ones of journeys it owns; only the extension owner and the roles in nps.unrestricted_role change them';

  -- Owners (names, e-mails): its own rows and those of the assignments it sees.
  CREATE POLICY nps_owner_touchpoints ON nps.owner
    USING ((SELECT nps.sees_all_rows())
           OR id IN (SELECT mo.owner_id FROM nps.metric_owner mo)
           OR role_name IN (SELECT c.role_name FROM nps.current_role_touchpoints c))
    WITH CHECK ((SELECT nps.sees_all_rows()));
  COMMENT ON POLICY nps_owner_touchpoints ON nps.owner IS
    'nps owner security: a role sees its own owner rows and the owners of the metric assignments it sees; only the extension owner and the roles in nps.unrestricted_role change them';

  -- Status history: the rows of the assignments it sees (the metric_owner
  -- policy above decides which, as the querying role).
  CREATE POLICY nps_owner_touchpoints ON nps.metric_status_log
    USING ((SELECT nps.sees_all_rows())
           OR metric_owner_id IN (SELECT mo.id FROM nps.metric_owner mo))
    WITH CHECK ((SELECT nps.sees_all_rows()));
  COMMENT ON POLICY nps_owner_touchpoints ON nps.metric_status_log IS
    'nps owner security: a role sees the status history of the metric assignments it sees; only the extension owner and the roles in nps.unrestricted_role change it';

  -- Improvement actions: those of the assignments it sees; an owner may
  -- plan and update actions on them.
  CREATE POLICY nps_owner_touchpoints ON nps.improvement_action
    USING ((SELECT nps.sees_all_rows())
           OR metric_owner_id IN (SELECT mo.id FROM nps.metric_owner mo))
    WITH CHECK ((SELECT nps.sees_all_rows())
           OR metric_owner_id IN (SELECT mo.id FROM nps.metric_owner mo));
  COMMENT ON POLICY nps_owner_touchpoints ON nps.improvement_action IS
    'nps owner security: a role sees, plans and updates the improvement actions of the metric assignments it sees';

  FOREACH tbl IN ARRAY nps.owner_security_tables() LOOP
    EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
  END LOOP;
END
$fn$;
ALTER FUNCTION nps.set_owner_security(boolean) OWNER TO @extowner@;
REVOKE EXECUTE ON FUNCTION nps.set_owner_security(boolean) FROM PUBLIC;
COMMENT ON FUNCTION nps.set_owner_security(boolean) IS
  'internal (used by enable/disable_owner_security and after a restore): creates (true) or drops (false) the nps_owner_touchpoints policies and switches row-level security on or off; locks the tables of nps.owner_security_tables() without ever waiting while it holds one of them, giving up after 5 s (55P03)';


-- the status history is user data, listed after the tables of 1.0 (as at the end of closed_loop.sql)
SELECT pg_catalog.pg_extension_config_dump('nps.metric_status_log', '');
SELECT pg_catalog.pg_extension_config_dump('nps.metric_status_log_id_seq', '');

-- ============================================================ stage NPS (issue 8)
-- stage_nps_at, touchpoint_nps_at and segment_nps_at read the responses of
-- the caller's choosing (response_table, default nps.response): a new
-- argument, so the views, then the functions are dropped and created again as
-- views.sql defines them (PL/pgSQL now: the query is planned for each call,
-- with the actual window).
DROP VIEW nps.touchpoint_nps;
DROP VIEW nps.segment_nps;
DROP FUNCTION nps.touchpoint_nps_at(timestamptz, interval);
DROP FUNCTION nps.segment_nps_at(timestamptz, interval);
DROP FUNCTION nps.stage_nps_at(timestamptz, interval, boolean);

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
      FROM %1$s r, w
     WHERE r.answered_at > w.lo AND r.answered_at <= w.hi
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
  USING as_of, window_length, per_segment;
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
ALTER VIEW nps.touchpoint_nps OWNER TO @extowner@;
ALTER VIEW nps.segment_nps OWNER TO @extowner@;

-- ============================================================ journey funnel (issue 8)
-- journey_funnel_at: one sort of the window's events per customer instead of
-- a materialized CTE self-joined twice (the same rows; README, Performance),
-- reading the journey events of the caller's choosing (journey_event_table,
-- default nps.journey_event).  A new argument: the view and the function are
-- dropped and created again as views.sql defines them.
DROP VIEW nps.journey_funnel;
DROP FUNCTION nps.journey_funnel_at(timestamptz, interval);

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
BEGIN
  EXECUTE pg_catalog.format('SELECT %1$s.check_window_length($1), %1$s.check_fact_table($2, ''journey_event''::text)', nps_schema)
    USING window_length, journey_event_table;
  RETURN QUERY EXECUTE pg_catalog.format($q$
  -- One pass over each customer's events: sorted once by customer, journey,
  -- stage and time, DISTINCT ON keeps the customer's first event at each
  -- stage and a window over that same order sees, on the same row, the stage
  -- the customer reached before (lag) and the first stage they reached
  -- (first_value).  The
  -- customer key is compared in the "C" collation: for grouping only
  -- equality matters, and byte order sorts fastest.  The counts per stage are
  -- then a hash aggregate; the median gap is taken from each stage's gaps.
  WITH w AS (
    SELECT $1 - %2$s.check_window_length($2) AS lo, $1 AS hi
  ), st AS (
    SELECT t.id, t.journey_id, t.stage_order,
           lag(t.id) OVER (PARTITION BY t.journey_id ORDER BY t.stage_order) AS prev_id,
           first_value(t.id) OVER (PARTITION BY t.journey_id ORDER BY t.stage_order) AS first_id
      FROM %2$s.touchpoint t
  ), path AS (        -- per customer, in stage order: the stage reached before, and the first one reached
    -- A subquery over the events alone (joined only to the touchpoints) and
    -- partitioned by customer, so a distributed planner runs it where each
    -- customer's events are.
    SELECT ev.id, ev.at,
           lag(ev.id) OVER c AS before_id, lag(ev.at) OVER c AS before_at,
           first_value(ev.id) OVER c AS path_first_id, first_value(ev.at) OVER c AS path_first_at
      FROM (-- the first time each customer reached each stage in the window
            SELECT DISTINCT ON (e.customer COLLATE "C", t.journey_id, t.stage_order)
                   e.customer COLLATE "C" AS customer, t.journey_id, t.stage_order, t.id, e.occurred_at AS at
              FROM %1$s e
              JOIN %2$s.touchpoint t ON t.id = e.touchpoint_id
             WHERE e.occurred_at > $1 - %2$s.check_window_length($2) AND e.occurred_at <= $1
             ORDER BY e.customer COLLATE "C", t.journey_id, t.stage_order, e.occurred_at) ev
    WINDOW c AS (PARTITION BY ev.customer, ev.journey_id ORDER BY ev.stage_order)
  ), per_stage AS (   -- continued: reached the stage before (or the first stage) at or before this one
    SELECT st.id,
           count(*) AS customers,
           count(*) FILTER (WHERE p.before_id = st.prev_id AND p.before_at <= p.at) AS continued,
           array_agg(p.at - p.before_at) FILTER (WHERE p.before_id = st.prev_id AND p.before_at <= p.at) AS gaps,
           count(*) FILTER (WHERE p.path_first_id = st.first_id AND p.path_first_at <= p.at) AS from_first
      FROM path p
      JOIN st ON st.id = p.id
     GROUP BY st.id
  ), reach AS (
    SELECT s.id, s.customers, s.continued, s.from_first,
           (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY g.gap) FROM unnest(s.gaps) AS g(gap)) AS median_gap
      FROM per_stage s
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
  $q$, journey_event_table, nps_schema)
  USING as_of, window_length;
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
ALTER VIEW nps.journey_funnel OWNER TO @extowner@;

-- ============================================================ detractor queue (issue 8)
-- detractor_queue_at reads the responses of the caller's choosing
-- (response_table, default nps.response): a new argument, so the view and
-- the function are dropped and created again as views.sql defines them.
DROP VIEW nps.detractor_queue;
DROP FUNCTION nps.detractor_queue_at(timestamptz, interval);

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
ALTER VIEW nps.detractor_queue OWNER TO @extowner@;

-- ============================================================ detractor reasons
-- 1.1 adds nps_without and points_if_fixed (issue 9) at the end of the
-- function's result and of the view, and the argument response_table (issue
-- 8, default nps.response).  A function's result columns can not
-- change in place: drop the view and the function, and create them again as
-- src/views.sql defines them (same comments, owner and privileges as a fresh
-- install).
DROP VIEW nps.detractor_reasons;
DROP FUNCTION nps.detractor_reasons_at(timestamptz, interval);

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
  WITH w AS (
    SELECT $1 - %2$s.check_window_length($2) AS lo, $1 AS hi
  ), r AS NOT MATERIALIZED (   -- read twice, not stored: each reader aggregates as it scans
    SELECT r.id, r.score, r.reasons, t.journey_id AS jid, r.touchpoint_id AS tid
      FROM %1$s r
      JOIN %2$s.touchpoint t ON t.id = r.touchpoint_id
      CROSS JOIN w
     WHERE r.answered_at > w.lo AND r.answered_at <= w.hi
  ), tagged AS (        -- one row per response and distinct reason (its first occurrence)
    SELECT r.id, r.score, r.jid, r.tid, u.reason
      FROM r CROSS JOIN LATERAL unnest(r.reasons) WITH ORDINALITY AS u(reason, i)
     WHERE r.reasons <> '{}'      -- most responses have none: skip their unnest
       AND pg_catalog.array_position(r.reasons, u.reason) = u.i
  ), per_touchpoint_reason AS (   -- small: the grouping sets roll it up (exact: counts add)
    SELECT g.jid, g.tid, g.reason,
           count(*) FILTER (WHERE g.score <= 6) AS d,
           count(*) AS n,
           %2$s.nps_agg(g.score) AS res
      FROM tagged g
     GROUP BY g.jid, g.tid, g.reason
  ), per_reason AS (
    SELECT g.jid, g.tid, GROUPING(g.jid, g.tid) AS lvl, g.reason,
           sum(g.d)::bigint AS d,
           sum(g.n)::bigint AS n,
           (%2$s.nps_rollup(g.res)).nps AS score
      FROM per_touchpoint_reason g
     GROUP BY GROUPING SETS ((g.jid, g.tid, g.reason), (g.jid, g.reason), (g.reason))
  ), per_touchpoint AS (
    SELECT r.jid, r.tid, count(*) FILTER (WHERE r.score <= 6) AS d
      FROM r
     GROUP BY r.jid, r.tid
  ), totals AS (
    SELECT r.jid, r.tid, GROUPING(r.jid, r.tid) AS lvl,
           sum(r.d)::bigint AS d
      FROM per_touchpoint r
     GROUP BY GROUPING SETS ((r.jid, r.tid), (r.jid), ())
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
  ), per_reasons AS (  -- the window's responses per touchpoint and list of reasons: few groups
    SELECT r.jid, r.tid, r.reasons, %2$s.nps_agg(r.score) AS res
      FROM r
     GROUP BY r.jid, r.tid, r.reasons
  ), impact AS (        -- per ranked reason: the scope's responses, and those not citing it
    -- (the groups of the scope merged with nps_rollup: exact, counts add)
    SELECT x.lvl, x.jid, x.tid, x.reason,
           sum((g.res).responses)::bigint AS scope_n,
           (%2$s.nps_rollup(g.res) FILTER (WHERE NOT (x.reason = ANY (g.reasons)))).nps AS without
      FROM ranked x
      JOIN per_reasons g ON x.lvl = 3 OR (x.lvl = 1 AND g.jid = x.jid) OR (x.lvl = 0 AND g.tid = x.tid)
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
  USING as_of, window_length;
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
ALTER VIEW nps.detractor_reasons OWNER TO @extowner@;
