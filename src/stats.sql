-- src/stats.sql
-- Statistics on NPS results: the normal distribution (stats.c), confidence
-- intervals, significance tests and sample sizes (nps.c).

CREATE FUNCTION nps.normal_cdf(x double precision) RETURNS double precision
  AS 'MODULE_PATHNAME', 'nps_normal_cdf' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.normal_cdf(double precision) IS
  'standard normal cumulative distribution function Phi(x)';

CREATE FUNCTION nps.normal_quantile(p double precision) RETURNS double precision
  AS 'MODULE_PATHNAME', 'nps_normal_quantile' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.normal_quantile(double precision) IS
  'inverse of the standard normal CDF (quantile); p must be in [0, 1]';

CREATE FUNCTION nps.nps_ci(r nps.nps_result,
                           confidence double precision DEFAULT 0.95,
                           method text DEFAULT 'adjusted_wald',
                           OUT ci_low double precision, OUT ci_high double precision)
  RETURNS record
  AS 'MODULE_PATHNAME', 'nps_ci' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.nps_ci(nps.nps_result, double precision, text) IS
  'confidence interval of an NPS in points, clamped to [-100, 100]; method adjusted_wald (default) or wald';

CREATE FUNCTION nps.nps_test(a nps.nps_result, b nps.nps_result,
                             confidence double precision DEFAULT 0.95,
                             method text DEFAULT 'adjusted_wald',
                             OUT difference double precision, OUT std_error double precision,
                             OUT z double precision, OUT p_value double precision,
                             OUT significant boolean)
  RETURNS record
  AS 'MODULE_PATHNAME', 'nps_test_two' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.nps_test(nps.nps_result, nps.nps_result, double precision, text) IS
  'two-sided test of two independent NPS samples: difference a - b in points (signed), its standard error, z, p-value, significant at the confidence';

CREATE FUNCTION nps.nps_test(a nps.nps_result, benchmark double precision,
                             confidence double precision DEFAULT 0.95,
                             method text DEFAULT 'adjusted_wald',
                             OUT difference double precision, OUT std_error double precision,
                             OUT z double precision, OUT p_value double precision,
                             OUT significant boolean)
  RETURNS record
  AS 'MODULE_PATHNAME', 'nps_test_benchmark' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.nps_test(nps.nps_result, double precision, double precision, text) IS
  'two-sided test of an NPS against a fixed benchmark score: difference a - benchmark in points, standard error, z, p-value, significant';

CREATE FUNCTION nps.nps_sample_size(margin double precision,
                                    confidence double precision DEFAULT 0.95,
                                    variance double precision DEFAULT 1.0)
  RETURNS bigint
  AS 'MODULE_PATHNAME', 'nps_sample_size' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.nps_sample_size(double precision, double precision, double precision) IS
  'responses needed for an NPS margin of error of +-margin points: z^2 v / (margin/100)^2 - 3, rounded up (v = 1 is the worst case)';
