-- PDCA improvement actions (nps.improvement_action) and their effect
-- (nps.action_effect_at), on a small hand-built data set: every value below
-- can be checked by hand from the INSERTs and the comments.
--
-- Actions start at S = 2024-06-01 00:00 UTC; with check_after 10 days the
-- before window is (2024-05-22, 2024-06-01] and the after window
-- (2024-06-01, 2024-06-11].  as_of = 2024-06-20 12:00 UTC.
SET timezone = 'UTC';
SET extra_float_digits = 0;
SET nps.notify = off;
\set VERBOSITY sqlstate
\set as_of '''2024-06-20 12:00+00'''

-- start from empty tables (other tests of the suite may have left rows)
TRUNCATE nps.response, nps.journey_event, nps.service_case, nps.metric_owner,
         nps.owner, nps.touchpoint, nps.journey, nps.improvement_action RESTART IDENTITY CASCADE;
DELETE FROM nps.metric WHERE NOT builtin;

INSERT INTO nps.journey (code, name) VALUES ('ship', '配送旅程');               -- id 1
INSERT INTO nps.touchpoint (journey_id, stage_order, code, name) VALUES
  (1, 1, 'pack', '包装'),       -- id 1
  (1, 2, 'deliver', '配送');    -- id 2
INSERT INTO nps.owner (name, owner_kind, department) VALUES
  ('李强', 'person', '物流部'),      -- id 1
  ('王芳', 'person', '客户体验中心'); -- id 2
INSERT INTO nps.metric_owner (metric, journey_id, touchpoint_id, owner_id, target, alert_line, min_responses) VALUES
  ('nps',            1, 2,    1, 20, 0, 10),     -- id 1: NPS at deliver, 李强
  ('complaint_rate', 1, 2,    1, 5, 20, 10),     -- id 2: complaint rate at deliver (lower is better), 李强
  ('nps',            1, NULL, 2, 30, 10, 10),    -- id 3: NPS of the whole journey, 王芳
  ('csat',           1, 1,    2, 80, 60, 10),    -- id 4: CSAT at pack, 王芳
  ('ces',            1, 1,    2, 5, 3, 10);      -- id 5: CES at pack, 王芳

-- Responses, (touchpoint, score, csat, ces, how many, window):
--   before, answered 2024-05-25 + i minutes:
--     deliver: P 4, A 6, D 10 (20)                 NPS (4 - 10) / 20 = -30
--     pack:    P 15, A 15 (30)                     NPS 50
--              CSAT 5 x 24, 2 x 6                  CSAT 24 / 30 = 80%
--              CES 6 x 15, 5 x 15                  mean 5.5
--     journey: P 19, A 21, D 10 (50)               NPS (19 - 10) / 50 = 18
--              (the average of the stages would be (-30 + 50) / 2 = 10)
--   after, answered 2024-06-05 + i minutes:
--     deliver: P 12, A 6, D 2 (20)                 NPS (12 - 2) / 20 = 50
--     pack:    P 10, A 10 (20)                     NPS 50
--              CSAT 4 x 16, 1 x 4                  CSAT 16 / 20 = 80%
--              CES 3 x 10, 2 x 10                  mean 2.5
--     journey: P 22, A 16, D 2 (40)                NPS (22 - 2) / 40 = 50
INSERT INTO nps.response (customer, touchpoint_id, answered_at, channel, score, csat, ces)
SELECT 'c-' || g.w || '-' || g.tp || '-' || g.score || '-' || i, g.tp,
       CASE g.w WHEN 'before' THEN timestamptz '2024-05-25 00:00+00' ELSE timestamptz '2024-06-05 00:00+00' END
         + i * interval '1 minute',
       'app', g.score, g.csat, g.ces
  FROM (VALUES ('before', 2, 9, NULL, NULL, 4),
               ('before', 2, 7, NULL, NULL, 6),
               ('before', 2, 3, NULL, NULL, 10),
               ('before', 1, 10, 5, 6, 15),
               ('before', 1, 8, 5, 5, 9),
               ('before', 1, 8, 2, 5, 6),
               ('after',  2, 10, NULL, NULL, 12),
               ('after',  2, 8, NULL, NULL, 6),
               ('after',  2, 0, NULL, NULL, 2),
               ('after',  1, 9, 4, 3, 10),
               ('after',  1, 7, 4, 2, 6),
               ('after',  1, 7, 1, 2, 4))
       AS g(w, tp, score, csat, ces, how_many),
       generate_series(1, g.how_many) AS i;

-- Service cases at deliver: before 20 opened 2024-05-26, 10 complaints (50%);
-- after 20 opened 2024-06-06, 2 complaints (10%).
INSERT INTO nps.service_case (customer, touchpoint_id, opened_at, complaint)
SELECT 'k-' || i, 2, timestamptz '2024-05-26 00:00+00' + i * interval '1 hour', i <= 10
  FROM generate_series(1, 20) i;
INSERT INTO nps.service_case (customer, touchpoint_id, opened_at, complaint)
SELECT 'k-' || i, 2, timestamptz '2024-06-06 00:00+00' + (i - 20) * interval '1 hour', i <= 22
  FROM generate_series(21, 40) i;

-- ---------- the table: defaults and constraints ----------

INSERT INTO nps.improvement_action (metric_owner_id, title, owner_id, planned_at, started_at, check_after, state) VALUES
  (1, '新包装标准', NULL, '2024-05-20', '2024-06-01', '10 days', 'check'),   -- 1: improved
  (2, '投诉快速通道', 2,  '2024-05-20', '2024-06-01', '10 days', 'act'),     -- 2: improved, lower is better; responsible 王芳
  (3, '全旅程回访', NULL, '2024-05-20', '2024-06-01', '10 days', 'check'),   -- 3: improved, whole journey
  (4, '包装培训', NULL,   '2024-05-20', '2024-06-01', '10 days', 'do'),      -- 4: no significant change
  (5, '简化签收', NULL,   '2024-05-20', '2024-06-01', '10 days', 'abandoned'), -- 5: worsened
  (1, '司机培训', NULL,   '2024-05-20', '2024-06-01', '30 days', 'do'),      -- 6: too early (after window until 2024-07-01)
  (1, '换承运商', NULL,   '2024-05-20', NULL, NULL, 'plan'),                 -- 7: not started
  (1, '夜间配送', NULL,   '2024-05-20', '2024-06-25', '10 days', 'plan'),    -- 8: starts after as_of: not started
  (1, '短信提醒', NULL,   '2024-05-20', '2024-06-05', '1 day', 'do');        -- 9: too early (no responses before)
SELECT id, metric_owner_id, owner_id, started_at, check_after, state FROM nps.improvement_action ORDER BY id;
-- planned_at defaults to now(), state to plan
INSERT INTO nps.improvement_action (metric_owner_id, title) VALUES (1, 'default')
  RETURNING state, planned_at = now() AS planned_now, started_at, check_after, owner_id;
DELETE FROM nps.improvement_action WHERE title = 'default';

-- bad rows, each refused by its named rule
INSERT INTO nps.improvement_action (metric_owner_id, title) VALUES (1, '  ');                         -- 23514 title_not_blank
INSERT INTO nps.improvement_action (metric_owner_id, title, state) VALUES (1, 'x', 'done');            -- 23514 state
INSERT INTO nps.improvement_action (metric_owner_id, title, planned_at, started_at, state)
  VALUES (1, 'x', '2024-06-02', '2024-06-01', 'do');                                                  -- 23514 started_at_not_before_planned_at
INSERT INTO nps.improvement_action (metric_owner_id, title, state) VALUES (1, 'x', 'do');              -- 23514 started_at_set_from_do
INSERT INTO nps.improvement_action (metric_owner_id, title, check_after) VALUES (1, 'x', '0 days');    -- 23514 check_after_positive
INSERT INTO nps.improvement_action (metric_owner_id, title, check_after) VALUES (1, 'x', '-1 day');    -- 23514 check_after_positive
INSERT INTO nps.improvement_action (metric_owner_id, title) VALUES (99, 'x');                          -- 23503 metric_owner_id
INSERT INTO nps.improvement_action (metric_owner_id, title, owner_id) VALUES (1, 'x', 99);            -- 23503 owner_id
INSERT INTO nps.improvement_action (metric_owner_id, title) VALUES (NULL, 'x');                        -- 23502
\set VERBOSITY default
INSERT INTO nps.improvement_action (metric_owner_id, title, planned_at, state) VALUES (1, 'x', '2024-05-20', 'do');
\set VERBOSITY sqlstate

-- ---------- the effect ----------
-- 1: deliver NPS -30 -> 50 (+80): improved.
-- 2: complaint rate 50% -> 10% (-40): lower is better, so improved.
-- 3: whole-journey NPS 18 -> 50 (+32, from the counts of both stages): improved.
-- 4: CSAT 80% -> 80%: p = 1, no significant change.
-- 5: CES 5.5 -> 2.5: worsened.
-- 6: the 30-day after window runs until 2024-07-01: too early; it is shown
--    clipped at as_of, (2024-06-01, 2024-06-20 12:00], the same 20 answers.
-- 7, 8: not started (no started_at; started_at after as_of): no windows' values.
-- 9: before (2024-06-04, 2024-06-05] has no response: too early.
SELECT action_id, metric, touchpoint, owner_name, window_length,
       previous_window_start, previous_window_end, previous_window_responses AS b_n,
       round(previous_window_value::numeric, 2) AS before,
       window_start, window_end, responses AS a_n, round(value::numeric, 2) AS after,
       round(change_from_previous_window::numeric, 2) AS change,
       round(change_p_value::numeric, 4) AS p, verdict
  FROM nps.action_effect_at(:as_of, '30 days', 30);
-- intervals: the metric kind's (NPS adjusted Wald, CSAT and rates Wilson, CES normal)
SELECT action_id, metric_kind, direction,
       round(previous_window_ci_low::numeric, 2) AS b_low, round(previous_window_ci_high::numeric, 2) AS b_high,
       round(ci_low::numeric, 2) AS a_low, round(ci_high::numeric, 2) AS a_high, min_responses
  FROM nps.action_effect_at(:as_of, '30 days', 30) WHERE action_id <= 5;

-- each value and test is the one of the metric kind's C functions on the same rows:
-- plain SQL over the windows (slow, obviously correct) against the view
WITH a AS (
  SELECT * FROM nps.action_effect_at(:as_of, '30 days', 30) WHERE verdict <> 'not started'
), rows AS (   -- each response metric's answers in both windows, by plain filters
  SELECT a.action_id, r.answered_at > a.started_at AS after, r.score, r.csat, r.ces
    FROM a JOIN nps.response r
      ON (a.touchpoint_id IS NULL OR r.touchpoint_id = a.touchpoint_id)
     AND r.answered_at > a.previous_window_start AND r.answered_at <= a.window_end
   WHERE a.metric_kind <> 'rate'
), slow AS (
  SELECT action_id,
         count(*) FILTER (WHERE NOT after) AS b_n, count(*) FILTER (WHERE after) AS a_n,
         100.0 * (count(*) FILTER (WHERE NOT after AND score >= 9) - count(*) FILTER (WHERE NOT after AND score <= 6))
           / nullif(count(*) FILTER (WHERE NOT after), 0) AS b_nps,
         100.0 * (count(*) FILTER (WHERE after AND score >= 9) - count(*) FILTER (WHERE after AND score <= 6))
           / nullif(count(*) FILTER (WHERE after), 0) AS a_nps,
         100.0 * count(*) FILTER (WHERE NOT after AND csat >= 4) / nullif(count(csat) FILTER (WHERE NOT after), 0) AS b_csat,
         100.0 * count(*) FILTER (WHERE after AND csat >= 4) / nullif(count(csat) FILTER (WHERE after), 0) AS a_csat,
         avg(ces) FILTER (WHERE NOT after) AS b_ces, avg(ces) FILTER (WHERE after) AS a_ces,
         (nps.nps_test(nps.nps_agg(score) FILTER (WHERE after), nps.nps_agg(score) FILTER (WHERE NOT after))).p_value AS nps_p,
         (nps.csat_test(nps.csat_agg(csat, 5, 4) FILTER (WHERE after), nps.csat_agg(csat, 5, 4) FILTER (WHERE NOT after))).p_value AS csat_p,
         (nps.ces_test(nps.ces_agg(ces, 7, 5) FILTER (WHERE after), nps.ces_agg(ces, 7, 5) FILTER (WHERE NOT after))).p_value AS ces_p
    FROM rows GROUP BY action_id
)
SELECT a.action_id, a.metric_kind,
       a.previous_window_responses = CASE a.metric_kind WHEN 'nps' THEN s.b_n ELSE a.previous_window_responses END AS b_n_ok,
       a.responses = CASE a.metric_kind WHEN 'nps' THEN s.a_n ELSE a.responses END AS a_n_ok,
       coalesce(abs(a.previous_window_value - x.b) < 1e-9, a.previous_window_value IS NULL AND x.b IS NULL) AS before_ok,
       coalesce(abs(a.value - x.a) < 1e-9, a.value IS NULL AND x.a IS NULL) AS after_ok,
       a.change_p_value IS NOT DISTINCT FROM CASE a.metric_kind WHEN 'nps' THEN s.nps_p WHEN 'csat' THEN s.csat_p ELSE s.ces_p END AS p_ok
  FROM a LEFT JOIN slow s USING (action_id)
  CROSS JOIN LATERAL (SELECT CASE a.metric_kind WHEN 'nps' THEN s.b_nps WHEN 'csat' THEN s.b_csat ELSE s.b_ces END AS b,
                             CASE a.metric_kind WHEN 'nps' THEN s.a_nps WHEN 'csat' THEN s.a_csat ELSE s.a_ces END AS a) x
 WHERE a.metric_kind <> 'rate'
 ORDER BY a.action_id;
-- the rate: complaints / cases by plain SQL, and rate_test on the same hits
SELECT a.action_id,
       a.previous_window_value = 100.0 * count(*) FILTER (WHERE NOT c.after AND c.complaint) / count(*) FILTER (WHERE NOT c.after) AS before_ok,
       a.value = 100.0 * count(*) FILTER (WHERE c.after AND c.complaint) / count(*) FILTER (WHERE c.after) AS after_ok,
       a.change_p_value = (nps.rate_test(nps.rate_agg(c.complaint) FILTER (WHERE c.after),
                                         nps.rate_agg(c.complaint) FILTER (WHERE NOT c.after))).p_value AS p_ok
  FROM nps.action_effect_at(:as_of, '30 days', 30) a
  CROSS JOIN LATERAL (SELECT sc.opened_at > a.started_at AS after, sc.complaint FROM nps.service_case sc
                       WHERE sc.touchpoint_id = a.touchpoint_id
                         AND sc.opened_at > a.previous_window_start AND sc.opened_at <= a.window_end) c
 WHERE a.metric_kind = 'rate'
 GROUP BY a.action_id, a.previous_window_value, a.value, a.change_p_value;
-- a complete action's windows are metric_status's current and previous windows
-- ending at started_at + window_length (the same numbers, another path)
SELECT a.action_id,
       a.value = ms.value AND a.previous_window_value = ms.previous_window_value
       AND a.change_p_value = ms.change_p_value AS same_as_metric_status
  FROM nps.action_effect_at(:as_of, '30 days', 30) a
  JOIN nps.metric_status_at(a.started_at + a.window_length, a.window_length, 30) ms USING (metric_owner_id)
 WHERE a.action_id <= 5
 ORDER BY a.action_id;

-- check_after NULL uses window_length; min responses: metric_owner's, else the argument
UPDATE nps.improvement_action SET check_after = NULL WHERE id = 1;
UPDATE nps.metric_owner SET min_responses = NULL WHERE id = 1;
SELECT action_id, window_length, window_end, responses, min_responses, verdict
  FROM nps.action_effect_at(:as_of, '10 days', 21) WHERE action_id = 1;   -- 20 answers after: too few
SELECT action_id, window_length, window_end, responses, min_responses, verdict
  FROM nps.action_effect_at(:as_of, '10 days', 20) WHERE action_id = 1;
SELECT action_id, window_length, window_end, verdict
  FROM nps.action_effect_at(:as_of, '30 days', 20) WHERE action_id = 1;   -- 30-day window: not complete yet
UPDATE nps.improvement_action SET check_after = '10 days' WHERE id = 1;
UPDATE nps.metric_owner SET min_responses = 10 WHERE id = 1;

-- the view: as of now() every started action's window is complete
SET nps.window_length = '10 days';
SET nps.min_responses = 10;
SELECT action_id, verdict FROM nps.action_effect ORDER BY action_id;
RESET nps.window_length;
RESET nps.min_responses;

-- errors of the arguments
SELECT * FROM nps.action_effect_at(:as_of, '0 days', 30);   -- 22023
SELECT * FROM nps.action_effect_at(:as_of, '30 days', 0);   -- 22023
SELECT count(*) FROM nps.action_effect_at(NULL, '30 days', 30);   -- strict: no rows

-- ---------- the owner scorecard ----------
-- 李强: actions 1, 6, 7, 8, 9 are open (check, do, plan, plan, do); the last
-- one checked (after window ended by as_of) is 1 (ended 2024-06-11; 9 ended
-- 2024-06-06).  王芳: 3 (check) and 4 (do) are open, 2 (act) and 5
-- (abandoned) are not; 2, 3, 4 and 5 all ended 2024-06-11: the last by id is 5.
SELECT owner_name, metrics_owned, open_actions, last_checked_action_id, last_checked_verdict
  FROM nps.owner_scorecard_at(:as_of, '30 days', 30);

-- ---------- owner security ----------
-- 李强's role sees the actions of the assignments it sees (metric_owner 1
-- and 2 at deliver: actions 1, 2, 6, 7, 8, 9), may plan one on them, not on
-- 王芳's pack metrics (42501)
CREATE ROLE regress_nps_act_li;
UPDATE nps.owner SET role_name = 'regress_nps_act_li' WHERE id = 1;
GRANT USAGE ON SCHEMA nps TO regress_nps_act_li;
GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA nps TO regress_nps_act_li;
SELECT nps.enable_owner_security();
SET ROLE regress_nps_act_li;
SELECT id, metric_owner_id FROM nps.improvement_action ORDER BY id;
-- action 2 is on his metric; its responsible owner (王芳) is hidden from him
SELECT action_id, owner_id, owner_name, verdict FROM nps.action_effect_at(:as_of, '30 days', 30) ORDER BY action_id;
INSERT INTO nps.improvement_action (metric_owner_id, title, planned_at) VALUES (2, '投诉回访', '2024-06-20') RETURNING id;
INSERT INTO nps.improvement_action (metric_owner_id, title, planned_at) VALUES (4, 'not mine', '2024-06-20');  -- 42501
RESET ROLE;
SELECT nps.disable_owner_security();
DELETE FROM nps.improvement_action WHERE title = '投诉回访';
REVOKE ALL ON ALL TABLES IN SCHEMA nps FROM regress_nps_act_li;
REVOKE USAGE ON SCHEMA nps FROM regress_nps_act_li;
UPDATE nps.owner SET role_name = NULL WHERE id = 1;
DROP ROLE regress_nps_act_li;

-- deleting the owned metric deletes its actions
DELETE FROM nps.metric_owner WHERE id = 5;
SELECT count(*) FROM nps.improvement_action WHERE metric_owner_id = 5;

-- leave the tables empty for the tests after this one
TRUNCATE nps.response, nps.journey_event, nps.service_case, nps.metric_owner,
         nps.owner, nps.touchpoint, nps.journey, nps.improvement_action RESTART IDENTITY CASCADE;
DELETE FROM nps.metric WHERE NOT builtin;
