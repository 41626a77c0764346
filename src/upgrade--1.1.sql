-- src/upgrade--1.1.sql
-- Changes to objects of nps 1.0 that the upgrade to 1.1 makes: ALTER, CREATE
-- OR REPLACE and DROP of what 1.0 installed, in the words of the new
-- sources (which hold the objects as they are in 1.1).  New areas are not
-- written here: their sources follow this file in the upgrade script (the
-- Makefile's UPGRADE_SOURCES).  The script runs as the bootstrap superuser
-- on behalf of the extension owner, like the install script: qualify
-- everything, bind SQL bodies at creation, give code-running objects to
-- @extowner@.

-- ============================================================ detractor reasons
-- 1.1 adds nps_without and points_if_fixed (issue 9) at the end of the
-- function's result and of the view.  A function's result columns can not
-- change in place: drop the view and the function, and create them again as
-- src/views.sql defines them (same comments, owner and privileges as a fresh
-- install).
DROP VIEW nps.detractor_reasons;
DROP FUNCTION nps.detractor_reasons_at(timestamptz, interval);

CREATE FUNCTION nps.detractor_reasons_at(
    as_of timestamptz DEFAULT pg_catalog.now(),
    window_length interval DEFAULT nps.setting_window_length())
  RETURNS TABLE (
    scope text,
    journey_id integer, journey text, journey_name text,
    touchpoint_id integer, touchpoint text, touchpoint_name text,
    reason text, rank bigint,
    detractors bigint, share double precision, cumulative_share double precision,
    scope_detractors bigint, detractor_share double precision,
    responses bigint, nps double precision,
    nps_without double precision, points_if_fixed double precision)
  LANGUAGE sql STABLE STRICT PARALLEL SAFE ROWS 100
  SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  WITH w AS (
    SELECT $1 - nps.check_window_length($2) AS lo, $1 AS hi
  ), r AS (
    SELECT r.id, r.score, r.reasons, t.journey_id AS jid, r.touchpoint_id AS tid
      FROM nps.response r
      JOIN nps.touchpoint t ON t.id = r.touchpoint_id
      CROSS JOIN w
     WHERE r.answered_at > w.lo AND r.answered_at <= w.hi
  ), tagged AS (        -- one row per response and distinct reason
    SELECT DISTINCT r.id, r.score, r.jid, r.tid, u.reason
      FROM r CROSS JOIN LATERAL unnest(r.reasons) AS u(reason)
  ), per_reason AS (
    SELECT g.jid, g.tid, GROUPING(g.jid, g.tid) AS lvl, g.reason,
           count(*) FILTER (WHERE g.score <= 6) AS d,
           count(*) AS n,
           (nps.nps_agg(g.score)).nps AS score
      FROM tagged g
     GROUP BY GROUPING SETS ((g.jid, g.tid, g.reason), (g.jid, g.reason), (g.reason))
  ), totals AS (
    SELECT r.jid, r.tid, GROUPING(r.jid, r.tid) AS lvl,
           count(*) FILTER (WHERE r.score <= 6) AS d
      FROM r
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
  ), impact AS (        -- per ranked reason: the scope's responses, and those not citing it
    SELECT x.lvl, x.jid, x.tid, x.reason,
           count(*) AS scope_n,
           (nps.nps_agg(r.score) FILTER (WHERE NOT (x.reason = ANY (r.reasons)))).nps AS without
      FROM ranked x
      JOIN r ON x.lvl = 3 OR (x.lvl = 1 AND r.jid = x.jid) OR (x.lvl = 0 AND r.tid = x.tid)
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
    LEFT JOIN nps.journey j ON j.id = x.jid
    LEFT JOIN nps.touchpoint t ON t.id = x.tid
   ORDER BY x.lvl DESC, j.code NULLS FIRST, t.stage_order NULLS FIRST, x.rk;
END;
COMMENT ON FUNCTION nps.detractor_reasons_at(timestamptz, interval) IS
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
