-- test/readme/journey.sql: the small journey data set of README's "Journeys,
-- ownership and views" section (database readme_journey of test/t/readme.sh).
-- It is the data set of sql/views.sql (same rows, so the README's numbers can be
-- checked by hand from the comments there), read at as_of 2024-06-30 12:00 UTC
-- with a 30-day window. Run in a fresh database with the extension.
SET nps.notify = off;
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


-- ---------------------------------------------------------------- ownership
INSERT INTO nps.owner (name, owner_kind, department, email, role_name) VALUES
  ('Ann', 'person', 'Sales', 'ann@example.com', 'ann'),             -- id 1
  ('Bob', 'person', 'E-commerce', 'bob@example.com', 'bob'),        -- id 2
  ('Experience Dept', 'department', NULL, 'cx@example.com', NULL),  -- id 3
  ('Cora', 'person', 'Experience Dept', NULL, 'cora'),              -- id 4
  ('Dan', 'person', 'Logistics', NULL, NULL);                       -- id 5

INSERT INTO nps.metric (code, name, metric_kind, measure, direction, unit, segment, description)
VALUES ('nps_vip', 'NPS of VIP customers', 'nps', 'score', 'higher', 'points', 'VIP',
        'NPS of responses of the VIP segment');

INSERT INTO nps.metric_owner (metric, journey_id, touchpoint_id, owner_id, target, alert_line, min_responses) VALUES
  ('nps', 1, 1, 1, 20, 0, NULL),        -- presales 25 (-1.4 .. 47.9): green
  ('nps', 1, 2, 2, 10, 0, NULL),        -- checkout -50 (-68.0 .. -25.0 < 0): red
  ('nps', 1, 3, 1, 20, 0, NULL),        -- delivery: 10 responses < 30: insufficient
  ('nps', 1, NULL, 3, 0, -20, NULL),    -- buy -7.78 < 0 but interval reaches over -20: amber
  ('nps_vip', 1, NULL, 4, 60, 10, 5);   -- VIP 50 < 60, 8 >= 5 responses: amber

-- CSAT, CES and rate metrics (csat_agg/ces_agg/rate_agg of csat.sql and rate.sql)
-- hotline answers: csat 5, 5, 4, 2 -> 3/4 satisfied = 75 % (Wilson 30.06 .. 95.44);
--                  ces 7, 6, 5, 2 -> mean 5, SE sqrt(14/3)/2 = 1.08 (2.88 .. 7.12)
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
