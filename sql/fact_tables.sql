-- fact_tables: the fact tables the *_at functions read (issue 8).
-- nps.fact_table_columns() lists the columns a relation needs for each kind
-- of fact; nps.check_fact_table checks a relation against it (every error
-- with its SQLSTATE); and each function converted to take its fact tables as
-- regclass arguments returns, over copies of the facts in the user's own
-- tables, exactly the rows of the default call on the extension's tables
-- (EXCEPT ALL both ways finds no row, and the calls return rows).
SET timezone = 'UTC';
SET extra_float_digits = 0;
SET nps.notify = off;
\set as_of '''2024-06-30 12:00+00'''

-- ---------------------------------------------------------------- the columns
SELECT * FROM nps.fact_table_columns();

-- ---------------------------------------------------------------- data
-- Random but fixed (setseed): 2 journeys with gaps in stage order, 3 owners,
-- 4000 responses over 70 days before as_of (both windows of nps_change_at)
-- with segments, channels, CSAT, CES, reasons (some repeated in a row) and
-- follow-ups before and after as_of; 1500 customers' journey events over 40
-- days, several per stage, some outside the window.
TRUNCATE nps.response, nps.journey_event, nps.service_case, nps.metric_owner,
         nps.owner, nps.touchpoint, nps.journey RESTART IDENTITY CASCADE;
INSERT INTO nps.journey (code, name) VALUES ('shop', 'Shop'), ('care', 'Care');
INSERT INTO nps.touchpoint (journey_id, stage_order, code, name) VALUES
  (1, 1, 'browse', 'Browse'), (1, 3, 'cart', 'Cart'), (1, 7, 'pay', 'Pay'),
  (2, 2, 'call', 'Call'), (2, 5, 'fix', 'Fix');
INSERT INTO nps.owner (name, owner_kind, department, role_name) VALUES
  ('Ann', 'person', 'Sales', NULL), ('Bob', 'person', 'Service', NULL), ('Cora', 'person', 'Sales', NULL);
INSERT INTO nps.metric_owner (metric, journey_id, touchpoint_id, owner_id, target, alert_line) VALUES
  ('nps', 1, 1, 1, 20, 0), ('nps', 1, NULL, 3, 10, -10), ('nps', 2, NULL, 2, 0, -20);
SELECT setseed(0.42);
INSERT INTO nps.response (customer, touchpoint_id, answered_at, segment, channel, score, csat, ces,
                          reasons, followed_up_at)
SELECT 'c' || (i % 900), x.tp, x.at,
       (ARRAY['VIP', 'regular', 'regular', NULL])[1 + floor(random() * 4)::int],
       (ARRAY['app', 'phone', NULL])[1 + floor(random() * 3)::int],
       x.score,
       CASE WHEN random() < 0.6 THEN 1 + floor(random() * 5)::int END,
       CASE WHEN random() < 0.5 THEN 1 + floor(random() * 7)::int END,
       CASE WHEN random() < 0.5 THEN '{}'::text[]
            ELSE ARRAY(SELECT (ARRAY['price', 'delay', 'staff', 'app'])[1 + floor(random() * 4)::int]
                         FROM generate_series(1, 1 + (i % 3))) END,
       CASE WHEN x.score <= 6 AND random() < 0.5
            THEN x.at + floor(random() * 96) * interval '1 hour' END
  FROM generate_series(1, 4000) AS i,
       LATERAL (SELECT 1 + floor(random() * 5)::int AS tp,
                       timestamptz '2024-06-30 12:00+00' - floor(random() * 70 * 24) * interval '1 hour' AS at,
                       floor(random() * 11)::smallint AS score, i AS dep) x;
INSERT INTO nps.journey_event (customer, touchpoint_id, occurred_at)
SELECT 'c' || c, 1 + floor(random() * 5)::int,
       timestamptz '2024-05-25 00:00+00' + floor(random() * 40 * 24) * interval '1 hour'
  FROM generate_series(1, 1500) AS c, generate_series(1, 8) AS k
 WHERE random() < 0.6;
ANALYZE nps.response, nps.journey_event;

-- The user's own fact tables: copies of the facts (a table for each kind),
-- and a view with the columns in another order, another column added and
-- without id's default (extra columns are ignored).
CREATE SCHEMA facts;
CREATE TABLE facts.response AS SELECT * FROM nps.response;
CREATE TABLE facts.journey_event AS SELECT * FROM nps.journey_event;
CREATE TABLE facts.service_case AS SELECT * FROM nps.service_case;
CREATE VIEW facts.response_v AS
  SELECT r.reasons, r.followed_up_at, r.comment, r.ces, r.csat, r.score, r.channel, r.segment,
         r.answered_at, r.touchpoint_id, r.customer, r.id, 'extra'::text AS source
    FROM facts.response r;
SELECT (SELECT count(*) FROM facts.response) AS responses,
       (SELECT count(*) FROM facts.response WHERE answered_at > :as_of::timestamptz - interval '30 days') AS in_window,
       (SELECT count(*) FROM facts.journey_event) AS journey_events;

-- ---------------------------------------------------------------- check_fact_table
-- a relation with the columns is returned as it is
SELECT nps.check_fact_table('nps.response', 'response') AS ext_response,
       nps.check_fact_table('facts.response', 'response') AS user_response,
       nps.check_fact_table('facts.response_v', 'response') AS user_view,
       nps.check_fact_table('facts.journey_event', 'journey_event') AS user_journey_event,
       nps.check_fact_table('facts.service_case', 'service_case') AS user_service_case;
-- NULL in, NULL out (STRICT)
SELECT nps.check_fact_table(NULL, 'response') IS NULL AS strict;

-- the errors, with their messages
CREATE TABLE facts.no_segment AS SELECT id, customer, touchpoint_id, answered_at, channel, score,
                                        csat, ces, comment, reasons, followed_up_at FROM nps.response;
CREATE TABLE facts.int_score AS SELECT id, customer, touchpoint_id, answered_at, segment, channel,
                                       score::integer AS score, csat, ces, comment, reasons, followed_up_at
                                  FROM nps.response;
CREATE TABLE facts.event_at_date AS SELECT customer, touchpoint_id, occurred_at::date AS occurred_at
                                      FROM nps.journey_event;
CREATE TYPE facts.response_row AS (id bigint);
-- 42703: a missing column, named
SELECT nps.check_fact_table('facts.no_segment', 'response');
-- a journey_event relation is not a response relation
SELECT nps.check_fact_table('facts.journey_event', 'response');
-- 42804: a column of another type, named with both types
SELECT nps.check_fact_table('facts.int_score', 'response');
SELECT nps.check_fact_table('facts.event_at_date', 'journey_event');
-- 42809: relations without rows: an index, a sequence, a composite type
SELECT nps.check_fact_table('nps.response_pkey', 'response');
SELECT nps.check_fact_table('nps.response_id_seq', 'response');
SELECT nps.check_fact_table('facts.response_row', 'response');
-- 22023: an unknown kind of fact
SELECT nps.check_fact_table('facts.response', 'survey');
-- a relation that does not exist fails on the regclass input (42P01)
SELECT nps.check_fact_table('facts.nothing', 'response');

-- ---------------------------------------------------------------- each function over the user's tables
-- For each function: the rows of the default call (n), the rows over the
-- user's table (n_user) and the rows of either call missing from the other
-- (both 0).
CREATE FUNCTION pg_temp.same(a text, b text) RETURNS TABLE (n bigint, n_user bigint, only_default bigint, only_user bigint)
  LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY EXECUTE format('SELECT (SELECT count(*) FROM %1$s), (SELECT count(*) FROM %2$s),
                                      (SELECT count(*) FROM (SELECT * FROM %1$s EXCEPT ALL SELECT * FROM %2$s) d),
                                      (SELECT count(*) FROM (SELECT * FROM %2$s EXCEPT ALL SELECT * FROM %1$s) d)', a, b);
END $$;

SELECT 'touchpoint_nps_at' AS f, * FROM pg_temp.same(
  $$nps.touchpoint_nps_at('2024-06-30 12:00+00', '30 days')$$,
  $$nps.touchpoint_nps_at('2024-06-30 12:00+00', '30 days', 'facts.response')$$)
UNION ALL
SELECT 'touchpoint_nps_at (view)', * FROM pg_temp.same(
  $$nps.touchpoint_nps_at('2024-06-30 12:00+00', '30 days')$$,
  $$nps.touchpoint_nps_at('2024-06-30 12:00+00', '30 days', response_table => 'facts.response_v')$$)
UNION ALL
SELECT 'segment_nps_at', * FROM pg_temp.same(
  $$nps.segment_nps_at('2024-06-30 12:00+00', '30 days')$$,
  $$nps.segment_nps_at('2024-06-30 12:00+00', '30 days', 'facts.response')$$)
UNION ALL
SELECT 'stage_nps_at', * FROM pg_temp.same(
  $$nps.stage_nps_at('2024-06-30 12:00+00', '30 days', true)$$,
  $$nps.stage_nps_at('2024-06-30 12:00+00', '30 days', true, 'facts.response_v')$$)
UNION ALL
SELECT 'journey_funnel_at', * FROM pg_temp.same(
  $$nps.journey_funnel_at('2024-06-30 12:00+00', '30 days')$$,
  $$nps.journey_funnel_at('2024-06-30 12:00+00', '30 days', 'facts.journey_event')$$)
UNION ALL
SELECT 'detractor_queue_at', * FROM pg_temp.same(
  $$nps.detractor_queue_at('2024-06-30 12:00+00', '48 hours')$$,
  $$nps.detractor_queue_at('2024-06-30 12:00+00', '48 hours', 'facts.response')$$)
UNION ALL
SELECT 'detractor_queue_at (view)', * FROM pg_temp.same(
  $$nps.detractor_queue_at('2024-06-30 12:00+00', '48 hours')$$,
  $$nps.detractor_queue_at('2024-06-30 12:00+00', '48 hours', 'facts.response_v')$$)
UNION ALL
SELECT 'detractor_reasons_at', * FROM pg_temp.same(
  $$nps.detractor_reasons_at('2024-06-30 12:00+00', '30 days')$$,
  $$nps.detractor_reasons_at('2024-06-30 12:00+00', '30 days', 'facts.response')$$)
UNION ALL
SELECT 'nps_change_at touchpoint', * FROM pg_temp.same(
  $$nps.nps_change_at('2024-06-30 12:00+00', '30 days')$$,
  $$nps.nps_change_at('2024-06-30 12:00+00', '30 days', 'touchpoint', 'facts.response')$$)
UNION ALL
SELECT 'nps_change_at segment', * FROM pg_temp.same(
  $$nps.nps_change_at('2024-06-30 12:00+00', '30 days', 'segment')$$,
  $$nps.nps_change_at('2024-06-30 12:00+00', '30 days', 'segment', 'facts.response_v')$$)
UNION ALL
SELECT 'nps_change_at channel', * FROM pg_temp.same(
  $$nps.nps_change_at('2024-06-30 12:00+00', '30 days', 'channel')$$,
  $$nps.nps_change_at('2024-06-30 12:00+00', '30 days', response_table => 'facts.response', dimension => 'channel')$$)
UNION ALL
SELECT 'nps_drivers_at', * FROM pg_temp.same(
  $$nps.nps_drivers_at('2024-06-30 12:00+00', '30 days', 5)$$,
  $$nps.nps_drivers_at('2024-06-30 12:00+00', '30 days', 5, 'facts.response')$$);

-- what was compared is not empty: customers reached, detractors cited
SELECT (SELECT sum(customers) FROM nps.journey_funnel_at(:as_of, '30 days', 'facts.journey_event')) AS funnel_customers,
       (SELECT sum(continued_from_previous_stage) FROM nps.journey_funnel_at(:as_of, '30 days', 'facts.journey_event')) AS funnel_continued,
       (SELECT sum(detractors) FROM nps.detractor_reasons_at(:as_of, '30 days', 'facts.response') WHERE scope = 'all') AS reason_citations,
       (SELECT count(*) FROM nps.detractor_queue_at(:as_of, '48 hours', 'facts.response') WHERE owner_names IS NOT NULL) AS queued_with_owners;

-- The user's table is read, not the extension's: a row deleted from the
-- copy changes its counts only.
DELETE FROM facts.response WHERE touchpoint_id = 1 AND answered_at > :as_of::timestamptz - interval '30 days';
SELECT touchpoint, a.responses AS ext_responses, u.responses AS user_responses
  FROM nps.touchpoint_nps_at(:as_of, '30 days') a
  JOIN nps.touchpoint_nps_at(:as_of, '30 days', 'facts.response') u USING (touchpoint_id, touchpoint)
 ORDER BY a.journey, a.stage_order;
TRUNCATE facts.journey_event;
SELECT touchpoint, customers, previous_stage_customers, median_time_from_previous_stage
  FROM nps.journey_funnel_at(:as_of, '30 days', 'facts.journey_event') ORDER BY journey, stage_order;

-- STRICT: a NULL relation gives no rows
SELECT count(*) FROM nps.touchpoint_nps_at(:as_of, '30 days', NULL);

-- ---------------------------------------------------------------- errors through the functions
\set VERBOSITY sqlstate
-- 42703: a missing column
SELECT * FROM nps.touchpoint_nps_at(:as_of, '30 days', 'facts.no_segment');
SELECT * FROM nps.segment_nps_at(:as_of, '30 days', 'facts.no_segment');
SELECT * FROM nps.stage_nps_at(:as_of, '30 days', false, 'facts.no_segment');
SELECT * FROM nps.journey_funnel_at(:as_of, '30 days', 'facts.response');
SELECT * FROM nps.detractor_queue_at(:as_of, '48 hours', 'facts.no_segment');
SELECT * FROM nps.detractor_reasons_at(:as_of, '30 days', 'facts.no_segment');
SELECT * FROM nps.nps_change_at(:as_of, '30 days', 'touchpoint', 'facts.no_segment');
SELECT * FROM nps.nps_drivers_at(:as_of, '30 days', 5, 'facts.no_segment');
-- 42804: a mistyped column
SELECT * FROM nps.touchpoint_nps_at(:as_of, '30 days', 'facts.int_score');
SELECT * FROM nps.segment_nps_at(:as_of, '30 days', 'facts.int_score');
SELECT * FROM nps.journey_funnel_at(:as_of, '30 days', 'facts.event_at_date');
SELECT * FROM nps.detractor_queue_at(:as_of, '48 hours', 'facts.int_score');
SELECT * FROM nps.detractor_reasons_at(:as_of, '30 days', 'facts.int_score');
SELECT * FROM nps.nps_change_at(:as_of, '30 days', 'segment', 'facts.int_score');
SELECT * FROM nps.nps_drivers_at(:as_of, '30 days', 5, 'facts.int_score');
-- 42809: an index passed as the relation
SELECT * FROM nps.touchpoint_nps_at(:as_of, '30 days', 'nps.response_pkey');
SELECT * FROM nps.segment_nps_at(:as_of, '30 days', 'nps.response_pkey');
SELECT * FROM nps.journey_funnel_at(:as_of, '30 days', 'nps.journey_event_pkey');
SELECT * FROM nps.detractor_queue_at(:as_of, '48 hours', 'nps.response_pkey');
SELECT * FROM nps.detractor_reasons_at(:as_of, '30 days', 'nps.response_pkey');
SELECT * FROM nps.nps_change_at(:as_of, '30 days', 'touchpoint', 'nps.response_pkey');
SELECT * FROM nps.nps_drivers_at(:as_of, '30 days', 5, 'nps.response_pkey');
-- 22023: the other arguments are checked as before, before the relation
SELECT * FROM nps.touchpoint_nps_at(:as_of, '-1 day', 'facts.no_segment');
SELECT * FROM nps.detractor_queue_at(:as_of, '0', 'facts.no_segment');
SELECT * FROM nps.nps_change_at(:as_of, '30 days', 'store', 'facts.no_segment');
SELECT * FROM nps.nps_drivers_at(:as_of, '30 days', 0, 'facts.no_segment');
\set VERBOSITY default

-- leave the tables empty for the other tests
DROP SCHEMA facts CASCADE;
TRUNCATE nps.response, nps.journey_event, nps.service_case, nps.metric_owner,
         nps.owner, nps.touchpoint, nps.journey RESTART IDENTITY CASCADE;
