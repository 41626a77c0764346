-- Window frames: nps_agg OVER (...) uses the moving-aggregate inverse (O(1)
-- per row); every frame kind must equal the same aggregate recomputed from
-- scratch over the frame's rows (a correlated subquery) and the plain SQL
-- FILTER formulation.
SET search_path = public, nps;

-- 1500 responses over 90 days, several per timestamp (ties), some NULL scores
CREATE TABLE w AS
SELECT g AS id,
       timestamptz '2026-01-01' + ((g * 7919) % 90) * interval '1 day' + (g % 3) * interval '1 hour' AS at,
       CASE WHEN g % 17 = 0 THEN NULL ELSE ((g * 2654435761) % 11)::smallint END AS score,
       (ARRAY[0.5, 1, 2, 0.25])[1 + g % 4]::float8 AS w_exact,   -- dyadic: sums stay exact
       (ARRAY[0.1, 0.7, 1.3])[1 + g % 3]::float8 AS w_rounded    -- sums get rounded
FROM generate_series(1, 1500) g;
CREATE INDEX ON w (at, id);
ANALYZE w;

-- the aggregates declare moving-aggregate support with an inverse
SELECT aggfnoid::regprocedure, aggminvtransfn <> 0 AS has_inverse, aggcombinefn <> 0 AS has_combine
FROM pg_aggregate WHERE aggfnoid::regproc::text IN ('nps_agg', 'nps.nps_agg', 'nps_rollup', 'nps.nps_rollup')
ORDER BY 1::text;

-- ROWS: last 100 rows, vs recomputation and vs the FILTER idiom
SELECT count(*) AS rows_checked,
       count(*) FILTER (WHERE r IS DISTINCT FROM slow) AS differ_from_recompute,
       count(*) FILTER (WHERE (r).responses <> n OR (r).promoters <> p OR (r).detractors <> d
                          OR abs((r).nps - 100.0 * (p - d) / n) > 1e-9) AS differ_from_sql
FROM (SELECT nps_agg(score) OVER win AS r,
             count(score) OVER win AS n,
             count(*) FILTER (WHERE score >= 9) OVER win AS p,
             count(*) FILTER (WHERE score <= 6) OVER win AS d,
             (SELECT nps_agg(score) FROM (SELECT score FROM w w2 ORDER BY at, id
                                          OFFSET greatest(0, o.rn - 100) LIMIT least(o.rn, 100)) f) AS slow
      FROM (SELECT *, row_number() OVER (ORDER BY at, id) AS rn FROM w) o
      WINDOW win AS (ORDER BY at, id ROWS BETWEEN 99 PRECEDING AND CURRENT ROW)) s;

-- a few values of the rolling NPS
SELECT id, at, (r).responses, round((r).nps::numeric, 4) AS nps
FROM (SELECT id, at, nps_agg(score) OVER (ORDER BY at, id ROWS BETWEEN 99 PRECEDING AND CURRENT ROW) AS r FROM w) s
ORDER BY at, id LIMIT 3 OFFSET 500;

-- RANGE with an interval: the last 30 days
SELECT count(*) AS rows_checked, count(*) FILTER (WHERE r IS DISTINCT FROM slow) AS differ
FROM (SELECT nps_agg(score) OVER (ORDER BY at RANGE BETWEEN interval '30 days' PRECEDING AND CURRENT ROW) AS r,
             (SELECT nps_agg(score) FROM w w2 WHERE w2.at BETWEEN w.at - interval '30 days' AND w.at) AS slow
      FROM w) s;

-- RANGE with an interval on both sides, ending before the current row
SELECT count(*) AS rows_checked, count(*) FILTER (WHERE r IS DISTINCT FROM slow) AS differ
FROM (SELECT nps_agg(score) OVER (ORDER BY at RANGE BETWEEN interval '14 days' PRECEDING AND interval '1 day' PRECEDING) AS r,
             (SELECT nps_agg(score) FROM w w2 WHERE w2.at BETWEEN w.at - interval '14 days' AND w.at - interval '1 day') AS slow
      FROM w) s;

-- GROUPS: two peer groups (timestamps) before to one after
SELECT count(*) AS rows_checked, count(*) FILTER (WHERE r IS DISTINCT FROM slow) AS differ
FROM (SELECT nps_agg(score) OVER (ORDER BY at GROUPS BETWEEN 2 PRECEDING AND 1 FOLLOWING) AS r,
             (SELECT nps_agg(score) FROM (SELECT *, dense_rank() OVER (ORDER BY at) AS g FROM w) w2
              WHERE w2.g BETWEEN o.g - 2 AND o.g + 1) AS slow
      FROM (SELECT *, dense_rank() OVER (ORDER BY at) AS g FROM w) o) s;

-- EXCLUDE CURRENT ROW / GROUP / TIES (RANGE frames: peers are rows with the same "at")
SELECT count(*) AS rows_checked,
       count(*) FILTER (WHERE ex_cur IS DISTINCT FROM slow_cur) AS differ_current_row,
       count(*) FILTER (WHERE ex_grp IS DISTINCT FROM slow_grp) AS differ_group,
       count(*) FILTER (WHERE ex_ties IS DISTINCT FROM slow_ties) AS differ_ties
FROM (SELECT nps_agg(score) OVER (f RANGE BETWEEN interval '3 days' PRECEDING AND interval '3 days' FOLLOWING EXCLUDE CURRENT ROW) AS ex_cur,
             nps_agg(score) OVER (f RANGE BETWEEN interval '3 days' PRECEDING AND interval '3 days' FOLLOWING EXCLUDE GROUP) AS ex_grp,
             nps_agg(score) OVER (f RANGE BETWEEN interval '3 days' PRECEDING AND interval '3 days' FOLLOWING EXCLUDE TIES) AS ex_ties,
             (SELECT nps_agg(score) FROM w w2 WHERE w2.at BETWEEN w.at - interval '3 days' AND w.at + interval '3 days'
                AND w2.id <> w.id) AS slow_cur,
             (SELECT nps_agg(score) FROM w w2 WHERE w2.at BETWEEN w.at - interval '3 days' AND w.at + interval '3 days'
                AND w2.at <> w.at) AS slow_grp,
             (SELECT nps_agg(score) FROM w w2 WHERE w2.at BETWEEN w.at - interval '3 days' AND w.at + interval '3 days'
                AND (w2.at <> w.at OR w2.id = w.id)) AS slow_ties
      FROM w
      WINDOW f AS (ORDER BY at)) s;

-- weighted, dyadic weights: the inverse stays exact, results identical
SELECT count(*) AS rows_checked, count(*) FILTER (WHERE r IS DISTINCT FROM slow) AS differ
FROM (SELECT nps_agg(score, w_exact) OVER (ORDER BY at RANGE BETWEEN interval '30 days' PRECEDING AND CURRENT ROW) AS r,
             (SELECT nps_agg(score, w_exact) FROM w w2 WHERE w2.at BETWEEN w.at - interval '30 days' AND w.at) AS slow
      FROM w) s;

-- weighted, weights like 0.1: sums get rounded, so the inverse declines and the
-- frame is recomputed; results equal recomputation up to float summation order
SELECT count(*) AS rows_checked,
       count(*) FILTER (WHERE (r).responses <> (slow).responses
                          OR abs((r).nps - (slow).nps) > 1e-9
                          OR abs((r).effective_n - (slow).effective_n) > 1e-9
                          OR abs((r).std_error - (slow).std_error) > 1e-9) AS differ
FROM (SELECT nps_agg(score, w_rounded) OVER (ORDER BY at, id ROWS BETWEEN 99 PRECEDING AND CURRENT ROW) AS r,
             (SELECT nps_agg(score, w_rounded) FROM (SELECT score, w_rounded FROM w w2 ORDER BY at, id
                                          OFFSET greatest(0, o.rn - 100) LIMIT least(o.rn, 100)) f) AS slow
      FROM (SELECT *, row_number() OVER (ORDER BY at, id) AS rn FROM w) o) s;

-- a frame that empties gives NULL, like avg()
SELECT id, nps_agg(score) OVER (ORDER BY id ROWS BETWEEN 3 PRECEDING AND 1 PRECEDING) AS r
FROM (VALUES (1, 10), (2, NULL), (3, 0), (4, NULL), (5, NULL), (6, NULL), (7, 8)) v(id, score)
ORDER BY id;

DROP TABLE w;
