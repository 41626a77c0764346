-- src/rate.sql
-- Service rates (first-contact resolution, SLA met, complaints...): the
-- aggregate state rate_state, the result rate_result, rate_agg(boolean),
-- rate_rollup over stored results, rate_ci (Wilson) and rate_test (pooled
-- two-proportion z-test).  C functions in rate.c (statistics in stats.c).
-- Everything is schema-qualified: the script must not depend on search_path.

-- ---------- the aggregate state ----------

CREATE TYPE nps.rate_state;
CREATE FUNCTION nps.rate_state_in(cstring) RETURNS nps.rate_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION nps.rate_state_out(nps.rate_state) RETURNS cstring
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION nps.rate_state_recv(internal) RETURNS nps.rate_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION nps.rate_state_send(nps.rate_state) RETURNS bytea
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE nps.rate_state (
  INPUT = nps.rate_state_in,
  OUTPUT = nps.rate_state_out,
  RECEIVE = nps.rate_state_recv,
  SEND = nps.rate_state_send,
  INTERNALLENGTH = 24,
  ALIGNMENT = double,
  STORAGE = plain
);
COMMENT ON TYPE nps.rate_state IS
  'aggregate state of rate_agg/rate_rollup: rows counted (n) and rows that were true (hits)';
COMMENT ON FUNCTION nps.rate_state_in(cstring) IS 'text input of rate_state (strictly validated)';
COMMENT ON FUNCTION nps.rate_state_out(nps.rate_state) IS 'text output of rate_state';
COMMENT ON FUNCTION nps.rate_state_recv(internal) IS 'binary input of rate_state (validated)';
COMMENT ON FUNCTION nps.rate_state_send(nps.rate_state) IS 'binary output of rate_state';

-- ---------- the result ----------

CREATE TYPE nps.rate_result AS (
  responses bigint,
  hits      bigint,
  rate      double precision,
  std_error double precision,
  margin_95 double precision,
  ci_low    double precision,
  ci_high   double precision
);
COMMENT ON TYPE nps.rate_result IS
  'result of rate_agg/rate_rollup: hits out of responses, the rate in percent with its Wald standard error and 95% margin in points, and its Wilson 95% interval';
COMMENT ON COLUMN nps.rate_result.responses IS 'rows counted (NULLs are skipped)';
COMMENT ON COLUMN nps.rate_result.hits IS 'rows that were true';
COMMENT ON COLUMN nps.rate_result.rate IS 'rate in percent: 100 * hits / responses, never rounded';
COMMENT ON COLUMN nps.rate_result.std_error IS 'Wald standard error of rate, in points: 100 * sqrt(p (1 - p) / responses), p = hits / responses';
COMMENT ON COLUMN nps.rate_result.margin_95 IS 'half-width of the 95% Wald interval of rate, in points (1.959964 * std_error); ci_low/ci_high and rate_ci give the Wilson interval';
COMMENT ON COLUMN nps.rate_result.ci_low IS 'lower bound of the Wilson 95% interval of the rate, in percent';
COMMENT ON COLUMN nps.rate_result.ci_high IS 'upper bound of the Wilson 95% interval of the rate, in percent';

CREATE FUNCTION nps.rate_final(nps.rate_state) RETURNS nps.rate_result
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.rate_final(nps.rate_state) IS 'final function of rate_agg/rate_rollup: rate_result from the state (NULL for no rows)';
CREATE FUNCTION nps.rate_combine(nps.rate_state, nps.rate_state) RETURNS nps.rate_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.rate_combine(nps.rate_state, nps.rate_state) IS 'combine function of rate_agg/rate_rollup (parallel and partial aggregation): adds the counts';

-- ---------- rate_agg(boolean) ----------

CREATE FUNCTION nps.rate_trans(nps.rate_state, boolean) RETURNS nps.rate_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.rate_trans(nps.rate_state, boolean) IS 'transition function of rate_agg: counts one row';
CREATE FUNCTION nps.rate_inv(nps.rate_state, boolean) RETURNS nps.rate_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.rate_inv(nps.rate_state, boolean) IS 'inverse transition of rate_agg for window frames: uncounts one row (exact)';

CREATE AGGREGATE nps.rate_agg(hit boolean) (
  SFUNC = nps.rate_trans, STYPE = nps.rate_state, INITCOND = 'n=0 hits=0',
  FINALFUNC = nps.rate_final, COMBINEFUNC = nps.rate_combine,
  MSFUNC = nps.rate_trans, MINVFUNC = nps.rate_inv, MSTYPE = nps.rate_state,
  MINITCOND = 'n=0 hits=0', MFINALFUNC = nps.rate_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps.rate_agg(boolean) IS
  'rate of true values in percent with its Wilson 95% interval, e.g. rate_agg(resolved_at - opened_at <= interval ''2 hours''); NULLs skipped';

-- ---------- rate_rollup(rate_result) ----------

CREATE FUNCTION nps.rate_rollup_trans(nps.rate_state, nps.rate_result) RETURNS nps.rate_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.rate_rollup_trans(nps.rate_state, nps.rate_result) IS 'transition function of rate_rollup: adds the counts of a stored result';
CREATE FUNCTION nps.rate_rollup_inv(nps.rate_state, nps.rate_result) RETURNS nps.rate_state
  AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.rate_rollup_inv(nps.rate_state, nps.rate_result) IS 'inverse transition of rate_rollup for window frames: subtracts the counts of a stored result (exact)';

CREATE AGGREGATE nps.rate_rollup(nps.rate_result) (
  SFUNC = nps.rate_rollup_trans, STYPE = nps.rate_state, INITCOND = 'n=0 hits=0',
  FINALFUNC = nps.rate_final, COMBINEFUNC = nps.rate_combine,
  MSFUNC = nps.rate_rollup_trans, MINVFUNC = nps.rate_rollup_inv, MSTYPE = nps.rate_state,
  MINITCOND = 'n=0 hits=0', MFINALFUNC = nps.rate_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps.rate_rollup(nps.rate_result) IS
  'merges stored rate_result values (e.g. daily into monthly) exactly as if the raw rows were aggregated; NULL results skipped';

-- ---------- inference ----------

CREATE FUNCTION nps.rate_ci(r nps.rate_result,
                            confidence double precision DEFAULT 0.95,
                            OUT ci_low double precision, OUT ci_high double precision)
  RETURNS record
  AS 'MODULE_PATHNAME', 'rate_ci' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.rate_ci(nps.rate_result, double precision) IS
  'Wilson score interval of a rate at the confidence, in percent';

CREATE FUNCTION nps.rate_test(a nps.rate_result, b nps.rate_result,
                              confidence double precision DEFAULT 0.95,
                              OUT difference double precision, OUT std_error double precision,
                              OUT z double precision, OUT p_value double precision,
                              OUT significant boolean)
  RETURNS record
  AS 'MODULE_PATHNAME', 'rate_test' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.rate_test(nps.rate_result, nps.rate_result, double precision) IS
  'two-sided pooled two-proportion z-test of two rates: difference a - b in points (signed), pooled standard error, z, p-value, significant at the confidence';
