-- The journey functions made fast for millions of rows (issue 8), each
-- against the formulation it replaced, which is obviously correct and slow.
--
-- journey_funnel_at (funnel_counts: one pass, a hash table of customers) against the formulation
-- it replaced (a CTE of first events self-joined on the customer for the
-- previous and the first stage), which is obviously correct and slow, on
-- messy random data: stage orders with gaps, two journeys, customers in both,
-- several events per customer and stage, later stages reached before earlier
-- ones, ties in time (whole hours), events outside the window on both sides.
-- Every column must be equal (EXCEPT ALL both ways finds no row).
SET timezone = 'UTC';
SET extra_float_digits = 0;
\set VERBOSITY sqlstate
BEGIN;
TRUNCATE nps.response, nps.journey_event, nps.service_case, nps.metric_owner,
         nps.owner, nps.touchpoint, nps.journey RESTART IDENTITY CASCADE;
INSERT INTO nps.journey (code, name) VALUES ('shop', 'Shop'), ('care', 'Care');
INSERT INTO nps.touchpoint (journey_id, stage_order, code, name) VALUES
  (1, 1, 'browse', 'Browse'), (1, 3, 'cart', 'Cart'), (1, 7, 'pay', 'Pay'), (1, 8, 'ship', 'Ship'),
  (2, 2, 'call', 'Call'), (2, 5, 'fix', 'Fix'),
  (2, 9, 'unused', 'Never reached');
SELECT setseed(0.8);
-- 3000 customers ('c1'..; 'C1' is another customer), up to 9 events each,
-- over 40 days around the 30-day window ending 2024-06-30 12:00
INSERT INTO nps.journey_event (customer, touchpoint_id, occurred_at)
SELECT CASE WHEN c % 7 = 0 THEN 'C' ELSE 'c' END || (c / 2),
       1 + floor(random() * 6)::int,
       timestamptz '2024-05-25 00:00+00' + floor(random() * 40 * 24) * interval '1 hour'
  FROM generate_series(1, 3000) AS c, generate_series(1, 9) AS k
 WHERE random() < 0.55;

CREATE TEMP TABLE funnel_slow AS
SELECT * FROM (
  WITH w AS (
    SELECT timestamptz '2024-06-30 12:00+00' - interval '30 days' AS lo, timestamptz '2024-06-30 12:00+00' AS hi
  ), ev AS (          -- first time each customer reached each touchpoint in the window
    SELECT e.customer, e.touchpoint_id AS tp, min(e.occurred_at) AS at
      FROM nps.journey_event e, w
     WHERE e.occurred_at > w.lo AND e.occurred_at <= w.hi
     GROUP BY e.customer, e.touchpoint_id
  ), st AS (
    SELECT t.id, t.journey_id, t.stage_order,
           lag(t.id) OVER (PARTITION BY t.journey_id ORDER BY t.stage_order) AS prev_id,
           first_value(t.id) OVER (PARTITION BY t.journey_id ORDER BY t.stage_order) AS first_id
      FROM nps.touchpoint t
  ), reach AS (
    SELECT ev.tp, count(*) AS customers FROM ev GROUP BY ev.tp
  ), step AS (
    SELECT st.id,
           count(*) AS continued,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY cur.at - prev.at) AS median_gap
      FROM st
      JOIN ev cur ON cur.tp = st.id
      JOIN ev prev ON prev.tp = st.prev_id AND prev.customer = cur.customer AND prev.at <= cur.at
     GROUP BY st.id
  ), from_first AS (
    SELECT st.id, count(*) AS continued
      FROM st
      JOIN ev cur ON cur.tp = st.id
      JOIN ev fst ON fst.tp = st.first_id AND fst.customer = cur.customer AND fst.at <= cur.at
     GROUP BY st.id
  )
  SELECT j.id, j.code, j.name, t.id, t.code, t.name, t.stage_order, w.lo, w.hi,
         coalesce(r.customers, 0),
         CASE WHEN st.prev_id IS NOT NULL THEN coalesce(rp.customers, 0) END,
         CASE WHEN st.prev_id IS NOT NULL THEN coalesce(s.continued, 0) END,
         CASE WHEN st.prev_id IS NOT NULL THEN coalesce(rp.customers, 0) - coalesce(s.continued, 0) END,
         CASE WHEN st.prev_id IS NOT NULL AND rp.customers > 0
              THEN coalesce(s.continued, 0)::double precision / rp.customers END,
         coalesce(f.continued, 0),
         CASE WHEN rf.customers > 0 THEN coalesce(f.continued, 0)::double precision / rf.customers END,
         s.median_gap,
         extract(epoch FROM s.median_gap)::double precision / 3600
    FROM nps.journey j
    JOIN nps.touchpoint t ON t.journey_id = j.id
    JOIN st ON st.id = t.id
    CROSS JOIN w
    LEFT JOIN reach r ON r.tp = t.id
    LEFT JOIN reach rp ON rp.tp = st.prev_id
    LEFT JOIN reach rf ON rf.tp = st.first_id
    LEFT JOIN step s ON s.id = t.id
    LEFT JOIN from_first f ON f.id = t.id
   ORDER BY j.code, t.stage_order
) AS slow(journey_id, journey, journey_name, touchpoint_id, touchpoint, touchpoint_name, stage_order,
          window_start, window_end, customers, previous_stage_customers, continued_from_previous_stage,
          drop_off, conversion_from_previous_stage, continued_from_first_stage, conversion_from_first_stage,
          median_time_from_previous_stage, median_hours_from_previous_stage);
CREATE TEMP TABLE funnel_fast AS
SELECT * FROM nps.journey_funnel_at('2024-06-30 12:00+00', '30 days');

-- 7 stages; customers reach them; none of the rows differs
SELECT (SELECT count(*) FROM funnel_fast) AS stages,
       (SELECT sum(customers) FROM funnel_fast) > 1000 AS many_customers,
       (SELECT count(*) FROM (SELECT * FROM funnel_fast EXCEPT ALL SELECT * FROM funnel_slow) x) AS only_fast,
       (SELECT count(*) FROM (SELECT * FROM funnel_slow EXCEPT ALL SELECT * FROM funnel_fast) x) AS only_slow;
-- the messy cases are there: drop-off, customers reaching a stage before the
-- previous one (continued < customers of both), and the unused stage
SELECT touchpoint, stage_order, customers, previous_stage_customers, continued_from_previous_stage,
       continued_from_first_stage, round(median_hours_from_previous_stage::numeric, 2) AS median_hours
  FROM funnel_fast ORDER BY journey, stage_order;

-- detractor_reasons_at (no DISTINCT over the tagged rows: a response's reason
-- counts at its first position in the array; grouping sets over per
-- touchpoint and reason counts, NPS rolled up with nps_rollup) against the
-- formulation it replaced, on random responses: 0 to 4 reasons of 5, often
-- the same reason twice, scores 0-10, in and around the window.
INSERT INTO nps.response (customer, touchpoint_id, answered_at, score, reasons)
SELECT 'r' || g, 1 + floor(random() * 6)::int,
       timestamptz '2024-05-25 00:00+00' + random() * interval '40 days',
       floor(random() * 11)::int,
       (SELECT coalesce(array_agg((ARRAY['price', 'wait', 'rude', 'broken', 'late'])[1 + floor(random() * 5)::int]), '{}')
          FROM generate_series(1, floor(random() * 5)::int + g * 0))
  FROM generate_series(1, 5000) AS g;
CREATE TEMP TABLE reasons_slow AS
SELECT * FROM (
  WITH w AS (
    SELECT timestamptz '2024-06-30 12:00+00' - interval '30 days' AS lo, timestamptz '2024-06-30 12:00+00' AS hi
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
   ORDER BY x.lvl DESC, j.code NULLS FIRST, t.stage_order NULLS FIRST, x.rk
) AS slow(scope, journey_id, journey, journey_name, touchpoint_id, touchpoint, touchpoint_name,
          reason, rank, detractors, share, cumulative_share, scope_detractors, detractor_share,
          responses, nps);
-- (the columns the slow formulation has; nps_without and points_if_fixed,
-- new in 1.1, are checked in sql/views.sql)
CREATE TEMP TABLE reasons_fast AS
SELECT scope, journey_id, journey, journey_name, touchpoint_id, touchpoint, touchpoint_name,
       reason, rank, detractors, share, cumulative_share, scope_detractors, detractor_share,
       responses, nps
  FROM nps.detractor_reasons_at('2024-06-30 12:00+00', '30 days');

-- all scopes present, repeated reasons present, and every row equal
SELECT (SELECT count(*) FROM reasons_fast) AS reason_rows,
       (SELECT count(*) FROM nps.response WHERE cardinality(reasons) > cardinality(ARRAY(SELECT DISTINCT unnest(reasons)))) > 100 AS repeated_reasons,
       (SELECT array_agg(DISTINCT scope ORDER BY scope) FROM reasons_fast) AS scopes,
       (SELECT count(*) FROM (SELECT * FROM reasons_fast EXCEPT ALL SELECT * FROM reasons_slow) x) AS only_fast,
       (SELECT count(*) FROM (SELECT * FROM reasons_slow EXCEPT ALL SELECT * FROM reasons_fast) x) AS only_slow;
SELECT scope, journey, reason, rank, detractors, round(cumulative_share::numeric, 4) AS cumulative_share,
       scope_detractors, responses, round(nps::numeric, 2) AS nps
  FROM reasons_fast WHERE scope <> 'touchpoint';

-- nps_without and points_if_fixed (new in 1.1): detractor_reasons_at merges
-- per-(touchpoint, reason list) groups of the window's responses; here, for
-- each of its rows, straight from the responses of the scope: the NPS of
-- those not citing the reason, and responses / scope's responses * (nps_without
-- - nps).  Every row equal.
CREATE TEMP TABLE impact_fast AS
SELECT scope, journey_id, touchpoint_id, reason, responses, nps, nps_without, points_if_fixed
  FROM nps.detractor_reasons_at('2024-06-30 12:00+00', '30 days');
CREATE TEMP TABLE impact_slow AS
SELECT f.scope, f.journey_id, f.touchpoint_id, f.reason, f.responses, f.nps,
       (nps.nps_agg(r.score) FILTER (WHERE NOT (f.reason = ANY (r.reasons)))).nps AS nps_without,
       f.responses::double precision / count(*)
         * ((nps.nps_agg(r.score) FILTER (WHERE NOT (f.reason = ANY (r.reasons)))).nps - f.nps) AS points_if_fixed
  FROM impact_fast f
  JOIN nps.response r ON r.answered_at > timestamptz '2024-06-30 12:00+00' - interval '30 days'
                     AND r.answered_at <= timestamptz '2024-06-30 12:00+00'
  JOIN nps.touchpoint t ON t.id = r.touchpoint_id
 WHERE f.scope = 'all' OR (f.scope = 'journey' AND t.journey_id = f.journey_id)
       OR (f.scope = 'touchpoint' AND r.touchpoint_id = f.touchpoint_id)
 GROUP BY f.scope, f.journey_id, f.touchpoint_id, f.reason, f.responses, f.nps;
SELECT (SELECT count(*) FROM impact_fast) AS reason_rows,
       (SELECT count(*) FROM impact_fast WHERE nps_without IS NOT NULL AND points_if_fixed <> 0) > 0 AS has_points,
       (SELECT count(*) FROM (SELECT * FROM impact_fast EXCEPT ALL SELECT * FROM impact_slow) x) AS only_fast,
       (SELECT count(*) FROM (SELECT * FROM impact_slow EXCEPT ALL SELECT * FROM impact_fast) x) AS only_slow;
-- and the rows come in the documented order: scope all, then each journey,
-- then each touchpoint (by journey code and stage order), by rank within each
SELECT count(*) AS rows_out_of_order
  FROM (SELECT f.n, row_number() OVER (ORDER BY CASE f.scope WHEN 'all' THEN 0 WHEN 'journey' THEN 1 ELSE 2 END,
                                                f.journey NULLS FIRST, t.stage_order NULLS FIRST, f.rank) AS expected
          FROM nps.detractor_reasons_at('2024-06-30 12:00+00', '30 days')
               WITH ORDINALITY AS f(scope, journey_id, journey, journey_name, touchpoint_id, touchpoint,
                                    touchpoint_name, reason, rank, detractors, share, cumulative_share,
                                    scope_detractors, detractor_share, responses, nps, nps_without,
                                    points_if_fixed, n)
          LEFT JOIN nps.touchpoint t ON t.id = f.touchpoint_id) x
 WHERE x.n <> x.expected;
-- detractor_queue_at (the owners computed once per distinct touchpoint,
-- segment and channel of the queue, then joined to its rows) against the
-- formulation it replaced (nps.detractor_owners called for every row), on
-- random detractors of a table of the caller's: segments and channels NULL,
-- '' (allowed in a caller's table: a key of its own, not NULL) or named;
-- metrics restricted to a segment, a channel, both, or ''; owners at
-- touchpoints and of whole journeys; follow-ups before and after as_of.
-- Every column and the order of the rows equal.
INSERT INTO nps.owner (name, role_name) VALUES
  ('Ann', 'ann'), ('Bob', NULL), ('Cy', 'cy'), ('Di', 'di'), ('Ed', NULL);
INSERT INTO nps.metric (code, name, metric_kind, measure, unit, segment, channel) VALUES
  ('nps_vip', 'NPS VIP', 'nps', 'score', 'points', 'vip', NULL),
  ('nps_app', 'NPS app', 'nps', 'score', 'points', NULL, 'app'),
  ('nps_vip_web', 'NPS VIP web', 'nps', 'score', 'points', 'vip', 'web'),
  ('nps_blank', 'NPS blank segment', 'nps', 'score', 'points', '', NULL),
  ('csat_vip', 'CSAT VIP', 'csat', 'csat', '%', 'vip', NULL);
INSERT INTO nps.metric_owner (metric, journey_id, touchpoint_id, owner_id, target) VALUES
  ('nps', 1, 1, 2, 0), ('nps', 1, 2, 1, 0), ('nps', 1, NULL, 3, 0),
  ('nps_vip', 1, 1, 4, 0), ('nps_vip', 2, NULL, 1, 0), ('nps_app', 2, 5, 5, 0),
  ('nps_app', 1, NULL, 2, 0), ('nps_vip_web', 1, 3, 5, 0), ('nps_blank', 2, 6, 3, 0),
  ('nps_blank', 1, NULL, 4, 0), ('csat_vip', 1, 4, 5, 0), ('nps', 2, 6, 1, 0);
CREATE TEMP TABLE queue_response AS SELECT * FROM nps.response;
INSERT INTO queue_response (id, customer, touchpoint_id, answered_at, score, segment, channel,
                            followed_up_at, comment, reasons)
SELECT 100000 + g, 'q' || g, 1 + floor(random() * 6)::int, a, floor(random() * 7)::int,
       (ARRAY[NULL, '', 'vip', 'VIP', 'smb'])[1 + floor(random() * 5)::int],
       (ARRAY[NULL, '', 'app', 'web'])[1 + floor(random() * 4)::int],
       CASE WHEN random() < 0.3 THEN a + random() * interval '20 days' END, 'q', '{}'
  FROM generate_series(1, 3000) AS g,
       LATERAL (SELECT timestamptz '2024-05-25 00:00+00' + random() * interval '40 days' + g * interval '0') AS x(a);
CREATE TEMP TABLE queue_fast AS
SELECT * FROM nps.detractor_queue_at('2024-06-30 12:00+00', '48 hours', 'queue_response') WITH ORDINALITY;
CREATE TEMP TABLE queue_slow AS
SELECT r.id, r.customer, r.answered_at, r.score, r.segment, r.channel,
       j.id AS journey_id, j.code, j.name, t.id AS touchpoint_id, t.code AS touchpoint, t.name AS touchpoint_name,
       extract(epoch FROM timestamptz '2024-06-30 12:00+00' - r.answered_at)::double precision / 3600 AS hours,
       r.answered_at + interval '48 hours' AS due_at,
       timestamptz '2024-06-30 12:00+00' > r.answered_at + interval '48 hours' AS overdue,
       own.names, own.roles, r.comment, r.reasons,
       row_number() OVER (ORDER BY r.answered_at, r.id) AS ordinality
  FROM queue_response r
  JOIN nps.touchpoint t ON t.id = r.touchpoint_id
  JOIN nps.journey j ON j.id = t.journey_id
  LEFT JOIN LATERAL (
    SELECT string_agg(ow.owner_name, ', ' ORDER BY ow.owner_rank) AS names,
           string_agg(ow.owner_role::text, ', ' ORDER BY ow.owner_rank) AS roles
      FROM nps.detractor_owners(r.touchpoint_id, r.segment, r.channel) ow
  ) own ON true
 WHERE r.score <= 6 AND r.answered_at <= '2024-06-30 12:00+00'
   AND (r.followed_up_at IS NULL OR r.followed_up_at > '2024-06-30 12:00+00');
-- owner lists of several lengths, '' and NULL segments in the queue, and
-- every row equal, in the same order
SELECT (SELECT count(*) FROM queue_fast) AS queued,
       (SELECT count(DISTINCT owner_names) FROM queue_fast) AS owner_lists,
       (SELECT count(*) FROM queue_fast WHERE owner_names IS NULL) AS without_owners,
       (SELECT max(array_length(string_to_array(owner_names, ', '), 1)) FROM queue_fast) AS most_owners,
       (SELECT count(*) FROM queue_fast WHERE segment = '') > 0 AS blank_segments,
       (SELECT count(*) FROM queue_fast WHERE segment IS NULL) > 0 AS null_segments,
       (SELECT count(*) FROM (SELECT * FROM queue_fast EXCEPT ALL SELECT * FROM queue_slow) x) AS only_fast,
       (SELECT count(*) FROM (SELECT * FROM queue_slow EXCEPT ALL SELECT * FROM queue_fast) x) AS only_slow;
-- (by hand: at browse, Bob owns the NPS, Cy the journey's, Di the VIP NPS
-- there and the journey's NPS of segment ''; at fix, Ann owns the NPS, Ann
-- the journey's VIP NPS (so once, as a touchpoint owner), Cy the NPS of
-- segment ''; 'VIP' is not 'vip'; Bob has no role)
SELECT quote_nullable(segment) AS segment, quote_nullable(channel) AS channel, touchpoint,
       owner_names, owner_roles, count(*)
  FROM queue_fast
 WHERE touchpoint IN ('browse', 'fix')
 GROUP BY 1, 2, 3, 4, 5 ORDER BY 3, 1 NULLS FIRST, 2 NULLS FIRST;
ROLLBACK;
