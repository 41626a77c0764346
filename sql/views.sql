-- Journey views on a small hand-built data set.  Every number below can be
-- checked by hand from the INSERTs (see the comments); the *_at functions
-- take an explicit as_of so nothing depends on now().
--
-- as_of = 2024-06-30 12:00 UTC, window 30 days:
--   current window  (2024-05-31 12:00, 2024-06-30 12:00]
--   previous window (2024-05-01 12:00, 2024-05-31 12:00]
SET timezone = 'UTC';
SET extra_float_digits = 0;
\set VERBOSITY sqlstate
\set as_of '''2024-06-30 12:00+00'''

-- start from empty tables (other tests of the suite may have left rows)
TRUNCATE nps.response, nps.journey_event, nps.service_case, nps.metric_owner,
         nps.owner, nps.touchpoint, nps.journey RESTART IDENTITY CASCADE;
DELETE FROM nps.metric WHERE NOT builtin;

INSERT INTO nps.journey (code, name) VALUES
  ('buy', '购买旅程'),          -- id 1
  ('support', 'Support');       -- id 2
INSERT INTO nps.touchpoint (journey_id, stage_order, code, name) VALUES
  (1, 1, 'presales', '售前咨询'),   -- id 1
  (1, 2, 'checkout', '下单支付'),   -- id 2
  (1, 3, 'delivery', '配送'),       -- id 3
  (2, 1, 'hotline', '热线');        -- id 4

-- Current window, generated groups (touchpoint, score, how many, segment,
-- reasons); detractors among them are already followed up (2 hours later).
--   presales: P 20 (5 VIP), A 10, D 9 + 1 hand row below = 10  -> NPS 25
--   checkout: P 5, A 10, D 23 + 2 hand rows = 25                -> NPS -50
--   delivery: P 5 (1 VIP), A 3, D 2                              -> NPS 30
--   hotline:  P 3, D 1                                           -> NPS 50
INSERT INTO nps.response (customer, touchpoint_id, answered_at, segment, channel, score, reasons, followed_up_at)
SELECT 'c-' || g.tp || '-' || g.score || '-' || i, g.tp,
       timestamptz '2024-06-05 00:00+00' + i * interval '1 minute',
       g.segment, 'app', g.score, g.reasons::text[],
       CASE WHEN g.score <= 6 THEN timestamptz '2024-06-05 02:00+00' + i * interval '1 minute' END
  FROM (VALUES (1, 10, 15, 'regular', '{}'),
               (1,  9,  5, 'VIP',     '{friendly_staff}'),
               (1,  8, 10, 'regular', '{}'),
               (1,  3,  6, 'regular', '{price}'),
               (1,  6,  3, 'regular', '{price,wait_time}'),
               (2,  9,  5, 'regular', '{}'),
               (2,  7, 10, 'regular', '{}'),
               (2,  4, 12, 'regular', '{payment_error}'),
               (2,  2,  9, 'regular', '{wait_time}'),
               (2,  1,  1, 'VIP',     '{payment_error,price}'),
               (2,  6,  1, 'regular', '{}'),
               (3, 10,  4, 'regular', '{}'),
               (3,  9,  1, 'VIP',     '{}'),
               (3,  8,  3, 'regular', '{price}'),
               (3,  5,  2, 'regular', '{late_delivery}'),
               (4,  9,  3, 'regular', '{}'),
               (4,  4,  1, 'regular', '{wait_time}'))
       AS g(tp, score, how_many, segment, reasons),
       generate_series(1, g.how_many) AS i;

-- three detractors still waiting (or waiting as of as_of)
INSERT INTO nps.response (customer, touchpoint_id, answered_at, segment, channel, score, comment, reasons, followed_up_at) VALUES
  ('c-901', 2, '2024-06-27 08:00+00', 'VIP', 'app', 2, '付款页面一直报错', '{payment_error,wait_time}', NULL),
  ('c-902', 1, '2024-06-29 18:00+00', 'regular', 'email', 5, 'too expensive', '{price}', NULL),
  ('c-903', 2, '2024-06-28 12:00+00', 'regular', 'phone', 0, 'rude agent', '{rude_staff}', '2024-06-30 15:00+00');

-- previous window: presales P 10 A 10 D 20 (NPS -25), checkout P 5 A 10 D 25 (NPS -50)
INSERT INTO nps.response (customer, touchpoint_id, answered_at, segment, channel, score, followed_up_at)
SELECT 'p-' || g.tp || '-' || g.score || '-' || i, g.tp,
       timestamptz '2024-05-15 00:00+00' + i * interval '1 minute', 'regular', 'app', g.score,
       CASE WHEN g.score <= 6 THEN timestamptz '2024-05-16 00:00+00' END
  FROM (VALUES (1, 10, 10), (1, 8, 10), (1, 3, 20),
               (2, 9, 5), (2, 7, 10), (2, 4, 25)) AS g(tp, score, how_many),
       generate_series(1, g.how_many) AS i;

-- outside both windows: ignored everywhere
INSERT INTO nps.response (customer, touchpoint_id, answered_at, segment, score, followed_up_at) VALUES
  ('old', 1, '2024-04-01 00:00+00', 'regular', 0, '2024-04-02 00:00+00'),
  ('future', 1, '2024-07-01 00:00+00', 'regular', 10, NULL);

SELECT t.code, count(*) AS responses,
       count(*) FILTER (WHERE score >= 9) AS p, count(*) FILTER (WHERE score <= 6) AS d
  FROM nps.response r JOIN nps.touchpoint t ON t.id = r.touchpoint_id
 WHERE answered_at > timestamptz :as_of - interval '30 days' AND answered_at <= :as_of
 GROUP BY t.code, t.id ORDER BY t.id;

-- ---------------------------------------------------------------- touchpoint_nps
-- buy: n 90, P 30, D 37 -> journey NPS -7.78
-- presales: 40/90 * (-7.78 - 25)  = -14.57
-- checkout: 40/90 * (-7.78 + 50)  =  18.77
-- delivery: 10/90 * (-7.78 - 30)  =  -4.20   (sum 0)
SELECT journey, touchpoint, touchpoint_name, stage_order, responses, promoters, passives, detractors,
       round(nps::numeric, 2) AS nps, round(margin_95::numeric, 2) AS margin_95,
       round(ci_low::numeric, 2) AS ci_low, round(ci_high::numeric, 2) AS ci_high,
       round(change_from_previous_stage::numeric, 2) AS change,
       journey_responses, round(journey_nps::numeric, 2) AS journey_nps,
       round(overall_points_lost::numeric, 2) AS points_lost
  FROM nps.touchpoint_nps_at(:as_of, '30 days');

SELECT journey, round(sum(overall_points_lost)::numeric, 10) AS sum_points_lost
  FROM nps.touchpoint_nps_at(:as_of, '30 days') GROUP BY journey ORDER BY journey;

SELECT window_start, window_end FROM nps.touchpoint_nps_at(:as_of, '30 days') LIMIT 1;

-- ---------------------------------------------------------------- segment_nps
-- VIP in buy: presales 5 P, checkout 2 D (c-901 and one generated), delivery 1 P
SELECT segment, journey, touchpoint, responses, promoters, passives, detractors,
       round(nps::numeric, 2) AS nps,
       round(ci_low::numeric, 2) AS ci_low, round(ci_high::numeric, 2) AS ci_high,
       round(change_from_previous_stage::numeric, 2) AS change,
       journey_responses, round(journey_nps::numeric, 2) AS journey_nps,
       round(overall_points_lost::numeric, 2) AS points_lost
  FROM nps.segment_nps_at(:as_of, '30 days')
 ORDER BY segment COLLATE "C", journey, stage_order;

-- ---------------------------------------------------------------- journey_funnel
-- presales: c1..c10 on 2024-06-10 10:00 (and c30 in April: outside)
-- checkout: c1..c6 after 1, 2, 3, 4, 5, 30 hours; c20 without presales;
--           c4 twice (the first time counts)
-- delivery: c1..c3, 24, 48, 72 hours after checkout
INSERT INTO nps.journey_event (customer, touchpoint_id, occurred_at)
SELECT 'c' || i, 1, timestamptz '2024-06-10 10:00+00' FROM generate_series(1, 10) AS i;
INSERT INTO nps.journey_event (customer, touchpoint_id, occurred_at) VALUES
  ('c30', 1, '2024-04-01 10:00+00'),
  ('c1', 2, '2024-06-10 11:00+00'), ('c2', 2, '2024-06-10 12:00+00'),
  ('c3', 2, '2024-06-10 13:00+00'), ('c4', 2, '2024-06-10 14:00+00'),
  ('c4', 2, '2024-06-20 14:00+00'),
  ('c5', 2, '2024-06-10 15:00+00'), ('c6', 2, '2024-06-11 16:00+00'),
  ('c20', 2, '2024-06-12 09:00+00'),
  ('c1', 3, '2024-06-11 11:00+00'), ('c2', 3, '2024-06-12 12:00+00'),
  ('c3', 3, '2024-06-13 13:00+00');

-- checkout: 7 customers, 6 continued from presales (drop-off 4, 0.6), median 3.5 h
-- delivery: 3 customers, all came from checkout (3/7) and from presales (3/10), median 48 h
SELECT journey, touchpoint, stage_order, customers, previous_stage_customers, continued_from_previous_stage,
       drop_off, round(conversion_from_previous_stage::numeric, 4) AS conv_prev,
       continued_from_first_stage, round(conversion_from_first_stage::numeric, 4) AS conv_first,
       median_time_from_previous_stage, round(median_hours_from_previous_stage::numeric, 2) AS median_hours
  FROM nps.journey_funnel_at(:as_of, '30 days');

-- ---------------------------------------------------------------- ownership
INSERT INTO nps.owner (name, owner_kind, department, email, role_name) VALUES
  ('Ann', 'person', 'Sales', 'ann@example.com', 'ann'),             -- id 1
  ('Bob', 'person', 'E-commerce', 'bob@example.com', 'bob'),        -- id 2
  ('Experience Dept', 'department', NULL, 'cx@example.com', NULL),  -- id 3
  ('Cora', 'person', 'Experience Dept', NULL, 'cora'),              -- id 4
  ('Dan', 'person', 'Logistics', NULL, NULL);                       -- id 5 (owns nothing)

INSERT INTO nps.metric (code, name, metric_kind, measure, direction, unit, segment, description)
VALUES ('nps_vip', 'NPS of VIP customers', 'nps', 'score', 'higher', 'points', 'VIP',
        'NPS of responses of the VIP segment');

INSERT INTO nps.metric_owner (metric, journey_id, touchpoint_id, owner_id, target, alert_line, min_responses) VALUES
  ('nps', 1, 1, 1, 20, 0, NULL),        -- presales 25 (-1.4 .. 47.9): green
  ('nps', 1, 2, 2, 10, 0, NULL),        -- checkout -50 (-68.0 .. -25.0 < 0): red
  ('nps', 1, 3, 1, 20, 0, NULL),        -- delivery: 10 responses < 30: insufficient
  ('nps', 1, NULL, 3, 0, -20, NULL),    -- buy -7.78 < 0 but interval reaches over -20: amber
  ('nps_vip', 1, NULL, 4, 60, 10, 5);   -- VIP 50 < 60, 8 >= 5 responses: amber

-- change from the previous window:
--   presales -25 -> 25 (+50, p 0.009, q 0.027: not significant at the default
--   nps.change_fdr 0.01, see below); checkout -50 -> -50 (0, p = 1)
--   buy: previous n 80, P 15, D 45 = -37.5 -> -7.78 (+29.72)
SELECT metric_owner_id AS mo, metric, journey, touchpoint, owner_name, department, owner_role,
       responses, round(value::numeric, 2) AS value,
       round(ci_low::numeric, 2) AS ci_low, round(ci_high::numeric, 2) AS ci_high,
       target, alert_line, min_responses AS min_n, status,
       previous_window_responses AS prev_n, round(previous_window_value::numeric, 2) AS prev_value,
       round(change_from_previous_window::numeric, 2) AS change, round(change_p_value::numeric, 4) AS p,
       change_significant AS sig
  FROM nps.metric_status_at(:as_of, '30 days', 30);

SELECT owner_name, owner_kind, department, metrics_owned, red, amber, green, insufficient,
       worst_metric, worst_journey_id, worst_journey, worst_touchpoint_id, worst_touchpoint, worst_status,
       round(worst_value::numeric, 2) AS worst_value, worst_target
  FROM nps.owner_scorecard_at(:as_of, '30 days', 30);

-- CSAT, CES and rate metrics (csat_agg/ces_agg/rate_agg of csat.sql and rate.sql)
-- hotline answers: csat 5, 5, 4, 2 -> 3/4 satisfied = 75 % (Wilson 30.06 .. 95.44);
--                  ces 7, 6, 5, 2 -> mean 5, SE sqrt(14/3)/2 = 1.08 (2.88 .. 7.12, clamped
--                  to the scale by ces_ci: 2.88 .. 7)
UPDATE nps.response SET csat = v.csat, ces = v.ces
  FROM (VALUES ('c-4-9-1', 5, 7), ('c-4-9-2', 5, 6), ('c-4-9-3', 4, 5), ('c-4-4-1', 2, 2)) AS v(customer, csat, ces)
 WHERE nps.response.customer = v.customer;
-- hotline cases: 40 in the current window; every 10th a complaint (4/40 = 10 %),
-- every 5th took 2 contacts and every 20th was reopened (FCR 32/40 = 80 %,
-- reopen 2/40 = 5 %); 40 in the previous window: no complaint, all resolved
-- at first contact (complaint 0 %, FCR 100 %, reopen 0 %)
INSERT INTO nps.service_case (customer, touchpoint_id, opened_at, first_response_at, resolved_at, contacts, complaint, reopened)
SELECT 'k' || i, 4, timestamptz '2024-06-10 00:00+00' + i * interval '1 hour',
       timestamptz '2024-06-10 01:00+00' + i * interval '1 hour',
       timestamptz '2024-06-11 00:00+00' + i * interval '1 hour',
       CASE WHEN i % 5 = 0 THEN 2 ELSE 1 END, i % 10 = 0, i % 20 = 0
  FROM generate_series(1, 40) AS i;
INSERT INTO nps.service_case (customer, touchpoint_id, opened_at, first_response_at, resolved_at)
SELECT 'q' || i, 4, timestamptz '2024-05-10 00:00+00' + i * interval '1 hour',
       timestamptz '2024-05-10 01:00+00' + i * interval '1 hour',
       timestamptz '2024-05-11 00:00+00' + i * interval '1 hour'
  FROM generate_series(1, 40) AS i;
-- checkout cases for the first response within 4 hours, as known at as_of (12:00):
--   opened 10:00, no answer yet: not counted (still inside the SLA)
--   opened 06:00, no answer: missed;  answered after as_of: missed (as of as_of)
--   answered after 1 hour: met  -> 1 of 3 = 33.33 %
INSERT INTO nps.service_case (customer, touchpoint_id, opened_at, first_response_at) VALUES
  ('s1', 2, '2024-06-30 10:00+00', NULL),
  ('s2', 2, '2024-06-30 06:00+00', NULL),
  ('s3', 2, '2024-06-29 12:00+00', '2024-06-30 13:00+00'),
  ('s4', 2, '2024-06-29 12:00+00', '2024-06-29 13:00+00');
INSERT INTO nps.owner (name, owner_kind, department) VALUES ('Eve', 'person', 'Service');   -- id 6
INSERT INTO nps.metric_owner (metric, journey_id, touchpoint_id, owner_id, target, alert_line, min_responses) VALUES
  ('csat', 2, NULL, 5, 80, 50, 4),                 -- 75 < 80, interval reaches over 50: amber
  ('ces', 2, 4, 5, 5, 3, 4),                       -- 5 >= 5: green
  ('complaint_rate', 2, 4, 5, 5, 20, NULL),        -- 10 > 5 (lower is better), 3.96 .. 23.05: amber
  ('first_contact_resolution', 2, 4, 5, 90, 70, NULL), -- 80 < 90, 65.24 .. 89.50: amber
  ('reopen_rate', 2, 4, 5, 3, 1, NULL),            -- 5 > 3 and 1.38 .. 16.50 all above 1: red
  ('first_response_sla', 1, 2, 6, 80, 60, 1);      -- 33.33, 3 cases
-- changes (pooled two-proportion z): complaint 0 -> 10, p = 0.0402;
-- FCR 100 -> 80, p = 0.0029; reopen 0 -> 5, p = 0.1521
SELECT metric, metric_kind, journey, touchpoint, owner_name, responses, round(value::numeric, 2) AS value,
       round(std_error::numeric, 2) AS se,
       round(ci_low::numeric, 2) AS ci_low, round(ci_high::numeric, 2) AS ci_high,
       target, alert_line, min_responses AS min_n, status,
       previous_window_responses AS prev_n, round(previous_window_value::numeric, 2) AS prev_value,
       round(change_from_previous_window::numeric, 2) AS change, round(change_p_value::numeric, 4) AS p,
       round(change_q_value::numeric, 4) AS q, change_significant AS sig
  FROM nps.metric_status_at(:as_of, '30 days', 30) WHERE metric_kind <> 'nps';
-- change_q_value: Benjamini-Hochberg across the metrics of the call with a
-- p-value: m = 6 here; by hand (p rounded):
--   rank 1 FCR 0.002869 * 6/1 = 0.017215; rank 2 presales 0.008838 * 6/2 = 0.026513;
--   rank 3 buy 0.020327 * 6/3 = 0.040654; rank 4 complaint 0.040174 * 6/4 = 0.060261;
--   rank 5 reopen 0.152078 * 6/5 = 0.182494; rank 6 checkout 1 * 6/6 = 1;
--   each already the minimum of itself and the ranks after it, so q = those;
--   significant = q < nps.change_fdr: at the default 0.01 none of them (the
--   smallest q is 0.017); at 0.05 FCR, presales and buy, while complaint_rate
--   (p 0.040 < 0.05) is not (q 0.060)
SELECT metric_owner_id AS mo, metric, touchpoint, round(change_p_value::numeric, 6) AS p,
       round(change_q_value::numeric, 6) AS q, change_significant AS sig
  FROM nps.metric_status_at(:as_of, '30 days', 30) ORDER BY change_p_value, metric_owner_id;
SET nps.change_fdr = 0.05;
SELECT metric_owner_id AS mo, metric, touchpoint, change_significant AS sig
  FROM nps.metric_status_at(:as_of, '30 days', 30) ORDER BY change_p_value, metric_owner_id;
SET nps.change_fdr = 0.02;                -- between FCR's q 0.017 and presales' 0.027
SELECT metric, touchpoint FROM nps.metric_status_at(:as_of, '30 days', 30) WHERE change_significant;
RESET nps.change_fdr;
-- the same from the definition, slowly, at 61 as_of (every day of June and
-- July): rank i of the m p-values (ties by metric_owner_id), q_i = min over
-- ranks j >= i of p_j m / j, at most 1; significant = q < 0.01, the
-- default nps.change_fdr (NULL without a p-value).  lowered: rows where a later rank gave the minimum
-- (the step-up at work), capped: rows capped at 1
WITH s AS (
  SELECT a.as_of, x.metric_owner_id AS id, x.change_p_value AS p, x.change_q_value AS q,
         x.change_significant AS sig
    FROM generate_series(timestamptz '2024-06-01 12:00+00', '2024-07-31 12:00+00', '1 day') AS a(as_of)
    CROSS JOIN LATERAL nps.metric_status_at(a.as_of, '30 days', 30) x
), r AS (
  SELECT s.*, (SELECT count(*) FROM s s2 WHERE s2.as_of = s.as_of AND s2.p IS NOT NULL
                                           AND (s2.p, s2.id) <= (s.p, s.id)) AS rnk,
         (SELECT count(s3.p) FROM s s3 WHERE s3.as_of = s.as_of) AS m
    FROM s
), slow AS (
  SELECT r.*, CASE WHEN r.p IS NOT NULL THEN
           least(1, (SELECT min(r2.p * r2.m / r2.rnk) FROM r r2
                      WHERE r2.as_of = r.as_of AND r2.p IS NOT NULL AND (r2.p, r2.id) >= (r.p, r.id))) END AS slow_q
    FROM r
)
SELECT count(*) AS rows, count(DISTINCT as_of) AS as_ofs, count(p) AS with_p,
       count(*) FILTER (WHERE (q IS NULL AND slow_q IS NULL) OR abs(q - slow_q) < 1e-12) AS q_equal,
       count(*) FILTER (WHERE sig IS NOT DISTINCT FROM (slow_q < 0.01)) AS sig_equal,
       count(*) FILTER (WHERE q < p * m / rnk - 1e-12) AS lowered,
       count(*) FILTER (WHERE q = 1 AND p * m / rnk > 1) AS capped,
       count(*) FILTER (WHERE sig) AS significant, count(*) FILTER (WHERE p < 0.05) AS raw_p_below_5pct
  FROM slow;
SELECT owner_name, metrics_owned, red, amber, green, insufficient, worst_metric, worst_touchpoint, worst_status
  FROM nps.owner_scorecard_at(:as_of, '30 days', 30) WHERE owner_name IN ('Dan', 'Eve');
DELETE FROM nps.metric_owner WHERE owner_id IN (5, 6);

-- ---------------------------------------------------------------- detractor queue
-- c-901 waits 76 h (overdue), c-903 exactly 48 h (not yet overdue; followed
-- up only after as_of), c-902 18 h.  Owners: touchpoint owner first, then the
-- journey owners, each by owner id; Cora owns VIP NPS, so only VIP detractors
-- list her.
SELECT response_id, customer, score, segment, journey, journey_name, touchpoint, touchpoint_name,
       round(hours_waiting::numeric, 2) AS hours, due_at, overdue, owner_names, owner_roles, comment, reasons
  FROM nps.detractor_queue_at(:as_of, '48 hours');

-- the queue now (only the two never followed up) and closing the loop
SELECT customer FROM nps.detractor_queue ORDER BY answered_at;
UPDATE nps.response SET followed_up_at = '2024-06-30 13:00+00' WHERE customer = 'c-901';
SELECT customer FROM nps.detractor_queue ORDER BY answered_at;
SELECT customer, overdue FROM nps.detractor_queue_at(:as_of, '48 hours');
UPDATE nps.response SET followed_up_at = NULL WHERE customer = 'c-901';

-- ---------------------------------------------------------------- detractor reasons
-- all: payment_error 14, wait_time 14, price 11, late_delivery 2, rude_staff 1
--      = 42 citations by 38 detractors (friendly_staff: promoters only, absent)
-- price is also cited by 3 passives: 14 responses, 11 detractors -> NPS -78.57
SELECT scope, journey, journey_name, touchpoint, reason, rank, detractors,
       round(share::numeric, 4) AS share, round(cumulative_share::numeric, 4) AS cum_share,
       scope_detractors AS scope_d, round(detractor_share::numeric, 4) AS of_detractors,
       responses, round(nps::numeric, 2) AS nps,
       round(nps_without::numeric, 2) AS nps_without, round(points_if_fixed::numeric, 2) AS if_fixed
  FROM nps.detractor_reasons_at(:as_of, '30 days');
-- nps_without, points_if_fixed (1.1), by hand: nps_without = NPS of the scope's
-- responses not citing the reason; points_if_fixed = responses / scope responses
-- * (nps_without - nps) = what the scope's NPS gains if those scored like the rest
--   presales (40: P 20 A 10 D 10, NPS 25), price (10 D): without 30 = P 20 A 10
--     -> 66.67; 10/40 * (66.67 + 100) = 41.67 = 66.67 - 25
--   delivery (10: P 5 A 3 D 2, NPS 30), late_delivery (2 D): without P 5 A 3 -> 62.5;
--     2/10 * 162.5 = 32.5
--   hotline (4: P 3 D 1, NPS 50), wait_time (1 D): without P 3 -> 100; 1/4 * 200 = 50
--   journey buy (90: P 30 A 23 D 37, NPS -7.78), payment_error (14 D): without 76 =
--     P 30 D 23 -> 9.21; 14/90 * 109.21 = 16.99 = 9.21 + 7.78
--   journey buy, price (14: 11 D, 3 A): without 76 = P 30 D 26 -> 5.26;
--     14/90 * (5.26 + 78.57) = 13.04
--   all (94: P 33 A 23 D 38), payment_error (14 D): without 80 = P 33 D 24 -> 11.25;
--     14/94 * 111.25 = 16.57
-- slow formulation: every (scope, reason) row against its scope's responses
-- recounted from scratch, promoters and detractors not citing the reason
WITH r AS (
  SELECT r.score, r.reasons, t.journey_id AS jid, r.touchpoint_id AS tid
    FROM nps.response r JOIN nps.touchpoint t ON t.id = r.touchpoint_id
   WHERE r.answered_at > timestamptz :as_of - interval '30 days' AND r.answered_at <= :as_of
), slow AS (
  SELECT d.scope, d.journey_id, d.touchpoint_id, d.reason, d.nps, d.nps_without, d.points_if_fixed,
         100.0 * (count(*) FILTER (WHERE r.score >= 9 AND NOT d.reason = ANY (r.reasons))
                  - count(*) FILTER (WHERE r.score <= 6 AND NOT d.reason = ANY (r.reasons)))
               / nullif(count(*) FILTER (WHERE NOT d.reason = ANY (r.reasons)), 0) AS without,
         count(*) FILTER (WHERE d.reason = ANY (r.reasons))::numeric / count(*) AS cite_share
    FROM nps.detractor_reasons_at(:as_of, '30 days') d
    JOIN r ON d.scope = 'all' OR (d.scope = 'journey' AND r.jid = d.journey_id)
              OR (d.scope = 'touchpoint' AND r.tid = d.touchpoint_id)
   GROUP BY 1, 2, 3, 4, 5, 6, 7
)
SELECT count(*) AS rows,
       count(*) FILTER (WHERE abs(nps_without - without) < 1e-9
                          OR (nps_without IS NULL AND without IS NULL)) AS same_without,
       count(*) FILTER (WHERE abs(points_if_fixed - cite_share * (without - nps)) < 1e-9
                          OR (points_if_fixed IS NULL AND without IS NULL)) AS same_points
  FROM slow;

-- ---------------------------------------------------------------- settings drive the views
-- a 7-day window only sees the hand rows: presales c-902 (5), checkout c-901 (2), c-903 (0)
SET nps.window_length = '7 days';
SELECT touchpoint, responses, round(nps::numeric, 2) AS nps, window_start
  FROM nps.touchpoint_nps_at(:as_of);
RESET nps.window_length;
SELECT touchpoint, responses FROM nps.touchpoint_nps_at(:as_of);
-- a 12-hour SLA makes every waiting detractor overdue
SET nps.followup_sla = '12 hours';
SELECT customer, due_at, overdue FROM nps.detractor_queue_at(:as_of);
RESET nps.followup_sla;
-- with 5 responses enough, delivery (10 responses, 30 >= target 20) is judged green
SET nps.min_responses = 5;
SELECT metric, touchpoint, responses, min_responses, status FROM nps.metric_status_at(:as_of) WHERE touchpoint = 'delivery';
RESET nps.min_responses;
SELECT metric, touchpoint, responses, min_responses, status FROM nps.metric_status_at(:as_of) WHERE touchpoint = 'delivery';

-- bad arguments
SELECT * FROM nps.touchpoint_nps_at(:as_of, '-1 day');
SELECT * FROM nps.metric_status_at(:as_of, '30 days', 0);
-- a negative window is refused as such (22023), even one so large that the
-- bounds computed from it would overflow (22008) first
SELECT * FROM nps.metric_status_at(:as_of, '-1 day');
SELECT * FROM nps.metric_status_at(:as_of, '-300000 years');
SELECT * FROM nps.owner_scorecard_at(:as_of, '-300000 years');
SELECT * FROM nps.metric_trend_at(:as_of, '-300000 years', 3);
-- also when every assignment has its own minimum (the default is never used)
BEGIN;
UPDATE nps.metric_owner SET min_responses = 5;
SELECT count(*) FROM nps.metric_status_at(:as_of, '30 days', 0);
ROLLBACK;
SELECT count(*) FROM nps.touchpoint_nps_at(NULL, '30 days');

-- the views have plain scalar columns and a comment on every column
SELECT c.relname, count(*) AS columns,
       count(*) FILTER (WHERE col_description(c.oid, a.attnum) IS NULL) AS uncommented,
       count(*) FILTER (WHERE t.typtype = 'c') AS composite,
       obj_description(c.oid, 'pg_class') IS NOT NULL AS view_commented
  FROM pg_class c
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
  JOIN pg_type t ON t.oid = a.atttypid
 WHERE c.relnamespace = 'nps'::regnamespace AND c.relkind = 'v'
 GROUP BY c.oid, c.relname ORDER BY c.relname;

-- the naming rule (README, Development), in the views and the tables: *_id =
-- key (integer), bare noun = code, *_name = display name, a kind says whose
-- kind it is; a journey or touchpoint code comes with its id
SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod) AS type
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.relnamespace = 'nps'::regnamespace AND c.relkind IN ('r', 'v')
   AND ((a.attname LIKE '%\_id' AND a.atttypid NOT IN ('integer'::regtype, 'bigint'::regtype))
        OR a.attname IN ('owner', 'owners', 'kind', 'change')
        OR a.attname LIKE 'previous\_%' AND a.attname NOT LIKE 'previous\_stage\_%'
                                         AND a.attname NOT LIKE 'previous\_window\_%'
        OR (a.attname ~ '^(worst_)?(journey|touchpoint)$'
            AND NOT EXISTS (SELECT FROM pg_attribute b
                             WHERE b.attrelid = c.oid AND b.attname = a.attname || '_id')))
 ORDER BY 1, 2;
-- a foreign key column holding the id of another table is named <table>_id
SELECT k.conrelid::regclass AS tbl, a.attname, k.confrelid::regclass AS refs
  FROM pg_constraint k
  CROSS JOIN LATERAL unnest(k.conkey, k.confkey) AS u(attnum, fattnum)
  JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum
  JOIN pg_attribute fa ON fa.attrelid = k.confrelid AND fa.attnum = u.fattnum
  JOIN pg_class fc ON fc.oid = k.confrelid
 WHERE k.contype = 'f' AND k.connamespace = 'nps'::regnamespace
   AND fa.attname = 'id' AND a.attname <> fc.relname || '_id'
 ORDER BY 1, 2;

-- hostile search_path: the functions do not depend on it
CREATE SCHEMA hostile;
CREATE FUNCTION hostile.now() RETURNS timestamptz LANGUAGE sql AS $$ SELECT timestamptz '1999-01-01' $$;
CREATE FUNCTION hostile.count(anyelement) RETURNS bigint LANGUAGE sql AS $$ SELECT 42::bigint $$;
SET search_path = hostile, public;
SELECT touchpoint, responses FROM nps.touchpoint_nps_at(:as_of, '30 days') WHERE journey = 'buy';
SELECT count(*) FROM nps.detractor_reasons_at(:as_of, '30 days');
RESET search_path;
DROP SCHEMA hostile CASCADE;

-- leave the tables empty for the other tests
TRUNCATE nps.response, nps.journey_event, nps.service_case, nps.metric_owner,
         nps.owner, nps.touchpoint, nps.journey RESTART IDENTITY CASCADE;
DELETE FROM nps.metric WHERE NOT builtin;
