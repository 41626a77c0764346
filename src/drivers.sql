-- src/drivers.sql
-- What drives NPS at each touchpoint, and what a fix is worth:
-- nps.nps_drivers_at (and the view nps.nps_drivers) compare, for every
-- candidate driver found in the window's responses of a touchpoint, the NPS
-- of the responses with it and without it, test the difference (nps_test),
-- and price it in journey NPS points (points_at_stake).
--
-- Candidate drivers (driver_kind, driver):
--   csat    not_satisfied  CSAT 1-3 against 4-5 (responses with a CSAT only)
--   ces     not_easy       CES 1-4 against 5-7 (responses with a CES only)
--   reason  <tag>          the reason cited against not cited
--   segment <segment>      that segment against the others
--   channel <channel>      that channel against the others
-- Window as in views.sql: (as_of - window_length, as_of].  SECURITY INVOKER,
-- the view security_invoker.

CREATE FUNCTION nps.nps_drivers_at(
    as_of timestamptz DEFAULT pg_catalog.now(),
    window_length interval DEFAULT nps.setting_window_length(),
    minimum_responses integer DEFAULT nps.setting_min_responses(),
    response_table regclass DEFAULT 'nps.response'::pg_catalog.regclass)
  RETURNS TABLE (
    journey_id integer, journey text, journey_name text,
    touchpoint_id integer, touchpoint text, touchpoint_name text,
    driver_kind text, driver text,
    window_start timestamptz, window_end timestamptz,
    responses_with bigint, nps_with double precision,
    responses_without bigint, nps_without double precision,
    difference double precision, p_value double precision,
    share double precision, journey_responses bigint,
    points_at_stake double precision,
    enough_responses boolean, rank bigint)
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
  EXECUTE pg_catalog.format('SELECT %1$s.check_window_length($1), %1$s.check_min_responses($2), %1$s.check_fact_table($3, ''response''::text)', nps_schema)
    USING window_length, minimum_responses, response_table;
  RETURN QUERY EXECUTE pg_catalog.format($q$
  WITH w AS (
    SELECT $1 - %2$s.check_window_length($2) AS lo, $1 AS hi, %2$s.check_min_responses($3) AS min_n
  ), g AS MATERIALIZED (  -- the window's responses, grouped by all a driver looks at
    -- Every driver compares responses by these columns only, so each group
    -- is flagged once per candidate instead of each response (at 5M
    -- responses: 18 s per call before, tens of millions of flagged rows),
    -- and nps_rollup merges the groups' nps_agg states exactly (counts add).
    -- (grouped before the join to the touchpoints: one join per group)
    SELECT t.journey_id AS jid, x.*
      FROM (SELECT r.touchpoint_id AS tid,
                   r.csat <= 3 AS csat_bad, r.ces <= 4 AS ces_bad,   -- NULL: no CSAT / CES answer
                   r.reasons, r.segment, r.channel,
                   count(*) AS n, %2$s.nps_agg(r.score) AS res
              FROM %1$s r
             WHERE r.answered_at > $4 AND r.answered_at <= $1
             GROUP BY 1, 2, 3, 4, 5, 6) x
      JOIN %2$s.touchpoint t ON t.id = x.tid
  ), candidates AS (    -- found in the data, per touchpoint
    SELECT DISTINCT g.tid, 'csat' AS kind, 'not_satisfied' AS drv FROM g WHERE g.csat_bad IS NOT NULL
    UNION
    SELECT DISTINCT g.tid, 'ces', 'not_easy' FROM g WHERE g.ces_bad IS NOT NULL
    UNION
    SELECT DISTINCT g.tid, 'reason', u.reason FROM g CROSS JOIN LATERAL unnest(g.reasons) AS u(reason)
    UNION
    SELECT DISTINCT g.tid, 'segment', g.segment FROM g WHERE g.segment IS NOT NULL
    UNION
    SELECT DISTINCT g.tid, 'channel', g.channel FROM g WHERE g.channel IS NOT NULL
  ), flagged AS (       -- each group of the touchpoint, with or without the driver
    SELECT c.tid, c.kind, c.drv, g.jid, g.res,
           CASE c.kind WHEN 'csat' THEN g.csat_bad
                       WHEN 'ces' THEN g.ces_bad
                       WHEN 'reason' THEN c.drv = ANY (g.reasons)
                       WHEN 'segment' THEN g.segment IS NOT DISTINCT FROM c.drv
                       ELSE g.channel IS NOT DISTINCT FROM c.drv END AS has
      FROM candidates c
      JOIN g ON g.tid = c.tid
     WHERE (c.kind <> 'csat' OR g.csat_bad IS NOT NULL)
       AND (c.kind <> 'ces' OR g.ces_bad IS NOT NULL)
  ), compared AS (
    SELECT f.jid, f.tid, f.kind, f.drv,
           %2$s.nps_rollup(f.res) FILTER (WHERE f.has) AS with_res,
           %2$s.nps_rollup(f.res) FILTER (WHERE NOT f.has) AS without_res
      FROM flagged f
     GROUP BY f.jid, f.tid, f.kind, f.drv
  ), journeys AS (
    SELECT g.jid, sum(g.n)::bigint AS n FROM g GROUP BY g.jid
  ), priced AS (
    SELECT c.*, jn.n AS jn,
           coalesce((c.with_res).responses, 0) AS n_with,
           coalesce((c.without_res).responses, 0) AS n_without,
           (c.with_res).nps - (c.without_res).nps AS diff,
           coalesce((c.with_res).responses, 0)::double precision / jn.n AS share,
           coalesce((c.with_res).responses, 0) >= w.min_n
             AND coalesce((c.without_res).responses, 0) >= w.min_n AS enough
      FROM compared c
      JOIN journeys jn ON jn.jid = c.jid
      CROSS JOIN w
  ), stake AS (
    SELECT p.*,
           CASE WHEN p.diff < 0 THEN p.share * -p.diff
                WHEN p.diff >= 0 THEN 0::double precision END AS points
      FROM priced p
  )
  SELECT s.jid, j.code, j.name, s.tid, t.code, t.name, s.kind, s.drv,
         w.lo, w.hi,
         s.n_with, (s.with_res).nps, s.n_without, (s.without_res).nps,
         s.diff, tt.p_value, s.share, s.jn, s.points, s.enough,
         CASE WHEN s.enough THEN
           row_number() OVER (PARTITION BY s.jid, s.enough
                              ORDER BY s.points DESC NULLS LAST, t.stage_order, s.kind, s.drv) END
    FROM stake s
    CROSS JOIN w
    JOIN %2$s.journey j ON j.id = s.jid
    JOIN %2$s.touchpoint t ON t.id = s.tid
    LEFT JOIN LATERAL %2$s.nps_test(s.with_res, s.without_res, 0.95::double precision, 'adjusted_wald'::text) tt ON true
   ORDER BY j.code, s.enough DESC, s.points DESC NULLS LAST, t.stage_order, s.kind, s.drv
  $q$, response_table, nps_schema)
  USING as_of, window_length, minimum_responses, as_of - window_length;
END
$fn$;
ALTER FUNCTION nps.nps_drivers_at(timestamptz, interval, integer, regclass) OWNER TO @extowner@;
COMMENT ON FUNCTION nps.nps_drivers_at(timestamptz, interval, integer, regclass) IS
  'what drives NPS at each touchpoint over (as_of - window_length, as_of]: for each candidate driver found in the responses (CSAT not satisfied, CES not easy, each reason, segment and channel), the NPS with and without it, the difference and its nps_test p-value, and the journey NPS points at stake; ranked per journey by points at stake among drivers with at least minimum_responses on both sides; the function behind nps.nps_drivers';

CREATE VIEW nps.nps_drivers WITH (security_invoker = true) AS
  SELECT * FROM nps.nps_drivers_at(pg_catalog.now(), nps.setting_window_length(), nps.setting_min_responses());
ALTER VIEW nps.nps_drivers OWNER TO @extowner@;
COMMENT ON VIEW nps.nps_drivers IS
  'what drives NPS at each touchpoint over the last nps.window_length, ranked per journey by the journey NPS points at stake (the first row is what to fix first); drivers with fewer than nps.min_responses responses on either side are listed, not ranked';
COMMENT ON COLUMN nps.nps_drivers.journey_id IS 'journey id';
COMMENT ON COLUMN nps.nps_drivers.journey IS 'journey code';
COMMENT ON COLUMN nps.nps_drivers.journey_name IS 'journey display name';
COMMENT ON COLUMN nps.nps_drivers.touchpoint_id IS 'touchpoint id';
COMMENT ON COLUMN nps.nps_drivers.touchpoint IS 'touchpoint code';
COMMENT ON COLUMN nps.nps_drivers.touchpoint_name IS 'touchpoint display name';
COMMENT ON COLUMN nps.nps_drivers.driver_kind IS 'csat, ces, reason, segment or channel';
COMMENT ON COLUMN nps.nps_drivers.driver IS 'the driver: not_satisfied (CSAT 1-3 against 4-5), not_easy (CES 1-4 against 5-7), or the reason tag, segment or channel';
COMMENT ON COLUMN nps.nps_drivers.window_start IS 'window start (exclusive): now() - nps.window_length';
COMMENT ON COLUMN nps.nps_drivers.window_end IS 'window end (inclusive): now()';
COMMENT ON COLUMN nps.nps_drivers.responses_with IS 'responses of the touchpoint with the driver';
COMMENT ON COLUMN nps.nps_drivers.nps_with IS 'NPS of the responses with the driver (NULL without any)';
COMMENT ON COLUMN nps.nps_drivers.responses_without IS 'responses of the touchpoint without the driver (for csat and ces: among the responses with a CSAT or CES answer)';
COMMENT ON COLUMN nps.nps_drivers.nps_without IS 'NPS of the responses without the driver (NULL without any)';
COMMENT ON COLUMN nps.nps_drivers.difference IS 'nps_with - nps_without, in points';
COMMENT ON COLUMN nps.nps_drivers.p_value IS 'two-sided p-value of the difference (nps_test, adjusted Wald)';
COMMENT ON COLUMN nps.nps_drivers.share IS 'responses_with / journey_responses';
COMMENT ON COLUMN nps.nps_drivers.journey_responses IS 'responses of the journey in the window';
COMMENT ON COLUMN nps.nps_drivers.points_at_stake IS 'journey NPS points gained if the responses with the driver scored like those without it: share * (nps_without - nps_with) when the driver lowers NPS, else 0';
COMMENT ON COLUMN nps.nps_drivers.enough_responses IS 'responses_with and responses_without both reach nps.min_responses';
COMMENT ON COLUMN nps.nps_drivers.rank IS '1 = most journey NPS points at stake in the journey; NULL when there are not enough responses';
