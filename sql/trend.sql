-- Trends: nps.metric_trend_at(as_of, bucket, buckets, minimum_responses) and
-- the view nps.metric_trend.  A small hand-built data set; every number below
-- can be checked by hand from the INSERTs.
--
-- as_of = 2024-03-01 00:00 UTC, bucket 7 days, 3 buckets:
--   bucket 1 (2024-02-09, 2024-02-16]  nothing (a response exactly at 02-09 00:00 is before it)
--   bucket 2 (2024-02-16, 2024-02-23]  order: 10 promoters (one exactly at 02-23 00:00: the end is inclusive)
--                                      -> NPS 100; 10 cases at order, no complaint -> 0 %
--   bucket 3 (2024-02-23, 2024-03-01]  order: P 6, A 2, D 2 -> NPS 40
--                                      delivery: P 2, D 18 -> NPS -80; CSAT 5 x10, 4 x4, 2 x6 -> 14/20 = 70 %
--                                      whole journey from the counts: 30 responses, P 8, D 20 -> NPS -40
--                                      (the average of the stage NPS would be -20)
--                                      10 cases at order, 3 complaints -> 30 %
SET timezone = 'UTC';
SET extra_float_digits = 0;
\set VERBOSITY sqlstate
\set as_of '''2024-03-01 00:00+00'''

TRUNCATE nps.response, nps.journey_event, nps.service_case, nps.metric_owner,
         nps.owner, nps.touchpoint, nps.journey RESTART IDENTITY CASCADE;
DELETE FROM nps.metric WHERE NOT builtin;
SET nps.notify = off;

INSERT INTO nps.journey (code, name) VALUES ('shop', 'Shop');                  -- id 1
INSERT INTO nps.touchpoint (journey_id, stage_order, code, name) VALUES
  (1, 1, 'order', 'Order'),         -- id 1
  (1, 2, 'delivery', 'Delivery');   -- id 2
INSERT INTO nps.owner (name, owner_kind) VALUES ('Ann', 'person'), ('Ops', 'department');
INSERT INTO nps.metric_owner (metric, journey_id, touchpoint_id, owner_id, target, alert_line, min_responses) VALUES
  ('nps', 1, 1, 1, 30, 0, 5),                 -- id 1: NPS at order
  ('nps', 1, NULL, 2, 0, -30, 5),             -- id 2: NPS of the whole journey
  ('complaint_rate', 1, 1, 1, 10, 20, 5),     -- id 3: lower is better
  ('csat', 1, 2, 2, 80, 50, 5);               -- id 4: CSAT at delivery

INSERT INTO nps.response (customer, touchpoint_id, answered_at, score, csat)
SELECT 'c' || g.tp || '-' || g.score || '-' || i, g.tp, g.at + i * interval '1 minute', g.score, g.csat
  FROM (VALUES (1, 10, 9, timestamptz '2024-02-17 00:00+00', NULL::smallint),   -- bucket 2
               (1, 10, 6, timestamptz '2024-02-24 00:00+00', NULL),             -- bucket 3
               (1,  8, 2, timestamptz '2024-02-24 00:00+00', NULL),
               (1,  3, 2, timestamptz '2024-02-24 00:00+00', NULL),
               (2,  9, 2, timestamptz '2024-02-25 00:00+00', 5),
               (2,  2, 8, timestamptz '2024-02-25 00:00+00', 5),
               (2,  2, 4, timestamptz '2024-02-26 00:00+00', 4),
               (2,  2, 6, timestamptz '2024-02-27 00:00+00', 2))
       AS g(tp, score, how_many, at, csat),
       generate_series(1, g.how_many) AS i;
INSERT INTO nps.response (customer, touchpoint_id, answered_at, score) VALUES
  ('edge-end', 1, '2024-02-23 00:00+00', 10),       -- last instant of bucket 2
  ('edge-before', 1, '2024-02-09 00:00+00', 0);     -- just before bucket 1
INSERT INTO nps.service_case (customer, touchpoint_id, opened_at, complaint)
SELECT 'case-' || b || '-' || i, 1, timestamptz '2024-02-16 06:00+00' + b * interval '7 days' + i * interval '1 hour',
       b = 1 AND i <= 3
  FROM generate_series(0, 1) b, generate_series(1, 10) i;

-- one row per assignment and bucket, oldest bucket first, assignments in the
-- order of metric_status (journey-wide first, then by stage and metric).
-- By hand: bucket 3 at order 40 >= target 30: green; the journey -40 misses
-- target 0 but its interval reaches above the alert line -30: amber; the
-- complaint rate 30 % misses target 10 (lower is better) and ci_low 10.8 is
-- below the alert line 20: amber; CSAT 70 % misses 80, ci_high above 50:
-- amber.  Bucket 2 counts the response at 02-23 00:00 (10 at order).
SELECT metric_owner_id AS mo, metric, touchpoint, bucket_number AS k, window_start, window_end,
       responses AS n, round(value::numeric, 1) AS value,
       round(ci_low::numeric, 1) AS ci_low, round(ci_high::numeric, 1) AS ci_high,
       target, alert_line, min_responses AS min_n, status
  FROM nps.metric_trend_at(:as_of, '7 days', 3, 30);

-- slow and obviously correct: NPS per assignment and week from the raw rows
-- (a plain count formula over the assignment's touchpoints); the trend agrees
WITH b AS (
  SELECT k, timestamptz '2024-03-01 00:00+00' - (3 - k + 1) * interval '7 days' AS lo,
            timestamptz '2024-03-01 00:00+00' - (3 - k) * interval '7 days' AS hi
    FROM generate_series(1, 3) k
), slow AS (
  SELECT mo.id AS mo, b.k, count(r.id) AS n,
         100.0 * (count(*) FILTER (WHERE r.score >= 9) - count(*) FILTER (WHERE r.score <= 6))
               / nullif(count(r.id), 0) AS value,
         (nps.nps_ci(nps.nps_agg(r.score))).ci_low AS ci_low
    FROM nps.metric_owner mo CROSS JOIN b
    LEFT JOIN nps.response r
           ON r.touchpoint_id IN (SELECT t.id FROM nps.touchpoint t
                                   WHERE t.journey_id = mo.journey_id
                                     AND (mo.touchpoint_id IS NULL OR t.id = mo.touchpoint_id))
          AND r.answered_at > b.lo AND r.answered_at <= b.hi
   WHERE mo.metric = 'nps'
   GROUP BY mo.id, b.k
)
SELECT s.mo, s.k, s.n, round(s.value, 6) AS slow_value,
       t.responses = s.n AND round(t.value::numeric, 6) IS NOT DISTINCT FROM round(s.value, 6)
         AND t.ci_low IS NOT DISTINCT FROM s.ci_low AS trend_agrees
  FROM slow s JOIN nps.metric_trend_at(:as_of, '7 days', 3, 30) t
    ON t.metric_owner_id = s.mo AND t.bucket_number = s.k
 ORDER BY s.mo, s.k;

-- slow: the complaint rate per week from the raw cases
SELECT t.bucket_number AS k, t.responses AS n, t.value,
       t.value = (SELECT 100.0 * count(*) FILTER (WHERE c.complaint) / count(*)
                    FROM nps.service_case c
                   WHERE c.opened_at > t.window_start AND c.opened_at <= t.window_end) AS slow_agrees
  FROM nps.metric_trend_at(:as_of, '7 days', 3, 30) t
 WHERE t.metric = 'complaint_rate' AND t.responses > 0
 ORDER BY k;

-- each bucket is exactly metric_status_at over that bucket (value, interval,
-- status): no row of either side is missing from the other
WITH t AS (
  SELECT metric_owner_id, window_start, window_end, responses, value, std_error, ci_low, ci_high,
         target, alert_line, min_responses, status
    FROM nps.metric_trend_at(:as_of, '7 days', 3, 30)
), s AS (
  SELECT ms.metric_owner_id, ms.window_start, ms.window_end, ms.responses, ms.value, ms.std_error,
         ms.ci_low, ms.ci_high, ms.target, ms.alert_line, ms.min_responses, ms.status
    FROM generate_series(0, 2) j,
         nps.metric_status_at(timestamptz '2024-03-01 00:00+00' - j * interval '7 days', '7 days', 30) ms
)
SELECT (SELECT count(*) FROM t) AS trend_rows,
       (SELECT count(*) FROM (SELECT * FROM t EXCEPT ALL SELECT * FROM s) x) AS only_in_trend,
       (SELECT count(*) FROM (SELECT * FROM s EXCEPT ALL SELECT * FROM t) x) AS only_in_status;

-- minimum_responses (default nps.min_responses) applies where the assignment
-- has none; a bucket of one day
UPDATE nps.metric_owner SET min_responses = NULL WHERE id = 1;
SELECT bucket_number AS k, window_start, window_end, responses AS n, value, min_responses, status
  FROM nps.metric_trend_at('2024-02-25 00:00+00', '1 day', 2, 10) WHERE metric_owner_id = 1;
SET nps.min_responses = 11;
SELECT bucket_number AS k, responses AS n, min_responses, status
  FROM nps.metric_trend_at('2024-02-25 00:00+00', '1 day', 2) WHERE metric_owner_id = 1;
RESET nps.min_responses;
UPDATE nps.metric_owner SET min_responses = 5 WHERE id = 1;

-- the view: 12 weekly buckets per assignment, the last ending now()
BEGIN;
SELECT count(*) AS rows, count(DISTINCT metric_owner_id) AS assignments,
       min(bucket_number) AS first, max(bucket_number) AS last,
       bool_and(window_end - window_start = interval '7 days') AS weekly,
       max(window_end) = now() AS ends_now,
       min(window_start) = now() - interval '84 days' AS starts_12_weeks_ago
  FROM nps.metric_trend;
COMMIT;

-- errors
SELECT count(*) FROM nps.metric_trend_at(:as_of, '7 days', 0);
SELECT count(*) FROM nps.metric_trend_at(:as_of, '7 days', 1001);
SELECT count(*) FROM nps.metric_trend_at(:as_of, '-7 days', 3);
SELECT count(*) FROM nps.metric_trend_at(:as_of, '0', 3);
-- minimum_responses is checked even when every assignment has its own
SELECT count(*) FROM nps.metric_trend_at(:as_of, '7 days', 3, 0);
-- NULL arguments: no rows (STRICT)
SELECT count(*) FROM nps.metric_trend_at(NULL, '7 days', 3);
SELECT count(*) FROM nps.metric_trend_at(:as_of, '7 days', NULL);
SELECT count(*) FROM nps.metric_trend_at(:as_of, '7 days', 1000);
