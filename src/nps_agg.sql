-- src/nps_agg.sql
-- Net Promoter Score: the aggregate state type nps_state, the result type
-- nps_result, nps_agg (plain and weighted) for smallint, integer, bigint and
-- numeric scores, nps_rollup over stored results, and nps_category().
-- Everything is schema-qualified: the script must not depend on search_path.

-- ---------- category ----------

CREATE TYPE nps.nps_category AS ENUM ('detractor', 'passive', 'promoter');
COMMENT ON TYPE nps.nps_category IS
  'NPS category of a 0-10 score: detractor (0-6), passive (7-8), promoter (9-10)';

CREATE FUNCTION nps.nps_category(score smallint) RETURNS nps.nps_category
  AS 'MODULE_PATHNAME', 'nps_category_int2' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.nps_category(smallint) IS
  'NPS category of a 0-10 score; raises 22003 for scores outside 0..10 or not integral';

CREATE FUNCTION nps.nps_category(score integer) RETURNS nps.nps_category
  AS 'MODULE_PATHNAME', 'nps_category_int4' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.nps_category(integer) IS
  'NPS category of a 0-10 score; raises 22003 for scores outside 0..10 or not integral';

CREATE FUNCTION nps.nps_category(score bigint) RETURNS nps.nps_category
  AS 'MODULE_PATHNAME', 'nps_category_int8' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.nps_category(bigint) IS
  'NPS category of a 0-10 score; raises 22003 for scores outside 0..10 or not integral';

CREATE FUNCTION nps.nps_category(score numeric) RETURNS nps.nps_category
  AS 'MODULE_PATHNAME', 'nps_category_numeric' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.nps_category(numeric) IS
  'NPS category of a 0-10 score; raises 22003 for scores outside 0..10 or not integral';

-- ---------- the aggregate state ----------
-- A fixed-size pass-by-reference type with a strict text form, so that partial
-- aggregates can be shipped between nodes (Citus) and stored in tables.

CREATE TYPE nps.nps_state;
CREATE FUNCTION nps.nps_state_in(cstring) RETURNS nps.nps_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION nps.nps_state_out(nps.nps_state) RETURNS cstring
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION nps.nps_state_recv(internal) RETURNS nps.nps_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION nps.nps_state_send(nps.nps_state) RETURNS bytea
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE nps.nps_state (
  INPUT = nps.nps_state_in,
  OUTPUT = nps.nps_state_out,
  RECEIVE = nps.nps_state_recv,
  SEND = nps.nps_state_send,
  INTERNALLENGTH = 48,
  ALIGNMENT = double,
  STORAGE = plain
);
COMMENT ON TYPE nps.nps_state IS
  'aggregate state of nps_agg/nps_rollup: response count, weighted promoter/passive/detractor sums, sum of squared weights';
COMMENT ON FUNCTION nps.nps_state_in(cstring) IS 'text input of nps_state (strictly validated)';
COMMENT ON FUNCTION nps.nps_state_out(nps.nps_state) IS 'text output of nps_state (round-trips exactly)';
COMMENT ON FUNCTION nps.nps_state_recv(internal) IS 'binary input of nps_state';
COMMENT ON FUNCTION nps.nps_state_send(nps.nps_state) IS 'binary output of nps_state';

-- ---------- the result ----------

CREATE TYPE nps.nps_result AS (
  responses     bigint,
  promoters     double precision,
  passives      double precision,
  detractors    double precision,
  nps           double precision,
  std_error     double precision,
  margin_95     double precision,
  effective_n   double precision,
  weight_sq_sum double precision
);
COMMENT ON TYPE nps.nps_result IS
  'result of nps_agg/nps_rollup: counts (weighted sums when weighted), NPS from -100 to 100, Wald standard error and 95% margin in points, effective sample size';
COMMENT ON COLUMN nps.nps_result.responses IS 'rows counted (NULL scores and NULL weights are skipped)';
COMMENT ON COLUMN nps.nps_result.promoters IS 'responses scoring 9-10 (sum of their weights when weighted)';
COMMENT ON COLUMN nps.nps_result.passives IS 'responses scoring 7-8 (sum of their weights when weighted)';
COMMENT ON COLUMN nps.nps_result.detractors IS 'responses scoring 0-6 (sum of their weights when weighted)';
COMMENT ON COLUMN nps.nps_result.nps IS 'Net Promoter Score: 100 * (promoters - detractors) / total, never rounded; NULL when the total weight is 0';
COMMENT ON COLUMN nps.nps_result.std_error IS 'Wald standard error of nps, in points: 100 * sqrt(v / effective_n)';
COMMENT ON COLUMN nps.nps_result.margin_95 IS 'half-width of the 95% Wald interval, in points (1.959964 * std_error)';
COMMENT ON COLUMN nps.nps_result.effective_n IS 'sample size behind the statistics: responses when unweighted, Kish (sum w)^2 / sum w^2 when weighted';
COMMENT ON COLUMN nps.nps_result.weight_sq_sum IS 'sum of squared weights (= responses when unweighted); kept so that rollups of weighted results are exact';

CREATE FUNCTION nps.nps_final(nps.nps_state) RETURNS nps.nps_result
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.nps_final(nps.nps_state) IS 'final function of nps_agg/nps_rollup: nps_result from the state (NULL for no rows)';
CREATE FUNCTION nps.nps_combine(nps.nps_state, nps.nps_state) RETURNS nps.nps_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.nps_combine(nps.nps_state, nps.nps_state) IS 'combine function of nps_agg/nps_rollup (parallel and partial aggregation): adds the counts';

-- ---------- nps_agg(smallint) ----------

CREATE FUNCTION nps.nps_trans(nps.nps_state, smallint) RETURNS nps.nps_state
  AS 'MODULE_PATHNAME', 'nps_trans_int2' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.nps_trans(nps.nps_state, smallint) IS 'transition function of nps_agg(smallint): counts one response';
CREATE FUNCTION nps.nps_inv(nps.nps_state, smallint) RETURNS nps.nps_state
  AS 'MODULE_PATHNAME', 'nps_inv_int2' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.nps_inv(nps.nps_state, smallint) IS 'inverse transition of nps_agg(smallint) for window frames: uncounts one response (exact)';
CREATE FUNCTION nps.nps_trans(nps.nps_state, smallint, double precision) RETURNS nps.nps_state
  AS 'MODULE_PATHNAME', 'nps_wtrans_int2' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.nps_trans(nps.nps_state, smallint, double precision) IS 'transition function of nps_agg(smallint, weight): adds one weighted response';
CREATE FUNCTION nps.nps_inv(nps.nps_state, smallint, double precision) RETURNS nps.nps_state
  AS 'MODULE_PATHNAME', 'nps_winv_int2' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.nps_inv(nps.nps_state, smallint, double precision) IS 'inverse transition of nps_agg(smallint, weight): removes one weighted response, or NULL (frame recomputed) when the float sums cannot be reverted exactly';

CREATE AGGREGATE nps.nps_agg(score smallint) (
  SFUNC = nps.nps_trans, STYPE = nps.nps_state, INITCOND = 'responses=0 promoters=0 passives=0 detractors=0 weight_sq=0 inexact=f',
  FINALFUNC = nps.nps_final, COMBINEFUNC = nps.nps_combine,
  MSFUNC = nps.nps_trans, MINVFUNC = nps.nps_inv, MSTYPE = nps.nps_state,
  MINITCOND = 'responses=0 promoters=0 passives=0 detractors=0 weight_sq=0 inexact=f', MFINALFUNC = nps.nps_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps.nps_agg(smallint) IS
  'Net Promoter Score of 0-10 scores with counts, standard error and 95% margin; NULL scores skipped, bad scores raise 22003';

CREATE AGGREGATE nps.nps_agg(score smallint, weight double precision) (
  SFUNC = nps.nps_trans, STYPE = nps.nps_state, INITCOND = 'responses=0 promoters=0 passives=0 detractors=0 weight_sq=0 inexact=f',
  FINALFUNC = nps.nps_final, COMBINEFUNC = nps.nps_combine,
  MSFUNC = nps.nps_trans, MINVFUNC = nps.nps_inv, MSTYPE = nps.nps_state,
  MINITCOND = 'responses=0 promoters=0 passives=0 detractors=0 weight_sq=0 inexact=f', MFINALFUNC = nps.nps_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps.nps_agg(smallint, double precision) IS
  'weighted Net Promoter Score (survey weights) with Kish effective sample size; NULL weight skips the row, negative/NaN/infinite weight raises 22023';

-- ---------- nps_agg(integer) ----------

CREATE FUNCTION nps.nps_trans(nps.nps_state, integer) RETURNS nps.nps_state
  AS 'MODULE_PATHNAME', 'nps_trans_int4' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.nps_trans(nps.nps_state, integer) IS 'transition function of nps_agg(integer): counts one response';
CREATE FUNCTION nps.nps_inv(nps.nps_state, integer) RETURNS nps.nps_state
  AS 'MODULE_PATHNAME', 'nps_inv_int4' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.nps_inv(nps.nps_state, integer) IS 'inverse transition of nps_agg(integer) for window frames: uncounts one response (exact)';
CREATE FUNCTION nps.nps_trans(nps.nps_state, integer, double precision) RETURNS nps.nps_state
  AS 'MODULE_PATHNAME', 'nps_wtrans_int4' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.nps_trans(nps.nps_state, integer, double precision) IS 'transition function of nps_agg(integer, weight): adds one weighted response';
CREATE FUNCTION nps.nps_inv(nps.nps_state, integer, double precision) RETURNS nps.nps_state
  AS 'MODULE_PATHNAME', 'nps_winv_int4' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.nps_inv(nps.nps_state, integer, double precision) IS 'inverse transition of nps_agg(integer, weight): removes one weighted response, or NULL (frame recomputed) when the float sums cannot be reverted exactly';

CREATE AGGREGATE nps.nps_agg(score integer) (
  SFUNC = nps.nps_trans, STYPE = nps.nps_state, INITCOND = 'responses=0 promoters=0 passives=0 detractors=0 weight_sq=0 inexact=f',
  FINALFUNC = nps.nps_final, COMBINEFUNC = nps.nps_combine,
  MSFUNC = nps.nps_trans, MINVFUNC = nps.nps_inv, MSTYPE = nps.nps_state,
  MINITCOND = 'responses=0 promoters=0 passives=0 detractors=0 weight_sq=0 inexact=f', MFINALFUNC = nps.nps_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps.nps_agg(integer) IS
  'Net Promoter Score of 0-10 scores with counts, standard error and 95% margin; NULL scores skipped, bad scores raise 22003';

CREATE AGGREGATE nps.nps_agg(score integer, weight double precision) (
  SFUNC = nps.nps_trans, STYPE = nps.nps_state, INITCOND = 'responses=0 promoters=0 passives=0 detractors=0 weight_sq=0 inexact=f',
  FINALFUNC = nps.nps_final, COMBINEFUNC = nps.nps_combine,
  MSFUNC = nps.nps_trans, MINVFUNC = nps.nps_inv, MSTYPE = nps.nps_state,
  MINITCOND = 'responses=0 promoters=0 passives=0 detractors=0 weight_sq=0 inexact=f', MFINALFUNC = nps.nps_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps.nps_agg(integer, double precision) IS
  'weighted Net Promoter Score (survey weights) with Kish effective sample size; NULL weight skips the row, negative/NaN/infinite weight raises 22023';

-- ---------- nps_agg(bigint) ----------

CREATE FUNCTION nps.nps_trans(nps.nps_state, bigint) RETURNS nps.nps_state
  AS 'MODULE_PATHNAME', 'nps_trans_int8' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.nps_trans(nps.nps_state, bigint) IS 'transition function of nps_agg(bigint): counts one response';
CREATE FUNCTION nps.nps_inv(nps.nps_state, bigint) RETURNS nps.nps_state
  AS 'MODULE_PATHNAME', 'nps_inv_int8' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.nps_inv(nps.nps_state, bigint) IS 'inverse transition of nps_agg(bigint) for window frames: uncounts one response (exact)';
CREATE FUNCTION nps.nps_trans(nps.nps_state, bigint, double precision) RETURNS nps.nps_state
  AS 'MODULE_PATHNAME', 'nps_wtrans_int8' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.nps_trans(nps.nps_state, bigint, double precision) IS 'transition function of nps_agg(bigint, weight): adds one weighted response';
CREATE FUNCTION nps.nps_inv(nps.nps_state, bigint, double precision) RETURNS nps.nps_state
  AS 'MODULE_PATHNAME', 'nps_winv_int8' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.nps_inv(nps.nps_state, bigint, double precision) IS 'inverse transition of nps_agg(bigint, weight): removes one weighted response, or NULL (frame recomputed) when the float sums cannot be reverted exactly';

CREATE AGGREGATE nps.nps_agg(score bigint) (
  SFUNC = nps.nps_trans, STYPE = nps.nps_state, INITCOND = 'responses=0 promoters=0 passives=0 detractors=0 weight_sq=0 inexact=f',
  FINALFUNC = nps.nps_final, COMBINEFUNC = nps.nps_combine,
  MSFUNC = nps.nps_trans, MINVFUNC = nps.nps_inv, MSTYPE = nps.nps_state,
  MINITCOND = 'responses=0 promoters=0 passives=0 detractors=0 weight_sq=0 inexact=f', MFINALFUNC = nps.nps_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps.nps_agg(bigint) IS
  'Net Promoter Score of 0-10 scores with counts, standard error and 95% margin; NULL scores skipped, bad scores raise 22003';

CREATE AGGREGATE nps.nps_agg(score bigint, weight double precision) (
  SFUNC = nps.nps_trans, STYPE = nps.nps_state, INITCOND = 'responses=0 promoters=0 passives=0 detractors=0 weight_sq=0 inexact=f',
  FINALFUNC = nps.nps_final, COMBINEFUNC = nps.nps_combine,
  MSFUNC = nps.nps_trans, MINVFUNC = nps.nps_inv, MSTYPE = nps.nps_state,
  MINITCOND = 'responses=0 promoters=0 passives=0 detractors=0 weight_sq=0 inexact=f', MFINALFUNC = nps.nps_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps.nps_agg(bigint, double precision) IS
  'weighted Net Promoter Score (survey weights) with Kish effective sample size; NULL weight skips the row, negative/NaN/infinite weight raises 22023';

-- ---------- nps_agg(numeric) ----------

CREATE FUNCTION nps.nps_trans(nps.nps_state, numeric) RETURNS nps.nps_state
  AS 'MODULE_PATHNAME', 'nps_trans_numeric' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.nps_trans(nps.nps_state, numeric) IS 'transition function of nps_agg(numeric): counts one response';
CREATE FUNCTION nps.nps_inv(nps.nps_state, numeric) RETURNS nps.nps_state
  AS 'MODULE_PATHNAME', 'nps_inv_numeric' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.nps_inv(nps.nps_state, numeric) IS 'inverse transition of nps_agg(numeric) for window frames: uncounts one response (exact)';
CREATE FUNCTION nps.nps_trans(nps.nps_state, numeric, double precision) RETURNS nps.nps_state
  AS 'MODULE_PATHNAME', 'nps_wtrans_numeric' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.nps_trans(nps.nps_state, numeric, double precision) IS 'transition function of nps_agg(numeric, weight): adds one weighted response';
CREATE FUNCTION nps.nps_inv(nps.nps_state, numeric, double precision) RETURNS nps.nps_state
  AS 'MODULE_PATHNAME', 'nps_winv_numeric' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.nps_inv(nps.nps_state, numeric, double precision) IS 'inverse transition of nps_agg(numeric, weight): removes one weighted response, or NULL (frame recomputed) when the float sums cannot be reverted exactly';

CREATE AGGREGATE nps.nps_agg(score numeric) (
  SFUNC = nps.nps_trans, STYPE = nps.nps_state, INITCOND = 'responses=0 promoters=0 passives=0 detractors=0 weight_sq=0 inexact=f',
  FINALFUNC = nps.nps_final, COMBINEFUNC = nps.nps_combine,
  MSFUNC = nps.nps_trans, MINVFUNC = nps.nps_inv, MSTYPE = nps.nps_state,
  MINITCOND = 'responses=0 promoters=0 passives=0 detractors=0 weight_sq=0 inexact=f', MFINALFUNC = nps.nps_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps.nps_agg(numeric) IS
  'Net Promoter Score of 0-10 scores with counts, standard error and 95% margin; NULL scores skipped, bad scores raise 22003';

CREATE AGGREGATE nps.nps_agg(score numeric, weight double precision) (
  SFUNC = nps.nps_trans, STYPE = nps.nps_state, INITCOND = 'responses=0 promoters=0 passives=0 detractors=0 weight_sq=0 inexact=f',
  FINALFUNC = nps.nps_final, COMBINEFUNC = nps.nps_combine,
  MSFUNC = nps.nps_trans, MINVFUNC = nps.nps_inv, MSTYPE = nps.nps_state,
  MINITCOND = 'responses=0 promoters=0 passives=0 detractors=0 weight_sq=0 inexact=f', MFINALFUNC = nps.nps_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps.nps_agg(numeric, double precision) IS
  'weighted Net Promoter Score (survey weights) with Kish effective sample size; NULL weight skips the row, negative/NaN/infinite weight raises 22023';

-- ---------- nps_rollup(nps_result) ----------

CREATE FUNCTION nps.nps_rollup_trans(nps.nps_state, nps.nps_result) RETURNS nps.nps_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.nps_rollup_trans(nps.nps_state, nps.nps_result) IS 'transition function of nps_rollup: adds the counts of a stored result';
CREATE FUNCTION nps.nps_rollup_inv(nps.nps_state, nps.nps_result) RETURNS nps.nps_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.nps_rollup_inv(nps.nps_state, nps.nps_result) IS 'inverse transition of nps_rollup for window frames; NULL (frame recomputed) when float sums cannot be reverted exactly';

CREATE AGGREGATE nps.nps_rollup(nps.nps_result) (
  SFUNC = nps.nps_rollup_trans, STYPE = nps.nps_state, INITCOND = 'responses=0 promoters=0 passives=0 detractors=0 weight_sq=0 inexact=f',
  FINALFUNC = nps.nps_final, COMBINEFUNC = nps.nps_combine,
  MSFUNC = nps.nps_rollup_trans, MINVFUNC = nps.nps_rollup_inv, MSTYPE = nps.nps_state,
  MINITCOND = 'responses=0 promoters=0 passives=0 detractors=0 weight_sq=0 inexact=f', MFINALFUNC = nps.nps_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps.nps_rollup(nps.nps_result) IS
  'merges stored nps_result values (e.g. daily into monthly) exactly as if the raw rows were aggregated; NULL results skipped';
