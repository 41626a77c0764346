-- The journey data model: tables, constraints (bad rows rejected with a
-- SQLSTATE and a constraint name saying what is checked), the pre-filled
-- metric catalogue and what pg_dump keeps.
SET timezone = 'UTC';
\set VERBOSITY sqlstate
SET nps.notify = off;   -- no NOTIFY noise from the closed-loop trigger here

TRUNCATE nps.response, nps.journey_event, nps.service_case, nps.metric_owner,
         nps.owner, nps.touchpoint, nps.journey RESTART IDENTITY CASCADE;
DELETE FROM nps.metric WHERE NOT builtin;

-- the tables and their columns
SELECT c.relname, string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
                             || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END, ', ' ORDER BY a.attnum) AS columns
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.relnamespace = 'nps'::regnamespace AND c.relkind = 'r'
 GROUP BY c.relname ORDER BY c.relname;

-- the pre-filled metric catalogue
SELECT code, metric_kind, measure, direction, unit, sla, builtin FROM nps.metric ORDER BY code;

-- what pg_dump keeps: every table (metric: only user rows) and the identity sequences
SELECT unnest(extconfig)::regclass::text AS config, unnest(extcondition) AS condition
  FROM pg_extension WHERE extname = 'nps' ORDER BY 1;

-- good rows
INSERT INTO nps.journey (code, name) VALUES ('buy', '购买旅程');
INSERT INTO nps.touchpoint (journey_id, stage_order, code, name) VALUES
  (1, 1, 'presales', '售前咨询'), (1, 2, 'checkout', '下单支付');
INSERT INTO nps.response (customer, touchpoint_id, answered_at, segment, channel, score, csat, ces, reasons)
VALUES ('c1', 1, '2024-06-01 10:00+00', 'VIP', 'app', 9, 5, 7, '{friendly_staff}'),
       ('c2', 2, '2024-06-01 11:00+00', NULL, NULL, 0, NULL, NULL, '{}');
INSERT INTO nps.journey_event (customer, touchpoint_id, occurred_at) VALUES ('c1', 1, '2024-06-01 09:00+00');
INSERT INTO nps.service_case (customer, touchpoint_id, opened_at, first_response_at, resolved_at, contacts, complaint, reopened)
VALUES ('c2', 2, '2024-06-01 12:00+00', '2024-06-01 13:00+00', '2024-06-02 12:00+00', 2, true, false);
INSERT INTO nps.owner (name, owner_kind, department, role_name) VALUES
  ('Ann', 'person', 'Sales', 'ann'), ('客户体验部', 'department', NULL, NULL);
INSERT INTO nps.metric (code, name, metric_kind, measure, direction, unit, sla)
VALUES ('resolved_24h', 'Resolved within 24 hours', 'rate', 'resolution_within_sla', 'higher', '%', '24 hours');
INSERT INTO nps.metric_owner (metric, journey_id, touchpoint_id, owner_id, target, alert_line) VALUES
  ('nps', 1, 1, 1, 30, 0),
  ('nps', 1, NULL, 2, 20, -10),
  ('resolved_24h', 1, 2, 2, 90, 70);

-- Bad rows: each statement below runs in its own subtransaction and shows
-- the SQLSTATE and the constraint (or column) named by the error.
CREATE FUNCTION pg_temp.try(stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  st text; con text; col text;
BEGIN
  EXECUTE stmt;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, con = CONSTRAINT_NAME, col = COLUMN_NAME;
  RETURN st || ' ' || coalesce(nullif(con, ''), 'column ' || nullif(col, ''), SQLERRM);
END $$;

-- responses
SELECT what, pg_temp.try(stmt) AS result FROM (VALUES
  ('score 11',          $$INSERT INTO nps.response (customer, touchpoint_id, answered_at, score) VALUES ('x', 1, now(), 11)$$),
  ('score -1',          $$INSERT INTO nps.response (customer, touchpoint_id, answered_at, score) VALUES ('x', 1, now(), -1)$$),
  ('score missing',     $$INSERT INTO nps.response (customer, touchpoint_id, answered_at) VALUES ('x', 1, now())$$),
  ('csat 6',            $$INSERT INTO nps.response (customer, touchpoint_id, answered_at, score, csat) VALUES ('x', 1, now(), 5, 6)$$),
  ('ces 0',             $$INSERT INTO nps.response (customer, touchpoint_id, answered_at, score, ces) VALUES ('x', 1, now(), 5, 0)$$),
  ('unknown touchpoint',$$INSERT INTO nps.response (customer, touchpoint_id, answered_at, score) VALUES ('x', 99, now(), 5)$$),
  ('blank customer',    $$INSERT INTO nps.response (customer, touchpoint_id, answered_at, score) VALUES ('  ', 1, now(), 5)$$),
  ('blank segment',     $$INSERT INTO nps.response (customer, touchpoint_id, answered_at, score, segment) VALUES ('x', 1, now(), 5, '')$$),
  ('NULL reason',       $$INSERT INTO nps.response (customer, touchpoint_id, answered_at, score, reasons) VALUES ('x', 1, now(), 5, '{price,NULL}')$$),
  ('2-D reasons',       $$INSERT INTO nps.response (customer, touchpoint_id, answered_at, score, reasons) VALUES ('x', 1, now(), 5, '{{a,b},{c,d}}')$$),
  ('empty reason',      $$INSERT INTO nps.response (customer, touchpoint_id, answered_at, score, reasons) VALUES ('x', 1, now(), 5, '{""}')$$),
  ('follow-up too early', $$UPDATE nps.response SET followed_up_at = answered_at - interval '1 hour' WHERE customer = 'c2'$$),
  ('follow-up ok',      $$UPDATE nps.response SET followed_up_at = answered_at + interval '1 hour' WHERE customer = 'c2'$$)
) AS t(what, stmt);

-- the errors as a client sees them: SQLSTATE, message naming the constraint
\set VERBOSITY sqlstate
INSERT INTO nps.response (customer, touchpoint_id, answered_at, score) VALUES ('x', 1, now(), 11);
INSERT INTO nps.response (customer, touchpoint_id, answered_at, score) VALUES ('x', 99, now(), 5);
\set VERBOSITY default
INSERT INTO nps.response (customer, touchpoint_id, answered_at, score) VALUES ('x', 1, '2024-06-01 00:00+00', 11);
INSERT INTO nps.response (customer, touchpoint_id, answered_at, score) VALUES ('x', 99, '2024-06-01 00:00+00', 5);
\set VERBOSITY sqlstate
SELECT conname FROM pg_constraint WHERE conrelid = 'nps.response'::regclass AND contype = 'c' ORDER BY 1;

-- journeys, touchpoints, events, cases, owners, metrics, ownership
INSERT INTO nps.journey (code, name) VALUES ('support', 'Support');   -- id 2
SELECT what, pg_temp.try(stmt) AS result FROM (VALUES
  ('journey code taken',     $$INSERT INTO nps.journey (code, name) VALUES ('buy', 'again')$$),
  ('journey code w/ space',  $$INSERT INTO nps.journey (code, name) VALUES ('has space', 'x')$$),
  ('journey name blank',     $$INSERT INTO nps.journey (code, name) VALUES ('j3', ' ')$$),
  ('stage order taken',      $$INSERT INTO nps.touchpoint (journey_id, stage_order, code, name) VALUES (1, 1, 'other', 'x')$$),
  ('touchpoint code taken',  $$INSERT INTO nps.touchpoint (journey_id, stage_order, code, name) VALUES (1, 3, 'presales', 'x')$$),
  ('stage order 0',          $$INSERT INTO nps.touchpoint (journey_id, stage_order, code, name) VALUES (1, 0, 'zero', 'x')$$),
  ('unknown journey',        $$INSERT INTO nps.touchpoint (journey_id, stage_order, code, name) VALUES (7, 1, 'nojourney', 'x')$$),
  ('event: unknown touchpoint', $$INSERT INTO nps.journey_event (customer, touchpoint_id, occurred_at) VALUES ('c1', 42, now())$$),
  ('case: answered before opened', $$INSERT INTO nps.service_case (customer, touchpoint_id, opened_at, first_response_at) VALUES ('c', 1, '2024-06-02', '2024-06-01')$$),
  ('case: resolved before opened', $$INSERT INTO nps.service_case (customer, touchpoint_id, opened_at, resolved_at) VALUES ('c', 1, '2024-06-02', '2024-06-01')$$),
  ('case: 0 contacts',       $$INSERT INTO nps.service_case (customer, touchpoint_id, opened_at, contacts) VALUES ('c', 1, '2024-06-02', 0)$$),
  ('case: reopened, never resolved', $$INSERT INTO nps.service_case (customer, touchpoint_id, opened_at, reopened) VALUES ('c', 1, '2024-06-02', true)$$),
  ('owner kind team',        $$INSERT INTO nps.owner (name, owner_kind) VALUES ('Team X', 'team')$$),
  ('metric: kind/measure mismatch', $$INSERT INTO nps.metric (code, name, metric_kind, measure, unit) VALUES ('m1', 'x', 'nps', 'csat', 'points')$$),
  ('metric: SLA measure without sla', $$INSERT INTO nps.metric (code, name, metric_kind, measure, unit) VALUES ('m2', 'x', 'rate', 'first_response_within_sla', '%')$$),
  ('metric: negative sla',   $$INSERT INTO nps.metric (code, name, metric_kind, measure, unit, sla) VALUES ('m2', 'x', 'rate', 'first_response_within_sla', '%', '-1 hour')$$),
  ('metric: segment on a case rate', $$INSERT INTO nps.metric (code, name, metric_kind, measure, unit, segment) VALUES ('m3', 'x', 'rate', 'complaint', '%', 'VIP')$$),
  ('metric: direction up',   $$INSERT INTO nps.metric (code, name, metric_kind, measure, direction, unit) VALUES ('m4', 'x', 'nps', 'score', 'up', 'points')$$),
  ('owned: unknown metric',  $$INSERT INTO nps.metric_owner (metric, journey_id, touchpoint_id, owner_id, target) VALUES ('nope', 1, 1, 1, 0)$$),
  ('owned: unknown owner',   $$INSERT INTO nps.metric_owner (metric, journey_id, touchpoint_id, owner_id, target) VALUES ('csat', 1, 1, 99, 0)$$),
  ('owned: touchpoint of another journey', $$INSERT INTO nps.metric_owner (metric, journey_id, touchpoint_id, owner_id, target) VALUES ('csat', 2, 1, 1, 80)$$),
  ('owned twice (touchpoint)', $$INSERT INTO nps.metric_owner (metric, journey_id, touchpoint_id, owner_id, target) VALUES ('nps', 1, 1, 2, 0)$$),
  ('owned twice (whole journey)', $$INSERT INTO nps.metric_owner (metric, journey_id, touchpoint_id, owner_id, target) VALUES ('nps', 1, NULL, 1, 0)$$),
  ('owned: infinite target', $$INSERT INTO nps.metric_owner (metric, journey_id, touchpoint_id, owner_id, target) VALUES ('csat', 1, NULL, 1, 'Infinity')$$),
  ('owned: min_responses 0', $$INSERT INTO nps.metric_owner (metric, journey_id, touchpoint_id, owner_id, target, min_responses) VALUES ('csat', 1, NULL, 1, 80, 0)$$),
  ('owner in use deleted',   $$DELETE FROM nps.owner WHERE id = 2$$)
) AS t(what, stmt);

-- stage order: a swap in one statement is fine (the unique check is at the
-- end of the statement, and deferrable to the end of a transaction); a real
-- duplicate is not
UPDATE nps.touchpoint SET stage_order = 3 - stage_order WHERE journey_id = 1;
SELECT code, stage_order FROM nps.touchpoint WHERE journey_id = 1 ORDER BY stage_order;
BEGIN;
SET CONSTRAINTS nps.touchpoint_journey_id_stage_order_key DEFERRED;
UPDATE nps.touchpoint SET stage_order = 1 WHERE code = 'presales';  -- clashes with checkout until...
UPDATE nps.touchpoint SET stage_order = 2 WHERE code = 'checkout';  -- ...this
COMMIT;
SELECT code, stage_order FROM nps.touchpoint WHERE journey_id = 1 ORDER BY stage_order;
UPDATE nps.touchpoint SET stage_order = 1 WHERE journey_id = 1;

-- a metric code can be renamed (ON UPDATE CASCADE)
UPDATE nps.metric SET code = 'resolved_in_24h' WHERE code = 'resolved_24h';
SELECT metric, journey_id, touchpoint_id, owner_id, target, alert_line FROM nps.metric_owner ORDER BY id;

-- indexes a DBA expects for millions of responses
SELECT indexrelid::regclass AS index, pg_get_indexdef(indexrelid) ~ 'WHERE' AS partial
  FROM pg_index WHERE indrelid = 'nps.response'::regclass ORDER BY 1::text;
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF)
SELECT id FROM nps.response WHERE score <= 6 AND followed_up_at IS NULL ORDER BY answered_at;
EXPLAIN (COSTS OFF)
SELECT count(*) FROM nps.response WHERE touchpoint_id = 1 AND answered_at > '2024-06-01' AND answered_at <= '2024-07-01';
RESET enable_seqscan;
RESET enable_bitmapscan;

-- every object of the data model is commented
SELECT c.relname, a.attname
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.relnamespace = 'nps'::regnamespace AND c.relkind = 'r'
   AND col_description(c.oid, a.attnum) IS NULL;
SELECT relname FROM pg_class
 WHERE relnamespace = 'nps'::regnamespace AND relkind IN ('r', 'i')
   AND obj_description(oid, 'pg_class') IS NULL
   AND relname NOT LIKE '%_pkey' AND relname NOT LIKE '%_key';

TRUNCATE nps.response, nps.journey_event, nps.service_case, nps.metric_owner,
         nps.owner, nps.touchpoint, nps.journey RESTART IDENTITY CASCADE;
DELETE FROM nps.metric WHERE NOT builtin;
