-- drivers: nps_drivers_at and the view nps_drivers (what drives NPS at each
-- touchpoint and the journey NPS points at stake) on a small hand-built data
-- set.  Every number below is checked by hand in the comments.
--
-- as_of = 2024-06-30 12:00 UTC, window 30 days: (2024-05-31 12:00, 2024-06-30 12:00]
SET timezone = 'UTC';
SET extra_float_digits = 0;
SET nps.notify = off;
\pset null '(null)'
\set as_of '''2024-06-30 12:00+00'''

TRUNCATE nps.response, nps.journey_event, nps.service_case, nps.metric_owner,
         nps.owner, nps.touchpoint, nps.journey RESTART IDENTITY CASCADE;
INSERT INTO nps.journey (code, name) VALUES ('j', '购买旅程');        -- id 1
INSERT INTO nps.touchpoint (journey_id, stage_order, code, name) VALUES
  (1, 1, 'a', '售前'), (1, 2, 'b', '支付');                          -- ids 1, 2

-- (touchpoint, score, how many, csat, ces, reasons, segment, channel)
--   a: 10 x4 (CSAT 5, CES 7, VIP, app)
--       2 x2 (CSAT 2, CES 3, {slow}, regular, app)
--       8 x2 (CSAT 4, no CES, {slow}, regular, phone)
--       0 x1 (nothing else)
--   b:  9 x1 (VIP, app)
-- journey responses: 10; one response outside the window (ignored)
INSERT INTO nps.response (customer, touchpoint_id, answered_at, score, csat, ces, reasons, segment, channel)
SELECT 'c' || i, g.tp, timestamptz '2024-06-10 00:00+00' + i * interval '1 minute',
       g.score, g.csat, g.ces, g.reasons::text[], g.seg, g.chan
  FROM (VALUES (1, 10, 4, 5, 7, '{}', 'VIP', 'app'),
               (1, 2, 2, 2, 3, '{slow}', 'regular', 'app'),
               (1, 8, 2, 4, NULL, '{slow}', 'regular', 'phone'),
               (1, 0, 1, NULL, NULL, '{}', NULL, NULL),
               (2, 9, 1, NULL, NULL, '{}', 'VIP', 'app')) AS g(tp, score, how_many, csat, ces, reasons, seg, chan),
       generate_series(1, g.how_many) AS i;
INSERT INTO nps.response (customer, touchpoint_id, answered_at, score, reasons)
VALUES ('old', 1, '2024-05-31 12:00+00', 0, '{slow}');

-- minimum 2 responses on each side.  At a (share = responses_with / 10):
--   ces not_easy:      with CES 1-4: 2 x 2 -> -100; without (CES 5-7): 4 x 10 -> 100
--                      diff -200, share .2: points 40
--   csat not_satisfied: with CSAT 1-3: 2 x 2 -> -100; without (4-5): 4 x 10, 2 x 8 -> 66.666667
--                      diff -166.666667, share .2: points 33.333333
--   reason slow:       with: 2 x 2, 2 x 8 -> -50; without: 4 x 10, 0 -> 60; diff -110, share .4: 44
--   segment regular:   the same rows as slow: 44 (tie, broken by driver_kind: reason first)
--   channel phone:     with 2 x 8 -> 0; without 4 x 10, 2 x 2, 0 -> (4 - 3)/7 = 14.285714; share .2: 2.857143
--   channel app:       with 4 x 10, 2 x 2 -> 33.333333; without 2 x 8, 0 -> -33.333333; positive: 0
--   segment VIP:       with 4 x 10 -> 100; without 2 x 2, 2 x 8, 0 -> -60; positive: 0
-- At b: VIP and app with 1 response and none without: no difference, not enough, not ranked
SELECT touchpoint, driver_kind, driver, responses_with, round(nps_with::numeric, 6) AS nps_with,
       responses_without, round(nps_without::numeric, 6) AS nps_without,
       round(difference::numeric, 6) AS difference, share, journey_responses,
       round(points_at_stake::numeric, 6) AS points_at_stake, enough_responses, rank
  FROM nps.nps_drivers_at(:as_of, '30 days', 2);
SELECT DISTINCT window_start, window_end, journey, journey_name, touchpoint_name
  FROM nps.nps_drivers_at(:as_of, '30 days', 2) ORDER BY touchpoint_name;

-- minimum 3: CSAT, CES and phone have 2 responses with them: listed, not ranked
SELECT touchpoint, driver_kind, driver, enough_responses, rank
  FROM nps.nps_drivers_at(:as_of, '30 days', 3);

-- against a slow, obvious formulation: the reason drivers, with and without,
-- and the p-value from nps_test of the two groups
WITH rs AS (
  SELECT * FROM nps.response WHERE answered_at > '2024-05-31 12:00+00' AND answered_at <= '2024-06-30 12:00+00'
), slow AS (
  SELECT t.touchpoint_id, t.reason,
         (SELECT nps.nps_agg(score) FROM rs WHERE rs.touchpoint_id = t.touchpoint_id AND t.reason = ANY (rs.reasons)) AS w,
         (SELECT nps.nps_agg(score) FROM rs WHERE rs.touchpoint_id = t.touchpoint_id AND NOT t.reason = ANY (rs.reasons)) AS wo
    FROM (SELECT DISTINCT touchpoint_id, unnest(reasons) AS reason FROM rs) t
)
SELECT count(*) AS reasons_compared,
       count(*) FILTER (WHERE d.nps_with IS DISTINCT FROM (s.w).nps OR d.nps_without IS DISTINCT FROM (s.wo).nps
                           OR d.p_value IS DISTINCT FROM (nps.nps_test(s.w, s.wo)).p_value) AS differ
  FROM slow s
  JOIN nps.nps_drivers_at(:as_of, '30 days', 2) d
    ON d.touchpoint_id = s.touchpoint_id AND d.driver_kind = 'reason' AND d.driver = s.reason;

-- the view: now(), nps.window_length and nps.min_responses (the data is years old: no rows)
SELECT count(*) FROM nps.nps_drivers;
SET nps.window_length = '10 years';
SET nps.min_responses = 2;
SELECT count(*) AS rows, count(rank) AS ranked FROM nps.nps_drivers;
RESET nps.window_length;
RESET nps.min_responses;

-- NULL arguments: no rows (STRICT)
SELECT count(*) FROM nps.nps_drivers_at(:as_of, '30 days', NULL);
\set VERBOSITY sqlstate
-- a window that is not positive, a minimum below 1 (22023)
SELECT * FROM nps.nps_drivers_at(:as_of, '0 days');
SELECT * FROM nps.nps_drivers_at(:as_of, '30 days', 0);
\set VERBOSITY default

TRUNCATE nps.response, nps.journey_event, nps.service_case, nps.metric_owner,
         nps.owner, nps.touchpoint, nps.journey RESTART IDENTITY CASCADE;
