-- The metric functions over fact tables of the caller's choosing (issue 8):
-- metric_response_results_at, metric_case_results_at, metric_status_at,
-- metric_trend_at, action_effect_at, owner_scorecard_at and
-- record_metric_status take response_table and service_case_table
-- (regclass, default nps.response and nps.service_case).  Over copies of the
-- facts in the user's own relations (another column order, an extra column,
-- a view) each returns exactly the rows of the default call, in the same
-- order; a relation without the needed columns is refused with a clear error.
SET timezone = 'UTC';
SET extra_float_digits = 0;
SET nps.notify = off;
\set VERBOSITY sqlstate
\set as_of '''2024-06-30 12:00+00'''

-- start from empty tables (other tests of the suite may have left rows)
TRUNCATE nps.response, nps.journey_event, nps.service_case, nps.metric_owner,
         nps.owner, nps.touchpoint, nps.journey, nps.improvement_action,
         nps.metric_status_log RESTART IDENTITY CASCADE;
DELETE FROM nps.metric WHERE NOT builtin;

INSERT INTO nps.journey (code, name) VALUES ('shop', 'Shop'), ('care', 'Care');   -- ids 1, 2
INSERT INTO nps.touchpoint (journey_id, stage_order, code, name) VALUES
  (1, 1, 'browse', 'Browse'),   -- id 1
  (1, 2, 'pay', 'Pay'),         -- id 2
  (1, 3, 'ship', 'Ship'),       -- id 3
  (2, 1, 'call', 'Call');       -- id 4
INSERT INTO nps.owner (name, owner_kind, department) VALUES
  ('Ana', 'person', 'Sales'), ('Ben', 'person', 'Logistics'), ('Care Dept', 'department', NULL);
INSERT INTO nps.metric (code, name, metric_kind, measure, direction, unit, segment, channel)
VALUES ('nps_vip_app', 'NPS of VIP customers in the app', 'nps', 'score', 'higher', 'points', 'vip', 'app');
INSERT INTO nps.metric_owner (metric, journey_id, touchpoint_id, owner_id, target, alert_line) VALUES
  ('nps', 1, 1, 1, 20, 0),                     -- id 1
  ('nps', 1, NULL, 2, 10, -10),                -- id 2: the whole journey
  ('csat', 1, 2, 1, 70, 50),                   -- id 3
  ('ces', 1, 2, 2, 4, 3),                      -- id 4
  ('nps_vip_app', 1, NULL, 2, 30, 0),          -- id 5: segment and channel
  ('first_contact_resolution', 2, 4, 3, 70, 50),  -- id 6
  ('first_response_sla', 2, 4, 3, 80, 60),     -- id 7
  ('complaint_rate', 1, 3, 2, 20, 40),         -- id 8: lower is better
  ('reopen_rate', 2, 4, 3, 10, 25);            -- id 9: lower is better

-- 3000 responses over the 60.4 days before as_of (one every 29 minutes), at
-- the four touchpoints in turn; in the current window (i <= 1489) scores and
-- CSAT are higher and CES lower than before; every fifth a VIP, channels
-- app/web/phone in turn
INSERT INTO nps.response (customer, touchpoint_id, answered_at, segment, channel, score, csat, ces, reasons)
SELECT 'c' || i, 1 + i % 4, timestamptz '2024-06-30 12:00+00' - i * interval '29 minutes',
       CASE WHEN i % 5 = 0 THEN 'vip' ELSE 'standard' END,
       (ARRAY['app', 'web', 'phone'])[1 + i % 3],
       least(10, (i * 7) % 11 + 2 * (i <= 1489)::int), least(5, 1 + (i * 3) % 5 + (i <= 1489)::int),
       greatest(1, 1 + (i * 5) % 7 - (i <= 1489)::int),
       CASE WHEN i % 11 < 4 THEN ARRAY['late'] ELSE '{}' END
  FROM generate_series(1, 3000) i;
-- 600 service cases at ship and call over the 60.4 days before as_of; more
-- complaints and contacts in the previous window (i > 297)
INSERT INTO nps.service_case (customer, touchpoint_id, opened_at, first_response_at, resolved_at,
                              contacts, complaint, reopened)
SELECT 'k' || i, CASE WHEN i % 2 = 0 THEN 3 ELSE 4 END, o,
       o + (i % 7) * interval '1 hour',
       CASE WHEN i % 9 <> 0 THEN o + (i % 5 + 1) * interval '10 hours' END,
       1 + i % 3 / 2 + (i > 297)::int, i % 4 = 0 OR i > 450, i % 6 = 0 AND i % 9 <> 0
  FROM generate_series(1, 600) i,
       LATERAL (SELECT timestamptz '2024-06-30 12:00+00' - i * interval '145 minutes') AS t(o);
INSERT INTO nps.improvement_action (metric_owner_id, title, planned_at, started_at, check_after, state) VALUES
  (1, 'better search', '2024-05-20', '2024-06-01', '10 days', 'check'),
  (3, 'one-click pay', '2024-05-20', '2024-06-05', '14 days', 'act'),
  (8, 'sturdier boxes', '2024-05-20', '2024-06-10', '14 days', 'do'),
  (6, 'callback', '2024-06-01', NULL, NULL, 'plan');

-- the user's own copies: columns in another order with an extra one (the
-- functions read columns by name), and the cases behind a view
CREATE SCHEMA facts;
CREATE TABLE facts.response AS
  SELECT 'crm'::text AS source, reasons, followed_up_at, comment, ces, csat, score, channel, segment,
         answered_at, touchpoint_id, customer, id
    FROM nps.response;
CREATE TABLE facts.service_case_rows AS SELECT * FROM nps.service_case;
CREATE VIEW facts.service_case AS SELECT * FROM facts.service_case_rows;
ANALYZE facts.response, facts.service_case_rows;

-- the default call against the call over the given relations: rows, rows in
-- one and not the other (both ways, with duplicates), and the same order
CREATE FUNCTION pg_temp.compare(default_call text, user_call text)
  RETURNS TABLE (default_rows bigint, user_rows bigint, differing bigint, same_order boolean)
  LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY EXECUTE format($q$
    WITH d AS (SELECT x::text AS r, ordinality AS n FROM %1$s WITH ORDINALITY x),
         u AS (SELECT x::text AS r, ordinality AS n FROM %2$s WITH ORDINALITY x)
    SELECT (SELECT count(*) FROM d), (SELECT count(*) FROM u),
           (SELECT count(*) FROM (SELECT r FROM d EXCEPT ALL SELECT r FROM u) a)
           + (SELECT count(*) FROM (SELECT r FROM u EXCEPT ALL SELECT r FROM d) b),
           (SELECT array_agg(r ORDER BY n) FROM d) = (SELECT array_agg(r ORDER BY n) FROM u)
  $q$, default_call, user_call);
END
$$;

-- ---------------------------------------------------------------- the copies give real values
-- NPS at browse in the current window over facts.response, by plain SQL (the
-- slow, obviously correct formulation) and by metric_status_at over it
SELECT count(*) AS responses,
       round(100.0 * (count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= 6)) / count(*), 4) AS nps
  FROM facts.response
 WHERE touchpoint_id = 1 AND answered_at > timestamptz '2024-06-30 12:00+00' - interval '30 days'
   AND answered_at <= timestamptz '2024-06-30 12:00+00';
SELECT metric, touchpoint, responses, round(value::numeric, 4) AS value, status,
       previous_window_responses AS prev_n, round(previous_window_value::numeric, 2) AS prev_value,
       round(change_p_value::numeric, 4) AS p, change_significant AS significant
  FROM nps.metric_status_at(:as_of, '30 days', 30, 'facts.response', 'facts.service_case');

-- ---------------------------------------------------------------- same rows as the default call
SELECT * FROM pg_temp.compare(
  $$nps.metric_response_results_at('2024-06-30 12:00+00', '30 days')$$,
  $$nps.metric_response_results_at('2024-06-30 12:00+00', '30 days', response_table => 'facts.response')$$);
SELECT * FROM pg_temp.compare(
  $$nps.metric_case_results_at('2024-06-30 12:00+00', '30 days')$$,
  $$nps.metric_case_results_at('2024-06-30 12:00+00', '30 days', service_case_table => 'facts.service_case')$$);
SELECT * FROM pg_temp.compare(
  $$nps.metric_status_at('2024-06-30 12:00+00', '30 days', 30)$$,
  $$nps.metric_status_at('2024-06-30 12:00+00', '30 days', 30, 'facts.response', 'facts.service_case')$$);
-- a short window: fewer responses, other statuses
SELECT * FROM pg_temp.compare(
  $$nps.metric_status_at('2024-06-20 00:00+00', '5 days', 30)$$,
  $$nps.metric_status_at('2024-06-20 00:00+00', '5 days', 30, 'facts.response', 'facts.service_case')$$);
SELECT * FROM pg_temp.compare(
  $$nps.metric_trend_at('2024-06-30 12:00+00', '7 days', 8, 30)$$,
  $$nps.metric_trend_at('2024-06-30 12:00+00', '7 days', 8, 30, 'facts.response', 'facts.service_case')$$);
SELECT * FROM pg_temp.compare(
  $$nps.action_effect_at('2024-06-30 12:00+00', '30 days', 30)$$,
  $$nps.action_effect_at('2024-06-30 12:00+00', '30 days', 30, 'facts.response', 'facts.service_case')$$);
SELECT * FROM pg_temp.compare(
  $$nps.owner_scorecard_at('2024-06-30 12:00+00', '30 days', 30)$$,
  $$nps.owner_scorecard_at('2024-06-30 12:00+00', '30 days', 30, 'facts.response', 'facts.service_case')$$);
-- what those calls compared is not trivial: every metric judged on both
-- sides, actions with verdicts, owners with statuses
SELECT metric_kind, count(*) AS metrics, sum(responses) AS responses,
       sum(previous_window_responses) AS previous_window_responses,
       count(*) FILTER (WHERE value IS NOT NULL AND change_p_value IS NOT NULL) AS with_value_and_test
  FROM nps.metric_status_at(:as_of, '30 days', 30, 'facts.response', 'facts.service_case')
 GROUP BY metric_kind ORDER BY metric_kind;
SELECT bucket_number, count(*) AS metrics, sum(responses) AS responses,
       string_agg(status, ',' ORDER BY metric_owner_id) AS statuses
  FROM nps.metric_trend_at(:as_of, '7 days', 8, 30, 'facts.response', 'facts.service_case')
 GROUP BY bucket_number ORDER BY bucket_number;
SELECT action_id, metric, previous_window_responses AS b_n, round(previous_window_value::numeric, 2) AS before,
       responses AS a_n, round(value::numeric, 2) AS after, round(change_p_value::numeric, 4) AS p, verdict
  FROM nps.action_effect_at(:as_of, '30 days', 30, 'facts.response', 'facts.service_case');
SELECT owner_name, metrics_owned, red, amber, green, insufficient, worst_metric, worst_status,
       open_actions, last_checked_action_id, last_checked_verdict
  FROM nps.owner_scorecard_at(:as_of, '30 days', 30, 'facts.response', 'facts.service_case');

-- record_metric_status: the same log over the copies as over nps's tables
CREATE TEMP TABLE logged_user AS
  SELECT metric_owner_id, as_of, window_length, metric, old_status, status, responses, value, ci_low, ci_high
    FROM nps.record_metric_status(:as_of, 'facts.response', 'facts.service_case');
TRUNCATE nps.metric_status_log;
CREATE TEMP TABLE logged_default AS
  SELECT metric_owner_id, as_of, window_length, metric, old_status, status, responses, value, ci_low, ci_high
    FROM nps.record_metric_status(:as_of);
SELECT (SELECT count(*) FROM logged_default) AS default_rows, (SELECT count(*) FROM logged_user) AS user_rows,
       (SELECT count(*) FROM (TABLE logged_default EXCEPT ALL TABLE logged_user) a)
       + (SELECT count(*) FROM (TABLE logged_user EXCEPT ALL TABLE logged_default) b) AS differing;
TRUNCATE nps.metric_status_log;

-- ---------------------------------------------------------------- the argument is what is read
-- the copies changed: a third of the responses deleted, no service case
DELETE FROM facts.response WHERE id % 3 = 0;
CREATE TABLE facts.no_case (LIKE nps.service_case);
SELECT metric, responses AS default_n, (SELECT u.responses FROM nps.metric_status_at(:as_of, '30 days', 30,
                                          'facts.response', 'facts.no_case') u
                                         WHERE u.metric_owner_id = d.metric_owner_id) AS user_n
  FROM nps.metric_status_at(:as_of, '30 days', 30) d;
SELECT count(*) AS trend_rows, sum(responses) AS responses
  FROM nps.metric_trend_at(:as_of, '7 days', 8, 30, 'facts.response', 'facts.no_case');
SELECT action_id, previous_window_responses AS b_n, responses AS a_n, verdict
  FROM nps.action_effect_at(:as_of, '30 days', 30, 'facts.response', 'facts.no_case');
SELECT owner_name, metrics_owned, insufficient
  FROM nps.owner_scorecard_at(:as_of, '30 days', 30, 'facts.response', 'facts.no_case');
-- a relation named in any case and with any characters is read as that
-- relation, never as SQL text (format's %s of a regclass quotes it)
CREATE TABLE facts."Odd "";name" (LIKE nps.response);
SELECT count(*) AS metrics, sum(responses) AS responses
  FROM nps.metric_status_at(:as_of, '30 days', 30, 'facts."Odd "";name"');
SELECT count(*) AS rows FROM nps.metric_response_results_at(:as_of, '30 days', 'facts."Odd "";name"');

-- ---------------------------------------------------------------- errors
CREATE TABLE facts.response_no_ces AS SELECT id, customer, touchpoint_id, answered_at, segment, channel,
       score, csat, comment, reasons, followed_up_at FROM nps.response;
CREATE TABLE facts.case_bigint_contacts AS SELECT id, customer, touchpoint_id, opened_at, first_response_at,
       resolved_at, contacts::bigint AS contacts, complaint, reopened FROM nps.service_case;
-- a missing column (42703), in every function, whatever the data
SELECT count(*) FROM nps.metric_response_results_at(:as_of, '30 days', 'facts.response_no_ces');
SELECT count(*) FROM nps.metric_status_at(:as_of, '30 days', 30, 'facts.response_no_ces');
SELECT count(*) FROM nps.metric_trend_at(:as_of, '7 days', 8, 30, 'facts.response_no_ces');
SELECT count(*) FROM nps.action_effect_at(:as_of, '30 days', 30, 'facts.response_no_ces');
SELECT count(*) FROM nps.owner_scorecard_at(:as_of, '30 days', 30, 'facts.response_no_ces');
SELECT count(*) FROM nps.record_metric_status(:as_of, 'facts.response_no_ces');
BEGIN;
DELETE FROM nps.metric_owner;
SELECT count(*) FROM nps.metric_status_at(:as_of, '30 days', 30, 'facts.response_no_ces');
ROLLBACK;
-- a column of another type (42804)
SELECT count(*) FROM nps.metric_case_results_at(:as_of, '30 days', 'facts.case_bigint_contacts');
SELECT count(*) FROM nps.metric_status_at(:as_of, '30 days', 30, service_case_table => 'facts.case_bigint_contacts');
SELECT count(*) FROM nps.metric_trend_at(:as_of, '7 days', 8, 30, service_case_table => 'facts.case_bigint_contacts');
SELECT count(*) FROM nps.action_effect_at(:as_of, '30 days', 30, service_case_table => 'facts.case_bigint_contacts');
SELECT count(*) FROM nps.owner_scorecard_at(:as_of, '30 days', 30, service_case_table => 'facts.case_bigint_contacts');
SELECT count(*) FROM nps.record_metric_status(:as_of, service_case_table => 'facts.case_bigint_contacts');
-- the facts of another kind: service cases as responses (no answered_at)
SELECT count(*) FROM nps.metric_status_at(:as_of, '30 days', 30, 'nps.service_case', 'nps.service_case');
-- an index (42809), a relation that does not exist (42P01, from the cast)
SELECT count(*) FROM nps.metric_status_at(:as_of, '30 days', 30, 'nps.response_pkey');
SELECT count(*) FROM nps.metric_case_results_at(:as_of, '30 days', 'nps.service_case_pkey');
SELECT count(*) FROM nps.owner_scorecard_at(:as_of, '30 days', 30, service_case_table => 'nps.service_case_pkey');
SELECT count(*) FROM nps.metric_status_at(:as_of, '30 days', 30, 'facts.nothing');
-- the messages name the relation and the column
\set VERBOSITY default
SELECT count(*) FROM nps.metric_status_at(:as_of, '30 days', 30, 'facts.response_no_ces');
SELECT count(*) FROM nps.owner_scorecard_at(:as_of, '30 days', 30, service_case_table => 'facts.case_bigint_contacts');
\set VERBOSITY sqlstate
-- NULL relations: no rows (the functions are strict), as for a NULL as_of
SELECT count(*) FROM nps.metric_status_at(:as_of, '30 days', 30, NULL);
SELECT count(*) FROM nps.owner_scorecard_at(:as_of, '30 days', 30, service_case_table => NULL);
SELECT count(*) FROM nps.metric_trend_at(:as_of, '7 days', 8, 30, NULL, NULL);
SELECT count(*) FROM nps.action_effect_at(:as_of, '30 days', 30, NULL);

DROP SCHEMA facts CASCADE;
TRUNCATE nps.response, nps.journey_event, nps.service_case, nps.metric_owner,
         nps.owner, nps.touchpoint, nps.journey, nps.improvement_action,
         nps.metric_status_log RESTART IDENTITY CASCADE;
DELETE FROM nps.metric WHERE NOT builtin;
