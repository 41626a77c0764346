-- Customer health (nps.customer_health_at, weights in nps.health_weight) on a
-- small hand-built data set: every value below is worked out by hand in the
-- comments.  as_of = 2024-06-30 12:00 UTC, window 30 days:
-- (2024-05-31 12:00, 2024-06-30 12:00].
SET timezone = 'UTC';
SET extra_float_digits = 0;
SET nps.notify = off;
\set VERBOSITY sqlstate
\set as_of '''2024-06-30 12:00+00'''

TRUNCATE nps.response, nps.journey_event, nps.service_case, nps.metric_owner,
         nps.owner, nps.touchpoint, nps.journey, nps.improvement_action RESTART IDENTITY CASCADE;
DELETE FROM nps.health_weight WHERE NOT builtin;

-- the default weights (a weighted sum; caps where the penalty is full)
SELECT term, weight, cap FROM nps.health_weight WHERE builtin ORDER BY weight DESC, term;
SELECT sum(weight) AS total FROM nps.health_weight WHERE builtin;

INSERT INTO nps.journey (code, name) VALUES ('shop', 'Shop');                       -- id 1
INSERT INTO nps.touchpoint (journey_id, stage_order, code, name) VALUES (1, 1, 'buy', 'Buy');   -- id 1

-- alice: a promoter, satisfied, an event 5.5 days before as_of
-- bob:   a detractor not followed up (3, CSAT 2), then a followed-up 6;
--        a complaint resolved and reopened, and an open complaint
-- carol: quiet in the window; a 9 in April; a case open since March
-- dave:  only a journey event in the window; a followed-up 0 in January
-- erin:  an 8 in March and nothing since: not listed
-- frank: a detractor of May 1, followed up only after as_of
INSERT INTO nps.response (customer, touchpoint_id, answered_at, score, csat, followed_up_at) VALUES
  ('alice', 1, '2024-06-20 00:00+00', 10, 5, NULL),
  ('bob',   1, '2024-06-10 00:00+00', 3, 2, NULL),
  ('bob',   1, '2024-06-28 00:00+00', 6, NULL, '2024-06-28 06:00+00'),
  ('carol', 1, '2024-04-01 00:00+00', 9, 4, NULL),
  ('dave',  1, '2024-01-10 00:00+00', 0, NULL, '2024-01-11 00:00+00'),
  ('erin',  1, '2024-03-01 00:00+00', 8, NULL, NULL),
  ('frank', 1, '2024-05-01 00:00+00', 2, NULL, '2024-07-02 00:00+00');
INSERT INTO nps.journey_event (customer, touchpoint_id, occurred_at) VALUES
  ('alice', 1, '2024-06-25 00:00+00'),
  ('dave',  1, '2024-06-29 12:00+00'),
  ('erin',  1, '2024-02-01 00:00+00');
INSERT INTO nps.service_case (customer, touchpoint_id, opened_at, resolved_at, complaint, reopened) VALUES
  ('bob',   1, '2024-06-12 00:00+00', '2024-06-14 00:00+00', true, true),
  ('bob',   1, '2024-06-29 00:00+00', NULL, true, false),
  ('carol', 1, '2024-03-01 00:00+00', NULL, false, false),
  ('erin',  1, '2024-02-01 00:00+00', '2024-02-02 00:00+00', false, false);

-- Penalties (weight x penalty), health = 100 * (1 - sum / weights of known terms):
-- alice: inactivity 5 x 5.5/90 = 0.30556; all terms known (100)
--        -> 100 * (1 - 0.30556/100) = 99.694, healthy
-- bob:   latest 6: 40 x 0.4 = 16; CSAT 0% (1 answer): 15 x 1 = 15;
--        complaints 2 of cap 2: 15; open 1 of 3: 3.33333; reopened 1 of 1: 5;
--        unanswered detractor: 10; inactivity 1.5 days (case of 06-29): 0.08333
--        -> 100 - 64.41667 = 35.583, at risk
-- carol: latest 9: 4; no CSAT in the window (unknown: 85 left); open 1: 3.33333;
--        inactivity 90.5 days, capped at 90: 5
--        -> 100 * (1 - 12.33333/85) = 85.490, healthy
-- dave:  latest 0: 40; inactivity 1 day: 0.05556; 85 known
--        -> 100 * (1 - 40.05556/85) = 52.876, watch
-- frank: latest 2: 32; unanswered detractor: 10; inactivity 60.5 days: 3.36111; 85 known
--        -> 100 * (1 - 45.36111/85) = 46.634, watch
SELECT customer, latest_answered_at, latest_score, latest_category, responses, csat_responses, csat,
       complaints, open_cases, reopened_cases, unanswered_detractor,
       last_interaction_at, round(days_since_last_interaction::numeric, 2) AS days,
       round(health_score::numeric, 3) AS health, tier
  FROM nps.customer_health_at(:as_of, '30 days');

-- the facts against plain SQL per customer (slow, obviously correct)
SELECT h.customer,
       h.latest_answered_at IS NOT DISTINCT FROM (SELECT max(r.answered_at) FROM nps.response r WHERE r.customer = h.customer
                                              AND r.answered_at <= :as_of) AS latest_at_ok,
       h.latest_score IS NOT DISTINCT FROM (SELECT r.score FROM nps.response r WHERE r.customer = h.customer
                                              AND r.answered_at <= :as_of ORDER BY r.answered_at DESC LIMIT 1) AS latest_ok,
       h.responses = (SELECT count(*) FROM nps.response r WHERE r.customer = h.customer
                        AND r.answered_at > timestamptz :as_of - interval '30 days' AND r.answered_at <= :as_of) AS responses_ok,
       h.complaints = (SELECT count(*) FROM nps.service_case c WHERE c.customer = h.customer AND c.complaint
                         AND c.opened_at > timestamptz :as_of - interval '30 days' AND c.opened_at <= :as_of) AS complaints_ok,
       h.open_cases = (SELECT count(*) FROM nps.service_case c WHERE c.customer = h.customer
                         AND c.opened_at <= :as_of AND (c.resolved_at IS NULL OR c.resolved_at > :as_of)) AS open_ok,
       h.unanswered_detractor = EXISTS (SELECT FROM nps.response r WHERE r.customer = h.customer AND r.score <= 6
                         AND r.answered_at <= :as_of AND (r.followed_up_at IS NULL OR r.followed_up_at > :as_of)) AS waiting_ok,
       h.last_interaction_at = (SELECT max(t) FROM (
                                  SELECT answered_at FROM nps.response WHERE customer = h.customer AND answered_at <= :as_of
                                  UNION ALL SELECT occurred_at FROM nps.journey_event WHERE customer = h.customer AND occurred_at <= :as_of
                                  UNION ALL SELECT opened_at FROM nps.service_case WHERE customer = h.customer AND opened_at <= :as_of) x(t)) AS last_ok
  FROM nps.customer_health_at(:as_of, '30 days') h
 ORDER BY h.customer;

-- the user's weights: a row per changed term replaces the default; its cap
-- NULL keeps the built-in cap.  Ignore the latest score, double complaints:
-- bob: (15 + 30 + 3.33333 + 5 + 10 + 0.08333) / 75 = 63.41667 / 75 -> 15.444
INSERT INTO nps.health_weight (term, weight) VALUES ('latest_score', 0), ('complaints', 30);
SELECT term, weight, cap, builtin FROM nps.health_weight WHERE NOT builtin ORDER BY term;
SELECT customer, round(health_score::numeric, 3) AS health, tier
  FROM nps.customer_health_at(:as_of, '30 days') WHERE customer = 'bob';
-- a shorter inactivity cap: alice 5.5 of 10 days -> 5 x 0.55 = 2.75; the known
-- weights are now 0 + 15 + 30 + 10 + 5 + 10 + 5 = 75 -> 100 * (1 - 2.75/75) = 96.333
INSERT INTO nps.health_weight (term, weight, cap) VALUES ('inactivity', 5, 10);
SELECT customer, round(health_score::numeric, 3) AS health, tier
  FROM nps.customer_health_at(:as_of, '30 days') WHERE customer = 'alice';
-- all weights 0: no score, no tier
UPDATE nps.health_weight SET weight = 0 WHERE builtin;
UPDATE nps.health_weight SET weight = 0 WHERE NOT builtin;
SELECT customer, health_score, tier FROM nps.customer_health_at(:as_of, '30 days') WHERE customer = 'alice';
UPDATE nps.health_weight SET weight = 40 WHERE builtin AND term = 'latest_score';
UPDATE nps.health_weight SET weight = 15 WHERE builtin AND term IN ('csat', 'complaints');
UPDATE nps.health_weight SET weight = 10 WHERE builtin AND term IN ('open_cases', 'unanswered_detractor');
UPDATE nps.health_weight SET weight = 5 WHERE builtin AND term IN ('reopened_cases', 'inactivity');
DELETE FROM nps.health_weight WHERE NOT builtin;
SELECT round(health_score::numeric, 3) AS health FROM nps.customer_health_at(:as_of, '30 days') WHERE customer = 'bob';

-- bad weights, each refused by its named rule
INSERT INTO nps.health_weight (term, weight) VALUES ('mood', 5);                 -- 23514 term_known
INSERT INTO nps.health_weight (term, weight) VALUES ('csat', -1);                -- 23514 weight_non_negative_finite
INSERT INTO nps.health_weight (term, weight) VALUES ('csat', 'Infinity');        -- 23514
INSERT INTO nps.health_weight (term, weight) VALUES ('csat', 'NaN');             -- 23514
INSERT INTO nps.health_weight (term, weight, cap) VALUES ('complaints', 5, 0);   -- 23514 cap_positive_finite
INSERT INTO nps.health_weight (term, weight, cap) VALUES ('csat', 5, 2);         -- 23514 cap_only_for_counts
INSERT INTO nps.health_weight (term, weight) VALUES ('csat', NULL);              -- 23502
INSERT INTO nps.health_weight (term, weight) VALUES ('csat', 1), ('csat', 2);    -- 23505 one user row per term

-- the window: 10 days (2024-06-20 12:00, 2024-06-30 12:00]: bob's June 10 answer
-- and June 12 case leave the window; the detractor still waits
SELECT customer, responses, csat_responses, complaints, reopened_cases, unanswered_detractor, tier
  FROM nps.customer_health_at(:as_of, '10 days') ORDER BY customer;
-- errors and NULLs
SELECT * FROM nps.customer_health_at(:as_of, '0 days');   -- 22023
SELECT count(*) FROM nps.customer_health_at(NULL, '30 days');
SELECT count(*) FROM nps.customer_health_at(:as_of, NULL);
SELECT count(*) FROM nps.customer_health_at(:as_of, '30 days', service_case_table => NULL);

-- customers: only those customers' rows, each equal to its row in the whole
-- list (read by customer through the indexes); a key without a row (nobody)
-- is left out; NULL = every customer, an empty list = none
SELECT customer, tier FROM nps.customer_health_at(:as_of, '30 days', customers => ARRAY['dave', 'nobody', 'bob']);
SELECT (SELECT count(*) FROM (SELECT * FROM nps.customer_health_at(:as_of, '30 days', customers => ARRAY['bob', 'alice'])
                              EXCEPT ALL
                              SELECT * FROM nps.customer_health_at(:as_of, '30 days') WHERE customer IN ('bob', 'alice')) x) AS extra,
       (SELECT count(*) FROM (SELECT * FROM nps.customer_health_at(:as_of, '30 days') WHERE customer IN ('bob', 'alice')
                              EXCEPT ALL
                              SELECT * FROM nps.customer_health_at(:as_of, '30 days', customers => ARRAY['bob', 'alice'])) x) AS missing,
       (SELECT count(*) FROM nps.customer_health_at(:as_of, '30 days', customers => NULL)) =
       (SELECT count(*) FROM nps.customer_health_at(:as_of, '30 days')) AS null_is_all,
       (SELECT count(*) FROM nps.customer_health_at(:as_of, '30 days', customers => '{}')) AS none;

-- the view reads now() and nps.window_length: every customer is quiet by now
SET nps.window_length = '30 days';
SELECT customer, tier FROM nps.customer_health ORDER BY customer;
RESET nps.window_length;

-- the fact tables as regclass arguments (README "Reading your own fact
-- tables"): copies in the user's own tables give the same rows as the
-- default call, in the same order
CREATE SCHEMA facts;
CREATE TABLE facts.response AS SELECT * FROM nps.response;
CREATE TABLE facts.journey_event AS SELECT * FROM nps.journey_event;
CREATE TABLE facts.service_case AS SELECT * FROM nps.service_case;
SELECT (SELECT count(*) FROM nps.customer_health_at(:as_of, '30 days')) AS default_rows,
       (SELECT count(*) FROM nps.customer_health_at(:as_of, '30 days', 'facts.response',
                                                    'facts.journey_event', 'facts.service_case')) AS user_rows,
       (SELECT count(*) FROM (SELECT * FROM nps.customer_health_at(:as_of, '30 days')
                              EXCEPT ALL
                              SELECT * FROM nps.customer_health_at(:as_of, '30 days', 'facts.response',
                                                                   'facts.journey_event', 'facts.service_case')) x) AS default_not_user,
       (SELECT count(*) FROM (SELECT * FROM nps.customer_health_at(:as_of, '30 days', 'facts.response',
                                                                   'facts.journey_event', 'facts.service_case')
                              EXCEPT ALL
                              SELECT * FROM nps.customer_health_at(:as_of, '30 days')) x) AS user_not_default,
       (SELECT array_agg(customer) FROM nps.customer_health_at(:as_of, '30 days')) =
       (SELECT array_agg(customer) FROM nps.customer_health_at(:as_of, '30 days', 'facts.response',
                                                               'facts.journey_event', 'facts.service_case')) AS same_order;
-- the same over the 10-day window, and each relation by name on its own
SELECT (SELECT count(*) FROM (SELECT * FROM nps.customer_health_at(:as_of, '10 days')
                              EXCEPT ALL
                              SELECT * FROM nps.customer_health_at(:as_of, '10 days', 'facts.response',
                                                                   'facts.journey_event', 'facts.service_case')) x) AS differ_10_days,
       (SELECT count(*) FROM nps.customer_health_at(:as_of, '30 days', service_case_table => 'facts.service_case')) AS cases_by_name,
       (SELECT count(*) FROM nps.customer_health_at(:as_of, '30 days', journey_event_table => 'facts.journey_event')) AS events_by_name;
-- what is read is the relation given: an event only in the user's table
-- makes erin (quiet since March) active; a view over it works as well
INSERT INTO facts.journey_event (customer, touchpoint_id, occurred_at) VALUES ('erin', 1, '2024-06-29 12:00+00');
CREATE VIEW facts.event_view AS SELECT * FROM facts.journey_event;
SELECT customer, latest_score, responses, round(days_since_last_interaction::numeric, 2) AS days, tier
  FROM nps.customer_health_at(:as_of, '30 days', journey_event_table => 'facts.event_view') WHERE customer = 'erin';
SELECT count(*) AS erin_by_default FROM nps.customer_health_at(:as_of, '30 days') WHERE customer = 'erin';
-- errors: a missing column (42703), a mistyped one (42804), an index (42809);
-- a NULL relation returns no rows (STRICT)
CREATE TABLE facts.no_csat AS SELECT * FROM nps.response;
ALTER TABLE facts.no_csat DROP COLUMN csat;
CREATE TABLE facts.int_complaint AS SELECT * FROM nps.service_case;
ALTER TABLE facts.int_complaint ALTER COLUMN complaint TYPE integer USING complaint::integer;
SELECT * FROM nps.customer_health_at(:as_of, '30 days', 'facts.no_csat');                              -- 42703
SELECT * FROM nps.customer_health_at(:as_of, '30 days', service_case_table => 'facts.int_complaint');  -- 42804
SELECT * FROM nps.customer_health_at(:as_of, '30 days', 'nps.response_customer_answered_at_idx');      -- 42809
SELECT * FROM nps.customer_health_at(:as_of, '0 days', 'facts.response');                             -- 22023
SELECT count(*) FROM nps.customer_health_at(:as_of, '30 days', NULL);
\set VERBOSITY default
SELECT * FROM nps.customer_health_at(:as_of, '30 days', 'facts.no_csat');
SELECT * FROM nps.customer_health_at(:as_of, '30 days', service_case_table => 'facts.int_complaint');
\set VERBOSITY sqlstate
-- the relation's name goes into the query through format('%s', regclass):
-- schema-qualified and quoted, never run as SQL
CREATE TABLE facts."x"");DROP TABLE nps.health_weight;--" AS SELECT * FROM nps.response;
SELECT count(*) AS rows
  FROM nps.customer_health_at(:as_of, '30 days', 'facts."x"");DROP TABLE nps.health_weight;--"');
SELECT count(*) AS weights_still_there FROM nps.health_weight;
-- the caller's own rights: a role that may not read the relation gets 42501
CREATE ROLE regress_nps_health_reader;
GRANT USAGE ON SCHEMA nps, facts TO regress_nps_health_reader;
GRANT SELECT ON nps.health_weight TO regress_nps_health_reader;
GRANT SELECT ON facts.journey_event, facts.service_case TO regress_nps_health_reader;
SET ROLE regress_nps_health_reader;
\set VERBOSITY default
\set SHOW_CONTEXT never
SELECT count(*) FROM nps.customer_health_at(:as_of, '30 days', 'facts.response', 'facts.journey_event', 'facts.service_case');
\set SHOW_CONTEXT errors
\set VERBOSITY sqlstate
RESET ROLE;
GRANT SELECT ON facts.response TO regress_nps_health_reader;
SET ROLE regress_nps_health_reader;
SELECT count(*) FROM nps.customer_health_at(:as_of, '30 days', 'facts.response', 'facts.journey_event', 'facts.service_case');
RESET ROLE;
DROP OWNED BY regress_nps_health_reader;
DROP ROLE regress_nps_health_reader;
DROP SCHEMA facts CASCADE;

TRUNCATE nps.response, nps.journey_event, nps.service_case, nps.metric_owner,
         nps.owner, nps.touchpoint, nps.journey, nps.improvement_action RESTART IDENTITY CASCADE;
