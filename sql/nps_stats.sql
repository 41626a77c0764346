-- Statistics: the normal distribution against published values (to 1e-9),
-- nps_ci / nps_test / nps_sample_size against design.md's known answers and
-- against the formulas written out in plain SQL, and their error paths.
SET search_path = public, nps;
\set VERBOSITY sqlstate

-- normal_quantile and normal_cdf: reference values (Python's statistics.NormalDist,
-- Wichura's AS241), |error| < 1e-9
SELECT p, expected, abs(normal_quantile(p) - expected) < 1e-9 AS quantile_ok
FROM (VALUES (0.5, 0.0), (0.975, 1.959963984540054), (0.995, 2.5758293035489004),
             (0.9, 1.2815515655446004), (0.05, -1.6448536269514729),
             (0.999, 3.090232306167813), (0.001, -3.090232306167813),
             (0.02425, -1.9729610513118845), (1e-10, -6.361340902404056),
             (0.99999, 4.26489079392384)) v(p, expected);
SELECT x, expected, abs(normal_cdf(x) - expected) < 1e-9 AS cdf_ok
FROM (VALUES (0.0, 0.5), (1.0, 0.8413447460685429), (-1.0, 0.15865525393145707),
             (1.959963984540054, 0.975), (-3.0, 0.0013498980316300946),
             (2.5758293035489004, 0.995), (6.0, 0.9999999990134123)) v(x, expected);
-- inverse of each other over a grid, relative to the tail probability
SELECT count(*) AS grid, max(abs(normal_cdf(normal_quantile(p)) - p) / least(p, 1 - p)) < 1e-12 AS roundtrip_ok
FROM (SELECT g / 10000.0 AS p FROM generate_series(1, 9999) g) s;
SELECT normal_quantile(0) AS q0, normal_quantile(1) AS q1;
-- far tail: finite, not NaN (the refinement step would overflow there)
SELECT normal_quantile(1e-315) BETWEEN -39 AND -37 AS far_tail_finite, normal_quantile(1e-300) BETWEEN -38 AND -36 AS tail;
SELECT normal_quantile(1.5);
SELECT normal_quantile('NaN');

-- design.md's known answers (D, A, P): NPS, Wald SE, adjusted Wald 95%
CREATE TABLE known (label text, r nps_result);
INSERT INTO known
SELECT label, nps_agg(s) FROM (
  SELECT '10/20/70' AS label, CASE WHEN g <= 10 THEN 0 WHEN g <= 30 THEN 7 ELSE 10 END AS s
  FROM generate_series(1, 100) g
  UNION ALL
  SELECT '3/4/3', CASE WHEN g <= 3 THEN 0 WHEN g <= 7 THEN 8 ELSE 9 END FROM generate_series(1, 10) g
  UNION ALL
  SELECT '7/7/1', CASE WHEN g <= 7 THEN 5 WHEN g <= 14 THEN 7 ELSE 9 END FROM generate_series(1, 15) g
) d GROUP BY label;

SELECT label, (r).nps, round((r).std_error::numeric, 4) AS wald_se,
       round((nps_ci(r)).ci_low::numeric, 2) AS adj_low, round((nps_ci(r)).ci_high::numeric, 2) AS adj_high,
       round((nps_ci(r, 0.95, 'wald')).ci_low::numeric, 2) AS wald_low,
       round((nps_ci(r, 0.95, 'wald')).ci_high::numeric, 2) AS wald_high
FROM known ORDER BY label;

-- the same intervals written out in SQL from the counts (any confidence)
CREATE FUNCTION pg_temp.adj_ci(r nps_result, conf float8, OUT low float8, OUT high float8) AS $$
  SELECT greatest(-100, 100 * (d - z * sqrt(v / n))), least(100, 100 * (d + z * sqrt(v / n)))
  FROM (SELECT n, d, pp + pd - d * d AS v, z
        FROM (SELECT n, pp, pd, pp - pd AS d, normal_quantile(1 - (1 - conf) / 2) AS z
              FROM (SELECT r.responses + 3.0 AS n,
                           (r.promoters + 0.75) / (r.responses + 3.0) AS pp,
                           (r.detractors + 0.75) / (r.responses + 3.0) AS pd) a) b) c
$$ LANGUAGE sql;
SELECT label, conf,
       abs((nps_ci(r, conf)).ci_low - (pg_temp.adj_ci(r, conf)).low) < 1e-9 AS low_ok,
       abs((nps_ci(r, conf)).ci_high - (pg_temp.adj_ci(r, conf)).high) < 1e-9 AS high_ok,
       abs((nps_ci(r, conf, 'wald')).ci_high - least(100, (r).nps + normal_quantile(1 - (1 - conf) / 2) * (r).std_error)) < 1e-9 AS wald_ok
FROM known, (VALUES (0.8), (0.9), (0.95), (0.99)) c(conf) ORDER BY label, conf;

-- clamping: all promoters, tiny n
SELECT (nps_ci(nps_agg(10), 0.95, 'wald')).*, (nps_ci(nps_agg(10))).*;
SELECT (nps_ci(nps_agg(s))).* FROM (VALUES (0), (0), (0)) v(s);
-- zero total weight: Wald has nothing to say, Adjusted Wald only its prior
SELECT (nps_ci(nps_agg(10, 0.0), 0.95, 'wald')).*;

-- two-sample test: 10/20/70 vs 3/4/3; the sign of the difference is kept
SELECT a.label AS a, b.label AS b, round(t.difference::numeric, 4) AS difference,
       round(t.std_error::numeric, 4) AS std_error, round(t.z::numeric, 4) AS z,
       round(t.p_value::numeric, 5) AS p_value, t.significant
FROM known a, known b, LATERAL nps_test(a.r, b.r, 0.95, 'wald') t
WHERE a.label <> b.label ORDER BY 1, 2;
-- Wald by hand for 10/20/70 - 3/4/3: SE = sqrt(6.6332^2 + 24.4949^2) = sqrt(644)
SELECT round(sqrt(644)::numeric, 4) AS se, round((60 / sqrt(644))::numeric, 4) AS z,
       round((2 * (1 - normal_cdf(60 / sqrt(644))))::numeric, 5) AS p;
-- adjusted (the default), checked against the formulas in SQL
SELECT a.label AS a, b.label AS b, round(t.difference::numeric, 4) AS difference,
       round(t.std_error::numeric, 4) AS std_error, round(t.z::numeric, 4) AS z,
       round(t.p_value::numeric, 5) AS p_value, t.significant
FROM known a, known b, LATERAL nps_test(a.r, b.r) t
WHERE a.label <> b.label ORDER BY 1, 2;
CREATE FUNCTION pg_temp.adj(r nps_result, OUT d float8, OUT v float8, OUT n float8) AS $$
  SELECT pp - pd, pp + pd - (pp - pd) ^ 2, n
  FROM (SELECT r.responses + 3.0 AS n, (r.promoters + 0.75) / (r.responses + 3.0) AS pp,
               (r.detractors + 0.75) / (r.responses + 3.0) AS pd) s
$$ LANGUAGE sql;
SELECT a.label AS a, b.label AS b,
       abs(t.z - ((pg_temp.adj(a.r)).d - (pg_temp.adj(b.r)).d)
                 / sqrt((pg_temp.adj(a.r)).v / (pg_temp.adj(a.r)).n + (pg_temp.adj(b.r)).v / (pg_temp.adj(b.r)).n)) < 1e-9 AS z_ok,
       abs(t.p_value - 2 * (1 - normal_cdf(abs(t.z)))) < 1e-9 AS p_ok
FROM known a, known b, LATERAL nps_test(a.r, b.r) t
WHERE a.label <> b.label ORDER BY 1, 2;
-- a 5-point swing on 40 responses is not a change
SELECT round(difference::numeric, 1) AS difference, round(p_value::numeric, 3) AS p_value, significant
FROM nps_test((SELECT nps_agg(CASE WHEN g <= 16 THEN 10 WHEN g <= 30 THEN 8 ELSE 3 END) FROM generate_series(1, 40) g),
              (SELECT nps_agg(CASE WHEN g <= 14 THEN 10 WHEN g <= 30 THEN 8 ELSE 3 END) FROM generate_series(1, 40) g));

-- one-sample test against a benchmark: 10/20/70 vs 50 and vs 60
SELECT benchmark, round(t.difference::numeric, 4) AS difference, round(t.std_error::numeric, 4) AS std_error,
       round(t.z::numeric, 4) AS z, round(t.p_value::numeric, 5) AS p_value, t.significant
FROM known, (VALUES (40.0), (50.0), (60.0)) b(benchmark), LATERAL nps_test(r, benchmark, 0.95, 'wald') t
WHERE label = '10/20/70' ORDER BY benchmark;
-- by hand (Wald): z = (60 - 40) / 6.6332 = 3.0151
SELECT round((20 / 6.6332495807108)::numeric, 4) AS z_vs_40;
SELECT benchmark, round(t.z::numeric, 4) AS z, round(t.p_value::numeric, 5) AS p_value, t.significant
FROM known, (VALUES (40.0), (50.0), (60.0)) b(benchmark), LATERAL nps_test(r, benchmark) t
WHERE label = '10/20/70' ORDER BY benchmark;
-- degenerate Wald: no variance on either side
SELECT (nps_test(nps_agg(10), nps_agg(10), 0.95, 'wald')).*;
SELECT (nps_test(nps_agg(10), nps_agg(0), 0.95, 'wald')).*;

-- sample size: +-5 points at 95% worst case = ceil(1.959964^2 / 0.0025 - 3) = 1534
SELECT nps_sample_size(5) AS m5, nps_sample_size(10) AS m10, nps_sample_size(5, 0.99) AS m5_99,
       nps_sample_size(5, 0.95, 0.5) AS m5_v05, nps_sample_size(100) AS m100;
SELECT ceil(1.959963984540054 ^ 2 / 0.0025 - 3) AS m5_by_hand;
-- and the margin it buys is at most 5 points in the worst case (v = 1)
SELECT round((100 * 1.959963984540054 * sqrt(1.0 / (1534 + 3)))::numeric, 4) AS margin_at_1534;

-- error paths: 22023
SELECT nps_ci(r, 1.0) FROM known LIMIT 1;
SELECT nps_ci(r, 0) FROM known LIMIT 1;
SELECT nps_ci(r, 'NaN') FROM known LIMIT 1;
SELECT nps_ci(r, 0.95, 'wilson') FROM known LIMIT 1;
SELECT nps_test(r, r, 1.5) FROM known LIMIT 1;
SELECT nps_test(r, r, 0.95, 'exact') FROM known LIMIT 1;
SELECT nps_test(r, 150.0) FROM known LIMIT 1;
SELECT nps_sample_size(0);
SELECT nps_sample_size(5, 0.95, 1.5);
SELECT nps_sample_size(1e-12);
SELECT nps_ci(ROW(-1, 0, 0, 0, NULL, NULL, NULL, NULL, 0)::nps_result);
SELECT nps_ci(ROW(1, NULL, 0, 0, NULL, NULL, NULL, NULL, 1)::nps_result);
\set VERBOSITY default
SELECT nps_ci(r, 0.95, 'wilson') FROM known LIMIT 1;
SELECT nps_ci(r, 95) FROM known LIMIT 1;
-- NULL in, NULL out (STRICT)
SELECT nps_ci(NULL) IS NULL AS null_ci, nps_test(NULL, 50) IS NULL AS null_test;

DROP TABLE known;
