-- Daily summaries (src/summary.sql, issue 8): nps.refresh_response_summary
-- fills nps.response_day for complete UTC days; metric_response_results_at
-- (hence metric_status_at and owner_scorecard_at) reads the summarized days
-- lying wholly inside a window from it and the rest from nps.response.
-- Every result is compared with the raw path: the same calls over a view of
-- nps.response (another relation, so always read raw), EXCEPT ALL both ways,
-- at several as_of and window lengths; after each kind of correction
-- (UPDATE, DELETE, INSERT, TRUNCATE) the touched days must have left
-- nps.response_summarized_day and the results must still be equal.
-- Everything runs in one transaction that is rolled back (later tests keep
-- their data).
SET timezone = 'UTC';
SET extra_float_digits = 0;
SET nps.notify = off;
\set VERBOSITY sqlstate

-- ---------------------------------------------------------------- refused outside READ COMMITTED
-- (its snapshot would predate its lock on nps.response)
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT nps.refresh_response_summary('2024-07-01');
ROLLBACK;
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT nps.refresh_response_summary('2024-07-01');
ROLLBACK;
\set VERBOSITY default
\set SHOW_CONTEXT never
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT nps.refresh_response_summary('2024-07-01');
ROLLBACK;
\set VERBOSITY sqlstate
\set SHOW_CONTEXT errors

BEGIN;
TRUNCATE nps.response, nps.journey_event, nps.service_case, nps.metric_owner,
         nps.owner, nps.touchpoint, nps.journey, nps.improvement_action,
         nps.metric_status_log RESTART IDENTITY CASCADE;
DELETE FROM nps.metric WHERE NOT builtin;
-- TRUNCATE emptied the summaries (nothing to summarize yet)
SELECT (SELECT count(*) FROM nps.response_day) AS day_rows,
       (SELECT count(*) FROM nps.response_summarized_day) AS summarized_days,
       nps.refresh_response_summary('2024-07-01') AS refreshed;

INSERT INTO nps.journey (code, name) VALUES ('shop', 'Shop'), ('care', 'Care');   -- ids 1, 2
INSERT INTO nps.touchpoint (journey_id, stage_order, code, name) VALUES
  (1, 1, 'browse', 'Browse'), (1, 2, 'pay', 'Pay'), (1, 3, 'ship', 'Ship'), (2, 1, 'call', 'Call');
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
  ('nps', 2, 4, 3, 20, 0),                     -- id 6
  ('csat', 1, 3, 2, 70, 50);                   -- id 7
-- 3000 responses over the 60.4 days before 2024-06-30 12:00 (one every 29
-- minutes) at the four touchpoints in turn, NULL segments, channels, CSAT
-- and CES among them; higher scores in the last 1489
INSERT INTO nps.response (customer, touchpoint_id, answered_at, segment, channel, score, csat, ces)
SELECT 'c' || i, 1 + i % 4, timestamptz '2024-06-30 12:00+00' - i * interval '29 minutes',
       CASE WHEN i % 5 = 0 THEN 'vip' WHEN i % 7 = 0 THEN NULL ELSE 'standard' END,
       (ARRAY['app', 'web', 'phone', NULL])[1 + i / 4 % 4],
       least(10, (i * 7) % 11 + 2 * (i <= 1489)::int),
       CASE WHEN i % 6 <> 0 THEN least(5, 1 + (i * 3) % 5 + (i <= 1489)::int) END,
       CASE WHEN i % 8 <> 0 THEN greatest(1, 1 + (i * 5) % 7 - (i <= 1489)::int) END
  FROM generate_series(1, 3000) i;
-- a hand-made day, 2024-04-10 at ship (touchpoint 3), vip, web, 18 days
-- before the rest: scores 10, 9, 7, 3 (NPS (2 - 1) / 4 = 25), CSAT 5, 4, 2
-- and NULL (3 answers, 2 satisfied: 66.67), CES 6, 2, NULL, NULL (2 answers,
-- mean 4, 1 easy); the days between it and the rest have no responses
INSERT INTO nps.response (customer, touchpoint_id, answered_at, segment, channel, score, csat, ces) VALUES
  ('h1', 3, '2024-04-10 00:00+00', 'vip', 'web', 10, 5, 6),      -- midnight belongs to the day it starts
  ('h2', 3, '2024-04-10 08:00+00', 'vip', 'web', 9, 4, 2),
  ('h3', 3, '2024-04-10 16:00+00', 'vip', 'web', 7, 2, NULL),
  ('h4', 3, '2024-04-10 23:59:59.999999+00', 'vip', 'web', 3, NULL, NULL);
ANALYZE nps.response;

-- the raw formulation: the same relation's rows through a view (another
-- relation: never summarized)
CREATE VIEW public.summary_raw AS SELECT * FROM nps.response;

-- each call with the summaries against the same call over the view: rows of
-- each, and rows in one and not the other, both ways, with duplicates
CREATE FUNCTION pg_temp.differing(default_call text, raw_call text) RETURNS text
  LANGUAGE plpgsql AS $$
DECLARE n1 bigint; n2 bigint; d bigint;
BEGIN
  EXECUTE format($q$
    WITH d AS (SELECT x::text AS r FROM %1$s x), u AS (SELECT x::text AS r FROM %2$s x)
    SELECT (SELECT count(*) FROM d), (SELECT count(*) FROM u),
           (SELECT count(*) FROM (SELECT r FROM d EXCEPT ALL SELECT r FROM u) a)
           + (SELECT count(*) FROM (SELECT r FROM u EXCEPT ALL SELECT r FROM d) b)$q$, default_call, raw_call)
    INTO n1, n2, d;
  RETURN n1 || '/' || n2 || CASE WHEN d = 0 THEN ' same' ELSE ' DIFFERENT: ' || d END;
END
$$;
-- the cases: windows ending at midnight UTC exactly, mid-day, at odd
-- minutes; 1, 7 and 30 days
CREATE TABLE pg_temp.cases (as_of timestamptz, len interval);
INSERT INTO pg_temp.cases VALUES
  ('2024-06-30 12:00+00', '30 days'), ('2024-06-30 12:00+00', '7 days'), ('2024-06-30 12:00+00', '1 day'),
  ('2024-06-20 00:00+00', '7 days'), ('2024-06-20 00:00+00', '1 day'), ('2024-06-25 07:13+00', '7 days'),
  ('2024-05-10 00:00+00', '30 days'), ('2024-04-11 00:00+00', '1 day');
CREATE FUNCTION pg_temp.check_all() RETURNS TABLE (as_of timestamptz, len interval, summarized_days bigint,
    results text, status text, scorecard text)
  LANGUAGE sql AS $$
  SELECT c.as_of, c.len,
         (SELECT count(*) FROM nps.response_summarized_day s
           WHERE s.day::timestamp AT TIME ZONE 'UTC' > c.as_of - 2 * c.len
             AND (s.day + 1)::timestamp AT TIME ZONE 'UTC' <= c.as_of),
         pg_temp.differing(format('nps.metric_response_results_at(%L, %L)', c.as_of, c.len),
                           format('nps.metric_response_results_at(%L, %L, %L)', c.as_of, c.len, 'public.summary_raw')),
         pg_temp.differing(format('nps.metric_status_at(%L, %L, 30)', c.as_of, c.len),
                           format('nps.metric_status_at(%L, %L, 30, %L)', c.as_of, c.len, 'public.summary_raw')),
         pg_temp.differing(format('nps.owner_scorecard_at(%L, %L, 30)', c.as_of, c.len),
                           format('nps.owner_scorecard_at(%L, %L, 30, %L)', c.as_of, c.len, 'public.summary_raw'))
    FROM pg_temp.cases c ORDER BY c.as_of, c.len;
$$;

-- ---------------------------------------------------------------- refresh
-- before 2024-05-01: the days from the first response day (2024-04-10) to
-- 2024-04-30 (21 days, 18 of them without responses); then up to 2024-06-30
-- (the last response day: 61 more); then nothing left
SELECT nps.refresh_response_summary('2024-05-01') AS days_until_may;
SELECT nps.refresh_response_summary('2024-07-05') AS days_until_july;
SELECT nps.refresh_response_summary('2024-07-05') AS again;
SELECT min(day), max(day), count(*) FROM nps.response_summarized_day;
-- days without responses are summarized but have no rows
SELECT count(DISTINCT day) AS days_with_rows, count(*) AS day_rows,
       sum((nps).responses) AS responses, sum((csat).responses) AS csat_responses, sum((ces).responses) AS ces_responses
  FROM nps.response_day;
SELECT count(*) AS responses, count(csat) AS csat_responses, count(ces) AS ces_responses FROM nps.response;

-- the hand-made day, by hand (see above)
SELECT day, touchpoint_id, segment, channel,
       (nps).responses, (nps).promoters, (nps).passives, (nps).detractors, (nps).nps,
       (csat).responses AS csat_n, (csat).satisfied, round((csat).csat::numeric, 2) AS csat,
       (ces).responses AS ces_n, (ces).easy, (ces).mean AS ces_mean
  FROM nps.response_day WHERE day = '2024-04-10';

-- every stored group against the slow, obviously correct count of its rows
SELECT count(*) AS groups,
       count(*) FILTER (WHERE (d.nps).responses = x.n AND (d.nps).promoters = x.p AND (d.nps).passives = x.pa
                          AND (d.nps).detractors = x.de
                          AND coalesce((d.csat).responses, 0) = x.cn AND coalesce((d.csat).satisfied, 0) = x.cs
                          AND coalesce((d.csat).score_sum, 0) = x.csum
                          AND coalesce((d.ces).responses, 0) = x.en AND coalesce((d.ces).easy, 0) = x.ee
                          AND coalesce((d.ces).score_sum, 0) = x.esum AND coalesce((d.ces).score_sq_sum, 0) = x.esq) AS equal
  FROM nps.response_day d
  FULL JOIN (SELECT (answered_at AT TIME ZONE 'UTC')::date AS day, touchpoint_id, segment, channel,
                    count(*) AS n, count(*) FILTER (WHERE score >= 9) AS p,
                    count(*) FILTER (WHERE score BETWEEN 7 AND 8) AS pa, count(*) FILTER (WHERE score <= 6) AS de,
                    count(csat) AS cn, count(*) FILTER (WHERE csat >= 4) AS cs, coalesce(sum(csat), 0) AS csum,
                    count(ces) AS en, count(*) FILTER (WHERE ces >= 5) AS ee, coalesce(sum(ces), 0) AS esum,
                    coalesce(sum(ces * ces), 0) AS esq
               FROM nps.response GROUP BY 1, 2, 3, 4) x
    ON x.day = d.day AND x.touchpoint_id = d.touchpoint_id
   AND x.segment IS NOT DISTINCT FROM d.segment AND x.channel IS NOT DISTINCT FROM d.channel;

-- with the summaries: the same rows as the raw path, in every case
SELECT * FROM pg_temp.check_all();

-- the summaries are what is read: a doctored day changes the default call
-- (and only it); the touched day is then refreshed back
UPDATE nps.response_day SET nps = (SELECT nps.nps_agg(s) FROM unnest(ARRAY[0, 0, 0]) s)
 WHERE day = '2024-06-24' AND touchpoint_id = 1 AND segment = 'standard';
SELECT as_of, len, results FROM pg_temp.check_all() WHERE as_of = '2024-06-30 12:00+00';
DELETE FROM nps.response_summarized_day WHERE day = '2024-06-24';
DELETE FROM nps.response_day WHERE day = '2024-06-24';
SELECT nps.refresh_response_summary('2024-07-05') AS refreshed;

-- ---------------------------------------------------------------- corrections
-- each leaves its days raw (out of nps.response_summarized_day) and the
-- results equal
-- 1. a score
UPDATE nps.response SET score = 0 WHERE customer = 'c500';
SELECT (answered_at AT TIME ZONE 'UTC')::date AS day FROM nps.response WHERE customer = 'c500';
SELECT count(*) AS summarized_days, bool_or(day = '2024-06-20') AS day_still_summarized FROM nps.response_summarized_day;
SELECT * FROM pg_temp.check_all();
-- 2. answered_at, across days: both days leave
UPDATE nps.response SET answered_at = answered_at - interval '5 days' WHERE customer = 'c1000';
SELECT (answered_at AT TIME ZONE 'UTC')::date AS new_day, (answered_at AT TIME ZONE 'UTC')::date + 5 AS old_day
  FROM nps.response WHERE customer = 'c1000';
SELECT count(*) AS summarized_days FROM nps.response_summarized_day WHERE day IN ('2024-06-05', '2024-06-10');
SELECT * FROM pg_temp.check_all();
-- 3. DELETE
DELETE FROM nps.response WHERE customer IN ('c2000', 'h2');
SELECT count(*) AS summarized_days FROM nps.response_summarized_day WHERE day IN ('2024-04-10', '2024-05-29');
SELECT * FROM pg_temp.check_all();
-- 4. INSERT into a summarized day
INSERT INTO nps.response (customer, touchpoint_id, answered_at, segment, channel, score, csat, ces)
VALUES ('late', 2, '2024-06-27 09:00+00', 'standard', 'app', 2, 1, 7);
SELECT count(*) AS summarized_days FROM nps.response_summarized_day WHERE day = '2024-06-27';
SELECT * FROM pg_temp.check_all();
-- 5. a follow-up (followed_up_at, not summarized): the day stays
SELECT count(*) AS summarized_days FROM nps.response_summarized_day;
UPDATE nps.response SET followed_up_at = answered_at + interval '1 hour' WHERE customer = 'c300';
SELECT count(*) AS summarized_days FROM nps.response_summarized_day;
-- 6. TRUNCATE empties both tables (rolled back)
SAVEPOINT before_truncate;
TRUNCATE nps.response CASCADE;
SELECT (SELECT count(*) FROM nps.response_day) AS day_rows, (SELECT count(*) FROM nps.response_summarized_day) AS summarized_days;
ROLLBACK TO SAVEPOINT before_truncate;
SELECT (SELECT count(*) FROM nps.response_day) > 0 AS day_rows, (SELECT count(*) FROM nps.response_summarized_day) AS summarized_days;
-- the days the corrections touched: summarized again, all equal
SELECT nps.refresh_response_summary('2024-07-05') AS refreshed;
SELECT * FROM pg_temp.check_all();
SELECT nps.refresh_response_summary('2024-07-05') AS again;
-- STRICT: NULL before, NULL answer
SELECT nps.refresh_response_summary(NULL) IS NULL AS null_before;
ROLLBACK;
