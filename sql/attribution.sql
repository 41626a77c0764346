-- attribution: nps_contribution (shift-share attribution of an NPS change,
-- window and plain function) and net_promoter_score (the NPS by value).
-- Every expected value below is checked by hand in the comments.
\pset null '(null)'
SET extra_float_digits = 0;

-- answers(grp, period, score) from counts (grp, period, score, how many)
CREATE TEMP TABLE answers (grp text, period text, score integer);
CREATE FUNCTION pg_temp.load(v text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE answers;
  EXECUTE 'INSERT INTO answers SELECT g, p, s FROM (VALUES ' || v || ') x(g, p, s, k), generate_series(1, k)';
END $$;
CREATE VIEW groups AS
  SELECT grp, nps.nps_agg(score) FILTER (WHERE period = 'now') AS cur,
              nps.nps_agg(score) FILTER (WHERE period = 'before') AS prev
    FROM answers GROUP BY grp;

-- ---------- hand-checked: both effects positive ----------
-- A now P6 A2 D2 (W 10, NPS 40), before P4 A3 D3 (W 10, NPS 10)
-- B now P2 A4 D4 (W 10, NPS -20), before P6 A6 D18 (W 30, NPS -40)
-- whole now W 20, net 4 - 2 = 2: S1 = 10; before W 40, net 1 - 12 = -11: S0 = -27.5; change 37.5
-- A: w1 .5, w0 .25; mix = .25 (25 - (-8.75)) = 8.4375; rate = .375 * 30 = 11.25; effect 19.6875
-- B: w1 .5, w0 .75; mix = -.25 (-30 + 8.75) = 5.3125; rate = .625 * 20 = 12.5; effect 17.8125
SELECT pg_temp.load($$('A','now',10,6),('A','now',7,2),('A','now',0,2),('A','before',9,4),('A','before',8,3),('A','before',3,3),
                      ('B','now',10,2),('B','now',7,4),('B','now',5,4),('B','before',9,6),('B','before',8,6),('B','before',1,18)$$);
SELECT grp, (nps.nps_contribution(cur, prev) OVER ()).* FROM groups ORDER BY grp;

-- ---------- hand-checked: mix and rate with opposite signs ----------
-- X now P3 A1 D0 (W 4, NPS 75), before P6 A4 D0 (W 10, NPS 60): a strong group that shrank but improved
-- Y now and before P2 A4 D4 (W 10, NPS -20)
-- S1 = 100 * 1/14 = 7.142857; S0 = 100 * 4/20 = 20; change -12.857143
-- X: w1 = 4/14, w0 = .5; mix = (-.214286)(67.5 - 13.571429) = -11.556122; rate = .392857 * 15 = 5.892857
-- Y: w1 = 10/14, w0 = .5; mix = .214286 (-20 - 13.571429) = -7.193878; rate = 0
SELECT pg_temp.load($$('X','now',9,3),('X','now',8,1),('X','before',10,6),('X','before',7,4),
                      ('Y','now',9,2),('Y','now',7,4),('Y','now',2,4),('Y','before',9,2),('Y','before',7,4),('Y','before',2,4)$$);
SELECT grp, round((c).current_share::numeric, 6) AS w1, (c).previous_share AS w0, (c).current_nps AS s1, (c).previous_nps AS s0,
       round((c).mix_effect::numeric, 6) AS mix, round((c).rate_effect::numeric, 6) AS rate, round((c).effect::numeric, 6) AS effect
  FROM (SELECT grp, nps.nps_contribution(cur, prev) OVER () AS c FROM groups) s ORDER BY grp;
-- the effects add up to the whole's change, S1 - S0
SELECT round(sum((c).effect)::numeric, 6) AS sum_of_effects,
       round(((SELECT nps.nps_agg(score) FROM answers WHERE period = 'now')).nps::numeric
             - ((SELECT nps.nps_agg(score) FROM answers WHERE period = 'before')).nps::numeric, 6) AS change
  FROM (SELECT nps.nps_contribution(cur, prev) OVER () AS c FROM groups) s;

-- ---------- a group missing in one period: its whole effect is mix ----------
-- N is new: now P1 A0 D0 (NPS 100), none before: w0 = 0, s0 taken as s1 = 100, rate 0
-- whole now: X W4 net 3, Y W10 net -2, N W1 net 1: W 15, net 2, S1 = 13.333333; S0 = 20
-- N: mix = (1/15)(100 - (20 + 13.333333)/2) = (1/15)(83.333333) = 5.555556
INSERT INTO answers VALUES ('N', 'now', 10);
SELECT grp, (c).previous_share, (c).previous_nps, round((c).mix_effect::numeric, 6) AS mix, (c).rate_effect
  FROM (SELECT grp, nps.nps_contribution(cur, prev) OVER () AS c FROM groups) s ORDER BY grp;
SELECT round(sum((c).effect)::numeric, 6) AS sum_of_effects, round((40.0 / 3 - 20)::numeric, 6) AS change
  FROM (SELECT nps.nps_contribution(cur, prev) OVER () AS c FROM groups) s;

-- ---------- partitions, frames and the plain function ----------
-- the totals are the partition's, whatever the frame (like ntile)
SELECT grp, (nps.nps_contribution(cur, prev) OVER (ORDER BY grp ROWS BETWEEN CURRENT ROW AND CURRENT ROW)).effect
       = (nps.nps_contribution(cur, prev) OVER ()).effect AS frame_ignored
  FROM groups ORDER BY grp;
-- two partitions: each adds up to its own change
SELECT p, round(sum((c).effect)::numeric, 6) AS sum_of_effects
  FROM (SELECT grp IN ('X', 'N') AS p, nps.nps_contribution(cur, prev) OVER (PARTITION BY grp IN ('X', 'N')) AS c
          FROM groups) s GROUP BY p ORDER BY p;
-- the plain function, given the whole's results, is the window function
SELECT g.grp, nps.nps_contribution(g.cur, g.prev, w.cur, w.prev) = nps.nps_contribution(g.cur, g.prev) OVER () AS same
  FROM groups g, (SELECT nps.nps_rollup(cur) AS cur, nps.nps_rollup(prev) AS prev FROM groups) w ORDER BY g.grp;

-- ---------- NULLs, empty periods, weights ----------
-- NULL results count as no responses; a group with none in either period has no share and no effect
SELECT (nps.nps_contribution(NULL, NULL, '(10,5,3,2,30,,,10,10)', '(10,5,3,2,30,,,10,10)')).*;
-- the whole has no responses before: shares now only, no effects
SELECT (nps.nps_contribution('(10,5,3,2,30,,,10,10)', NULL, '(10,5,3,2,30,,,10,10)', NULL)).*;
-- weighted results: weights are what is shared (P 3.0 + A 1.0 of weight 2 each...)
SELECT grp, (c).current_share, (c).current_nps, (c).effect
  FROM (SELECT grp, nps.nps_contribution(nps.nps_agg(score, 2.0) FILTER (WHERE period = 'now'),
                                         nps.nps_agg(score, 2.0) FILTER (WHERE period = 'before')) OVER () AS c
          FROM answers WHERE grp IN ('X', 'Y') GROUP BY grp) s ORDER BY grp;

-- ---------- errors ----------
\set VERBOSITY sqlstate
-- an impossible stored result is refused by the shared validator (22023)
SELECT nps.nps_contribution('(1,1000000,0,0,100,,,1,1)', NULL, '(1,1000000,0,0,100,,,1,1)', NULL);
-- a group with more weight than its whole (22023)
SELECT nps.nps_contribution('(10,5,3,2,30,,,10,10)', NULL, '(4,2,1,1,25,,,4,4)', NULL);
\set VERBOSITY default

-- ---------- random data: the effects always add up to the change ----------
SELECT setseed(0.25);
CREATE TEMP TABLE random_answers AS
  SELECT 'g' || (random() * 9)::int AS grp, CASE WHEN random() < 0.5 THEN 'now' ELSE 'before' END AS period,
         (random() * 10)::int AS score, (random() * 3)::numeric(3,2)::float8 AS weight
    FROM generate_series(1, 5000);
SELECT count(*) AS partitions_checked, max(abs(sum_effect - change)) < 1e-9 AS add_up
  FROM (SELECT k, sum((c).effect) AS sum_effect,
               (nps.nps_rollup(cur)).nps - (nps.nps_rollup(prev)).nps AS change
          FROM (SELECT k, cur, prev, nps.nps_contribution(cur, prev) OVER (PARTITION BY k) AS c
                  FROM (SELECT (length(grp) + ascii(right(grp, 1))) % 3 AS k, grp,
                               nps.nps_agg(score, weight) FILTER (WHERE period = 'now') AS cur,
                               nps.nps_agg(score, weight) FILTER (WHERE period = 'before') AS prev
                          FROM random_answers GROUP BY grp) g) s
         GROUP BY k) t;

-- ---------- net_promoter_score: the NPS by value ----------
-- the same as (nps_agg(...)).nps for every score type, plain and weighted
SELECT nps.net_promoter_score(score::smallint) = (nps.nps_agg(score::smallint)).nps AS int2,
       nps.net_promoter_score(score) = (nps.nps_agg(score)).nps AS int4,
       nps.net_promoter_score(score::bigint) = (nps.nps_agg(score::bigint)).nps AS int8,
       nps.net_promoter_score(score::numeric) = (nps.nps_agg(score::numeric)).nps AS numeric,
       nps.net_promoter_score(score, weight) = (nps.nps_agg(score, weight)).nps AS weighted,
       pg_typeof(nps.net_promoter_score(score)) AS type
  FROM random_answers;
-- hand-checked: 10, 9, 0, 7: (2 - 1) / 4 = 25; no rows: NULL; weight 0 only: NULL
SELECT nps.net_promoter_score(s) FROM unnest(ARRAY[10, 9, 0, 7]) s;
SELECT nps.net_promoter_score(s) FROM unnest(ARRAY[]::int[]) s;
SELECT nps.net_promoter_score(s, 0) FROM unnest(ARRAY[10, 0]) s;
-- a rolling window equals the same frame recomputed from scratch (moving inverse)
SELECT count(*) AS rows, count(*) FILTER (WHERE w IS DISTINCT FROM slow) AS differ
  FROM (SELECT nps.net_promoter_score(score) OVER (ORDER BY i ROWS 99 PRECEDING) AS w,
               (SELECT 100.0 * (count(*) FILTER (WHERE r2.score >= 9) - count(*) FILTER (WHERE r2.score <= 6)) / count(*)
                  FROM (SELECT row_number() OVER () AS i2, score FROM random_answers) r2
                 WHERE r2.i2 BETWEEN r.i - 99 AND r.i)::float8 AS slow
          FROM (SELECT row_number() OVER () AS i, score FROM random_answers) r) x;
-- parallel plan = serial plan (temporary tables are never scanned in parallel)
CREATE TABLE attribution_parallel AS SELECT * FROM random_answers;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT nps.net_promoter_score(score) FROM attribution_parallel;
SELECT nps.net_promoter_score(score) AS parallel FROM attribution_parallel;
RESET max_parallel_workers_per_gather;
SELECT nps.net_promoter_score(score) AS serial FROM attribution_parallel;
DROP TABLE attribution_parallel;
RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
-- bad scores and weights: the errors of nps_agg
\set VERBOSITY sqlstate
SELECT nps.net_promoter_score(11);
SELECT nps.net_promoter_score(9.5);
SELECT nps.net_promoter_score(9, -1);
\set VERBOSITY default
