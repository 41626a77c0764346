-- nps.funnel_counts, the journey funnel's per-customer pass (funnel.c), on
-- hand-checkable events; then one group against a group per customer (how
-- journey_funnel_at groups on Citus): the same counts and medians; then its
-- errors, each with its SQLSTATE.
SET timezone = 'UTC';
\set VERBOSITY sqlstate
CREATE TEMP TABLE ev (customer text, touchpoint_id integer, occurred_at timestamptz);
-- journey A: stages 10 -> 20 -> 30; journey B: 40 -> 50.
--  a: 10 at 0h, 10 again at 5h (the first counts), 20 at 2h, 30 at 3h: continued at every stage
--  b: 20 at 1h, 10 at 4h: reached 20 before 10, so not continued and not from the first stage
--  c: 10 at 1h, 20 at 1h (a tie counts as continued), 30 never
--  d: 30 at 9h only; 99 (not a stage) ignored
--  NULL: one customer of its own: 10 at 0h, 20 at 1 day 1h
--  e: journey B, 40 at 0h, 50 at 2 days; and journey A, 10 at 6h
INSERT INTO ev VALUES
  ('a', 10, '2024-01-01 00:00'), ('a', 10, '2024-01-01 05:00'), ('a', 20, '2024-01-01 02:00'), ('a', 30, '2024-01-01 03:00'),
  ('b', 20, '2024-01-01 01:00'), ('b', 10, '2024-01-01 04:00'),
  ('c', 10, '2024-01-01 01:00'), ('c', 20, '2024-01-01 01:00'),
  ('d', 30, '2024-01-01 09:00'), ('d', 99, '2024-01-01 09:00'), ('d', NULL, '2024-01-01 09:00'), ('d', 10, NULL),
  (NULL, 10, '2024-01-01 00:00'), (NULL, 20, '2024-01-02 01:00'),
  ('e', 40, '2024-01-01 00:00'), ('e', 50, '2024-01-03 00:00'), ('e', 10, '2024-01-01 06:00');
\set stages '''{{10,NULL,10},{20,10,10},{30,20,10},{40,NULL,40},{50,40,40}}'''
-- stage 10: a, b, c, NULL, e = 5; from first 5
-- stage 20: a, b, c, NULL = 4; continued a (2h), c (0), NULL (1 day 1h); not b; median 2h
-- stage 30: a, d = 2; continued a (1h); from first a
-- stage 40: e; stage 50: e, continued 2 days
SELECT s.* FROM (SELECT nps.funnel_counts(customer, touchpoint_id, occurred_at, :stages) AS r FROM ev) x,
       unnest(x.r) AS s;
-- an even number of gaps: percentile_cont's interpolation, with interval arithmetic
SELECT s.touchpoint_id, s.continued, s.median_gap,
       (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY g) FROM unnest(ARRAY[interval '1 day', interval '2 days 01:00']) g) AS percentile_cont
  FROM (SELECT nps.funnel_counts(customer, touchpoint_id, occurred_at, '{{1,NULL,1},{2,1,1}}') AS r
          FROM (VALUES ('x', 1, timestamptz '2024-01-01 00:00'), ('x', 2, '2024-01-02 00:00'),
                       ('y', 1, '2024-01-01 00:00'), ('y', 2, '2024-01-03 01:00')) v(customer, touchpoint_id, occurred_at)) x,
       unnest(x.r) AS s WHERE s.touchpoint_id = 2;
-- no rows: NULL; no stages: an empty array
SELECT nps.funnel_counts(customer, touchpoint_id, occurred_at, :stages) FROM ev WHERE false;
SELECT nps.funnel_counts(customer, touchpoint_id, occurred_at, '{}') FROM ev;
-- As a window aggregate the final function only reads the state.
SELECT customer, (SELECT sum(s.customers) FROM unnest(r) s) AS customers_so_far
  FROM (SELECT customer, nps.funnel_counts(customer, touchpoint_id, occurred_at, :stages) OVER (ORDER BY customer NULLS FIRST) AS r
          FROM ev) x
 GROUP BY customer, r ORDER BY customer NULLS FIRST;

-- One group against a group per customer, on random data: the counts add
-- up, and the medians merge exactly (each group has at most one gap per
-- stage), as journey_funnel_at merges them.
SELECT setseed(0.3);
CREATE TEMP TABLE rnd AS
SELECT 'k' || floor(random() * 400)::int AS customer, (ARRAY[10, 20, 30, 40, 50])[1 + floor(random() * 5)::int] AS touchpoint_id,
       timestamptz '2024-01-01' + floor(random() * 500) * interval '17 minutes' AS occurred_at
  FROM generate_series(1, 3000);
WITH one AS (
  SELECT s.* FROM (SELECT nps.funnel_counts(customer, touchpoint_id, occurred_at, :stages) AS r FROM rnd) x, unnest(x.r) s
), per_customer AS (
  SELECT s.touchpoint_id, sum(s.customers)::bigint AS customers, sum(s.continued)::bigint AS continued,
         sum(s.from_first)::bigint AS from_first,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY s.median_gap) FILTER (WHERE s.continued > 0) AS median_gap,
         max(s.continued) AS most_gaps_in_a_group
    FROM (SELECT nps.funnel_counts(customer, touchpoint_id, occurred_at, :stages) AS r FROM rnd GROUP BY customer) x,
         unnest(x.r) s
   GROUP BY s.touchpoint_id
), slow AS (   -- from the definition: first time per customer and stage, then pairs
  SELECT f.touchpoint_id, count(*) AS customers,
         count(*) FILTER (WHERE p.at <= f.at) AS continued,
         count(*) FILTER (WHERE s1.at <= f.at) AS from_first,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY f.at - p.at) FILTER (WHERE p.at <= f.at) AS median_gap
    FROM (SELECT customer, touchpoint_id, min(occurred_at) AS at FROM rnd GROUP BY 1, 2) f
    JOIN (VALUES (10, NULL, 10), (20, 10, 10), (30, 20, 10), (40, NULL, 40), (50, 40, 40)) m(id, prev, first) ON m.id = f.touchpoint_id
    LEFT JOIN (SELECT customer, touchpoint_id, min(occurred_at) AS at FROM rnd GROUP BY 1, 2) p
           ON p.customer = f.customer AND p.touchpoint_id = m.prev
    LEFT JOIN (SELECT customer, touchpoint_id, min(occurred_at) AS at FROM rnd GROUP BY 1, 2) s1
           ON s1.customer = f.customer AND s1.touchpoint_id = m.first
   GROUP BY f.touchpoint_id
)
SELECT o.touchpoint_id, o.customers, o.continued, o.from_first, o.median_gap,
       (o.customers, o.continued, o.from_first, o.median_gap)
         IS NOT DISTINCT FROM (c.customers, c.continued, c.from_first, c.median_gap) AS per_customer_equal,
       c.most_gaps_in_a_group,
       (o.customers, o.continued, o.from_first, o.median_gap)
         IS NOT DISTINCT FROM (s.customers, s.continued, s.from_first, s.median_gap) AS slow_equal
  FROM one o JOIN per_customer c USING (touchpoint_id) JOIN slow s USING (touchpoint_id)
 ORDER BY o.touchpoint_id;

-- Errors
SELECT nps.funnel_counts(customer, touchpoint_id, occurred_at, NULL) FROM ev;                      -- 22004
SELECT nps.funnel_counts(customer, touchpoint_id, occurred_at, '{10, 20}') FROM ev;                -- 22023: one dimension
SELECT nps.funnel_counts(customer, touchpoint_id, occurred_at, '{{10, NULL}}') FROM ev;            -- 22023: 2 columns
SELECT nps.funnel_counts(customer, touchpoint_id, occurred_at, '{{10,NULL,10},{10,NULL,10}}') FROM ev;  -- 22023: twice
SELECT nps.funnel_counts(customer, touchpoint_id, occurred_at, '{{10,NULL,NULL}}') FROM ev;        -- 22023: no first
SELECT nps.funnel_counts(customer, touchpoint_id, occurred_at, '{{10,NULL,11}}') FROM ev;          -- 22023: first not a stage
SELECT nps.funnel_counts(customer, touchpoint_id, occurred_at, '{{10,NULL,10},{20,10,30},{30,NULL,30}}') FROM ev; -- 22023: previous of another journey
SELECT nps.funnel_counts(customer, touchpoint_id, occurred_at, '{{10,NULL,10},{20,10,30},{30,NULL,10}}') FROM ev; -- 22023: first has another first
SELECT nps.funnel_counts(customer, touchpoint_id, occurred_at, '{{10,10,10}}') FROM ev;            -- 22023: its own previous
SELECT nps.funnel_counts(c, 10, t, '{{10,NULL,10}}') FROM (VALUES ('a', timestamptz 'infinity')) v(c, t);  -- 22008
CREATE COLLATION pg_temp.case_insensitive (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
SELECT nps.funnel_counts(customer COLLATE pg_temp.case_insensitive, touchpoint_id, occurred_at, :stages) FROM ev;  -- 0A000
