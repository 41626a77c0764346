-- nps_agg: hand-checkable values, edge cases, every error path with its
-- SQLSTATE, the weighted form, nps_category and the nps_state text form.
SET search_path = public, nps;
\set VERBOSITY sqlstate

-- 10 detractors, 20 passives, 70 promoters (design.md): NPS 60, SE 6.6332
CREATE TABLE known (grp int, score smallint);
INSERT INTO known
SELECT 1, CASE WHEN g <= 10 THEN g % 7 WHEN g <= 30 THEN 7 + g % 2 ELSE 9 + g % 2 END
FROM generate_series(1, 100) g;
-- 3 / 4 / 3: NPS 0, SE 24.4949
INSERT INTO known SELECT 2, unnest(ARRAY[0,3,6, 7,7,8,8, 9,10,10]);
-- 7 / 7 / 1: NPS -40, SE 15.7762
INSERT INTO known SELECT 3, unnest(ARRAY[0,1,2,3,4,5,6, 7,7,7,7,8,8,8, 10]);

SELECT grp, (r).responses, (r).promoters, (r).passives, (r).detractors,
       (r).nps, round((r).std_error::numeric, 4) AS std_error,
       round((r).margin_95::numeric, 4) AS margin_95, (r).effective_n
FROM (SELECT grp, nps_agg(score) AS r FROM known GROUP BY grp) s ORDER BY grp;

-- the same by hand: promoters - detractors over all, never rounded
SELECT grp, 100.0 * (count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= 6))
            / count(*) AS by_hand
FROM known GROUP BY grp ORDER BY grp;

-- every score type gives the same result
SELECT nps_agg(score) = nps_agg(score::int) AS int4,
       nps_agg(score) = nps_agg(score::bigint) AS int8,
       nps_agg(score) = nps_agg(score::numeric) AS numeric,
       nps_agg(score) = nps_agg(score::numeric(4,2)) AS numeric_scaled
FROM known;

-- the composite as psql shows it
SELECT nps_agg(score) FROM known WHERE grp = 2;

-- edge cases: empty, all NULL, one response, all promoters, all detractors
SELECT nps_agg(score) IS NULL AS empty_is_null FROM known WHERE false;
SELECT nps_agg(NULL::int) IS NULL AS all_null_is_null FROM generate_series(1, 3);
SELECT nps_agg(s) FROM (VALUES (NULL::int), (10), (NULL)) v(s);
SELECT nps_agg(7);
SELECT (nps_agg(s)).nps, (nps_agg(s)).std_error FROM (VALUES (9), (10), (10)) v(s);
SELECT (nps_agg(s)).nps, (nps_agg(s)).std_error FROM (VALUES (0), (6), (3)) v(s);
-- a passive-only sample scores 0 with no spread
SELECT (nps_agg(s)).* FROM (VALUES (7), (8)) v(s);

-- bad scores: 22003, the message names the value and the range
SELECT nps_agg(s) FROM (VALUES (5), (11)) v(s);
SELECT nps_agg(s) FROM (VALUES (-1::smallint)) v(s);
SELECT nps_agg(s) FROM (VALUES (12345678901::bigint)) v(s);
SELECT nps_agg(s) FROM (VALUES (9.5::numeric)) v(s);
SELECT nps_agg(s) FROM (VALUES ('NaN'::numeric)) v(s);
SELECT nps_agg(s) FROM (VALUES ('Infinity'::numeric)) v(s);
SELECT nps_agg(s) FROM (VALUES (1e30::numeric)) v(s);
\set VERBOSITY default
SELECT nps_agg(s) FROM (VALUES (11)) v(s);
SELECT nps_agg(s) FROM (VALUES (9.5)) v(s);
\set VERBOSITY sqlstate

-- weighted: promoters w=1,1; passive w=2; detractor w=4 (hand: W = 8,
-- NPS = 100 (2 - 4) / 8 = -25, n_eff = 64 / (1+1+4+16) = 2.909090...)
SELECT (r).responses, (r).promoters, (r).passives, (r).detractors, (r).nps,
       round((r).effective_n::numeric, 6) AS effective_n, (r).weight_sq_sum,
       round((r).std_error::numeric, 4) AS std_error
FROM (SELECT nps_agg(s, w) AS r
      FROM (VALUES (9, 1.0), (10, 1.0), (8, 2.0), (3, 4.0)) v(s, w)) x;
-- hand: pP = .25, pD = .5, v = .75 - .0625 = .6875, SE = 100 sqrt(.6875 / 2.909091) = 48.6136
SELECT round((100 * sqrt(0.6875 / (64.0 / 22)))::numeric, 4) AS se_by_hand;
-- weight 1 everywhere equals the unweighted result
SELECT nps_agg(score, 1.0) = nps_agg(score) AS same FROM known;
-- NULL weight skips the row; weight 0 counts a response with no influence
SELECT (r).responses, (r).nps, (r).effective_n
FROM (SELECT nps_agg(s, w) AS r
      FROM (VALUES (10, 1.0), (0, NULL), (0, 0.0)) v(s, w)) x;
-- only zero weights: counted, but no score
SELECT (nps_agg(10, 0.0)).*;
-- bad weights: 22023
SELECT nps_agg(s, w) FROM (VALUES (9, -1.0)) v(s, w);
SELECT nps_agg(s, w) FROM (VALUES (9, 'NaN'::float8)) v(s, w);
SELECT nps_agg(s, w) FROM (VALUES (9, 'Infinity'::float8)) v(s, w);
-- weights whose square is not a finite non-zero double: 22003
SELECT nps_agg(9, 1e200::float8);
SELECT nps_agg(9, 1e-200::float8);
-- counts past 2^53 cannot stay exact: refused
SELECT nps_rollup(r) FROM (VALUES (ROW(5000000000000000, 0, 0, 5000000000000000, NULL, NULL, NULL, NULL, 5000000000000000)::nps_result),
                                  (ROW(5000000000000000, 0, 0, 5000000000000000, NULL, NULL, NULL, NULL, 5000000000000000)::nps_result)) v(r);
SELECT nps_rollup(ROW(9007199254740993, 0, 0, 1, NULL, NULL, NULL, NULL, 1)::nps_result);
-- a subnormal weighted sum round-trips through the text form
SELECT 'responses=2 promoters=1 passives=0 detractors=1e-310 weight_sq=1 inexact=t'::nps_state;
\set VERBOSITY default
SELECT nps_agg(s, w) FROM (VALUES (9, -0.5)) v(s, w);
\set VERBOSITY sqlstate

-- nps_category
SELECT s, nps_category(s) FROM generate_series(0, 10) s;
SELECT nps_category(9::smallint), nps_category(6::bigint), nps_category(8.0);
SELECT nps_category(11);
SELECT nps_category(8.5);

-- nps_state: strict text form that round-trips exactly
SELECT 'responses=3 promoters=1.5 passives=0 detractors=0.1 weight_sq=1.3 inexact=t'::nps_state;
SELECT nps_final('responses=100 promoters=70 passives=20 detractors=10 weight_sq=100 inexact=f');
SELECT 'responses=1 promoters=1 passives=0 detractors=0'::nps_state;
SELECT 'responses=-1 promoters=0 passives=0 detractors=0 weight_sq=0 inexact=f'::nps_state;
SELECT 'responses=1 promoters=1 passives=0 detractors=0 weight_sq=1 inexact=f junk'::nps_state;
SELECT 'responses=0 promoters=1 passives=0 detractors=0 weight_sq=1 inexact=f'::nps_state;
SELECT 'responses=1 promoters=NaN passives=0 detractors=0 weight_sq=1 inexact=f'::nps_state;
-- binary round trip (send/recv) through COPY BINARY, and text round trip
CREATE TABLE states (s nps_state);
INSERT INTO states VALUES
  ('responses=2 promoters=0.1 passives=0 detractors=1 weight_sq=1.01 inexact=t'),
  ('responses=100 promoters=70 passives=20 detractors=10 weight_sq=100 inexact=f');
COPY states TO '/tmp/nps_regress_states.bin' (FORMAT binary);
CREATE TABLE states_back (s nps_state);
COPY states_back FROM '/tmp/nps_regress_states.bin' (FORMAT binary);
SELECT s FROM states_back;
SELECT (SELECT array_agg(s::text) FROM states) = (SELECT array_agg(s::text::nps_state::text) FROM states_back) AS same;
DROP TABLE states, states_back;

-- support functions refuse to run outside an aggregate (they update in place)
SELECT nps_trans('responses=0 promoters=0 passives=0 detractors=0 weight_sq=0 inexact=f'::nps_state, 9);

DROP TABLE known;
