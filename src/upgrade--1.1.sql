-- src/upgrade--1.1.sql
-- Changes to objects of nps 1.0 that the upgrade to 1.1 makes: ALTER, CREATE
-- OR REPLACE and DROP of what 1.0 installed, in the words of the new
-- sources (which hold the objects as they are in 1.1).  New areas are not
-- written here: their sources follow this file in the upgrade script (the
-- Makefile's UPGRADE_SOURCES).  The script runs as the bootstrap superuser
-- on behalf of the extension owner, like the install script: qualify
-- everything, bind SQL bodies at creation, give code-running objects to
-- @extowner@.

-- ---------- issue 8: the journey views at millions of rows
-- The bodies below are the same text as in src/views.sql (CREATE OR
-- REPLACE keeps the owner, COMMENT and privileges); results are unchanged.

CREATE OR REPLACE FUNCTION nps.journey_funnel_at(
    as_of timestamptz DEFAULT pg_catalog.now(),
    window_length interval DEFAULT nps.setting_window_length())
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
  LANGUAGE sql STABLE STRICT PARALLEL SAFE ROWS 20
  SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  -- One pass over each customer's events: sorted once by customer, journey,
  -- stage and time, DISTINCT ON keeps the customer's first event at each
  -- stage and a window over that same order sees, on the same row, the stage
  -- the customer reached before (lag) and the first stage they reached
  -- (first_value).  The
  -- customer key is compared in the "C" collation: for grouping only
  -- equality matters, and byte order sorts fastest.  The counts per stage are
  -- then a hash aggregate; the median gap is taken from each stage's gaps.
  WITH w AS (
    SELECT $1 - nps.check_window_length($2) AS lo, $1 AS hi
  ), st AS (
    SELECT t.id, t.journey_id, t.stage_order,
           lag(t.id) OVER (PARTITION BY t.journey_id ORDER BY t.stage_order) AS prev_id,
           first_value(t.id) OVER (PARTITION BY t.journey_id ORDER BY t.stage_order) AS first_id
      FROM nps.touchpoint t
  ), ev AS (          -- the first time each customer reached each stage in the window
    SELECT DISTINCT ON (e.customer COLLATE "C", t.journey_id, t.stage_order)
           e.customer COLLATE "C" AS customer, t.journey_id, t.stage_order, t.id, e.occurred_at AS at
      FROM nps.journey_event e
      JOIN nps.touchpoint t ON t.id = e.touchpoint_id
     WHERE e.occurred_at > $1 - nps.check_window_length($2) AND e.occurred_at <= $1
     ORDER BY e.customer COLLATE "C", t.journey_id, t.stage_order, e.occurred_at
  ), path AS (        -- in stage order: the stage reached before, and the first one reached
    SELECT ev.id, ev.at,
           lag(ev.id) OVER c AS before_id, lag(ev.at) OVER c AS before_at,
           first_value(ev.id) OVER c AS path_first_id, first_value(ev.at) OVER c AS path_first_at
      FROM ev
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
    FROM nps.journey j
    JOIN nps.touchpoint t ON t.journey_id = j.id
    JOIN st ON st.id = t.id
    CROSS JOIN w
    LEFT JOIN reach r ON r.id = t.id
    LEFT JOIN reach rp ON rp.id = st.prev_id
    LEFT JOIN reach rf ON rf.id = st.first_id
   ORDER BY j.code, t.stage_order;
END;

CREATE OR REPLACE FUNCTION nps.detractor_reasons_at(
    as_of timestamptz DEFAULT pg_catalog.now(),
    window_length interval DEFAULT nps.setting_window_length())
  RETURNS TABLE (
    scope text,
    journey_id integer, journey text, journey_name text,
    touchpoint_id integer, touchpoint text, touchpoint_name text,
    reason text, rank bigint,
    detractors bigint, share double precision, cumulative_share double precision,
    scope_detractors bigint, detractor_share double precision,
    responses bigint, nps double precision)
  LANGUAGE sql STABLE STRICT PARALLEL SAFE ROWS 100
  SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  WITH w AS (
    SELECT $1 - nps.check_window_length($2) AS lo, $1 AS hi
  ), r AS NOT MATERIALIZED (   -- read twice, not stored: each reader aggregates as it scans
    SELECT r.id, r.score, r.reasons, t.journey_id AS jid, r.touchpoint_id AS tid
      FROM nps.response r
      JOIN nps.touchpoint t ON t.id = r.touchpoint_id
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
           nps.nps_agg(g.score) AS res
      FROM tagged g
     GROUP BY g.jid, g.tid, g.reason
  ), per_reason AS (
    SELECT g.jid, g.tid, GROUPING(g.jid, g.tid) AS lvl, g.reason,
           sum(g.d)::bigint AS d,
           sum(g.n)::bigint AS n,
           (nps.nps_rollup(g.res)).nps AS score
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
  )
  SELECT CASE x.lvl WHEN 0 THEN 'touchpoint' WHEN 1 THEN 'journey' ELSE 'all' END,
         x.jid, j.code, j.name, x.tid, t.code, t.name,
         x.reason, x.rk, x.d,
         x.d::double precision / x.mentions,
         x.cum::double precision / x.mentions,
         x.scope_d,
         x.d::double precision / x.scope_d,
         x.n, x.score
    FROM ranked x
    LEFT JOIN nps.journey j ON j.id = x.jid
    LEFT JOIN nps.touchpoint t ON t.id = x.tid
   ORDER BY x.lvl DESC, j.code NULLS FIRST, t.stage_order NULLS FIRST, x.rk;
END;
