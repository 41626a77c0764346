-- change: nps_change_at and the view nps_change (why a journey's NPS moved:
-- the part of each touchpoint, segment or channel, from nps_contribution) on a
-- small hand-built data set.  Every number below is checked by hand in the
-- comments.
--
-- as_of = 2024-06-30 12:00 UTC, window 30 days:
--   current window  (2024-05-31 12:00, 2024-06-30 12:00]
--   previous window (2024-05-01 12:00, 2024-05-31 12:00]
SET timezone = 'UTC';
SET extra_float_digits = 0;
SET nps.notify = off;
\pset null '(null)'
\set as_of '''2024-06-30 12:00+00'''

TRUNCATE nps.response, nps.journey_event, nps.service_case, nps.metric_owner,
         nps.owner, nps.touchpoint, nps.journey RESTART IDENTITY CASCADE;
INSERT INTO nps.journey (code, name) VALUES ('j', '购买旅程'), ('k', 'Support');   -- ids 1, 2
INSERT INTO nps.touchpoint (journey_id, stage_order, code, name) VALUES
  (1, 1, 'a', '售前'), (1, 2, 'b', '支付'), (1, 3, 'c', '配送'),   -- ids 1, 2, 3 (c: no responses)
  (2, 1, 'z', '热线');                                            -- id 4

-- (touchpoint, score, how many, segment, channel, current window?)
--   a now:    10 x3 (VIP, app), 0 x1 (regular, app)          n 4, P3 D1: NPS 50
--   a before:  9 x2, 3 x2 (regular, phone)                   n 4, P2 D2: NPS 0
--   b now:     8 x2, 2 x2 (regular, phone)                   n 4, A2 D2: NPS -50
--   b before: 10 x6, 5 x2 (regular, app)                     n 8, P6 D2: NPS 50
--   z now:    10 x1 (no segment, no channel); nothing before
INSERT INTO nps.response (customer, touchpoint_id, answered_at, segment, channel, score)
SELECT 'c' || i, g.tp,
       CASE WHEN g.now THEN timestamptz '2024-06-10 00:00+00' ELSE timestamptz '2024-05-10 00:00+00' END
         + i * interval '1 minute',
       g.seg, g.chan, g.score
  FROM (VALUES (1, 10, 2, 'VIP', 'app', true), (1, 0, 1, 'regular', 'app', true),
               (1, 9, 1, 'regular', 'phone', false), (1, 3, 2, 'regular', 'phone', false),
               (2, 8, 2, 'regular', 'phone', true), (2, 2, 2, 'regular', 'phone', true),
               (2, 10, 6, 'regular', 'app', false), (2, 5, 2, 'regular', 'app', false),
               (4, 10, 1, NULL, NULL, true)) AS g(tp, score, how_many, seg, chan, now),
       generate_series(1, g.how_many) AS i;
-- the window edges: as_of itself is current, the current window's start is
-- previous, the previous window's start and anything after as_of are outside
INSERT INTO nps.response (customer, touchpoint_id, answered_at, segment, channel, score) VALUES
  ('edge-1', 1, '2024-06-30 12:00+00', 'VIP', 'app', 10),
  ('edge-2', 1, '2024-05-31 12:00+00', 'regular', 'phone', 9),
  ('out-1', 1, '2024-05-01 12:00+00', 'regular', 'phone', 0),
  ('out-2', 1, '2024-06-30 12:00:01+00', 'regular', 'phone', 0);

-- ---------- by touchpoint ----------
-- journey j now: n 8, net (3 - 1) + (0 - 2) = 0: S1 = 0; before: n 12, net 0 + 4: S0 = 33.333333
-- change -33.333333; midpoint of the whole (S0 + S1)/2 = 16.666667
-- a: w1 .5, w0 1/3; mix = (1/6)(25 - 16.666667) = 1.388889; rate = (5/12)(50 - 0) = 20.833333; effect 22.222222
-- b: w1 .5, w0 2/3; mix = (-1/6)(0 - 16.666667) = 2.777778; rate = (7/12)(-50 - 50) = -58.333333; effect -55.555556
--    (b's mix and rate effects have opposite signs)
-- c: no responses in either window: shares 0, no effects
-- journey k: nothing before: share 1, no previous share, no effects, no change, no p-value
SELECT journey, journey_name, dimension, touchpoint_id, dimension_value, dimension_value_name, stage_order,
       window_start, window_end, responses, nps, previous_window_responses, previous_window_nps,
       round(share::numeric, 6) AS share, round(previous_window_share::numeric, 6) AS previous_window_share,
       round(mix_effect::numeric, 6) AS mix, round(rate_effect::numeric, 6) AS rate, round(effect::numeric, 6) AS effect,
       journey_nps, round(previous_window_journey_nps::numeric, 6) AS previous_window_journey_nps,
       round(journey_change_from_previous_window::numeric, 6) AS journey_change
  FROM nps.nps_change_at(:as_of, '30 days');

-- ---------- by segment ----------
-- j now: VIP a 10 x3: n 3, NPS 100; regular a 0 + b 8 x2, 2 x2: n 5, D3: NPS -60
-- j before: regular n 12, NPS 33.333333; VIP none
-- VIP: w1 3/8, w0 0, its previous NPS taken as 100: mix = .375 (100 - 16.666667) = 31.25, rate 0
-- regular: w1 5/8, w0 1: mix = (-3/8)((-60 + 33.333333)/2 - 16.666667) = (-3/8)(-30) = 11.25;
--          rate = (13/16)(-60 - 33.333333) = -75.833333; effect -64.583333
-- k: the responses without a segment (NULL)
SELECT journey, dimension, touchpoint_id, dimension_value, dimension_value_name, stage_order, responses, nps,
       previous_window_responses, round(previous_window_nps::numeric, 6) AS previous_window_nps,
       share, previous_window_share,
       round(mix_effect::numeric, 6) AS mix, round(rate_effect::numeric, 6) AS rate, round(effect::numeric, 6) AS effect
  FROM nps.nps_change_at(:as_of, '30 days', 'segment');

-- ---------- by channel ----------
-- j now: app = a's 4 (NPS 50), phone = b's 4 (NPS -50); before: phone = a's 4 (NPS 0), app = b's 8 (NPS 50)
-- app: w1 .5, w0 2/3; mix = (-1/6)(50 - 16.666667) = -5.555556; rate 0
-- phone: w1 .5, w0 1/3; mix = (1/6)(-25 - 16.666667) = -6.944444; rate = (5/12)(-50) = -20.833333; effect -27.777778
SELECT journey, dimension_value, responses, nps, previous_window_responses, previous_window_nps,
       round(mix_effect::numeric, 6) AS mix, round(rate_effect::numeric, 6) AS rate, round(effect::numeric, 6) AS effect
  FROM nps.nps_change_at(:as_of, '30 days', 'channel');

-- ---------- the identity: the effects of a journey add up to its change ----------
SELECT d.dimension, c.journey, round(sum(c.effect)::numeric, 9) AS sum_of_effects,
       round(min(c.journey_change_from_previous_window)::numeric, 9) AS journey_change,
       count(DISTINCT c.journey_change_from_previous_window) AS one_change_per_journey
  FROM (VALUES ('touchpoint'), ('segment'), ('channel')) AS d(dimension),
       nps.nps_change_at(:as_of, '30 days', d.dimension) c
 GROUP BY 1, 2 ORDER BY 1, 2;

-- ---------- against a slow, obvious formulation ----------
-- journey NPS, change and p-value from nps_agg/nps_test over each journey's
-- responses; group results from nps_agg per touchpoint; effects from the plain
-- nps_contribution with the journey's results: no row differs
WITH w AS (SELECT timestamptz '2024-06-30 12:00+00' AS hi, timestamptz '2024-05-31 12:00+00' AS mid,
                  timestamptz '2024-05-01 12:00+00' AS lo),
per_tp AS (
  SELECT t.id AS tid, t.journey_id AS jid,
         (SELECT nps.nps_agg(r.score) FROM nps.response r, w WHERE r.touchpoint_id = t.id AND r.answered_at > w.mid AND r.answered_at <= w.hi) AS cur,
         (SELECT nps.nps_agg(r.score) FROM nps.response r, w WHERE r.touchpoint_id = t.id AND r.answered_at > w.lo AND r.answered_at <= w.mid) AS prev
    FROM nps.touchpoint t),
per_j AS (
  SELECT j.id AS jid,
         (SELECT nps.nps_agg(r.score) FROM nps.response r JOIN nps.touchpoint t ON t.id = r.touchpoint_id, w
           WHERE t.journey_id = j.id AND r.answered_at > w.mid AND r.answered_at <= w.hi) AS cur,
         (SELECT nps.nps_agg(r.score) FROM nps.response r JOIN nps.touchpoint t ON t.id = r.touchpoint_id, w
           WHERE t.journey_id = j.id AND r.answered_at > w.lo AND r.answered_at <= w.mid) AS prev
    FROM nps.journey j)
SELECT count(*) AS rows_compared,
       count(*) FILTER (WHERE c.responses IS DISTINCT FROM coalesce((p.cur).responses, 0)
                           OR c.nps IS DISTINCT FROM (p.cur).nps
                           OR c.previous_window_nps IS DISTINCT FROM (p.prev).nps
                           OR c.effect IS DISTINCT FROM (nps.nps_contribution(p.cur, p.prev, pj.cur, pj.prev)).effect
                           OR c.mix_effect IS DISTINCT FROM (nps.nps_contribution(p.cur, p.prev, pj.cur, pj.prev)).mix_effect
                           OR c.journey_change_from_previous_window IS DISTINCT FROM (pj.cur).nps - (pj.prev).nps
                           OR c.journey_change_p_value IS DISTINCT FROM (nps.nps_test(pj.cur, pj.prev)).p_value) AS differ,
       min(c.journey_change_p_value) FILTER (WHERE c.journey = 'j') = (SELECT (nps.nps_test(cur, prev)).p_value FROM per_j WHERE jid = 1) AS p_value_is_nps_test
  FROM nps.nps_change_at(:as_of, '30 days') c
  JOIN per_tp p ON p.tid = c.touchpoint_id
  JOIN per_j pj ON pj.jid = c.journey_id;

-- ---------- the view: now() and nps.window_length, by touchpoint ----------
-- the data is years old: every touchpoint is listed, without responses
SELECT journey, dimension, dimension_value, responses, previous_window_responses, effect FROM nps.nps_change;
SET nps.window_length = '10 years';
SELECT count(*) AS rows, sum(responses) AS responses FROM nps.nps_change;
RESET nps.window_length;

-- ---------- NULL arguments and errors ----------
-- STRICT: a NULL argument gives no rows
SELECT count(*) FROM nps.nps_change_at(:as_of, '30 days', NULL);
SELECT count(*) FROM nps.nps_change_at(NULL, '30 days');
\set VERBOSITY sqlstate
-- an unknown dimension (22023)
SELECT * FROM nps.nps_change_at(:as_of, '30 days', 'store');
SELECT * FROM nps.nps_change_at(:as_of, '30 days', 'Touchpoint');
-- a window that is not positive (22023)
SELECT * FROM nps.nps_change_at(:as_of, '0 days');
SELECT * FROM nps.nps_change_at(:as_of, '-1 day', 'segment');
\set VERBOSITY default
-- the message names the allowed values
SELECT * FROM nps.nps_change_at(:as_of, '30 days', 'store');

-- leave the tables empty for the other tests
TRUNCATE nps.response, nps.journey_event, nps.service_case, nps.metric_owner,
         nps.owner, nps.touchpoint, nps.journey RESTART IDENTITY CASCADE;
