-- One validator for every state and stored result: text input, binary input
-- (COPY BINARY) and the result readers of rollups, intervals and tests accept
-- the same values and refuse the same values with the same SQLSTATE:
--   22P02 malformed text, 22003 a number the field's C type cannot hold or an
--   addition leaving the exact range, 22023 an impossible value.
SET search_path = public, nps;
\set VERBOSITY sqlstate

-- a private file for the COPY BINARY round trips (other sessions may run this test)
SELECT '/tmp/nps_regress_validation_' || pg_backend_pid() || '.bin' AS binfile \gset

-- hand-made binary input: writes the bytes b as one binary COPY field of a
-- file, then reads that file into a table of type t (the field layout of a
-- bytea column and of the state type is the same: length, then the bytes)
CREATE FUNCTION pg_temp.copy_in(t regtype, b bytea, f text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('COPY (SELECT %L::bytea) TO %L (FORMAT binary)', b, f);
  EXECUTE format('CREATE TEMP TABLE copy_in_target (s %s)', t);
  BEGIN
    EXECUTE format('COPY copy_in_target FROM %L (FORMAT binary)', f);
  EXCEPTION WHEN OTHERS THEN
    DROP TABLE copy_in_target;
    RETURN SQLSTATE;
  END;
  DROP TABLE copy_in_target;
  RETURN 'accepted';
END $$;
-- binary form of an nps_state: format version 1, responses, promoters, passives,
-- detractors, weight_sq, inexact
CREATE FUNCTION pg_temp.nps_bin(n bigint, p float8, a float8, d float8, w2 float8) RETURNS bytea
  LANGUAGE sql AS $$ SELECT '\x01'::bytea || int8send(n) || float8send(p) || float8send(a) || float8send(d) || float8send(w2) || '\x00'::bytea $$;
-- binary form of a scale_state: format version 1, responses, scale_max (int4),
-- threshold (int4), hits, sum, sum_sq
CREATE FUNCTION pg_temp.scale_bin(n bigint, m int, t int, h bigint, s bigint, s2 bigint) RETURNS bytea
  LANGUAGE sql AS $$ SELECT '\x01'::bytea || int8send(n) || int4send(m) || int4send(t) || int8send(h) || int8send(s) || int8send(s2) $$;
-- binary form of a rate_state: format version 1, n, hits
CREATE FUNCTION pg_temp.rate_bin(n bigint, h bigint) RETURNS bytea
  LANGUAGE sql AS $$ SELECT '\x01'::bytea || int8send(n) || int8send(h) $$;

-- ==================== nps_state / nps_result ====================

-- 1 response and 1,000,000 promoters with the squared weight of 1 response:
-- refused by text input, binary input, and every reader of results
SELECT 'responses=1 promoters=1000000 passives=0 detractors=0 weight_sq=1 inexact=f'::nps_state;
SELECT pg_temp.copy_in('nps_state', pg_temp.nps_bin(1, 1e6, 0, 0, 1), :'binfile') AS binary_in;
SELECT nps_ci(ROW(1, 1000000, 0, 0, 100, 0, 0, 1, 1)::nps_result);
SELECT nps_test(ROW(1, 1000000, 0, 0, 100, 0, 0, 1, 1)::nps_result, nps_agg(10)) FROM generate_series(1, 50);
SELECT nps_test(ROW(1, 1000000, 0, 0, 100, 0, 0, 1, 1)::nps_result, 0);
SELECT nps_rollup(ROW(1, 1000000, 0, 0, 100, 0, 0, 1, 1)::nps_result);
-- the same counts are possible for one response of weight 1e6 (effective n = 1)
SELECT 'responses=1 promoters=1000000 passives=0 detractors=0 weight_sq=1000000000000 inexact=f'::nps_state;
SELECT pg_temp.copy_in('nps_state', pg_temp.nps_bin(1, 1e6, 0, 0, 1e12), :'binfile') AS binary_in;
SELECT (nps_rollup(ROW(1, 1000000, 0, 0, NULL, NULL, NULL, NULL, 1000000000000)::nps_result)).effective_n;
-- effective n above responses, in the middle: 2 responses, sums 3 and 1, squares 2
SELECT 'responses=2 promoters=3 passives=0 detractors=1 weight_sq=2 inexact=f'::nps_state;
-- squared weights beyond the squared category sums (weights 1 and 1 square to 2, not 4)
SELECT 'responses=2 promoters=1 passives=0 detractors=1 weight_sq=4 inexact=f'::nps_state;
SELECT pg_temp.copy_in('nps_state', pg_temp.nps_bin(2, 1, 0, 1, 4), :'binfile') AS binary_in;
SELECT nps_rollup(ROW(2, 1, 0, 1, NULL, NULL, NULL, NULL, 4)::nps_result);
-- weight without responses, squared weight without weight
SELECT 'responses=0 promoters=0 passives=0 detractors=0 weight_sq=1 inexact=f'::nps_state;
SELECT 'responses=3 promoters=0 passives=0 detractors=0 weight_sq=1 inexact=f'::nps_state;
SELECT pg_temp.copy_in('nps_state', pg_temp.nps_bin(0, 0, 0, 0, 1), :'binfile') AS binary_in;
-- fields outside their domain: negative, not finite, a count past 2^53 (22023)
SELECT 'responses=-1 promoters=0 passives=0 detractors=0 weight_sq=0 inexact=f'::nps_state;
SELECT 'responses=1 promoters=-1 passives=0 detractors=0 weight_sq=1 inexact=f'::nps_state;
SELECT 'responses=1 promoters=NaN passives=0 detractors=0 weight_sq=1 inexact=f'::nps_state;
SELECT 'responses=1 promoters=Infinity passives=0 detractors=0 weight_sq=1 inexact=f'::nps_state;
SELECT pg_temp.copy_in('nps_state', pg_temp.nps_bin(-1, 0, 0, 0, 0), :'binfile') AS negative,
       pg_temp.copy_in('nps_state', pg_temp.nps_bin(1, 'NaN', 0, 0, 1), :'binfile') AS nan,
       pg_temp.copy_in('nps_state', pg_temp.nps_bin(1, 'Infinity', 0, 0, 'Infinity'), :'binfile') AS inf;
SELECT nps_ci(ROW(1, 'NaN', 0, 0, NULL, NULL, NULL, NULL, 1)::nps_result);
SELECT nps_ci(ROW(1, 'Infinity', 0, 0, NULL, NULL, NULL, NULL, 'Infinity')::nps_result);
SELECT nps_ci(ROW(1, 1, 0, 0, NULL, NULL, NULL, NULL, NULL)::nps_result);
-- 2^53 by integer comparison: 2^53 is a count, 2^53 + 1 is not (it rounds to
-- 2^53 as a double, so a floating-point comparison would let it through)
SELECT 'responses=9007199254740992 promoters=9007199254740992 passives=0 detractors=0 weight_sq=9007199254740992 inexact=f'::nps_state;
SELECT 'responses=9007199254740993 promoters=9007199254740992 passives=0 detractors=0 weight_sq=9007199254740992 inexact=f'::nps_state;
SELECT pg_temp.copy_in('nps_state', pg_temp.nps_bin(9007199254740992, 9007199254740992, 0, 0, 9007199254740992), :'binfile') AS two_53,
       pg_temp.copy_in('nps_state', pg_temp.nps_bin(9007199254740993, 9007199254740992, 0, 0, 9007199254740992), :'binfile') AS two_53_plus_1;
SELECT (nps_rollup(ROW(9007199254740992, 9007199254740992, 0, 0, NULL, NULL, NULL, NULL, 9007199254740992)::nps_result)).responses;
SELECT nps_rollup(ROW(9007199254740993, 9007199254740992, 0, 0, NULL, NULL, NULL, NULL, 9007199254740992)::nps_result);
-- numbers the C type cannot hold (22003, like int8in and float8in)
SELECT 'responses=99999999999999999999 promoters=0 passives=0 detractors=0 weight_sq=0 inexact=f'::nps_state;
SELECT 'responses=1 promoters=1e400 passives=0 detractors=0 weight_sq=1 inexact=f'::nps_state;
SELECT 'responses=1 promoters=1e-400 passives=0 detractors=0 weight_sq=1 inexact=f'::nps_state;
-- malformed text (22P02)
SELECT 'responses=1 promoters= 1 passives=0 detractors=0 weight_sq=1 inexact=f'::nps_state;
SELECT 'responses=1 promoters=1 passives=0 detractors=0 weight_sq=1 inexact=x'::nps_state;
SELECT 'responses=+1 promoters=1 passives=0 detractors=0 weight_sq=1 inexact=f'::nps_state;
SELECT 'responses=1 promoters=1 passives=0 detractors=0 weight_sq=1'::nps_state;
SELECT 'responses=1 promoters=1x passives=0 detractors=0 weight_sq=1 inexact=f'::nps_state;
-- additions that would overflow raise 22003: two large, finite, possible results
-- (one response of weight 1e154 each) whose squared weights sum past the double range
SELECT nps_rollup(r) FROM (VALUES (ROW(1, 1e154, 0, 0, NULL, NULL, NULL, NULL, 1e308)::nps_result),
                                  (ROW(1, 1e154, 0, 0, NULL, NULL, NULL, NULL, 1e308)::nps_result)) v(r);
SELECT nps_agg(9, 1e154::float8) FROM generate_series(1, 2);
SELECT (nps_agg(9, 1e154::float8)).weight_sq_sum FROM generate_series(1, 1);
-- intervals and tests of a zero-response result are NULL (not the prior [-80, 80]);
-- so are those of responses that all have weight 0
SELECT (nps_ci(ROW(0, 0, 0, 0, NULL, NULL, NULL, NULL, 0)::nps_result)).*;
SELECT (nps_ci(ROW(0, 0, 0, 0, NULL, NULL, NULL, NULL, 0)::nps_result, 0.95, 'wald')).*;
SELECT (nps_ci(nps_agg(10, 0.0))).*;
SELECT (nps_test(ROW(0, 0, 0, 0, NULL, NULL, NULL, NULL, 0)::nps_result, nps_agg(10))).* FROM generate_series(1, 50);
SELECT (nps_test(nps_agg(10), ROW(0, 0, 0, 0, NULL, NULL, NULL, NULL, 0)::nps_result)).* FROM generate_series(1, 50);
SELECT (nps_test(ROW(0, 0, 0, 0, NULL, NULL, NULL, NULL, 0)::nps_result, 50)).*;
SELECT (nps_rollup(ROW(0, 0, 0, 0, NULL, NULL, NULL, NULL, 0)::nps_result)) IS NULL AS rollup_of_nothing_is_null;
-- the readers ignore the derived columns: a doctored nps changes nothing
SELECT (nps_rollup(ROW(2, 1, 0, 1, 99, 99, 99, 99, 2)::nps_result)).nps;

-- ==================== scale_state / csat_result / ces_result ====================

SELECT 'responses=2 scale_max=5 threshold=4 hits=1 sum=7 sum_sq=25'::scale_state;
SELECT pg_temp.copy_in('scale_state', pg_temp.scale_bin(2, 5, 4, 1, 7, 25), :'binfile') AS binary_in;
-- impossible: more hits than responses; scale out of range; scores outside the scale;
-- x^2 - x is even for every score, so sum_sq - sum is even (2 and 3 are 4 + 9 = 13, not 14)
SELECT 'responses=1 scale_max=5 threshold=4 hits=2 sum=9 sum_sq=41'::scale_state;
SELECT 'responses=1 scale_max=1 threshold=1 hits=1 sum=1 sum_sq=1'::scale_state;
SELECT 'responses=1 scale_max=5 threshold=4 hits=1 sum=6 sum_sq=36'::scale_state;
SELECT 'responses=2 scale_max=5 threshold=4 hits=0 sum=5 sum_sq=14'::scale_state;
SELECT pg_temp.copy_in('scale_state', pg_temp.scale_bin(2, 5, 4, 0, 5, 14), :'binfile') AS binary_in;
SELECT csat_rollup(ROW(2, 0, NULL, NULL, NULL, NULL, 5, 4, 5, 14)::csat_result);
SELECT csat_ci(ROW(2, 0, NULL, NULL, NULL, NULL, 5, 4, 5, 14)::csat_result);
SELECT ces_rollup(ROW(2, NULL, NULL, NULL, 0, NULL, 5, 4, 5, 14)::ces_result);
-- domains (22023): negative count or scale, count past 2^53, a stored scale beyond int4
SELECT 'responses=-1 scale_max=5 threshold=4 hits=0 sum=0 sum_sq=0'::scale_state;
SELECT 'responses=1 scale_max=-5 threshold=4 hits=1 sum=4 sum_sq=16'::scale_state;
SELECT 'responses=1 scale_max=5 threshold=4 hits=1 sum=4 sum_sq=9007199254740993'::scale_state;
SELECT pg_temp.copy_in('scale_state', pg_temp.scale_bin(-1, 5, 4, 0, 0, 0), :'binfile') AS negative,
       pg_temp.copy_in('scale_state', pg_temp.scale_bin(1, -5, 4, 1, 4, 16), :'binfile') AS negative_scale;
SELECT csat_rollup(ROW(1, 1, NULL, NULL, NULL, NULL, 4294967296, 4, 4, 16)::csat_result);
-- the scale is an int4 in the state: a larger one in text input is out of range (22003)
SELECT 'responses=1 scale_max=4294967296 threshold=4 hits=1 sum=4 sum_sq=16'::scale_state;
SELECT csat_rollup(ROW(1, 1, NULL, NULL, NULL, NULL, 5, NULL, 4, 16)::csat_result);
-- numbers int8 cannot hold (22003); malformed (22P02)
SELECT 'responses=1 scale_max=5 threshold=4 hits=1 sum=4 sum_sq=99999999999999999999'::scale_state;
SELECT 'responses=1 scale_max=5 threshold=4 hits=1 sum=4.0 sum_sq=16'::scale_state;
-- additions that would leave 2^53 raise 22003: 5e11 responses of 100 each, twice
SELECT csat_rollup(r) FROM (VALUES (ROW(500000000000, 500000000000, NULL, NULL, NULL, NULL, 100, 100, 50000000000000, 5000000000000000)::csat_result),
                                   (ROW(500000000000, 500000000000, NULL, NULL, NULL, NULL, 100, 100, 50000000000000, 5000000000000000)::csat_result)) v(r);
-- a zero-response result (its scale set) has no interval and no test
SELECT (csat_ci(ROW(0, 0, NULL, NULL, NULL, NULL, 5, 4, 0, 0)::csat_result)).*;
SELECT (csat_test(ROW(0, 0, NULL, NULL, NULL, NULL, 5, 4, 0, 0)::csat_result, csat_agg(5))).* FROM generate_series(1, 10);

-- ==================== rate_state / rate_result ====================

SELECT 'n=9007199254740992 hits=9007199254740992'::rate_state;
SELECT 'n=9007199254740993 hits=0'::rate_state;
SELECT 'n=-1 hits=0'::rate_state, 'n=1 hits=-1'::rate_state;
SELECT 'n=1 hits=2'::rate_state;
SELECT 'n=99999999999999999999 hits=0'::rate_state;
SELECT 'n=1 hits=0x'::rate_state;
SELECT pg_temp.copy_in('rate_state', pg_temp.rate_bin(3, 2), :'binfile') AS ok,
       pg_temp.copy_in('rate_state', pg_temp.rate_bin(1, 2), :'binfile') AS more_hits,
       pg_temp.copy_in('rate_state', pg_temp.rate_bin(9007199254740993, 0), :'binfile') AS past_2_53,
       pg_temp.copy_in('rate_state', pg_temp.rate_bin(9007199254740992, 0), :'binfile') AS two_53;
SELECT rate_rollup(ROW(9007199254740993, 0, NULL, NULL, NULL, NULL, NULL)::rate_result);
SELECT rate_rollup(ROW(1, 2, NULL, NULL, NULL, NULL, NULL)::rate_result);
SELECT rate_test(ROW(1, 2, NULL, NULL, NULL, NULL, NULL)::rate_result, rate_agg(true)) FROM generate_series(1, 3);
SELECT rate_rollup(r) FROM (VALUES (ROW(4503599627370497, 0, NULL, NULL, NULL, NULL, NULL)::rate_result),
                                   (ROW(4503599627370496, 0, NULL, NULL, NULL, NULL, NULL)::rate_result)) v(r);
SELECT (rate_rollup(r)).responses FROM (VALUES (ROW(4503599627370496, 0, NULL, NULL, NULL, NULL, NULL)::rate_result),
                                       (ROW(4503599627370496, 0, NULL, NULL, NULL, NULL, NULL)::rate_result)) v(r);
SELECT (rate_ci(ROW(0, 0, NULL, NULL, NULL, NULL, NULL)::rate_result)).*;
SELECT (rate_test(ROW(0, 0, NULL, NULL, NULL, NULL, NULL)::rate_result, rate_agg(true))).* FROM generate_series(1, 3);

-- ==================== round trips ====================
-- every value text input accepts survives COPY BINARY (send/recv) bit for bit
CREATE TABLE nps_states (s nps_state);
INSERT INTO nps_states VALUES
  ('responses=0 promoters=0 passives=0 detractors=0 weight_sq=0 inexact=f'),
  ('responses=3 promoters=0 passives=0 detractors=0 weight_sq=0 inexact=f'),
  ('responses=2 promoters=1 passives=0 detractors=1e-310 weight_sq=1 inexact=t'),
  ('responses=1 promoters=1e154 passives=0 detractors=0 weight_sq=1e308 inexact=f'),
  ('responses=9007199254740992 promoters=9007199254740992 passives=0 detractors=0 weight_sq=9007199254740992 inexact=f'),
  ('responses=10 promoters=0.30000000000000004 passives=0.1 detractors=0.2 weight_sq=0.05 inexact=t');
CREATE TABLE scale_states (s scale_state);
INSERT INTO scale_states VALUES
  ('responses=0 scale_max=0 threshold=0 hits=0 sum=0 sum_sq=0'),
  ('responses=0 scale_max=7 threshold=5 hits=0 sum=0 sum_sq=0'),
  ('responses=9007199254740992 scale_max=100 threshold=1 hits=9007199254740992 sum=9007199254740992 sum_sq=9007199254740992');
CREATE TABLE rate_states (s rate_state);
INSERT INTO rate_states VALUES ('n=0 hits=0'), ('n=9007199254740992 hits=1');
COPY nps_states TO :'binfile' (FORMAT binary);
CREATE TEMP TABLE nps_back (s nps_state);
COPY nps_back FROM :'binfile' (FORMAT binary);
COPY scale_states TO :'binfile' (FORMAT binary);
CREATE TEMP TABLE scale_back (s scale_state);
COPY scale_back FROM :'binfile' (FORMAT binary);
COPY rate_states TO :'binfile' (FORMAT binary);
CREATE TEMP TABLE rate_back (s rate_state);
COPY rate_back FROM :'binfile' (FORMAT binary);
SELECT (SELECT array_agg(s::text) FROM nps_states) = (SELECT array_agg(s::text) FROM nps_back) AS nps_same,
       (SELECT array_agg(s::text) FROM scale_states) = (SELECT array_agg(s::text) FROM scale_back) AS scale_same,
       (SELECT array_agg(s::text) FROM rate_states) = (SELECT array_agg(s::text) FROM rate_back) AS rate_same;
-- and what binary input accepts, text input accepts
SELECT count(*) AS states, count(*) FILTER (WHERE s::text::nps_state::text = s::text) AS text_round_trip FROM nps_back;
SELECT s FROM nps_back;

-- ==================== format version and size ====================
-- the binary form starts with the format version; this release reads version 1
SELECT pg_temp.copy_in('rate_state', '\x02'::bytea || int8send(3) || int8send(2), :'binfile') AS version_2,
       pg_temp.copy_in('rate_state', '\x01'::bytea || int8send(3), :'binfile') AS truncated;
-- INTERNALLENGTH of each state type = sizeof its C struct (48, 48, 24)
SELECT t::regtype, typlen FROM unnest(ARRAY['nps_state', 'scale_state', 'rate_state']::regtype[]) t
JOIN pg_type ON pg_type.oid = t ORDER BY typlen DESC, t::text;
-- input functions compare them: a type declared with another length is refused
CREATE TYPE wrong_state;
CREATE FUNCTION wrong_state_in(cstring) RETURNS wrong_state AS '$libdir/nps', 'rate_state_in' LANGUAGE C STRICT;
CREATE FUNCTION wrong_state_out(wrong_state) RETURNS cstring AS '$libdir/nps', 'rate_state_out' LANGUAGE C STRICT;
CREATE TYPE wrong_state (INPUT = wrong_state_in, OUTPUT = wrong_state_out, INTERNALLENGTH = 16, ALIGNMENT = double);
\set VERBOSITY default
SELECT 'n=1 hits=1'::wrong_state;
\set VERBOSITY sqlstate
DROP TYPE wrong_state CASCADE;

-- ==================== messages ====================
\set VERBOSITY default
SELECT 'responses=1 promoters=1000000 passives=0 detractors=0 weight_sq=1 inexact=f'::nps_state;
SELECT nps_ci(ROW(1, 1000000, 0, 0, 100, 0, 0, 1, 1)::nps_result);
SELECT 'responses=9007199254740993 promoters=0 passives=0 detractors=0 weight_sq=0 inexact=f'::nps_state;
SELECT 'responses=1 promoters=1e400 passives=0 detractors=0 weight_sq=1 inexact=f'::nps_state;
SELECT nps_rollup(r) FROM (VALUES (ROW(1, 1e154, 0, 0, NULL, NULL, NULL, NULL, 1e308)::nps_result),
                                  (ROW(1, 1e154, 0, 0, NULL, NULL, NULL, NULL, 1e308)::nps_result)) v(r);
SELECT 'responses=2 scale_max=5 threshold=4 hits=0 sum=5 sum_sq=14'::scale_state;
SELECT csat_rollup(ROW(1, 1, NULL, NULL, NULL, NULL, 5, NULL, 4, 16)::csat_result);
\set VERBOSITY sqlstate

DROP TABLE nps_states, scale_states, rate_states;
\setenv NPS_REGRESS_BINFILE :binfile
\! rm -f "$NPS_REGRESS_BINFILE"
