-- Rollups and parallel plans: stored daily results merged into months (and as
-- a rolling 7-day window) equal the direct aggregate exactly; a forced
-- parallel plan shows Partial Aggregate and gives the serial plan's results.
SET search_path = public, nps;
\set VERBOSITY sqlstate

SELECT setseed(0.42);
CREATE TABLE resp AS
SELECT g AS id, touchpoint, segment, day,
       -- delivery is worse; uneven daily volumes (weekends are busy)
       least(10, greatest(0, round(random() * 6 + 4.5 - CASE touchpoint WHEN 'delivery' THEN 2.5 ELSE 0 END)))::smallint AS score,
       (ARRAY[0.5, 1, 2, 0.25])[1 + (g / 7) % 4]::float8 AS weight
FROM (SELECT g,
             (ARRAY['presale', 'order', 'delivery', 'aftersales'])[1 + floor(random() * 4)::int] AS touchpoint,
             (ARRAY['VIP', 'regular', 'churned'])[1 + floor(random() * 3)::int] AS segment,
             date '2026-01-01' + (sqrt(random()) * 120)::int AS day
      FROM generate_series(1, 300000) g) x;
ANALYZE resp;

-- daily rollup table, as a BI pipeline would store it
CREATE TABLE daily AS
SELECT day, touchpoint, nps_agg(score) AS r, nps_agg(score, weight) AS rw
FROM resp GROUP BY day, touchpoint;

-- months from stored days = months from raw rows, to the last bit
SELECT count(*) AS months, count(*) FILTER (WHERE a.r IS DISTINCT FROM b.r) AS differ,
       count(*) FILTER (WHERE a.rw IS DISTINCT FROM b.rw) AS differ_weighted
FROM (SELECT date_trunc('month', day) AS m, touchpoint, nps_rollup(r) AS r, nps_rollup(rw) AS rw
      FROM daily GROUP BY 1, 2) a
JOIN (SELECT date_trunc('month', day) AS m, touchpoint, nps_agg(score) AS r, nps_agg(score, weight) AS rw
      FROM resp GROUP BY 1, 2) b USING (m, touchpoint);

SELECT touchpoint, (r).responses, round((r).nps::numeric, 4) AS nps, round((r).margin_95::numeric, 4) AS margin_95
FROM (SELECT touchpoint, nps_rollup(r) AS r FROM daily GROUP BY touchpoint) s ORDER BY touchpoint;

-- the average of daily NPS values is NOT the NPS (the pitfall rollups avoid)
SELECT round(avg((r).nps)::numeric, 4) AS avg_of_daily, round((nps_rollup(r)).nps::numeric, 4) AS rollup,
       round((SELECT (nps_agg(score)).nps FROM resp WHERE touchpoint = 'order' AND day < '2026-01-15')::numeric, 4) AS direct
FROM daily WHERE touchpoint = 'order' AND day < '2026-01-15';

-- rolling 7 days over stored days (uses nps_rollup's inverse) = direct aggregate
SELECT count(*) AS days, count(*) FILTER (WHERE a.r IS DISTINCT FROM b.r) AS differ,
       count(*) FILTER (WHERE a.rw IS DISTINCT FROM b.rw) AS differ_weighted
FROM (SELECT day, touchpoint,
             nps_rollup(r) OVER (PARTITION BY touchpoint ORDER BY day RANGE BETWEEN interval '6 days' PRECEDING AND CURRENT ROW) AS r,
             nps_rollup(rw) OVER (PARTITION BY touchpoint ORDER BY day RANGE BETWEEN interval '6 days' PRECEDING AND CURRENT ROW) AS rw
      FROM daily) a
JOIN LATERAL (SELECT nps_agg(score) AS r, nps_agg(score, weight) AS rw FROM resp
              WHERE resp.touchpoint = a.touchpoint AND resp.day BETWEEN a.day - 6 AND a.day) b ON true;

-- NULL results are skipped; a bad stored result is rejected
SELECT (nps_rollup(r)).responses FROM (VALUES (NULL::nps_result), ((SELECT nps_agg(9)))) v(r);
SELECT nps_rollup(ROW(5, 1, 1, -1, NULL, NULL, NULL, NULL, 5)::nps_result);
SELECT nps_rollup(ROW(0, 1, 0, 0, NULL, NULL, NULL, NULL, 1)::nps_result);
SELECT nps_rollup(ROW(NULL, 1, 0, 0, NULL, NULL, NULL, NULL, 1)::nps_result);

-- parallel plans: force them, check the plan, compare with the serial plan
CREATE TABLE serial_results AS
SELECT touchpoint, segment, nps_agg(score) AS r, nps_agg(score, weight) AS rw,
       nps_agg(score::numeric) AS rn
FROM resp GROUP BY touchpoint, segment;
CREATE TABLE serial_total AS SELECT nps_agg(score) AS r, nps_agg(score, weight) AS rw FROM resp;

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;

EXPLAIN (COSTS OFF) SELECT nps_agg(score) FROM resp;
EXPLAIN (COSTS OFF) SELECT touchpoint, segment, nps_agg(score), nps_agg(score, weight) FROM resp GROUP BY 1, 2;

SELECT (SELECT r FROM serial_total) = nps_agg(score) AS same,
       (SELECT rw FROM serial_total) = nps_agg(score, weight) AS same_weighted,
       nps_agg(score) AS parallel_result
FROM resp;

SELECT count(*) AS groups,
       count(*) FILTER (WHERE s.r IS DISTINCT FROM p.r) AS differ,
       count(*) FILTER (WHERE s.rw IS DISTINCT FROM p.rw) AS differ_weighted,
       count(*) FILTER (WHERE s.rn IS DISTINCT FROM p.rn) AS differ_numeric
FROM serial_results s
JOIN (SELECT touchpoint, segment, nps_agg(score) AS r, nps_agg(score, weight) AS rw,
             nps_agg(score::numeric) AS rn
      FROM resp GROUP BY touchpoint, segment) p USING (touchpoint, segment);

-- errors raised in a parallel worker reach the client with their SQLSTATE
INSERT INTO resp (id, touchpoint, segment, day, score, weight) VALUES (0, 'order', 'VIP', '2026-01-01', 12, 1);
SELECT nps_agg(score) FROM resp;

RESET ALL;
DROP TABLE resp, daily, serial_results, serial_total;
