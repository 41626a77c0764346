-- ces_agg (Customer Effort Score): hand-checkable values against plain SQL,
-- the three arities, every error path with its SQLSTATE, window frames,
-- forced parallel plans and ces_rollup.  It shares csat_agg's state
-- (scale_state) and code; what is tested here is what differs.
SET search_path = public, nps;
\set VERBOSITY sqlstate

-- group 1: 1..7 -> n 7, mean 4, sample variance 28/6, SE sqrt(28/6/7) = 0.8165, easy (5-7) 3 = 42.8571%
-- group 2: 2 3 5 6 6 7 7 7 -> n 8, sum 43, mean 5.375, sum of squares 257,
--   variance (8 * 257 - 43^2) / (8 * 7) = 207/56 = 3.696429, SE sqrt(3.696429 / 8) = 0.6797, easy 6 = 75%
-- group 3: one response -> no standard error (like stddev_samp)
CREATE TABLE known (grp int, ces smallint);
INSERT INTO known SELECT 1, g FROM generate_series(1, 7) g;
INSERT INTO known SELECT 2, unnest(ARRAY[2, 3, 5, 6, 6, 7, 7, 7]);
INSERT INTO known VALUES (2, NULL), (3, 6);

SELECT grp, (r).responses, (r).mean, round((r).std_error::numeric, 4) AS std_error,
       (r).easy, round((r).easy_pct::numeric, 4) AS easy_pct, (r).scale_max, (r).easy_min,
       (r).score_sum, (r).score_sq_sum
FROM (SELECT grp, ces_agg(ces) AS r FROM known GROUP BY grp) s ORDER BY grp;
-- the same with plain SQL
SELECT grp, count(ces) AS responses, avg(ces) AS mean, round((stddev_samp(ces) / sqrt(count(ces)))::numeric, 4) AS std_error,
       count(*) FILTER (WHERE ces >= 5) AS easy, round(100.0 * count(*) FILTER (WHERE ces >= 5) / count(ces), 4) AS easy_pct
FROM known GROUP BY grp ORDER BY grp;
SELECT ces_agg(ces) FROM known WHERE grp = 2;

-- the three arities: defaults scale_max 7, easy_min 5
SELECT ces_agg(ces) = ces_agg(ces, 7) AS one_two, ces_agg(ces) = ces_agg(ces, 7, 5) AS one_three,
       ces_agg(ces) = ces_agg(ces::int, 7, 5) AS int4, ces_agg(ces) = ces_agg(ces::numeric) AS numeric
FROM known;
-- a 5-point scale with easy_min 4: 1 2 4 4 5 -> mean 3.2, easy 3 = 60%
SELECT (r).responses, (r).mean, (r).easy, (r).easy_pct, (r).scale_max, (r).easy_min
FROM (SELECT ces_agg(s, 5, 4) AS r FROM unnest(ARRAY[1, 2, 4, 4, 5]) s) x;
-- no rows: NULL
SELECT ces_agg(ces) IS NULL AS empty_is_null FROM known WHERE false;

-- errors: bad scores 22003, bad scales 22023
SELECT ces_agg(s) FROM (VALUES (8)) v(s);
SELECT ces_agg(s) FROM (VALUES (0::smallint)) v(s);
SELECT ces_agg(s, 5) FROM (VALUES (6)) v(s);
SELECT ces_agg(s) FROM (VALUES (5.5)) v(s);
SELECT ces_agg(s, 1) FROM (VALUES (1)) v(s);
SELECT ces_agg(s, 7, 8) FROM (VALUES (1)) v(s);
SELECT ces_agg(s, m) FROM (VALUES (1, 7), (2, 5)) v(s, m);
\set VERBOSITY default
SELECT ces_agg(s) FROM (VALUES (8)) v(s);
SELECT ces_agg(s, 7, 8) FROM (VALUES (1)) v(s);
SELECT ces_agg(s, m) FROM (VALUES (1, 7), (2, 5)) v(s, m);
\set VERBOSITY sqlstate

-- ---------- window frames ----------
CREATE TABLE w AS
SELECT g AS id,
       timestamptz '2026-01-01' + ((g * 7919) % 90) * interval '1 day' + (g % 3) * interval '1 hour' AS at,
       CASE WHEN g % 13 = 0 THEN NULL ELSE (1 + (g * 2654435761) % 7)::smallint END AS ces
FROM generate_series(1, 1500) g;
ANALYZE w;

-- ROWS and RANGE frames against avg(), stddev_samp() and count(*) FILTER
SELECT count(*) AS rows_checked,
       count(*) FILTER (WHERE (r).responses <> n OR (r).easy <> easy OR abs((r).mean - mean) > 1e-9
                          OR abs((r).std_error - se) > 1e-9) AS differ_rows,
       count(*) FILTER (WHERE (rr).responses <> rn OR (rr).easy <> reasy OR abs((rr).mean - rmean) > 1e-9
                          OR abs((rr).std_error - rse) > 1e-9) AS differ_range
FROM (SELECT ces_agg(ces) OVER wr AS r, count(ces) OVER wr AS n, count(*) FILTER (WHERE ces >= 5) OVER wr AS easy,
             avg(ces) OVER wr AS mean, stddev_samp(ces) OVER wr / sqrt(count(ces) OVER wr) AS se,
             ces_agg(ces) OVER wg AS rr, count(ces) OVER wg AS rn, count(*) FILTER (WHERE ces >= 5) OVER wg AS reasy,
             avg(ces) OVER wg AS rmean, stddev_samp(ces) OVER wg / sqrt(count(ces) OVER wg) AS rse
      FROM w
      WINDOW wr AS (ORDER BY at, id ROWS BETWEEN 99 PRECEDING AND CURRENT ROW),
             wg AS (ORDER BY at RANGE BETWEEN interval '30 days' PRECEDING AND CURRENT ROW)) s;
SELECT id, at, (r).responses, round((r).mean::numeric, 4) AS mean, round(sql_mean, 4) AS sql_mean,
       round((r).std_error::numeric, 4) AS std_error, round(sql_se::numeric, 4) AS sql_se
FROM (SELECT id, at, ces_agg(ces) OVER win AS r, avg(ces) OVER win AS sql_mean,
             stddev_samp(ces) OVER win / sqrt(count(ces) OVER win) AS sql_se
      FROM w WINDOW win AS (ORDER BY at, id ROWS BETWEEN 99 PRECEDING AND CURRENT ROW)) s
ORDER BY at, id LIMIT 3 OFFSET 700;
-- GROUPS and EXCLUDE TIES against recomputing the frame
SELECT count(*) AS rows_checked, count(*) FILTER (WHERE r IS DISTINCT FROM slow) AS differ_groups,
       count(*) FILTER (WHERE t IS DISTINCT FROM slow_t) AS differ_exclude_ties
FROM (SELECT ces_agg(ces) OVER (ORDER BY at GROUPS BETWEEN 2 PRECEDING AND 1 FOLLOWING) AS r,
             (SELECT ces_agg(ces) FROM (SELECT *, dense_rank() OVER (ORDER BY at) AS g FROM w) w2
              WHERE w2.g BETWEEN o.g - 2 AND o.g + 1) AS slow,
             ces_agg(ces) OVER (ORDER BY at RANGE BETWEEN interval '3 days' PRECEDING AND interval '3 days' FOLLOWING EXCLUDE TIES) AS t,
             (SELECT ces_agg(ces) FROM w w2 WHERE w2.at BETWEEN o.at - interval '3 days' AND o.at + interval '3 days'
                AND (w2.at <> o.at OR w2.id = o.id)) AS slow_t
      FROM (SELECT *, dense_rank() OVER (ORDER BY at) AS g FROM w) o) s;

-- ---------- parallel plans and rollups ----------
SELECT setseed(0.7);
CREATE TABLE resp AS
SELECT g AS id, (ARRAY['order', 'delivery', 'aftersales'])[1 + floor(random() * 3)::int] AS touchpoint,
       date '2026-01-01' + (random() * 90)::int AS day,
       CASE WHEN random() < 0.05 THEN NULL ELSE (1 + floor(random() * 7))::smallint END AS ces
FROM generate_series(1, 200000) g;
ANALYZE resp;
CREATE TABLE serial_results AS SELECT touchpoint, ces_agg(ces) AS r FROM resp GROUP BY touchpoint;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT touchpoint, ces_agg(ces) FROM resp GROUP BY touchpoint;
SELECT count(*) AS groups, count(*) FILTER (WHERE p.r IS DISTINCT FROM s.r) AS differ
FROM (SELECT touchpoint, ces_agg(ces) AS r FROM resp GROUP BY touchpoint) p JOIN serial_results s USING (touchpoint);
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
SELECT touchpoint, (r).responses, round((r).mean::numeric, 4) AS mean, round((r).std_error::numeric, 4) AS std_error,
       round((r).easy_pct::numeric, 4) AS easy_pct
FROM serial_results ORDER BY touchpoint;
SELECT touchpoint, count(ces) AS responses, round(avg(ces), 4) AS mean, round((stddev_samp(ces) / sqrt(count(ces)))::numeric, 4) AS std_error,
       round(100.0 * count(*) FILTER (WHERE ces >= 5) / count(ces), 4) AS easy_pct
FROM resp GROUP BY touchpoint ORDER BY touchpoint;

CREATE TABLE daily AS SELECT day, touchpoint, ces_agg(ces) AS r FROM resp GROUP BY day, touchpoint;
SELECT count(*) AS months, count(*) FILTER (WHERE a.r IS DISTINCT FROM b.r) AS differ
FROM (SELECT date_trunc('month', day) AS m, touchpoint, ces_rollup(r) AS r FROM daily GROUP BY 1, 2) a
JOIN (SELECT date_trunc('month', day) AS m, touchpoint, ces_agg(ces) AS r FROM resp GROUP BY 1, 2) b USING (m, touchpoint);
SELECT count(*) AS days, count(*) FILTER (WHERE a.r IS DISTINCT FROM b.r) AS differ
FROM (SELECT day, touchpoint,
             ces_rollup(r) OVER (PARTITION BY touchpoint ORDER BY day RANGE BETWEEN interval '6 days' PRECEDING AND CURRENT ROW) AS r
      FROM daily) a
JOIN LATERAL (SELECT ces_agg(ces) AS r FROM resp
              WHERE resp.touchpoint = a.touchpoint AND resp.day BETWEEN a.day - 6 AND a.day) b ON true;
-- rollup errors: other scale, impossible counts (2 hits of 1 response)
SELECT ces_rollup(r) FROM (VALUES ((SELECT ces_agg(4))), ((SELECT ces_agg(4, 5, 4)))) v(r);
SELECT ces_rollup(ROW(1, NULL, NULL, NULL, 2, NULL, 7, 5, 6, 36)::ces_result);
\set VERBOSITY default
SELECT ces_rollup(r) FROM (VALUES ((SELECT ces_agg(4))), ((SELECT ces_agg(4, 5, 4)))) v(r);
\set VERBOSITY sqlstate

-- ---------- ces_ci and ces_test ----------
-- a: 7 6 6 5 4, mean 5.6, var_samp (5 * 162 - 28^2) / 20 = 1.3, SE sqrt(1.3 / 5) = 0.5099
-- b: 5 4 4 3 3, mean 3.8, var_samp (5 * 75 - 19^2) / 20 = 0.7, SE sqrt(0.7 / 5) = 0.3742
-- a - b = 1.8, SE sqrt(0.26 + 0.14) = 0.6325, z = 2.8460, p = 0.00443
CREATE TABLE ab AS
SELECT (SELECT ces_agg(s) FROM unnest(ARRAY[7, 6, 6, 5, 4]) s) AS a,
       (SELECT ces_agg(s) FROM unnest(ARRAY[5, 4, 4, 3, 3]) s) AS b;
SELECT round((a).std_error::numeric, 4) AS se_a, round((a).margin_95::numeric, 4) AS margin_a,
       round((b).std_error::numeric, 4) AS se_b FROM ab;
SELECT round(difference::numeric, 4) AS difference, round(std_error::numeric, 4) AS std_error,
       round(z::numeric, 4) AS z, round(p_value::numeric, 5) AS p_value, significant
FROM ab, ces_test(a, b);
SELECT round(difference::numeric, 4) AS difference, round(z::numeric, 4) AS z, significant
FROM ab, ces_test(b, a, 0.999);
-- the same as the two-sample z test written in SQL (what metric_status computed)
SELECT abs(t.p_value - 2 * (1 - normal_cdf(abs((a).mean - (b).mean) / sqrt((a).std_error ^ 2 + (b).std_error ^ 2)))) < 1e-12 AS p_ok,
       abs(t.std_error - sqrt((a).std_error ^ 2 + (b).std_error ^ 2)) < 1e-12 AS se_ok
FROM ab, ces_test(a, b) t;
-- interval: mean -/+ z SE; at 95% 5.6 -/+ 0.9994 = 4.6006 .. 6.5994
SELECT round(ci_low::numeric, 4) AS low, round(ci_high::numeric, 4) AS high FROM ab, ces_ci(a);
SELECT round(ci_low::numeric, 4) AS low, round(ci_high::numeric, 4) AS high FROM ab, ces_ci(a, 0.99);
SELECT abs(ci_low - ((a).mean - (a).margin_95)) < 1e-12 AS margin_ok FROM ab, ces_ci(a);
-- clamped to the scale: 7 7 6 on 1..7
SELECT round(ci_low::numeric, 4) AS low, ci_high AS high FROM ces_ci((SELECT ces_agg(s) FROM unnest(ARRAY[7, 7, 6]) s));
-- no spread: a zero-width interval and z = 0 (same means) or infinite (different)
SELECT (ces_ci(ces_agg(5))).* FROM generate_series(1, 4);
SELECT (ces_test(ces_agg(5), ces_agg(5))).* FROM generate_series(1, 4);
SELECT (ces_test((SELECT ces_agg(6) FROM generate_series(1, 4)), (SELECT ces_agg(5) FROM generate_series(1, 4)))).*;
-- fewer than 2 responses: no standard error, no interval, no test
SELECT (ces_ci((SELECT ces_agg(5)))).*, (ces_test((SELECT ces_agg(5)), a)).* FROM ab;
-- means of different scales are not compared (22023); bad confidence (22023)
SELECT ces_test(a, (SELECT ces_agg(s, 5, 4) FROM unnest(ARRAY[5, 4]) s)) FROM ab;
SELECT ces_ci(a, 1) FROM ab;
SELECT ces_test(a, b, 0) FROM ab;
SELECT ces_ci(ROW(1, NULL, NULL, NULL, 2, NULL, 7, 5, 6, 36)::ces_result);
\set VERBOSITY default
SELECT ces_test(a, (SELECT ces_agg(s, 5, 4) FROM unnest(ARRAY[5, 4]) s)) FROM ab;

DROP TABLE known, w, resp, serial_results, daily, ab;
