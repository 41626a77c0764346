-- rate_agg: hand-checkable rates and Wilson intervals, rate_ci at several
-- confidences, rate_test (pooled z-test), every error path with its SQLSTATE,
-- the rate_state text form, window frames against count(*) FILTER, forced
-- parallel plans, and rate_rollup of stored daily results.
SET search_path = public, nps;
\set VERBOSITY sqlstate

-- 81 hits of 263: rate 30.7985%, Wilson 95% 25.53 .. 36.62
-- hand: p = .307985, z^2/n = .014606, centre (.307985 + .007303) / 1.014606 = .310753,
-- half 1.959964 sqrt(.00081036 + .00001388) / 1.014606 = .055460
CREATE TABLE known AS SELECT g, g <= 81 AS hit FROM generate_series(1, 263) g;
INSERT INTO known VALUES (264, NULL), (265, NULL);
SELECT (r).responses, (r).hits, round((r).rate::numeric, 4) AS rate,
       round((r).ci_low::numeric, 2) AS ci_low, round((r).ci_high::numeric, 2) AS ci_high
FROM (SELECT rate_agg(hit) AS r FROM known) s;
SELECT rate_agg(hit) FROM known;
-- the same with plain SQL (NULLs skipped)
SELECT count(hit) AS n, count(*) FILTER (WHERE hit) AS hits, round(100.0 * count(*) FILTER (WHERE hit) / count(hit), 4) AS rate
FROM known;
-- Wald standard error and 95% margin, like csat_result: 100 sqrt(p (1 - p) / n) = 2.8467
SELECT round((r).std_error::numeric, 4) AS std_error, round((r).margin_95::numeric, 4) AS margin_95,
       abs((r).std_error - 100 * sqrt(81 / 263.0 * (1 - 81 / 263.0) / 263)) < 1e-12 AS se_ok,
       abs((r).margin_95 - 1.959963984540054 * (r).std_error) < 1e-12 AS margin_ok
FROM (SELECT rate_agg(hit) AS r FROM known) s;

-- rate_ci at any confidence equals the Wilson formula written in SQL
SELECT c, round(ci_low::numeric, 6) AS low, round(ci_high::numeric, 6) AS high,
       round((((p + z*z/(2*n)) - z * sqrt(p*(1-p)/n + z*z/(4*n*n))) / (1 + z*z/n) * 100)::numeric, 6) AS low_sql,
       round((((p + z*z/(2*n)) + z * sqrt(p*(1-p)/n + z*z/(4*n*n))) / (1 + z*z/n) * 100)::numeric, 6) AS high_sql
FROM (SELECT rate_agg(hit) AS r FROM known) a,
     (VALUES (0.80, 1.2815515655446004), (0.90, 1.6448536269514722), (0.95, 1.959963984540054), (0.99, 2.5758293035489004)) v(c, z),
     LATERAL (SELECT 81 / 263.0::float8 AS p, 263::float8 AS n) k,
     LATERAL rate_ci(a.r, c) ci
ORDER BY c;
-- the default confidence is 0.95, the same interval as the result's
SELECT round(ci.ci_low::numeric, 2) AS low, round(ci.ci_high::numeric, 2) AS high,
       ci.ci_low = (r).ci_low AND ci.ci_high = (r).ci_high AS same_as_result
FROM (SELECT rate_agg(hit) AS r FROM known) a, LATERAL rate_ci(a.r) ci;

-- edges: 0 of 10 -> 0 .. z^2 / (10 + z^2) = 27.75; 10 of 10 -> 72.25 .. 100 (exactly)
SELECT (r).responses, (r).hits, (r).rate, (r).ci_low, round((r).ci_high::numeric, 4) AS ci_high
FROM (SELECT rate_agg(false) AS r FROM generate_series(1, 10)) s;
SELECT (r).responses, (r).hits, (r).rate, round((r).ci_low::numeric, 4) AS ci_low, (r).ci_high
FROM (SELECT rate_agg(true) AS r FROM generate_series(1, 10)) s;
-- a single row, no rows, only NULLs
SELECT rate_agg(true);
SELECT rate_agg(hit) IS NULL AS empty_is_null FROM known WHERE false;
SELECT rate_agg(NULL::boolean) IS NULL AS all_null_is_null FROM generate_series(1, 3);

-- the typical use: share of cases answered within 2 hours (NULL: not answered yet, skipped)
CREATE TABLE service_case (id int, opened_at timestamptz, first_response_at timestamptz);
INSERT INTO service_case VALUES
  (1, '2026-03-02 09:00+00', '2026-03-02 09:30+00'),
  (2, '2026-03-02 10:00+00', '2026-03-02 12:00+00'),   -- exactly 2 hours: met
  (3, '2026-03-02 11:00+00', '2026-03-02 15:00+00'),
  (4, '2026-03-02 12:00+00', NULL),
  (5, '2026-03-03 09:00+00', '2026-03-03 09:05+00');
SELECT (r).responses, (r).hits, (r).rate
FROM (SELECT rate_agg(first_response_at - opened_at <= interval '2 hours') AS r FROM service_case) s;

-- ---------- rate_test: pooled two-proportion z-test ----------
-- 45 of 100 vs 30 of 100: difference 15 points, pooled p .375,
-- SE 100 sqrt(.375 * .625 * .02) = 6.8465, z = 2.1909 (z^2 = Pearson's chi-square 4.8), p = 0.0285
CREATE TABLE ab AS
SELECT 'a' AS arm, g <= 45 AS hit FROM generate_series(1, 100) g
UNION ALL SELECT 'b', g <= 30 FROM generate_series(1, 100) g;
SELECT difference, round(std_error::numeric, 4) AS std_error, round(z::numeric, 4) AS z,
       round(p_value::numeric, 4) AS p_value, significant, round((z * z)::numeric, 4) AS chi_square
FROM rate_test((SELECT rate_agg(hit) FROM ab WHERE arm = 'a'), (SELECT rate_agg(hit) FROM ab WHERE arm = 'b'));
-- Pearson's chi-square of the 2x2 table by hand: sum (O - E)^2 / E with E = 37.5 and 62.5 per arm
SELECT round(((45 - 37.5)^2 / 37.5 + (55 - 62.5)^2 / 62.5 + (30 - 37.5)^2 / 37.5 + (70 - 62.5)^2 / 62.5)::numeric, 4) AS chi_square_by_hand;
-- signed a - b; not significant at 99% (p 0.0285 > 0.01)
SELECT difference, round(z::numeric, 4) AS z, significant
FROM rate_test((SELECT rate_agg(hit) FROM ab WHERE arm = 'b'), (SELECT rate_agg(hit) FROM ab WHERE arm = 'a'), 0.99);
-- unequal sizes: 81 of 263 vs 30 of 150 (hand: pooled 111/413 = .268765, SE 100 sqrt(.268765 * .731235 (1/263 + 1/150)) = 100 sqrt(.0020575) = 4.5359,
-- difference 30.7985 - 20 = 10.7985, z 10.7985 / 4.5359 = 2.3807, p 0.0173)
SELECT round(difference::numeric, 4) AS difference, round(std_error::numeric, 4) AS std_error, round(z::numeric, 4) AS z,
       round(p_value::numeric, 4) AS p_value, significant
FROM rate_test((SELECT rate_agg(hit) FROM known), (SELECT rate_agg(g <= 30) FROM generate_series(1, 150) g));
-- no variance at all: z 0, p 1; a NULL result: NULL
SELECT * FROM rate_test((SELECT rate_agg(true)), (SELECT rate_agg(true)));
SELECT * FROM rate_test((SELECT rate_agg(true)), NULL);

-- ---------- errors ----------
-- confidence outside (0, 1): 22023
SELECT * FROM rate_ci((SELECT rate_agg(true)), 0);
SELECT * FROM rate_ci((SELECT rate_agg(true)), 1);
SELECT * FROM rate_test((SELECT rate_agg(true)), (SELECT rate_agg(false)), 1.5);
-- state text form: round trip, malformed (22P02), impossible (22023)
SELECT 'n=263 hits=81'::rate_state;
SELECT 'n=263'::rate_state;
SELECT 'n=263 hits=81 x'::rate_state;
SELECT 'n=-1 hits=0'::rate_state;
SELECT 'n=1 hits=2'::rate_state;
-- impossible stored results (22023)
SELECT rate_rollup(ROW(1, 2, NULL, NULL, NULL, NULL, NULL)::rate_result);
SELECT rate_rollup(ROW(NULL, 2, NULL, NULL, NULL, NULL, NULL)::rate_result);
SELECT rate_ci(ROW(-1, 0, NULL, NULL, NULL, NULL, NULL)::rate_result);
-- support functions refuse to run outside an aggregate: 0A000
SELECT rate_trans('n=0 hits=0'::rate_state, true);
\set VERBOSITY default
SELECT * FROM rate_ci((SELECT rate_agg(true)), 1);
SELECT 'n=1 hits=2'::rate_state;
SELECT rate_rollup(ROW(NULL, 2, NULL, NULL, NULL, NULL, NULL)::rate_result);
\set VERBOSITY sqlstate

-- ---------- window frames ----------
CREATE TABLE w AS
SELECT g AS id,
       timestamptz '2026-01-01' + ((g * 7919) % 90) * interval '1 day' + (g % 3) * interval '1 hour' AS at,
       CASE WHEN g % 11 = 0 THEN NULL ELSE (g * 2654435761) % 10 < 7 END AS hit
FROM generate_series(1, 1500) g;
ANALYZE w;

SELECT aggfnoid::regprocedure, aggminvtransfn <> 0 AS has_inverse, aggcombinefn <> 0 AS has_combine
FROM pg_aggregate WHERE aggfnoid::regproc::text IN ('rate_agg', 'nps.rate_agg', 'rate_rollup', 'nps.rate_rollup')
ORDER BY 1::text;

-- ROWS, RANGE with an interval, GROUPS, and the EXCLUDE options, against count(*) FILTER / count()
SELECT count(*) AS rows_checked,
       count(*) FILTER (WHERE (r_rows).responses IS DISTINCT FROM n_rows OR (r_rows).hits IS DISTINCT FROM h_rows) AS differ_rows,
       count(*) FILTER (WHERE (r_range).responses IS DISTINCT FROM n_range OR (r_range).hits IS DISTINCT FROM h_range) AS differ_range,
       count(*) FILTER (WHERE (r_groups).responses IS DISTINCT FROM n_groups OR (r_groups).hits IS DISTINCT FROM h_groups) AS differ_groups,
       count(*) FILTER (WHERE (r_cur).responses IS DISTINCT FROM n_cur OR (r_cur).hits IS DISTINCT FROM h_cur) AS differ_ex_current,
       count(*) FILTER (WHERE (r_grp).responses IS DISTINCT FROM nullif(n_grp, 0)
                          OR (r_grp).hits IS DISTINCT FROM CASE WHEN n_grp > 0 THEN h_grp END) AS differ_ex_group,
       count(*) FILTER (WHERE (r_ties).responses IS DISTINCT FROM n_ties OR (r_ties).hits IS DISTINCT FROM h_ties) AS differ_ex_ties,
       count(*) FILTER (WHERE abs((r_range).rate - 100.0 * h_range / n_range) > 1e-9) AS differ_rate
FROM (SELECT rate_agg(hit) OVER w_rows AS r_rows, count(hit) OVER w_rows AS n_rows, count(*) FILTER (WHERE hit) OVER w_rows AS h_rows,
             rate_agg(hit) OVER w_range AS r_range, count(hit) OVER w_range AS n_range, count(*) FILTER (WHERE hit) OVER w_range AS h_range,
             rate_agg(hit) OVER w_groups AS r_groups, count(hit) OVER w_groups AS n_groups, count(*) FILTER (WHERE hit) OVER w_groups AS h_groups,
             rate_agg(hit) OVER w_cur AS r_cur, count(hit) OVER w_cur AS n_cur, count(*) FILTER (WHERE hit) OVER w_cur AS h_cur,
             rate_agg(hit) OVER w_grp AS r_grp, count(hit) OVER w_grp AS n_grp, count(*) FILTER (WHERE hit) OVER w_grp AS h_grp,
             rate_agg(hit) OVER w_ties AS r_ties, count(hit) OVER w_ties AS n_ties, count(*) FILTER (WHERE hit) OVER w_ties AS h_ties
      FROM w
      WINDOW w_rows AS (ORDER BY at, id ROWS BETWEEN 99 PRECEDING AND CURRENT ROW),
             w_range AS (ORDER BY at RANGE BETWEEN interval '30 days' PRECEDING AND CURRENT ROW),
             w_groups AS (ORDER BY at GROUPS BETWEEN 2 PRECEDING AND 1 FOLLOWING),
             w_cur AS (ORDER BY at RANGE BETWEEN interval '3 days' PRECEDING AND interval '3 days' FOLLOWING EXCLUDE CURRENT ROW),
             w_grp AS (ORDER BY at RANGE BETWEEN interval '3 days' PRECEDING AND interval '3 days' FOLLOWING EXCLUDE GROUP),
             w_ties AS (ORDER BY at RANGE BETWEEN interval '3 days' PRECEDING AND interval '3 days' FOLLOWING EXCLUDE TIES)) s;
-- and the whole result against recomputing the frame
SELECT count(*) AS rows_checked, count(*) FILTER (WHERE r IS DISTINCT FROM slow) AS differ
FROM (SELECT rate_agg(hit) OVER (ORDER BY at RANGE BETWEEN interval '14 days' PRECEDING AND interval '1 day' PRECEDING) AS r,
             (SELECT rate_agg(hit) FROM w w2 WHERE w2.at BETWEEN w.at - interval '14 days' AND w.at - interval '1 day') AS slow
      FROM w) s;
SELECT id, at, (r).responses, (r).hits, round((r).rate::numeric, 4) AS rate, round(sql_rate, 4) AS sql_rate,
       round((r).ci_low::numeric, 4) AS ci_low, round((r).ci_high::numeric, 4) AS ci_high
FROM (SELECT id, at, rate_agg(hit) OVER win AS r, 100.0 * count(*) FILTER (WHERE hit) OVER win / count(hit) OVER win AS sql_rate
      FROM w WINDOW win AS (ORDER BY at, id ROWS BETWEEN 99 PRECEDING AND CURRENT ROW)) s
ORDER BY at, id LIMIT 3 OFFSET 500;
-- a frame that empties gives NULL
SELECT id, rate_agg(h) OVER (ORDER BY id ROWS BETWEEN 2 PRECEDING AND 1 PRECEDING) AS r
FROM (VALUES (1, true), (2, NULL), (3, false), (4, NULL), (5, NULL), (6, true)) v(id, h) ORDER BY id;

-- ---------- parallel plans and rollups ----------
SELECT setseed(0.3);
CREATE TABLE cases AS
SELECT g AS id, (ARRAY['order', 'delivery', 'aftersales'])[1 + floor(random() * 3)::int] AS touchpoint,
       date '2026-01-01' + (random() * 90)::int AS day,
       CASE WHEN random() < 0.03 THEN NULL ELSE random() < 0.8 END AS hit
FROM generate_series(1, 300000) g;
ANALYZE cases;
CREATE TABLE serial_results AS SELECT touchpoint, rate_agg(hit) AS r FROM cases GROUP BY touchpoint;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT touchpoint, rate_agg(hit) FROM cases GROUP BY touchpoint;
EXPLAIN (COSTS OFF) SELECT rate_agg(hit) FROM cases;
SELECT count(*) AS groups, count(*) FILTER (WHERE p.r IS DISTINCT FROM s.r) AS differ
FROM (SELECT touchpoint, rate_agg(hit) AS r FROM cases GROUP BY touchpoint) p JOIN serial_results s USING (touchpoint);
SELECT (SELECT rate_agg(hit) FROM cases) = (SELECT rate_rollup(r) FROM serial_results) AS same_total;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
SELECT touchpoint, (r).responses, (r).hits, round((r).rate::numeric, 4) AS rate,
       round((r).ci_low::numeric, 4) AS ci_low, round((r).ci_high::numeric, 4) AS ci_high
FROM serial_results ORDER BY touchpoint;
SELECT touchpoint, count(hit) AS n, count(*) FILTER (WHERE hit) AS hits,
       round(100.0 * count(*) FILTER (WHERE hit) / count(hit), 4) AS rate
FROM cases GROUP BY touchpoint ORDER BY touchpoint;

CREATE TABLE daily AS SELECT day, touchpoint, rate_agg(hit) AS r FROM cases GROUP BY day, touchpoint;
SELECT count(*) AS months, count(*) FILTER (WHERE a.r IS DISTINCT FROM b.r) AS differ
FROM (SELECT date_trunc('month', day) AS m, touchpoint, rate_rollup(r) AS r FROM daily GROUP BY 1, 2) a
JOIN (SELECT date_trunc('month', day) AS m, touchpoint, rate_agg(hit) AS r FROM cases GROUP BY 1, 2) b USING (m, touchpoint);
-- the average of daily rates is not the rate
SELECT round(avg((r).rate)::numeric, 4) AS avg_of_daily, round((rate_rollup(r)).rate::numeric, 4) AS rollup,
       round((SELECT (rate_agg(hit)).rate FROM cases WHERE touchpoint = 'order' AND day < '2026-01-08')::numeric, 4) AS direct
FROM daily WHERE touchpoint = 'order' AND day < '2026-01-08';
-- rolling 7 days over stored days (rate_rollup's inverse) = direct aggregation
SELECT count(*) AS days, count(*) FILTER (WHERE a.r IS DISTINCT FROM b.r) AS differ
FROM (SELECT day, touchpoint,
             rate_rollup(r) OVER (PARTITION BY touchpoint ORDER BY day RANGE BETWEEN interval '6 days' PRECEDING AND CURRENT ROW) AS r
      FROM daily) a
JOIN LATERAL (SELECT rate_agg(hit) AS r FROM cases
              WHERE cases.touchpoint = a.touchpoint AND cases.day BETWEEN a.day - 6 AND a.day) b ON true;
-- NULL results are skipped
SELECT rate_rollup(r) FROM (VALUES (NULL::rate_result), ((SELECT rate_agg(true))), ((SELECT rate_agg(false)))) v(r);

DROP TABLE known, service_case, ab, w, cases, serial_results, daily;
