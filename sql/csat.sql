-- csat_agg: hand-checkable values, the three arities and every score type,
-- every error path with its SQLSTATE, the scale_state text form, csat_ci
-- (Wilson) and csat_test (pooled z-test), window frames against plain SQL,
-- forced parallel plans, and rollups of stored daily results.
SET search_path = public, nps;
\set VERBOSITY sqlstate

-- group 1: 1 2 3 4 5 5         -> n 6, satisfied 3 (4, 5, 5), CSAT 50, mean 20/6
-- group 2: 1x2 2x3 3x5 4x14 5x16 -> n 40, satisfied 30, CSAT 75, sum 159, mean 3.975
-- group 3: 5 5 5                -> CSAT 100, no spread
CREATE TABLE known (grp int, csat smallint);
INSERT INTO known VALUES (1, 1), (1, 2), (1, 3), (1, 4), (1, 5), (1, 5);
INSERT INTO known SELECT 2, s FROM (VALUES (1, 2), (2, 3), (3, 5), (4, 14), (5, 16)) v(s, k), generate_series(1, k);
INSERT INTO known VALUES (3, 5), (3, 5), (3, 5), (3, NULL);

-- hand: SE = 100 sqrt(p (1 - p) / n): group 1 100 sqrt(.25 / 6) = 20.4124,
-- margin 1.959964 * 20.4124 = 40.0076; group 2 100 sqrt(.1875 / 40) = 6.8465,
-- margin 13.4190 (13.418956); group 3 0
SELECT grp, (r).responses, (r).satisfied, (r).csat, round((r).mean::numeric, 4) AS mean,
       round((r).std_error::numeric, 4) AS std_error, round((r).margin_95::numeric, 4) AS margin_95,
       (r).scale_max, (r).satisfied_min, (r).score_sum, (r).score_sq_sum
FROM (SELECT grp, csat_agg(csat) AS r FROM known GROUP BY grp) s ORDER BY grp;

-- the same with plain SQL
SELECT grp, count(csat) AS n, count(*) FILTER (WHERE csat >= 4) AS satisfied,
       100.0 * count(*) FILTER (WHERE csat >= 4) / count(csat) AS csat, round(avg(csat), 4) AS mean,
       sum(csat) AS score_sum, sum(csat * csat) AS score_sq_sum
FROM known GROUP BY grp ORDER BY grp;

-- the composite as psql shows it
SELECT csat_agg(csat) FROM known WHERE grp = 1;

-- the three arities: defaults are scale_max 5, satisfied_min 4
SELECT csat_agg(csat) = csat_agg(csat, 5) AS one_two, csat_agg(csat) = csat_agg(csat, 5, 4) AS one_three
FROM known;
-- top box only: satisfied_min 5 (group 2: 16 of 40 = 40%)
SELECT (r).satisfied, (r).csat, (r).satisfied_min FROM (SELECT csat_agg(csat, 5, 5) AS r FROM known WHERE grp = 2) s;
-- a 7-point scale, top-2-box (6-7): 1 2 3 4 5 6 7 7 -> 3 of 8 = 37.5%, mean 35/8
SELECT (r).responses, (r).satisfied, (r).csat, (r).mean, (r).scale_max, (r).satisfied_min
FROM (SELECT csat_agg(s, 7, 6) AS r FROM unnest(ARRAY[1, 2, 3, 4, 5, 6, 7, 7]) s) x;
-- scale and threshold may come from columns, if the same on every row
SELECT (csat_agg(s, m, t)).csat FROM (VALUES (3, 7, 6), (6, 7, 6), (7, 7, 6), (NULL, 7, 6)) v(s, m, t);

-- every score type gives the same result
SELECT csat_agg(csat) = csat_agg(csat::int) AS int4,
       csat_agg(csat) = csat_agg(csat::numeric) AS numeric,
       csat_agg(csat) = csat_agg(csat::numeric(4, 2)) AS numeric_scaled,
       csat_agg(csat, 5, 4) = csat_agg(csat::int, 5, 4) AS int4_3,
       csat_agg(csat, 5) = csat_agg(csat::numeric, 5) AS numeric_2
FROM known;
-- bigint scores resolve to the numeric form
SELECT (csat_agg(s)).csat FROM (VALUES (4::bigint), (2::bigint)) v(s);

-- edge cases: no rows and all-NULL give NULL (like avg()); one response
SELECT csat_agg(csat) IS NULL AS empty_is_null FROM known WHERE false;
SELECT csat_agg(NULL::int) IS NULL AS all_null_is_null FROM generate_series(1, 3);
SELECT csat_agg(4);
SELECT (csat_agg(s)).* FROM (VALUES (1), (2)) v(s);
-- a row with a NULL scale_max or satisfied_min is skipped, like a NULL score
SELECT (csat_agg(s, m)).responses FROM (VALUES (4, 5), (5, NULL)) v(s, m);

-- bad scores: 22003, the message names the value and the scale
SELECT csat_agg(s) FROM (VALUES (5), (6)) v(s);
SELECT csat_agg(s) FROM (VALUES (0::smallint)) v(s);
SELECT csat_agg(s, 7) FROM (VALUES (8)) v(s);
SELECT csat_agg(s) FROM (VALUES (4.5)) v(s);
SELECT csat_agg(s) FROM (VALUES ('NaN'::numeric)) v(s);
SELECT csat_agg(s) FROM (VALUES ('Infinity'::numeric)) v(s);
SELECT csat_agg(s) FROM (VALUES (12345678901)) v(s);
-- bad scales: 22023
SELECT csat_agg(s, 1) FROM (VALUES (1)) v(s);
SELECT csat_agg(s, 101) FROM (VALUES (1)) v(s);
SELECT csat_agg(s, 5, 0) FROM (VALUES (1)) v(s);
SELECT csat_agg(s, 5, 6) FROM (VALUES (1)) v(s);
-- the scale changes within one group: 22023
SELECT csat_agg(s, m) FROM (VALUES (1, 5), (2, 7)) v(s, m);
SELECT csat_agg(s, 5, t) FROM (VALUES (1, 4), (2, 5)) v(s, t);
\set VERBOSITY default
SELECT csat_agg(s) FROM (VALUES (6)) v(s);
SELECT csat_agg(s) FROM (VALUES (4.5)) v(s);
SELECT csat_agg(s, 1) FROM (VALUES (1)) v(s);
SELECT csat_agg(s, 5, 6) FROM (VALUES (1)) v(s);
SELECT csat_agg(s, m) FROM (VALUES (1, 5), (2, 7)) v(s, m);
\set VERBOSITY sqlstate

-- ---------- the state type ----------
SELECT 'responses=3 scale_max=5 threshold=4 hits=2 sum=11 sum_sq=45'::scale_state;  -- 2 4 5
SELECT 'responses=0 scale_max=0 threshold=0 hits=0 sum=0 sum_sq=0'::scale_state;
-- malformed text: 22P02; impossible counts: 22023
SELECT 'responses=3 scale_max=5'::scale_state;
SELECT 'responses=3 scale_max=5 threshold=4 hits=2 sum=11 sum_sq=45 x=1'::scale_state;
SELECT 'responses=-1 scale_max=5 threshold=4 hits=0 sum=0 sum_sq=0'::scale_state;
SELECT 'responses=1 scale_max=0 threshold=0 hits=0 sum=1 sum_sq=1'::scale_state;
SELECT 'responses=1 scale_max=5 threshold=4 hits=2 sum=9 sum_sq=41'::scale_state;
SELECT 'responses=2 scale_max=5 threshold=4 hits=1 sum=11 sum_sq=61'::scale_state;
SELECT 'responses=2 scale_max=5 threshold=4 hits=1 sum=6 sum_sq=36'::scale_state;
SELECT 'responses=1 scale_max=200 threshold=4 hits=1 sum=9 sum_sq=81'::scale_state;
-- support functions refuse to run outside an aggregate: 0A000
SELECT csat_trans('responses=0 scale_max=0 threshold=0 hits=0 sum=0 sum_sq=0'::scale_state, 3::smallint);

-- ---------- csat_ci: Wilson interval of satisfied / responses ----------
-- hand (group 2, 30 of 40): z^2/n = .096036, centre (.75 + .048018) / 1.096036 = .728096,
-- half 1.959964 sqrt(.0046875 + .000600) / 1.096036 = .130034 -> 59.81 .. 85.81
SELECT round(ci_low::numeric, 2) AS low, round(ci_high::numeric, 2) AS high
FROM known, LATERAL (SELECT csat_agg(csat) AS r FROM known WHERE grp = 2) a, LATERAL csat_ci(a.r) LIMIT 1;
-- the same from the Wilson formula in SQL, at 90%, 95% and 99%
SELECT c, round(ci_low::numeric, 6) AS low, round(ci_high::numeric, 6) AS high,
       round((((p + z*z/(2*n)) - z * sqrt(p*(1-p)/n + z*z/(4*n*n))) / (1 + z*z/n) * 100)::numeric, 6) AS low_sql,
       round((((p + z*z/(2*n)) + z * sqrt(p*(1-p)/n + z*z/(4*n*n))) / (1 + z*z/n) * 100)::numeric, 6) AS high_sql
FROM (SELECT csat_agg(csat) AS r FROM known WHERE grp = 2) a,
     (VALUES (0.90, 1.6448536269514722), (0.95, 1.959963984540054), (0.99, 2.5758293035489004)) v(c, z),
     LATERAL (SELECT 0.75::float8 AS p, 40::float8 AS n) k,
     LATERAL csat_ci(a.r, c) ci
ORDER BY c;
-- all satisfied: the upper bound is exactly 100 (group 3: 3 of 3; low = 3 / (3 + z^2) = 43.85)
SELECT round(ci_low::numeric, 4) AS low, ci_high AS high FROM csat_ci((SELECT csat_agg(csat) FROM known WHERE grp = 3));
-- none satisfied: the lower bound is exactly 0 (0 of 1: high = z^2 / (1 + z^2) = 79.35)
SELECT ci_low AS low, round(ci_high::numeric, 4) AS high FROM csat_ci((SELECT csat_agg(1)));
-- bad confidence: 22023; NULL result: NULL
SELECT * FROM csat_ci((SELECT csat_agg(1)), 1.0);
SELECT * FROM csat_ci(NULL);

-- ---------- csat_test: pooled two-proportion z-test ----------
-- 45 of 100 vs 30 of 100: pooled p = .375, SE = 100 sqrt(.375 * .625 * (2/100)) = 6.8465,
-- z = 15 / 6.8465 = 2.1909 (= sqrt of Pearson's chi-square 4.8), p = 0.0285
CREATE TABLE ab AS
SELECT 'a' AS arm, CASE WHEN g <= 45 THEN 5 ELSE 2 END AS csat FROM generate_series(1, 100) g
UNION ALL
SELECT 'b', CASE WHEN g <= 30 THEN 4 ELSE 3 END FROM generate_series(1, 100) g;
SELECT difference, round(std_error::numeric, 4) AS std_error, round(z::numeric, 4) AS z,
       round(p_value::numeric, 4) AS p_value, significant
FROM csat_test((SELECT csat_agg(csat) FROM ab WHERE arm = 'a'), (SELECT csat_agg(csat) FROM ab WHERE arm = 'b'));
-- the sign follows the order; a stricter confidence turns it non-significant
SELECT difference, round(z::numeric, 4) AS z, significant
FROM csat_test((SELECT csat_agg(csat) FROM ab WHERE arm = 'b'), (SELECT csat_agg(csat) FROM ab WHERE arm = 'a'), 0.99);
-- same proportions: no difference; everyone satisfied on both sides: z 0, p 1
SELECT * FROM csat_test((SELECT csat_agg(5)), (SELECT csat_agg(4)));
SELECT * FROM csat_test((SELECT csat_agg(s) FROM (VALUES (4), (1)) v(s)), (SELECT csat_agg(s) FROM (VALUES (5), (2)) v(s)));
-- bad confidence: 22023; a NULL result gives NULL
SELECT * FROM csat_test((SELECT csat_agg(5)), (SELECT csat_agg(4)), 0);
SELECT * FROM csat_test((SELECT csat_agg(5)), NULL);

-- ---------- window frames ----------
-- 1500 responses over 90 days, several per timestamp (ties), some NULL scores
CREATE TABLE w AS
SELECT g AS id,
       timestamptz '2026-01-01' + ((g * 7919) % 90) * interval '1 day' + (g % 3) * interval '1 hour' AS at,
       CASE WHEN g % 17 = 0 THEN NULL ELSE (1 + (g * 2654435761) % 5)::smallint END AS csat
FROM generate_series(1, 1500) g;
CREATE INDEX ON w (at, id);
ANALYZE w;

-- the aggregates declare an inverse and a combine function
SELECT aggfnoid::regprocedure, aggminvtransfn <> 0 AS has_inverse, aggcombinefn <> 0 AS has_combine
FROM pg_aggregate WHERE aggfnoid::regproc::text IN ('csat_agg', 'nps.csat_agg', 'csat_rollup', 'nps.csat_rollup')
ORDER BY 1::text;

-- ROWS: last 100 rows, vs plain SQL and vs recomputing the frame
SELECT count(*) AS rows_checked,
       count(*) FILTER (WHERE r IS DISTINCT FROM slow) AS differ_from_recompute,
       count(*) FILTER (WHERE (r).responses <> n OR (r).satisfied <> sat
                          OR abs((r).csat - 100.0 * sat / n) > 1e-9 OR abs((r).mean - mean) > 1e-9) AS differ_from_sql
FROM (SELECT csat_agg(csat) OVER win AS r,
             count(csat) OVER win AS n,
             count(*) FILTER (WHERE csat >= 4) OVER win AS sat,
             avg(csat) OVER win AS mean,
             (SELECT csat_agg(csat) FROM (SELECT csat FROM w w2 ORDER BY at, id
                                          OFFSET greatest(0, o.rn - 100) LIMIT least(o.rn, 100)) f) AS slow
      FROM (SELECT *, row_number() OVER (ORDER BY at, id) AS rn FROM w) o
      WINDOW win AS (ORDER BY at, id ROWS BETWEEN 99 PRECEDING AND CURRENT ROW)) s;

-- a few values of the rolling CSAT, next to the SQL idiom
SELECT id, at, (r).responses, (r).satisfied, round((r).csat::numeric, 4) AS csat, round(sql_csat, 4) AS sql_csat,
       round((r).mean::numeric, 4) AS mean, round(sql_mean, 4) AS sql_mean
FROM (SELECT id, at, csat_agg(csat) OVER win AS r,
             100.0 * count(*) FILTER (WHERE csat >= 4) OVER win / count(csat) OVER win AS sql_csat,
             avg(csat) OVER win AS sql_mean
      FROM w WINDOW win AS (ORDER BY at, id ROWS BETWEEN 99 PRECEDING AND CURRENT ROW)) s
ORDER BY at, id LIMIT 3 OFFSET 500;

-- RANGE with an interval: the last 30 days, and a frame ending before the current row
SELECT count(*) AS rows_checked,
       count(*) FILTER (WHERE r IS DISTINCT FROM slow) AS differ_from_recompute,
       count(*) FILTER (WHERE (r).responses <> n OR (r).satisfied <> sat OR abs((r).mean - mean) > 1e-9) AS differ_from_sql
FROM (SELECT csat_agg(csat) OVER win AS r, count(csat) OVER win AS n,
             count(*) FILTER (WHERE csat >= 4) OVER win AS sat, avg(csat) OVER win AS mean,
             (SELECT csat_agg(csat) FROM w w2 WHERE w2.at BETWEEN w.at - interval '30 days' AND w.at) AS slow
      FROM w WINDOW win AS (ORDER BY at RANGE BETWEEN interval '30 days' PRECEDING AND CURRENT ROW)) s;
SELECT count(*) AS rows_checked, count(*) FILTER (WHERE r IS DISTINCT FROM slow) AS differ,
       count(*) FILTER (WHERE r IS NULL) AS empty_frames
FROM (SELECT csat_agg(csat) OVER (ORDER BY at RANGE BETWEEN interval '14 days' PRECEDING AND interval '1 day' PRECEDING) AS r,
             (SELECT csat_agg(csat) FROM w w2 WHERE w2.at BETWEEN w.at - interval '14 days' AND w.at - interval '1 day') AS slow
      FROM w) s;

-- GROUPS: two peer groups (timestamps) before to one after
SELECT count(*) AS rows_checked,
       count(*) FILTER (WHERE r IS DISTINCT FROM slow) AS differ_from_recompute,
       count(*) FILTER (WHERE (r).responses <> n OR (r).satisfied <> sat OR abs((r).mean - mean) > 1e-9) AS differ_from_sql
FROM (SELECT csat_agg(csat) OVER win AS r, count(csat) OVER win AS n,
             count(*) FILTER (WHERE csat >= 4) OVER win AS sat, avg(csat) OVER win AS mean,
             (SELECT csat_agg(csat) FROM (SELECT *, dense_rank() OVER (ORDER BY at) AS g FROM w) w2
              WHERE w2.g BETWEEN o.g - 2 AND o.g + 1) AS slow
      FROM (SELECT *, dense_rank() OVER (ORDER BY at) AS g FROM w) o
      WINDOW win AS (ORDER BY at GROUPS BETWEEN 2 PRECEDING AND 1 FOLLOWING)) s;

-- EXCLUDE CURRENT ROW / GROUP / TIES, against count(*) FILTER and avg() over the same frames
SELECT count(*) AS rows_checked,
       count(*) FILTER (WHERE (ex_cur).responses IS DISTINCT FROM n_cur OR (ex_cur).satisfied IS DISTINCT FROM s_cur
                          OR abs((ex_cur).mean - m_cur) > 1e-9) AS differ_current_row,
       count(*) FILTER (WHERE (ex_grp).responses IS DISTINCT FROM nullif(n_grp, 0) OR (ex_grp).satisfied IS DISTINCT FROM s_grp
                          OR abs((ex_grp).mean - m_grp) > 1e-9) AS differ_group,
       count(*) FILTER (WHERE (ex_ties).responses IS DISTINCT FROM n_ties OR (ex_ties).satisfied IS DISTINCT FROM s_ties
                          OR abs((ex_ties).mean - m_ties) > 1e-9) AS differ_ties,
       count(*) FILTER (WHERE ex_grp IS NULL) AS empty_group_frames
FROM (SELECT csat_agg(csat) OVER wc AS ex_cur, count(csat) OVER wc AS n_cur,
             count(*) FILTER (WHERE csat >= 4) OVER wc AS s_cur, avg(csat) OVER wc AS m_cur,
             csat_agg(csat) OVER wg AS ex_grp, count(csat) OVER wg AS n_grp,
             CASE WHEN count(csat) OVER wg > 0 THEN count(*) FILTER (WHERE csat >= 4) OVER wg END AS s_grp,
             avg(csat) OVER wg AS m_grp,
             csat_agg(csat) OVER wt AS ex_ties, count(csat) OVER wt AS n_ties,
             count(*) FILTER (WHERE csat >= 4) OVER wt AS s_ties, avg(csat) OVER wt AS m_ties
      FROM w
      WINDOW f AS (ORDER BY at),
             wc AS (f RANGE BETWEEN interval '3 days' PRECEDING AND interval '3 days' FOLLOWING EXCLUDE CURRENT ROW),
             wg AS (f RANGE BETWEEN interval '3 days' PRECEDING AND interval '3 days' FOLLOWING EXCLUDE GROUP),
             wt AS (f RANGE BETWEEN interval '3 days' PRECEDING AND interval '3 days' FOLLOWING EXCLUDE TIES)) s;
-- and against recomputing the frames (peers are rows with the same "at")
SELECT count(*) AS rows_checked,
       count(*) FILTER (WHERE ex_cur IS DISTINCT FROM slow_cur) AS differ_current_row,
       count(*) FILTER (WHERE ex_grp IS DISTINCT FROM slow_grp) AS differ_group,
       count(*) FILTER (WHERE ex_ties IS DISTINCT FROM slow_ties) AS differ_ties
FROM (SELECT csat_agg(csat) OVER (f RANGE BETWEEN interval '3 days' PRECEDING AND interval '3 days' FOLLOWING EXCLUDE CURRENT ROW) AS ex_cur,
             csat_agg(csat) OVER (f RANGE BETWEEN interval '3 days' PRECEDING AND interval '3 days' FOLLOWING EXCLUDE GROUP) AS ex_grp,
             csat_agg(csat) OVER (f RANGE BETWEEN interval '3 days' PRECEDING AND interval '3 days' FOLLOWING EXCLUDE TIES) AS ex_ties,
             (SELECT csat_agg(csat) FROM w w2 WHERE w2.at BETWEEN w.at - interval '3 days' AND w.at + interval '3 days'
                AND w2.id <> w.id) AS slow_cur,
             (SELECT csat_agg(csat) FROM w w2 WHERE w2.at BETWEEN w.at - interval '3 days' AND w.at + interval '3 days'
                AND w2.at <> w.at) AS slow_grp,
             (SELECT csat_agg(csat) FROM w w2 WHERE w2.at BETWEEN w.at - interval '3 days' AND w.at + interval '3 days'
                AND (w2.at <> w.at OR w2.id = w.id)) AS slow_ties
      FROM w
      WINDOW f AS (ORDER BY at)) s;

-- a frame that empties gives NULL, like avg()
SELECT id, csat_agg(s) OVER (ORDER BY id ROWS BETWEEN 3 PRECEDING AND 1 PRECEDING) AS r,
       avg(s) OVER (ORDER BY id ROWS BETWEEN 3 PRECEDING AND 1 PRECEDING) AS avg
FROM (VALUES (1, 5), (2, NULL), (3, 1), (4, NULL), (5, NULL), (6, NULL), (7, 4)) v(id, s)
ORDER BY id;

-- a window with an explicit scale keeps it through the inverse
SELECT id, (r).responses, (r).satisfied, (r).csat, (r).scale_max, (r).satisfied_min
FROM (SELECT id, csat_agg(s, 7, 6) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS r
      FROM (VALUES (1, 7), (2, 6), (3, 2), (4, NULL), (5, 7)) v(id, s)) x ORDER BY id;

-- ---------- parallel plans and rollups ----------
SELECT setseed(0.42);
CREATE TABLE resp AS
SELECT g AS id, touchpoint, day,
       -- delivery is worse; uneven daily volumes
       CASE WHEN random() < 0.02 THEN NULL
            ELSE least(5, greatest(1, round(random() * 3 + 2.5 - CASE touchpoint WHEN 'delivery' THEN 1 ELSE 0 END)))::smallint END AS csat
FROM (SELECT g,
             (ARRAY['presale', 'order', 'delivery', 'aftersales'])[1 + floor(random() * 4)::int] AS touchpoint,
             date '2026-01-01' + (sqrt(random()) * 120)::int AS day
      FROM generate_series(1, 300000) g) x;
ANALYZE resp;

CREATE TABLE serial_results AS
SELECT touchpoint, csat_agg(csat) AS r, csat_agg(csat::numeric, 5, 5) AS r5 FROM resp GROUP BY touchpoint;
CREATE TABLE serial_total AS SELECT csat_agg(csat) AS r FROM resp;

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT touchpoint, csat_agg(csat) FROM resp GROUP BY touchpoint;
EXPLAIN (COSTS OFF) SELECT csat_agg(csat) FROM resp;
SELECT count(*) AS groups, count(*) FILTER (WHERE p.r IS DISTINCT FROM s.r) AS differ,
       count(*) FILTER (WHERE p.r5 IS DISTINCT FROM s.r5) AS differ_top_box
FROM (SELECT touchpoint, csat_agg(csat) AS r, csat_agg(csat::numeric, 5, 5) AS r5 FROM resp GROUP BY touchpoint) p
JOIN serial_results s USING (touchpoint);
SELECT (SELECT csat_agg(csat) FROM resp) = (SELECT r FROM serial_total) AS same_total;
-- a scale that differs between rows seen by different workers is still caught
SELECT csat_agg(csat, CASE WHEN id = 250000 THEN 7 ELSE 5 END) FROM resp;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

SELECT touchpoint, (r).responses, (r).satisfied, round((r).csat::numeric, 4) AS csat,
       round((r).mean::numeric, 4) AS mean, round((r).margin_95::numeric, 4) AS margin_95
FROM serial_results ORDER BY touchpoint;
-- the same with plain SQL
SELECT touchpoint, count(csat) AS responses, count(*) FILTER (WHERE csat >= 4) AS satisfied,
       round(100.0 * count(*) FILTER (WHERE csat >= 4) / count(csat), 4) AS csat, round(avg(csat), 4) AS mean
FROM resp GROUP BY touchpoint ORDER BY touchpoint;

-- daily results stored as a BI pipeline would; months from days = months from rows
CREATE TABLE daily AS SELECT day, touchpoint, csat_agg(csat) AS r FROM resp GROUP BY day, touchpoint;
SELECT count(*) AS months, count(*) FILTER (WHERE a.r IS DISTINCT FROM b.r) AS differ
FROM (SELECT date_trunc('month', day) AS m, touchpoint, csat_rollup(r) AS r FROM daily GROUP BY 1, 2) a
JOIN (SELECT date_trunc('month', day) AS m, touchpoint, csat_agg(csat) AS r FROM resp GROUP BY 1, 2) b USING (m, touchpoint);
SELECT (SELECT csat_rollup(r) FROM daily) = (SELECT r FROM serial_total) AS same_total;
-- the average of daily CSAT values is not the CSAT (what rollups avoid)
SELECT round(avg((r).csat)::numeric, 4) AS avg_of_daily, round((csat_rollup(r)).csat::numeric, 4) AS rollup,
       round((SELECT (csat_agg(csat)).csat FROM resp WHERE touchpoint = 'order' AND day < '2026-01-15')::numeric, 4) AS direct
FROM daily WHERE touchpoint = 'order' AND day < '2026-01-15';
-- rolling 7 days over stored days (csat_rollup's inverse) = direct aggregation
SELECT count(*) AS days, count(*) FILTER (WHERE a.r IS DISTINCT FROM b.r) AS differ
FROM (SELECT day, touchpoint,
             csat_rollup(r) OVER (PARTITION BY touchpoint ORDER BY day RANGE BETWEEN interval '6 days' PRECEDING AND CURRENT ROW) AS r
      FROM daily) a
JOIN LATERAL (SELECT csat_agg(csat) AS r FROM resp
              WHERE resp.touchpoint = a.touchpoint AND resp.day BETWEEN a.day - 6 AND a.day) b ON true;
-- rollup in a parallel plan
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT csat_rollup(r) FROM daily;
SELECT (SELECT csat_rollup(r) FROM daily) = (SELECT r FROM serial_total) AS same_total_parallel;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

-- NULL results are skipped; other scales and impossible stored results are rejected
SELECT (csat_rollup(r)).responses FROM (VALUES (NULL::csat_result), ((SELECT csat_agg(4))), ((SELECT csat_agg(5)))) v(r);
SELECT csat_rollup(r) FROM (VALUES ((SELECT csat_agg(4))), ((SELECT csat_agg(4, 7, 6)))) v(r);
SELECT csat_rollup(ROW(2, 3, NULL, NULL, NULL, NULL, 5, 4, 9, 41)::csat_result);
SELECT csat_rollup(ROW(NULL, 1, NULL, NULL, NULL, NULL, 5, 4, 4, 16)::csat_result);
SELECT csat_rollup(ROW(1, 1, NULL, NULL, NULL, NULL, 5, 4, 6, 36)::csat_result);
-- a hand-made result with consistent counts is accepted: 4 and 5 -> CSAT 100, mean 4.5
SELECT (csat_rollup(ROW(2, 2, NULL, NULL, NULL, NULL, 5, 4, 9, 41)::csat_result)).*;
\set VERBOSITY default
SELECT csat_rollup(r) FROM (VALUES ((SELECT csat_agg(4))), ((SELECT csat_agg(4, 7, 6)))) v(r);
SELECT csat_rollup(ROW(1, 1, NULL, NULL, NULL, NULL, 5, 4, 6, 36)::csat_result);

DROP TABLE known, ab, w, resp, serial_results, serial_total, daily;
