-- Status history: nps.metric_status_log and nps.record_metric_status(as_of).
-- The data set of sql/trend.sql (see the comments there), with a 7-day window:
--   as_of 2024-02-23: order NPS 100 (10) green; journey 100 (10) green;
--                     complaint rate 0 % (10) green; CSAT at delivery: no answers, insufficient
--   as_of 2024-03-01: order NPS 40 green; journey -40 amber; complaint rate 30 % amber;
--                     CSAT 70 % amber
SET timezone = 'UTC';
SET extra_float_digits = 0;
\set VERBOSITY sqlstate

TRUNCATE nps.response, nps.journey_event, nps.service_case, nps.metric_owner,
         nps.owner, nps.touchpoint, nps.journey RESTART IDENTITY CASCADE;
TRUNCATE nps.metric_status_log RESTART IDENTITY;
DELETE FROM nps.metric WHERE NOT builtin;
SET nps.notify = off;
SET nps.window_length = '7 days';

INSERT INTO nps.journey (code, name) VALUES ('shop', 'Shop');
INSERT INTO nps.touchpoint (journey_id, stage_order, code, name) VALUES
  (1, 1, 'order', 'Order'), (1, 2, 'delivery', 'Delivery');
INSERT INTO nps.owner (name, owner_kind, role_name) VALUES
  ('Ann', 'person', 'regress_nps_log_ann'), ('Ops', 'department', NULL);
INSERT INTO nps.metric_owner (metric, journey_id, touchpoint_id, owner_id, target, alert_line, min_responses) VALUES
  ('nps', 1, 1, 1, 30, 0, 5), ('nps', 1, NULL, 2, 0, -30, 5),
  ('complaint_rate', 1, 1, 1, 10, 20, 5), ('csat', 1, 2, 2, 80, 50, 5);
INSERT INTO nps.response (customer, touchpoint_id, answered_at, score, csat)
SELECT 'c' || g.tp || '-' || g.score || '-' || i, g.tp, g.at + i * interval '1 minute', g.score, g.csat
  FROM (VALUES (1, 10, 10, timestamptz '2024-02-16 12:00+00', NULL::smallint),
               (1, 10, 6, timestamptz '2024-02-24 00:00+00', NULL),
               (1,  8, 2, timestamptz '2024-02-24 00:00+00', NULL),
               (1,  3, 2, timestamptz '2024-02-24 00:00+00', NULL),
               (2,  9, 2, timestamptz '2024-02-25 00:00+00', 5),
               (2,  2, 8, timestamptz '2024-02-25 00:00+00', 5),
               (2,  2, 4, timestamptz '2024-02-26 00:00+00', 4),
               (2,  2, 6, timestamptz '2024-02-27 00:00+00', 2))
       AS g(tp, score, how_many, at, csat),
       generate_series(1, g.how_many) AS i;
INSERT INTO nps.service_case (customer, touchpoint_id, opened_at, complaint)
SELECT 'case-' || b || '-' || i, 1, timestamptz '2024-02-16 06:00+00' + b * interval '7 days' + i * interval '1 hour',
       b = 1 AND i <= 3
  FROM generate_series(0, 1) b, generate_series(1, 10) i;

-- the first call logs every assignment (old_status NULL) and returns the rows
SELECT id, metric_owner_id AS mo, as_of, window_length, metric, journey_id, touchpoint_id, owner_id,
       old_status, status, responses, round(value::numeric, 1) AS value,
       round(ci_low::numeric, 1) AS ci_low, round(ci_high::numeric, 1) AS ci_high
  FROM nps.record_metric_status('2024-02-23 00:00+00');
-- idempotent: the same as_of again logs nothing
SELECT count(*) AS logged FROM nps.record_metric_status('2024-02-23 00:00+00');
-- a week later: only the three changes, each with the status it left
SELECT id, metric_owner_id AS mo, as_of, old_status, status, responses, round(value::numeric, 1) AS value
  FROM nps.record_metric_status('2024-03-01 00:00+00');
SELECT count(*) AS logged FROM nps.record_metric_status('2024-03-01 00:00+00');
-- what was logged equals metric_status_at at those times (one implementation of the status)
SELECT l.as_of, l.metric_owner_id AS mo, l.status = s.status AND l.value IS NOT DISTINCT FROM s.value
         AND l.responses = s.responses AND l.ci_low IS NOT DISTINCT FROM s.ci_low AS same_as_metric_status
  FROM nps.metric_status_log l
  JOIN LATERAL nps.metric_status_at(l.as_of, l.window_length, 30) s ON s.metric_owner_id = l.metric_owner_id
 ORDER BY l.id;
-- the last logged status is the latest at or before as_of: back at 02-23 nothing changed
SELECT count(*) AS logged FROM nps.record_metric_status('2024-02-23 00:00+00');
-- new answers that arrive late change the status at an as_of already logged:
-- the change is logged again at that as_of (previous = the row logged there)
INSERT INTO nps.response (customer, touchpoint_id, answered_at, score, csat)
SELECT 'late-' || i, 2, '2024-02-28 00:00+00', 9, 5 FROM generate_series(1, 30) i;
SELECT metric_owner_id AS mo, as_of, old_status, status, responses, round(value::numeric, 1) AS value
  FROM nps.record_metric_status('2024-03-01 00:00+00');
DELETE FROM nps.response WHERE customer LIKE 'late-%';

-- constraints name their rule
INSERT INTO nps.metric_status_log (metric_owner_id, as_of, window_length, metric, journey_id, owner_id, status, responses)
VALUES (1, '2024-03-02', '7 days', 'nps', 1, 1, 'purple', 0);
INSERT INTO nps.metric_status_log (metric_owner_id, as_of, window_length, metric, journey_id, owner_id, old_status, status, responses)
VALUES (1, '2024-03-02', '7 days', 'nps', 1, 1, 'blue', 'red', 0);
INSERT INTO nps.metric_status_log (metric_owner_id, as_of, window_length, metric, journey_id, owner_id, old_status, status, responses)
VALUES (1, '2024-03-02', '7 days', 'nps', 1, 1, 'red', 'red', 0);
INSERT INTO nps.metric_status_log (metric_owner_id, as_of, window_length, metric, journey_id, owner_id, status, responses)
VALUES (99, '2024-03-02', '7 days', 'nps', 1, 1, 'red', 0);

-- pg_dump keeps the log (table and its sequence)
SELECT c.relname FROM pg_extension e, unnest(e.extconfig) AS x(oid) JOIN pg_class c ON c.oid = x.oid
 WHERE e.extname = 'nps' AND c.relname LIKE 'metric_status_log%' ORDER BY 1;

-- who may record: EXECUTE is revoked from PUBLIC, and it needs INSERT on the log
CREATE ROLE regress_nps_log_ann;
GRANT USAGE ON SCHEMA nps TO regress_nps_log_ann;
GRANT SELECT ON ALL TABLES IN SCHEMA nps TO regress_nps_log_ann;
SET ROLE regress_nps_log_ann;
SELECT count(*) FROM nps.record_metric_status('2024-03-08 00:00+00');
RESET ROLE;

-- owner security: Ann (touchpoint order) sees the history of her assignments
-- at order only; the journey-wide one and delivery's are hidden from her
SELECT nps.enable_owner_security();
SELECT tablename, policyname FROM pg_policies WHERE schemaname = 'nps' AND tablename = 'metric_status_log';
SET ROLE regress_nps_log_ann;
SELECT metric_owner_id AS mo, as_of, status FROM nps.metric_status_log ORDER BY id;
RESET ROLE;
SELECT count(*) AS all_rows FROM nps.metric_status_log;
SELECT nps.disable_owner_security();
SET ROLE regress_nps_log_ann;
SELECT count(*) AS rows_seen_without_owner_security FROM nps.metric_status_log;
RESET ROLE;

-- deleting an assignment deletes its history
DELETE FROM nps.metric_owner WHERE id = 4;
SELECT metric_owner_id AS mo, count(*) FROM nps.metric_status_log GROUP BY 1 ORDER BY 1;

-- NULL as_of: nothing computed, nothing logged
SELECT count(*) FROM nps.record_metric_status(NULL);

-- hysteresis: into red needs the whole interval past the alert line, out of
-- red the value back at or past it.  A new stage 'returns' (NPS, target 30,
-- alert line 0, 5 answers), 7-day windows:
--   (04-01, 04-08]  P 1, D 9 of 10      -> -80, interval all below 0: red
--   (04-08, 04-15]  P 8, A 2, D 10 of 20 -> -10, interval reaches over 0:
--                   metric_status amber, but the value is still below 0: stays red
--   (04-15, 04-22]  P 6, A 2, D 2 of 10  -> 40: back past 0, green (logged)
--   (04-22, 04-29]  P 2, A 1, D 7 of 10  -> -50, interval reaches over 0: amber
--                   (from green, amber: the whole interval is below the target
--                   30; red would need the whole interval below 0)
-- and the same rule at the target: into amber from green needs the whole
-- interval below the target, out of amber the value back at or past it:
--   (04-29, 05-06]  P 8, A 1, D 1 of 10  -> 70: back past 30, green (logged)
--   (05-06, 05-13]  P 5, A 2, D 3 of 10  -> 20, below 30 but the interval
--                   reaches over it: metric_status amber, stays green
INSERT INTO nps.touchpoint (journey_id, stage_order, code, name) VALUES (1, 3, 'returns', 'Returns');
INSERT INTO nps.metric_owner (metric, journey_id, touchpoint_id, owner_id, target, alert_line, min_responses)
SELECT 'nps', 1, t.id, 2, 30, 0, 5 FROM nps.touchpoint t WHERE t.code = 'returns';
INSERT INTO nps.response (customer, touchpoint_id, answered_at, score)
SELECT 'r' || g.week || '-' || g.score || '-' || i, t.id,
       timestamptz '2024-04-01 12:00+00' + g.week * interval '7 days' + i * interval '1 minute', g.score
  FROM (VALUES (0, 10, 1), (0, 2, 9),
               (1, 10, 8), (1, 8, 2), (1, 2, 10),
               (2, 10, 6), (2, 8, 2), (2, 2, 2),
               (3, 10, 2), (3, 8, 1), (3, 2, 7),
               (4, 10, 8), (4, 8, 1), (4, 2, 1),
               (5, 10, 5), (5, 8, 2), (5, 2, 3)) AS g(week, score, how_many),
       generate_series(1, g.how_many) AS i,
       nps.touchpoint t WHERE t.code = 'returns';
SELECT a.as_of, s.responses AS n, round(s.value::numeric, 1) AS value,
       round(s.ci_low::numeric, 1) AS ci_low, round(s.ci_high::numeric, 1) AS ci_high,
       s.status AS metric_status
  FROM unnest(ARRAY[timestamptz '2024-04-08 00:00+00', '2024-04-15 00:00+00',
                    '2024-04-22 00:00+00', '2024-04-29 00:00+00',
                    '2024-05-06 00:00+00', '2024-05-13 00:00+00']) AS a(as_of)
  CROSS JOIN LATERAL nps.metric_status_at(a.as_of, '7 days', 30) s
 WHERE s.touchpoint = 'returns'
 ORDER BY a.as_of;
SELECT as_of, old_status, status, round(value::numeric, 1) AS value
  FROM nps.record_metric_status('2024-04-08 00:00+00') WHERE touchpoint_id = 3;
SELECT count(*) AS logged FROM nps.record_metric_status('2024-04-15 00:00+00') WHERE touchpoint_id = 3;
SELECT as_of, old_status, status, round(value::numeric, 1) AS value
  FROM nps.record_metric_status('2024-04-22 00:00+00') WHERE touchpoint_id = 3;
SELECT as_of, old_status, status, round(value::numeric, 1) AS value
  FROM nps.record_metric_status('2024-04-29 00:00+00') WHERE touchpoint_id = 3;
SELECT as_of, old_status, status, round(value::numeric, 1) AS value
  FROM nps.record_metric_status('2024-05-06 00:00+00') WHERE touchpoint_id = 3;
SELECT count(*) AS logged FROM nps.record_metric_status('2024-05-13 00:00+00') WHERE touchpoint_id = 3;
-- the same at 04-15 again logs nothing (red is still the last logged status)
SELECT count(*) AS logged FROM nps.record_metric_status('2024-04-15 00:00+00') WHERE touchpoint_id = 3;

REVOKE ALL ON ALL TABLES IN SCHEMA nps FROM regress_nps_log_ann;
REVOKE USAGE ON SCHEMA nps FROM regress_nps_log_ann;
DROP ROLE regress_nps_log_ann;
RESET nps.window_length;
