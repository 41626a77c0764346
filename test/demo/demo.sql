-- test/demo/demo.sql: PLACEHOLDER demo (run by test/run_demo.sh in database nps_demo,
-- where CREATE EXTENSION nps has already been done). Replace freely with the real demo.
-- Generates ~2000 survey responses with a fixed seed, then prints NPS per touchpoint.
\set ON_ERROR_STOP 1

SELECT setseed(0.42);

-- score: 0..10, skewed to the top (10 - floor(11 u v)); VIP customers one point higher.
CREATE TEMP TABLE demo AS
SELECT g AS id,
       (ARRAY['售前咨询', '下单', '配送', '售后'])[1 + floor(random() * 4)::int] AS touchpoint,
       seg AS segment,
       LEAST(10, 10 - floor(random() * random() * 11)::int
                 + CASE WHEN seg = 'VIP' THEN 1 ELSE 0 END)::smallint AS score
FROM (SELECT g, CASE WHEN random() < 0.2 THEN 'VIP' ELSE '普通' END AS seg
      FROM generate_series(1, 2000) AS g) AS src;

\echo 'NPS per touchpoint (responses, NPS, 95% margin, adjusted-Wald 95% CI)'
SELECT touchpoint, (r).responses, round((r).nps::numeric,1) AS nps,
       round((r).margin_95::numeric,1) AS margin_95,
       round((nps.nps_ci(r)).low::numeric,1) AS ci_low,
       round((nps.nps_ci(r)).high::numeric,1) AS ci_high
FROM (SELECT touchpoint, nps.nps_agg(score) AS r FROM demo GROUP BY touchpoint) s
ORDER BY touchpoint;
