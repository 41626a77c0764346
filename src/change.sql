-- src/change.sql
-- Why a journey's NPS moved between the previous window and the current one:
-- nps.nps_change_at (and the view nps.nps_change) split each journey's NPS
-- change into the part of each touchpoint, segment or channel, with the
-- window function nps.nps_contribution (attribution.sql) over the journey.
--
-- Windows as in views.sql: current (as_of - window_length, as_of], previous
-- (as_of - 2 * window_length, as_of - window_length].  SECURITY INVOKER, the
-- view security_invoker: the caller's privileges and row-level security apply.

CREATE FUNCTION nps.check_change_dimension(dimension text) RETURNS text
  LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
  IF dimension IN ('touchpoint', 'segment', 'channel') THEN
    RETURN dimension;
  END IF;
  RAISE EXCEPTION 'unknown dimension "%"', dimension
    USING ERRCODE = 'invalid_parameter_value',
          DETAIL = 'The dimension must be touchpoint, segment or channel.';
END
$fn$;
ALTER FUNCTION nps.check_change_dimension(text) OWNER TO @extowner@;
COMMENT ON FUNCTION nps.check_change_dimension(text) IS
  'internal (used by nps_change_at): returns its argument when it is touchpoint, segment or channel, or raises 22023 naming the allowed values';

CREATE FUNCTION nps.nps_change_rows_at(
    as_of timestamptz, window_length interval, change_dimension text,
    response_table regclass DEFAULT 'nps.response'::pg_catalog.regclass)
  RETURNS TABLE (
    journey_id integer, journey text, journey_name text,
    dimension text, touchpoint_id integer, dimension_value text, dimension_value_name text,
    stage_order integer,
    window_start timestamptz, window_end timestamptz,
    responses bigint, nps double precision,
    previous_window_responses bigint, previous_window_nps double precision,
    share double precision, previous_window_share double precision,
    mix_effect double precision, rate_effect double precision, effect double precision,
    journey_nps double precision, previous_window_journey_nps double precision,
    journey_change_from_previous_window double precision, journey_change_p_value double precision)
  LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE ROWS 60
  SET search_path = pg_catalog, pg_temp
AS $fn$
-- The body of nps_change_at: a PL/pgSQL function can not have an argument and
-- a result column of the same name (dimension), so nps_change_at is an SQL
-- function calling this one.
DECLARE
  -- the extension's schema, by OID (whatever it is named now): the query
  -- names the extension's objects through it, never through a schema found by
  -- the name nps (README, Security model)
  nps_schema regnamespace := (SELECT e.extnamespace::pg_catalog.regnamespace
                                FROM pg_catalog.pg_extension e WHERE e.extname = 'nps');
BEGIN
  EXECUTE pg_catalog.format('SELECT %1$s.check_window_length($1), %1$s.check_change_dimension($2), %1$s.check_fact_table($3, ''response''::text)', nps_schema)
    USING window_length, change_dimension, response_table;
  RETURN QUERY EXECUTE pg_catalog.format($q$
  WITH w AS (
    SELECT $1 - %2$s.check_window_length($2) AS current_start, $1 - 2 * $2 AS previous_start,
           $1 AS window_end, %2$s.check_change_dimension($3) AS dim
  ), groups AS (        -- per journey and group, both windows
    -- The rows are grouped by touchpoint first (the dimension and the
    -- window's middle $5 are parameters, so the planner folds the CASEs),
    -- then the few groups are joined to their journey and merged with
    -- nps_rollup (exact: counts add).
    SELECT t.journey_id AS jid, x.tid, x.val,
           %2$s.nps_rollup(x.cur) AS cur, %2$s.nps_rollup(x.prev) AS prev
      FROM (SELECT r.touchpoint_id AS tp,
                   CASE WHEN $3 = 'touchpoint' THEN r.touchpoint_id END AS tid,
                   CASE $3 WHEN 'segment' THEN r.segment WHEN 'channel' THEN r.channel END AS val,
                   %2$s.nps_agg(r.score) FILTER (WHERE r.answered_at > $5) AS cur,
                   %2$s.nps_agg(r.score) FILTER (WHERE r.answered_at <= $5) AS prev
              FROM %1$s r
             WHERE r.answered_at > $4 AND r.answered_at <= $1
             GROUP BY 1, 2, 3) x
      JOIN %2$s.touchpoint t ON t.id = x.tp
     GROUP BY 1, 2, 3
  ), listed AS (        -- every touchpoint; the segments or channels that answered
    SELECT t.journey_id AS jid, t.id AS tid, NULL::text AS val
      FROM %2$s.touchpoint t, w WHERE w.dim = 'touchpoint'
    UNION ALL
    SELECT g.jid, NULL::integer, g.val
      FROM groups g, w WHERE w.dim <> 'touchpoint'
  ), parts AS (
    SELECT l.jid, l.tid, l.val, g.cur, g.prev,
           %2$s.nps_contribution(g.cur, g.prev) OVER j AS c,
           %2$s.nps_rollup(g.cur) OVER j AS jcur,
           %2$s.nps_rollup(g.prev) OVER j AS jprev
      FROM listed l
      LEFT JOIN groups g ON g.jid = l.jid AND g.tid IS NOT DISTINCT FROM l.tid
                        AND g.val IS NOT DISTINCT FROM l.val
    WINDOW j AS (PARTITION BY l.jid ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
  )
  SELECT p.jid, j.code, j.name, w.dim, p.tid,
         coalesce(t.code, p.val), coalesce(t.name, p.val), t.stage_order,
         w.current_start, w.window_end,
         coalesce((p.cur).responses, 0), (p.cur).nps,
         coalesce((p.prev).responses, 0), (p.prev).nps,
         (p.c).current_share, (p.c).previous_share,
         (p.c).mix_effect, (p.c).rate_effect, (p.c).effect,
         (p.jcur).nps, (p.jprev).nps, (p.jcur).nps - (p.jprev).nps,
         jt.p_value
    FROM parts p
    CROSS JOIN w
    JOIN %2$s.journey j ON j.id = p.jid
    LEFT JOIN %2$s.touchpoint t ON t.id = p.tid
    LEFT JOIN LATERAL %2$s.nps_test(p.jcur, p.jprev, 0.95::double precision, 'adjusted_wald'::text) jt ON true
   ORDER BY j.code, t.stage_order, p.val NULLS LAST
  $q$, response_table, nps_schema)
  USING as_of, window_length, change_dimension, as_of - 2 * window_length, as_of - window_length;
END
$fn$;
ALTER FUNCTION nps.nps_change_rows_at(timestamptz, interval, text, regclass) OWNER TO @extowner@;
COMMENT ON FUNCTION nps.nps_change_rows_at(timestamptz, interval, text, regclass) IS
  'internal (behind nps_change_at, which has the same arguments and result): the NPS change of each journey split per touchpoint, segment or channel (change_dimension), read from response_table';

CREATE FUNCTION nps.nps_change_at(
    as_of timestamptz DEFAULT pg_catalog.now(),
    window_length interval DEFAULT nps.setting_window_length(),
    dimension text DEFAULT 'touchpoint',
    response_table regclass DEFAULT 'nps.response'::pg_catalog.regclass)
  RETURNS TABLE (
    journey_id integer, journey text, journey_name text,
    dimension text, touchpoint_id integer, dimension_value text, dimension_value_name text,
    stage_order integer,
    window_start timestamptz, window_end timestamptz,
    responses bigint, nps double precision,
    previous_window_responses bigint, previous_window_nps double precision,
    share double precision, previous_window_share double precision,
    mix_effect double precision, rate_effect double precision, effect double precision,
    journey_nps double precision, previous_window_journey_nps double precision,
    journey_change_from_previous_window double precision, journey_change_p_value double precision)
  LANGUAGE sql STABLE STRICT PARALLEL SAFE ROWS 60
  SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT * FROM nps.nps_change_rows_at($1, $2, $3, $4);
END;
COMMENT ON FUNCTION nps.nps_change_at(timestamptz, interval, text, regclass) IS
  'why each journey''s NPS moved from the previous window (as_of - 2 * window_length, as_of - window_length] to the current one (as_of - window_length, as_of]: per touchpoint, segment or channel (dimension), responses, NPS and shares in both windows and the mix, rate and total effects of nps_contribution, which add up to the journey''s change; with the journey''s change and its nps_test p-value on every row; the function behind nps.nps_change';

CREATE VIEW nps.nps_change WITH (security_invoker = true) AS
  SELECT * FROM nps.nps_change_at(pg_catalog.now(), nps.setting_window_length(), 'touchpoint');
ALTER VIEW nps.nps_change OWNER TO @extowner@;
COMMENT ON VIEW nps.nps_change IS
  'why each journey''s NPS moved from the previous nps.window_length to the last one, per touchpoint (mix, rate and total effects that add up to the journey''s change); nps.nps_change_at(as_of, window_length, dimension) for other periods, segments or channels';
COMMENT ON COLUMN nps.nps_change.journey_id IS 'journey id';
COMMENT ON COLUMN nps.nps_change.journey IS 'journey code';
COMMENT ON COLUMN nps.nps_change.journey_name IS 'journey display name';
COMMENT ON COLUMN nps.nps_change.dimension IS 'what the groups are: touchpoint, segment or channel';
COMMENT ON COLUMN nps.nps_change.touchpoint_id IS 'touchpoint id (dimension touchpoint only)';
COMMENT ON COLUMN nps.nps_change.dimension_value IS 'the group: touchpoint code, segment or channel (NULL = responses without a segment or channel)';
COMMENT ON COLUMN nps.nps_change.dimension_value_name IS 'display name of the group: touchpoint display name, or the segment or channel';
COMMENT ON COLUMN nps.nps_change.stage_order IS 'position of the touchpoint in its journey (dimension touchpoint only)';
COMMENT ON COLUMN nps.nps_change.window_start IS 'current window start (exclusive): now() - nps.window_length; the previous window ends here';
COMMENT ON COLUMN nps.nps_change.window_end IS 'current window end (inclusive): now()';
COMMENT ON COLUMN nps.nps_change.responses IS 'responses of the group in the current window';
COMMENT ON COLUMN nps.nps_change.nps IS 'NPS of the group in the current window (NULL without responses)';
COMMENT ON COLUMN nps.nps_change.previous_window_responses IS 'responses of the group in the previous window';
COMMENT ON COLUMN nps.nps_change.previous_window_nps IS 'NPS of the group in the previous window (NULL without responses)';
COMMENT ON COLUMN nps.nps_change.share IS 'the group''s share of the journey''s responses in the current window (NULL when the journey has none)';
COMMENT ON COLUMN nps.nps_change.previous_window_share IS 'the group''s share of the journey''s responses in the previous window (NULL when the journey has none)';
COMMENT ON COLUMN nps.nps_change.mix_effect IS 'points of the journey''s change from the change of the group''s share (nps_contribution)';
COMMENT ON COLUMN nps.nps_change.rate_effect IS 'points of the journey''s change from the change of the group''s NPS (nps_contribution)';
COMMENT ON COLUMN nps.nps_change.effect IS 'mix_effect + rate_effect; the effects of a journey add up to journey_change_from_previous_window (NULL when one window of the journey has no responses)';
COMMENT ON COLUMN nps.nps_change.journey_nps IS 'NPS of the journey in the current window (from counts)';
COMMENT ON COLUMN nps.nps_change.previous_window_journey_nps IS 'NPS of the journey in the previous window (from counts)';
COMMENT ON COLUMN nps.nps_change.journey_change_from_previous_window IS 'journey_nps - previous_window_journey_nps, in points';
COMMENT ON COLUMN nps.nps_change.journey_change_p_value IS 'two-sided p-value of the journey''s change (nps_test, adjusted Wald)';
