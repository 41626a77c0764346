-- src/csat.sql
-- Bounded-scale scores: the shared aggregate state scale_state; CSAT
-- (csat_result, csat_agg, csat_rollup, csat_ci, csat_test) and CES
-- (ces_result, ces_agg, ces_rollup, ces_ci, ces_test).  C functions in
-- scale.c; the statistics they use are in stats.c.
-- Aggregates cannot have DEFAULT arguments, so csat_agg/ces_agg come in three
-- arities per score type: (score), (score, scale_max) and
-- (score, scale_max, threshold); the omitted arguments take the defaults.
-- Everything is schema-qualified: the script must not depend on search_path.

-- ---------- the aggregate state ----------
-- A fixed-size pass-by-reference type with a strict text form, so that partial
-- aggregates can be shipped between nodes (Citus) and stored in tables.

CREATE TYPE nps.scale_state;
CREATE FUNCTION nps.scale_state_in(cstring) RETURNS nps.scale_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION nps.scale_state_out(nps.scale_state) RETURNS cstring
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION nps.scale_state_recv(internal) RETURNS nps.scale_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION nps.scale_state_send(nps.scale_state) RETURNS bytea
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE nps.scale_state (
  INPUT = nps.scale_state_in,
  OUTPUT = nps.scale_state_out,
  RECEIVE = nps.scale_state_recv,
  SEND = nps.scale_state_send,
  INTERNALLENGTH = 48,
  ALIGNMENT = double,
  STORAGE = plain
);
COMMENT ON TYPE nps.scale_state IS
  'aggregate state of csat_agg/ces_agg and their rollups: scale (1..scale_max and threshold, 0 until the first row), responses, hits at or above the threshold, sum and sum of squares of the scores';
COMMENT ON FUNCTION nps.scale_state_in(cstring) IS 'text input of scale_state (strictly validated)';
COMMENT ON FUNCTION nps.scale_state_out(nps.scale_state) IS 'text output of scale_state';
COMMENT ON FUNCTION nps.scale_state_recv(internal) IS 'binary input of scale_state (validated)';
COMMENT ON FUNCTION nps.scale_state_send(nps.scale_state) IS 'binary output of scale_state';

-- ---------- the results ----------

CREATE TYPE nps.csat_result AS (
  responses     bigint,
  satisfied     bigint,
  csat          double precision,
  mean          double precision,
  std_error     double precision,
  margin_95     double precision,
  scale_max     bigint,
  satisfied_min bigint,
  score_sum     bigint,
  score_sq_sum  bigint
);
COMMENT ON TYPE nps.csat_result IS
  'result of csat_agg/csat_rollup: CSAT (percent satisfied) with counts, mean score, Wald standard error and 95% margin in points, and the scale and sums that make rollups exact';
COMMENT ON COLUMN nps.csat_result.responses IS 'rows counted (rows with a NULL score, scale_max or satisfied_min are skipped)';
COMMENT ON COLUMN nps.csat_result.satisfied IS 'responses scoring satisfied_min or more';
COMMENT ON COLUMN nps.csat_result.csat IS 'CSAT in percent: 100 * satisfied / responses, never rounded';
COMMENT ON COLUMN nps.csat_result.mean IS 'mean score (1..scale_max)';
COMMENT ON COLUMN nps.csat_result.std_error IS 'Wald standard error of csat, in points: 100 * sqrt(p (1 - p) / responses)';
COMMENT ON COLUMN nps.csat_result.margin_95 IS 'half-width of the 95% Wald interval of csat, in points (1.959964 * std_error); csat_ci gives the Wilson interval';
COMMENT ON COLUMN nps.csat_result.scale_max IS 'scores are integers from 1 to scale_max';
COMMENT ON COLUMN nps.csat_result.satisfied_min IS 'lowest score counted as satisfied';
COMMENT ON COLUMN nps.csat_result.score_sum IS 'sum of the scores; kept so that rollups are exact';
COMMENT ON COLUMN nps.csat_result.score_sq_sum IS 'sum of the squared scores; kept so that rollups are exact';

CREATE TYPE nps.ces_result AS (
  responses    bigint,
  mean         double precision,
  std_error    double precision,
  margin_95    double precision,
  easy         bigint,
  easy_pct     double precision,
  scale_max    bigint,
  easy_min     bigint,
  score_sum    bigint,
  score_sq_sum bigint
);
COMMENT ON TYPE nps.ces_result IS
  'result of ces_agg/ces_rollup: mean Customer Effort Score with its standard error and 95% margin, count and percent of easy responses, and the scale and sums that make rollups exact';
COMMENT ON COLUMN nps.ces_result.responses IS 'rows counted (rows with a NULL score, scale_max or easy_min are skipped)';
COMMENT ON COLUMN nps.ces_result.mean IS 'mean score (1..scale_max), never rounded';
COMMENT ON COLUMN nps.ces_result.std_error IS 'standard error of the mean: sample standard deviation / sqrt(responses); NULL for one response';
COMMENT ON COLUMN nps.ces_result.margin_95 IS 'half-width of the 95% normal interval of mean (1.959964 * std_error); NULL for one response; ces_ci gives any confidence';
COMMENT ON COLUMN nps.ces_result.easy IS 'responses scoring easy_min or more';
COMMENT ON COLUMN nps.ces_result.easy_pct IS 'percent of responses scoring easy_min or more';
COMMENT ON COLUMN nps.ces_result.scale_max IS 'scores are integers from 1 to scale_max';
COMMENT ON COLUMN nps.ces_result.easy_min IS 'lowest score counted as easy';
COMMENT ON COLUMN nps.ces_result.score_sum IS 'sum of the scores; kept so that rollups are exact';
COMMENT ON COLUMN nps.ces_result.score_sq_sum IS 'sum of the squared scores; kept so that rollups are exact';

-- ---------- final and combine functions ----------

CREATE FUNCTION nps.csat_final(nps.scale_state) RETURNS nps.csat_result
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.csat_final(nps.scale_state) IS 'final function of csat_agg/csat_rollup: csat_result from the state (NULL for no rows)';
CREATE FUNCTION nps.csat_combine(nps.scale_state, nps.scale_state) RETURNS nps.scale_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.csat_combine(nps.scale_state, nps.scale_state) IS 'combine function of csat_agg/csat_rollup (parallel and partial aggregation): adds the counts of states of the same scale';
CREATE FUNCTION nps.ces_final(nps.scale_state) RETURNS nps.ces_result
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.ces_final(nps.scale_state) IS 'final function of ces_agg/ces_rollup: ces_result from the state (NULL for no rows)';
CREATE FUNCTION nps.ces_combine(nps.scale_state, nps.scale_state) RETURNS nps.scale_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.ces_combine(nps.scale_state, nps.scale_state) IS 'combine function of ces_agg/ces_rollup (parallel and partial aggregation): adds the counts of states of the same scale';

-- ---------- csat_agg(smallint [, scale_max [, satisfied_min]]) ----------
CREATE FUNCTION nps.csat_trans(nps.scale_state, smallint) RETURNS nps.scale_state
  AS 'MODULE_PATHNAME', 'csat_trans_int2' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.csat_trans(nps.scale_state, smallint) IS 'transition function of csat_agg(smallint): counts one response (this form: scale_max 5, satisfied_min 4)';
CREATE FUNCTION nps.csat_inv(nps.scale_state, smallint) RETURNS nps.scale_state
  AS 'MODULE_PATHNAME', 'csat_inv_int2' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.csat_inv(nps.scale_state, smallint) IS 'inverse transition of csat_agg(smallint) for window frames: uncounts one response (exact)';
CREATE FUNCTION nps.csat_trans(nps.scale_state, smallint, integer) RETURNS nps.scale_state
  AS 'MODULE_PATHNAME', 'csat_trans_int2' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.csat_trans(nps.scale_state, smallint, integer) IS 'transition function of csat_agg(smallint, integer): counts one response (this form: satisfied_min 4)';
CREATE FUNCTION nps.csat_inv(nps.scale_state, smallint, integer) RETURNS nps.scale_state
  AS 'MODULE_PATHNAME', 'csat_inv_int2' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.csat_inv(nps.scale_state, smallint, integer) IS 'inverse transition of csat_agg(smallint, integer) for window frames: uncounts one response (exact)';
CREATE FUNCTION nps.csat_trans(nps.scale_state, smallint, integer, integer) RETURNS nps.scale_state
  AS 'MODULE_PATHNAME', 'csat_trans_int2' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.csat_trans(nps.scale_state, smallint, integer, integer) IS 'transition function of csat_agg(smallint, integer, integer): counts one response';
CREATE FUNCTION nps.csat_inv(nps.scale_state, smallint, integer, integer) RETURNS nps.scale_state
  AS 'MODULE_PATHNAME', 'csat_inv_int2' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.csat_inv(nps.scale_state, smallint, integer, integer) IS 'inverse transition of csat_agg(smallint, integer, integer) for window frames: uncounts one response (exact)';

CREATE AGGREGATE nps.csat_agg(score smallint) (
  SFUNC = nps.csat_trans, STYPE = nps.scale_state, INITCOND = 'responses=0 scale_max=0 threshold=0 hits=0 sum=0 sum_sq=0',
  FINALFUNC = nps.csat_final, COMBINEFUNC = nps.csat_combine,
  MSFUNC = nps.csat_trans, MINVFUNC = nps.csat_inv, MSTYPE = nps.scale_state,
  MINITCOND = 'responses=0 scale_max=0 threshold=0 hits=0 sum=0 sum_sq=0', MFINALFUNC = nps.csat_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps.csat_agg(smallint) IS
  'CSAT: percent of responses scoring at least satisfied_min on a 1..scale_max scale, with mean, Wald standard error and 95% margin (this form: scale_max 5, satisfied_min 4); NULL rows skipped, bad scores raise 22003, bad scales 22023';

CREATE AGGREGATE nps.csat_agg(score smallint, scale_max integer) (
  SFUNC = nps.csat_trans, STYPE = nps.scale_state, INITCOND = 'responses=0 scale_max=0 threshold=0 hits=0 sum=0 sum_sq=0',
  FINALFUNC = nps.csat_final, COMBINEFUNC = nps.csat_combine,
  MSFUNC = nps.csat_trans, MINVFUNC = nps.csat_inv, MSTYPE = nps.scale_state,
  MINITCOND = 'responses=0 scale_max=0 threshold=0 hits=0 sum=0 sum_sq=0', MFINALFUNC = nps.csat_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps.csat_agg(smallint, integer) IS
  'CSAT: percent of responses scoring at least satisfied_min on a 1..scale_max scale, with mean, Wald standard error and 95% margin (this form: satisfied_min 4); NULL rows skipped, bad scores raise 22003, bad scales 22023';

CREATE AGGREGATE nps.csat_agg(score smallint, scale_max integer, satisfied_min integer) (
  SFUNC = nps.csat_trans, STYPE = nps.scale_state, INITCOND = 'responses=0 scale_max=0 threshold=0 hits=0 sum=0 sum_sq=0',
  FINALFUNC = nps.csat_final, COMBINEFUNC = nps.csat_combine,
  MSFUNC = nps.csat_trans, MINVFUNC = nps.csat_inv, MSTYPE = nps.scale_state,
  MINITCOND = 'responses=0 scale_max=0 threshold=0 hits=0 sum=0 sum_sq=0', MFINALFUNC = nps.csat_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps.csat_agg(smallint, integer, integer) IS
  'CSAT: percent of responses scoring at least satisfied_min on a 1..scale_max scale, with mean, Wald standard error and 95% margin; NULL rows skipped, bad scores raise 22003, bad scales 22023';

-- ---------- csat_agg(integer [, scale_max [, satisfied_min]]) ----------
CREATE FUNCTION nps.csat_trans(nps.scale_state, integer) RETURNS nps.scale_state
  AS 'MODULE_PATHNAME', 'csat_trans_int4' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.csat_trans(nps.scale_state, integer) IS 'transition function of csat_agg(integer): counts one response (this form: scale_max 5, satisfied_min 4)';
CREATE FUNCTION nps.csat_inv(nps.scale_state, integer) RETURNS nps.scale_state
  AS 'MODULE_PATHNAME', 'csat_inv_int4' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.csat_inv(nps.scale_state, integer) IS 'inverse transition of csat_agg(integer) for window frames: uncounts one response (exact)';
CREATE FUNCTION nps.csat_trans(nps.scale_state, integer, integer) RETURNS nps.scale_state
  AS 'MODULE_PATHNAME', 'csat_trans_int4' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.csat_trans(nps.scale_state, integer, integer) IS 'transition function of csat_agg(integer, integer): counts one response (this form: satisfied_min 4)';
CREATE FUNCTION nps.csat_inv(nps.scale_state, integer, integer) RETURNS nps.scale_state
  AS 'MODULE_PATHNAME', 'csat_inv_int4' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.csat_inv(nps.scale_state, integer, integer) IS 'inverse transition of csat_agg(integer, integer) for window frames: uncounts one response (exact)';
CREATE FUNCTION nps.csat_trans(nps.scale_state, integer, integer, integer) RETURNS nps.scale_state
  AS 'MODULE_PATHNAME', 'csat_trans_int4' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.csat_trans(nps.scale_state, integer, integer, integer) IS 'transition function of csat_agg(integer, integer, integer): counts one response';
CREATE FUNCTION nps.csat_inv(nps.scale_state, integer, integer, integer) RETURNS nps.scale_state
  AS 'MODULE_PATHNAME', 'csat_inv_int4' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.csat_inv(nps.scale_state, integer, integer, integer) IS 'inverse transition of csat_agg(integer, integer, integer) for window frames: uncounts one response (exact)';

CREATE AGGREGATE nps.csat_agg(score integer) (
  SFUNC = nps.csat_trans, STYPE = nps.scale_state, INITCOND = 'responses=0 scale_max=0 threshold=0 hits=0 sum=0 sum_sq=0',
  FINALFUNC = nps.csat_final, COMBINEFUNC = nps.csat_combine,
  MSFUNC = nps.csat_trans, MINVFUNC = nps.csat_inv, MSTYPE = nps.scale_state,
  MINITCOND = 'responses=0 scale_max=0 threshold=0 hits=0 sum=0 sum_sq=0', MFINALFUNC = nps.csat_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps.csat_agg(integer) IS
  'CSAT: percent of responses scoring at least satisfied_min on a 1..scale_max scale, with mean, Wald standard error and 95% margin (this form: scale_max 5, satisfied_min 4); NULL rows skipped, bad scores raise 22003, bad scales 22023';

CREATE AGGREGATE nps.csat_agg(score integer, scale_max integer) (
  SFUNC = nps.csat_trans, STYPE = nps.scale_state, INITCOND = 'responses=0 scale_max=0 threshold=0 hits=0 sum=0 sum_sq=0',
  FINALFUNC = nps.csat_final, COMBINEFUNC = nps.csat_combine,
  MSFUNC = nps.csat_trans, MINVFUNC = nps.csat_inv, MSTYPE = nps.scale_state,
  MINITCOND = 'responses=0 scale_max=0 threshold=0 hits=0 sum=0 sum_sq=0', MFINALFUNC = nps.csat_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps.csat_agg(integer, integer) IS
  'CSAT: percent of responses scoring at least satisfied_min on a 1..scale_max scale, with mean, Wald standard error and 95% margin (this form: satisfied_min 4); NULL rows skipped, bad scores raise 22003, bad scales 22023';

CREATE AGGREGATE nps.csat_agg(score integer, scale_max integer, satisfied_min integer) (
  SFUNC = nps.csat_trans, STYPE = nps.scale_state, INITCOND = 'responses=0 scale_max=0 threshold=0 hits=0 sum=0 sum_sq=0',
  FINALFUNC = nps.csat_final, COMBINEFUNC = nps.csat_combine,
  MSFUNC = nps.csat_trans, MINVFUNC = nps.csat_inv, MSTYPE = nps.scale_state,
  MINITCOND = 'responses=0 scale_max=0 threshold=0 hits=0 sum=0 sum_sq=0', MFINALFUNC = nps.csat_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps.csat_agg(integer, integer, integer) IS
  'CSAT: percent of responses scoring at least satisfied_min on a 1..scale_max scale, with mean, Wald standard error and 95% margin; NULL rows skipped, bad scores raise 22003, bad scales 22023';

-- ---------- csat_agg(numeric [, scale_max [, satisfied_min]]) ----------
CREATE FUNCTION nps.csat_trans(nps.scale_state, numeric) RETURNS nps.scale_state
  AS 'MODULE_PATHNAME', 'csat_trans_numeric' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.csat_trans(nps.scale_state, numeric) IS 'transition function of csat_agg(numeric): counts one response (this form: scale_max 5, satisfied_min 4)';
CREATE FUNCTION nps.csat_inv(nps.scale_state, numeric) RETURNS nps.scale_state
  AS 'MODULE_PATHNAME', 'csat_inv_numeric' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.csat_inv(nps.scale_state, numeric) IS 'inverse transition of csat_agg(numeric) for window frames: uncounts one response (exact)';
CREATE FUNCTION nps.csat_trans(nps.scale_state, numeric, integer) RETURNS nps.scale_state
  AS 'MODULE_PATHNAME', 'csat_trans_numeric' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.csat_trans(nps.scale_state, numeric, integer) IS 'transition function of csat_agg(numeric, integer): counts one response (this form: satisfied_min 4)';
CREATE FUNCTION nps.csat_inv(nps.scale_state, numeric, integer) RETURNS nps.scale_state
  AS 'MODULE_PATHNAME', 'csat_inv_numeric' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.csat_inv(nps.scale_state, numeric, integer) IS 'inverse transition of csat_agg(numeric, integer) for window frames: uncounts one response (exact)';
CREATE FUNCTION nps.csat_trans(nps.scale_state, numeric, integer, integer) RETURNS nps.scale_state
  AS 'MODULE_PATHNAME', 'csat_trans_numeric' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.csat_trans(nps.scale_state, numeric, integer, integer) IS 'transition function of csat_agg(numeric, integer, integer): counts one response';
CREATE FUNCTION nps.csat_inv(nps.scale_state, numeric, integer, integer) RETURNS nps.scale_state
  AS 'MODULE_PATHNAME', 'csat_inv_numeric' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.csat_inv(nps.scale_state, numeric, integer, integer) IS 'inverse transition of csat_agg(numeric, integer, integer) for window frames: uncounts one response (exact)';

CREATE AGGREGATE nps.csat_agg(score numeric) (
  SFUNC = nps.csat_trans, STYPE = nps.scale_state, INITCOND = 'responses=0 scale_max=0 threshold=0 hits=0 sum=0 sum_sq=0',
  FINALFUNC = nps.csat_final, COMBINEFUNC = nps.csat_combine,
  MSFUNC = nps.csat_trans, MINVFUNC = nps.csat_inv, MSTYPE = nps.scale_state,
  MINITCOND = 'responses=0 scale_max=0 threshold=0 hits=0 sum=0 sum_sq=0', MFINALFUNC = nps.csat_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps.csat_agg(numeric) IS
  'CSAT: percent of responses scoring at least satisfied_min on a 1..scale_max scale, with mean, Wald standard error and 95% margin (this form: scale_max 5, satisfied_min 4); NULL rows skipped, bad scores raise 22003, bad scales 22023';

CREATE AGGREGATE nps.csat_agg(score numeric, scale_max integer) (
  SFUNC = nps.csat_trans, STYPE = nps.scale_state, INITCOND = 'responses=0 scale_max=0 threshold=0 hits=0 sum=0 sum_sq=0',
  FINALFUNC = nps.csat_final, COMBINEFUNC = nps.csat_combine,
  MSFUNC = nps.csat_trans, MINVFUNC = nps.csat_inv, MSTYPE = nps.scale_state,
  MINITCOND = 'responses=0 scale_max=0 threshold=0 hits=0 sum=0 sum_sq=0', MFINALFUNC = nps.csat_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps.csat_agg(numeric, integer) IS
  'CSAT: percent of responses scoring at least satisfied_min on a 1..scale_max scale, with mean, Wald standard error and 95% margin (this form: satisfied_min 4); NULL rows skipped, bad scores raise 22003, bad scales 22023';

CREATE AGGREGATE nps.csat_agg(score numeric, scale_max integer, satisfied_min integer) (
  SFUNC = nps.csat_trans, STYPE = nps.scale_state, INITCOND = 'responses=0 scale_max=0 threshold=0 hits=0 sum=0 sum_sq=0',
  FINALFUNC = nps.csat_final, COMBINEFUNC = nps.csat_combine,
  MSFUNC = nps.csat_trans, MINVFUNC = nps.csat_inv, MSTYPE = nps.scale_state,
  MINITCOND = 'responses=0 scale_max=0 threshold=0 hits=0 sum=0 sum_sq=0', MFINALFUNC = nps.csat_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps.csat_agg(numeric, integer, integer) IS
  'CSAT: percent of responses scoring at least satisfied_min on a 1..scale_max scale, with mean, Wald standard error and 95% margin; NULL rows skipped, bad scores raise 22003, bad scales 22023';

-- ---------- ces_agg(smallint [, scale_max [, easy_min]]) ----------
CREATE FUNCTION nps.ces_trans(nps.scale_state, smallint) RETURNS nps.scale_state
  AS 'MODULE_PATHNAME', 'ces_trans_int2' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.ces_trans(nps.scale_state, smallint) IS 'transition function of ces_agg(smallint): counts one response (this form: scale_max 7, easy_min 5)';
CREATE FUNCTION nps.ces_inv(nps.scale_state, smallint) RETURNS nps.scale_state
  AS 'MODULE_PATHNAME', 'ces_inv_int2' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.ces_inv(nps.scale_state, smallint) IS 'inverse transition of ces_agg(smallint) for window frames: uncounts one response (exact)';
CREATE FUNCTION nps.ces_trans(nps.scale_state, smallint, integer) RETURNS nps.scale_state
  AS 'MODULE_PATHNAME', 'ces_trans_int2' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.ces_trans(nps.scale_state, smallint, integer) IS 'transition function of ces_agg(smallint, integer): counts one response (this form: easy_min 5)';
CREATE FUNCTION nps.ces_inv(nps.scale_state, smallint, integer) RETURNS nps.scale_state
  AS 'MODULE_PATHNAME', 'ces_inv_int2' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.ces_inv(nps.scale_state, smallint, integer) IS 'inverse transition of ces_agg(smallint, integer) for window frames: uncounts one response (exact)';
CREATE FUNCTION nps.ces_trans(nps.scale_state, smallint, integer, integer) RETURNS nps.scale_state
  AS 'MODULE_PATHNAME', 'ces_trans_int2' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.ces_trans(nps.scale_state, smallint, integer, integer) IS 'transition function of ces_agg(smallint, integer, integer): counts one response';
CREATE FUNCTION nps.ces_inv(nps.scale_state, smallint, integer, integer) RETURNS nps.scale_state
  AS 'MODULE_PATHNAME', 'ces_inv_int2' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.ces_inv(nps.scale_state, smallint, integer, integer) IS 'inverse transition of ces_agg(smallint, integer, integer) for window frames: uncounts one response (exact)';

CREATE AGGREGATE nps.ces_agg(score smallint) (
  SFUNC = nps.ces_trans, STYPE = nps.scale_state, INITCOND = 'responses=0 scale_max=0 threshold=0 hits=0 sum=0 sum_sq=0',
  FINALFUNC = nps.ces_final, COMBINEFUNC = nps.ces_combine,
  MSFUNC = nps.ces_trans, MINVFUNC = nps.ces_inv, MSTYPE = nps.scale_state,
  MINITCOND = 'responses=0 scale_max=0 threshold=0 hits=0 sum=0 sum_sq=0', MFINALFUNC = nps.ces_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps.ces_agg(smallint) IS
  'Customer Effort Score: mean of 1..scale_max scores with its standard error, and the count and percent at or above easy_min (this form: scale_max 7, easy_min 5); NULL rows skipped, bad scores raise 22003, bad scales 22023';

CREATE AGGREGATE nps.ces_agg(score smallint, scale_max integer) (
  SFUNC = nps.ces_trans, STYPE = nps.scale_state, INITCOND = 'responses=0 scale_max=0 threshold=0 hits=0 sum=0 sum_sq=0',
  FINALFUNC = nps.ces_final, COMBINEFUNC = nps.ces_combine,
  MSFUNC = nps.ces_trans, MINVFUNC = nps.ces_inv, MSTYPE = nps.scale_state,
  MINITCOND = 'responses=0 scale_max=0 threshold=0 hits=0 sum=0 sum_sq=0', MFINALFUNC = nps.ces_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps.ces_agg(smallint, integer) IS
  'Customer Effort Score: mean of 1..scale_max scores with its standard error, and the count and percent at or above easy_min (this form: easy_min 5); NULL rows skipped, bad scores raise 22003, bad scales 22023';

CREATE AGGREGATE nps.ces_agg(score smallint, scale_max integer, easy_min integer) (
  SFUNC = nps.ces_trans, STYPE = nps.scale_state, INITCOND = 'responses=0 scale_max=0 threshold=0 hits=0 sum=0 sum_sq=0',
  FINALFUNC = nps.ces_final, COMBINEFUNC = nps.ces_combine,
  MSFUNC = nps.ces_trans, MINVFUNC = nps.ces_inv, MSTYPE = nps.scale_state,
  MINITCOND = 'responses=0 scale_max=0 threshold=0 hits=0 sum=0 sum_sq=0', MFINALFUNC = nps.ces_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps.ces_agg(smallint, integer, integer) IS
  'Customer Effort Score: mean of 1..scale_max scores with its standard error, and the count and percent at or above easy_min; NULL rows skipped, bad scores raise 22003, bad scales 22023';

-- ---------- ces_agg(integer [, scale_max [, easy_min]]) ----------
CREATE FUNCTION nps.ces_trans(nps.scale_state, integer) RETURNS nps.scale_state
  AS 'MODULE_PATHNAME', 'ces_trans_int4' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.ces_trans(nps.scale_state, integer) IS 'transition function of ces_agg(integer): counts one response (this form: scale_max 7, easy_min 5)';
CREATE FUNCTION nps.ces_inv(nps.scale_state, integer) RETURNS nps.scale_state
  AS 'MODULE_PATHNAME', 'ces_inv_int4' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.ces_inv(nps.scale_state, integer) IS 'inverse transition of ces_agg(integer) for window frames: uncounts one response (exact)';
CREATE FUNCTION nps.ces_trans(nps.scale_state, integer, integer) RETURNS nps.scale_state
  AS 'MODULE_PATHNAME', 'ces_trans_int4' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.ces_trans(nps.scale_state, integer, integer) IS 'transition function of ces_agg(integer, integer): counts one response (this form: easy_min 5)';
CREATE FUNCTION nps.ces_inv(nps.scale_state, integer, integer) RETURNS nps.scale_state
  AS 'MODULE_PATHNAME', 'ces_inv_int4' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.ces_inv(nps.scale_state, integer, integer) IS 'inverse transition of ces_agg(integer, integer) for window frames: uncounts one response (exact)';
CREATE FUNCTION nps.ces_trans(nps.scale_state, integer, integer, integer) RETURNS nps.scale_state
  AS 'MODULE_PATHNAME', 'ces_trans_int4' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.ces_trans(nps.scale_state, integer, integer, integer) IS 'transition function of ces_agg(integer, integer, integer): counts one response';
CREATE FUNCTION nps.ces_inv(nps.scale_state, integer, integer, integer) RETURNS nps.scale_state
  AS 'MODULE_PATHNAME', 'ces_inv_int4' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.ces_inv(nps.scale_state, integer, integer, integer) IS 'inverse transition of ces_agg(integer, integer, integer) for window frames: uncounts one response (exact)';

CREATE AGGREGATE nps.ces_agg(score integer) (
  SFUNC = nps.ces_trans, STYPE = nps.scale_state, INITCOND = 'responses=0 scale_max=0 threshold=0 hits=0 sum=0 sum_sq=0',
  FINALFUNC = nps.ces_final, COMBINEFUNC = nps.ces_combine,
  MSFUNC = nps.ces_trans, MINVFUNC = nps.ces_inv, MSTYPE = nps.scale_state,
  MINITCOND = 'responses=0 scale_max=0 threshold=0 hits=0 sum=0 sum_sq=0', MFINALFUNC = nps.ces_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps.ces_agg(integer) IS
  'Customer Effort Score: mean of 1..scale_max scores with its standard error, and the count and percent at or above easy_min (this form: scale_max 7, easy_min 5); NULL rows skipped, bad scores raise 22003, bad scales 22023';

CREATE AGGREGATE nps.ces_agg(score integer, scale_max integer) (
  SFUNC = nps.ces_trans, STYPE = nps.scale_state, INITCOND = 'responses=0 scale_max=0 threshold=0 hits=0 sum=0 sum_sq=0',
  FINALFUNC = nps.ces_final, COMBINEFUNC = nps.ces_combine,
  MSFUNC = nps.ces_trans, MINVFUNC = nps.ces_inv, MSTYPE = nps.scale_state,
  MINITCOND = 'responses=0 scale_max=0 threshold=0 hits=0 sum=0 sum_sq=0', MFINALFUNC = nps.ces_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps.ces_agg(integer, integer) IS
  'Customer Effort Score: mean of 1..scale_max scores with its standard error, and the count and percent at or above easy_min (this form: easy_min 5); NULL rows skipped, bad scores raise 22003, bad scales 22023';

CREATE AGGREGATE nps.ces_agg(score integer, scale_max integer, easy_min integer) (
  SFUNC = nps.ces_trans, STYPE = nps.scale_state, INITCOND = 'responses=0 scale_max=0 threshold=0 hits=0 sum=0 sum_sq=0',
  FINALFUNC = nps.ces_final, COMBINEFUNC = nps.ces_combine,
  MSFUNC = nps.ces_trans, MINVFUNC = nps.ces_inv, MSTYPE = nps.scale_state,
  MINITCOND = 'responses=0 scale_max=0 threshold=0 hits=0 sum=0 sum_sq=0', MFINALFUNC = nps.ces_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps.ces_agg(integer, integer, integer) IS
  'Customer Effort Score: mean of 1..scale_max scores with its standard error, and the count and percent at or above easy_min; NULL rows skipped, bad scores raise 22003, bad scales 22023';

-- ---------- ces_agg(numeric [, scale_max [, easy_min]]) ----------
CREATE FUNCTION nps.ces_trans(nps.scale_state, numeric) RETURNS nps.scale_state
  AS 'MODULE_PATHNAME', 'ces_trans_numeric' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.ces_trans(nps.scale_state, numeric) IS 'transition function of ces_agg(numeric): counts one response (this form: scale_max 7, easy_min 5)';
CREATE FUNCTION nps.ces_inv(nps.scale_state, numeric) RETURNS nps.scale_state
  AS 'MODULE_PATHNAME', 'ces_inv_numeric' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.ces_inv(nps.scale_state, numeric) IS 'inverse transition of ces_agg(numeric) for window frames: uncounts one response (exact)';
CREATE FUNCTION nps.ces_trans(nps.scale_state, numeric, integer) RETURNS nps.scale_state
  AS 'MODULE_PATHNAME', 'ces_trans_numeric' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.ces_trans(nps.scale_state, numeric, integer) IS 'transition function of ces_agg(numeric, integer): counts one response (this form: easy_min 5)';
CREATE FUNCTION nps.ces_inv(nps.scale_state, numeric, integer) RETURNS nps.scale_state
  AS 'MODULE_PATHNAME', 'ces_inv_numeric' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.ces_inv(nps.scale_state, numeric, integer) IS 'inverse transition of ces_agg(numeric, integer) for window frames: uncounts one response (exact)';
CREATE FUNCTION nps.ces_trans(nps.scale_state, numeric, integer, integer) RETURNS nps.scale_state
  AS 'MODULE_PATHNAME', 'ces_trans_numeric' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.ces_trans(nps.scale_state, numeric, integer, integer) IS 'transition function of ces_agg(numeric, integer, integer): counts one response';
CREATE FUNCTION nps.ces_inv(nps.scale_state, numeric, integer, integer) RETURNS nps.scale_state
  AS 'MODULE_PATHNAME', 'ces_inv_numeric' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.ces_inv(nps.scale_state, numeric, integer, integer) IS 'inverse transition of ces_agg(numeric, integer, integer) for window frames: uncounts one response (exact)';

CREATE AGGREGATE nps.ces_agg(score numeric) (
  SFUNC = nps.ces_trans, STYPE = nps.scale_state, INITCOND = 'responses=0 scale_max=0 threshold=0 hits=0 sum=0 sum_sq=0',
  FINALFUNC = nps.ces_final, COMBINEFUNC = nps.ces_combine,
  MSFUNC = nps.ces_trans, MINVFUNC = nps.ces_inv, MSTYPE = nps.scale_state,
  MINITCOND = 'responses=0 scale_max=0 threshold=0 hits=0 sum=0 sum_sq=0', MFINALFUNC = nps.ces_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps.ces_agg(numeric) IS
  'Customer Effort Score: mean of 1..scale_max scores with its standard error, and the count and percent at or above easy_min (this form: scale_max 7, easy_min 5); NULL rows skipped, bad scores raise 22003, bad scales 22023';

CREATE AGGREGATE nps.ces_agg(score numeric, scale_max integer) (
  SFUNC = nps.ces_trans, STYPE = nps.scale_state, INITCOND = 'responses=0 scale_max=0 threshold=0 hits=0 sum=0 sum_sq=0',
  FINALFUNC = nps.ces_final, COMBINEFUNC = nps.ces_combine,
  MSFUNC = nps.ces_trans, MINVFUNC = nps.ces_inv, MSTYPE = nps.scale_state,
  MINITCOND = 'responses=0 scale_max=0 threshold=0 hits=0 sum=0 sum_sq=0', MFINALFUNC = nps.ces_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps.ces_agg(numeric, integer) IS
  'Customer Effort Score: mean of 1..scale_max scores with its standard error, and the count and percent at or above easy_min (this form: easy_min 5); NULL rows skipped, bad scores raise 22003, bad scales 22023';

CREATE AGGREGATE nps.ces_agg(score numeric, scale_max integer, easy_min integer) (
  SFUNC = nps.ces_trans, STYPE = nps.scale_state, INITCOND = 'responses=0 scale_max=0 threshold=0 hits=0 sum=0 sum_sq=0',
  FINALFUNC = nps.ces_final, COMBINEFUNC = nps.ces_combine,
  MSFUNC = nps.ces_trans, MINVFUNC = nps.ces_inv, MSTYPE = nps.scale_state,
  MINITCOND = 'responses=0 scale_max=0 threshold=0 hits=0 sum=0 sum_sq=0', MFINALFUNC = nps.ces_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps.ces_agg(numeric, integer, integer) IS
  'Customer Effort Score: mean of 1..scale_max scores with its standard error, and the count and percent at or above easy_min; NULL rows skipped, bad scores raise 22003, bad scales 22023';


-- ---------- rollups of stored results ----------

CREATE FUNCTION nps.csat_rollup_trans(nps.scale_state, nps.csat_result) RETURNS nps.scale_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.csat_rollup_trans(nps.scale_state, nps.csat_result) IS 'transition function of csat_rollup: adds the counts of a stored result';
CREATE FUNCTION nps.csat_rollup_inv(nps.scale_state, nps.csat_result) RETURNS nps.scale_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.csat_rollup_inv(nps.scale_state, nps.csat_result) IS 'inverse transition of csat_rollup for window frames: subtracts the counts of a stored result (exact)';

CREATE AGGREGATE nps.csat_rollup(nps.csat_result) (
  SFUNC = nps.csat_rollup_trans, STYPE = nps.scale_state, INITCOND = 'responses=0 scale_max=0 threshold=0 hits=0 sum=0 sum_sq=0',
  FINALFUNC = nps.csat_final, COMBINEFUNC = nps.csat_combine,
  MSFUNC = nps.csat_rollup_trans, MINVFUNC = nps.csat_rollup_inv, MSTYPE = nps.scale_state,
  MINITCOND = 'responses=0 scale_max=0 threshold=0 hits=0 sum=0 sum_sq=0', MFINALFUNC = nps.csat_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps.csat_rollup(nps.csat_result) IS
  'merges stored csat_result values (e.g. daily into monthly) exactly as if the raw rows were aggregated; NULL results skipped, results of different scales raise 22023';

CREATE FUNCTION nps.ces_rollup_trans(nps.scale_state, nps.ces_result) RETURNS nps.scale_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.ces_rollup_trans(nps.scale_state, nps.ces_result) IS 'transition function of ces_rollup: adds the counts of a stored result';
CREATE FUNCTION nps.ces_rollup_inv(nps.scale_state, nps.ces_result) RETURNS nps.scale_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.ces_rollup_inv(nps.scale_state, nps.ces_result) IS 'inverse transition of ces_rollup for window frames: subtracts the counts of a stored result (exact)';

CREATE AGGREGATE nps.ces_rollup(nps.ces_result) (
  SFUNC = nps.ces_rollup_trans, STYPE = nps.scale_state, INITCOND = 'responses=0 scale_max=0 threshold=0 hits=0 sum=0 sum_sq=0',
  FINALFUNC = nps.ces_final, COMBINEFUNC = nps.ces_combine,
  MSFUNC = nps.ces_rollup_trans, MINVFUNC = nps.ces_rollup_inv, MSTYPE = nps.scale_state,
  MINITCOND = 'responses=0 scale_max=0 threshold=0 hits=0 sum=0 sum_sq=0', MFINALFUNC = nps.ces_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps.ces_rollup(nps.ces_result) IS
  'merges stored ces_result values (e.g. daily into monthly) exactly as if the raw rows were aggregated; NULL results skipped, results of different scales raise 22023';

-- ---------- inference on CSAT results ----------

CREATE FUNCTION nps.csat_ci(r nps.csat_result,
                            confidence double precision DEFAULT 0.95,
                            OUT ci_low double precision, OUT ci_high double precision)
  RETURNS record
  AS 'MODULE_PATHNAME', 'csat_ci' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.csat_ci(nps.csat_result, double precision) IS
  'Wilson score interval of the CSAT (satisfied / responses) at the confidence, in percent';

CREATE FUNCTION nps.csat_test(a nps.csat_result, b nps.csat_result,
                              confidence double precision DEFAULT 0.95,
                              OUT difference double precision, OUT std_error double precision,
                              OUT z double precision, OUT p_value double precision,
                              OUT significant boolean)
  RETURNS record
  AS 'MODULE_PATHNAME', 'csat_test' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.csat_test(nps.csat_result, nps.csat_result, double precision) IS
  'two-sided pooled two-proportion z-test of two CSAT results: difference a - b in points (signed), pooled standard error, z, p-value, significant at the confidence';

-- ---------- inference on CES results ----------

CREATE FUNCTION nps.ces_ci(r nps.ces_result,
                           confidence double precision DEFAULT 0.95,
                           OUT ci_low double precision, OUT ci_high double precision)
  RETURNS record
  AS 'MODULE_PATHNAME', 'ces_ci' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.ces_ci(nps.ces_result, double precision) IS
  'normal confidence interval of the mean CES (mean -/+ z std_error), clamped to 1..scale_max; NULL for fewer than 2 responses';

CREATE FUNCTION nps.ces_test(a nps.ces_result, b nps.ces_result,
                             confidence double precision DEFAULT 0.95,
                             OUT difference double precision, OUT std_error double precision,
                             OUT z double precision, OUT p_value double precision,
                             OUT significant boolean)
  RETURNS record
  AS 'MODULE_PATHNAME', 'ces_test' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.ces_test(nps.ces_result, nps.ces_result, double precision) IS
  'two-sided z-test of two mean CES: difference a - b (signed), std_error sqrt(se_a^2 + se_b^2), z, p-value, significant at the confidence; NULL for fewer than 2 responses on either side; different scales raise 22023';
