-- src/attribution.sql
-- Why NPS moved and the NPS alone: the composite type nps_contribution, the
-- window function and the plain function nps_contribution (shift-share
-- attribution of an NPS change, see attribution.c), and net_promoter_score,
-- the by-value aggregate that returns only the score.

CREATE TYPE nps.nps_contribution AS (
  current_share  double precision,
  previous_share double precision,
  current_nps    double precision,
  previous_nps   double precision,
  mix_effect     double precision,
  rate_effect    double precision,
  effect         double precision
);
COMMENT ON TYPE nps.nps_contribution IS
  'a group''s part in the change of its whole''s NPS (shift-share, centred on the whole''s NPS): shares, NPS now and before, mix, rate and total effect in points; the effects of a whole add up to its NPS change';
COMMENT ON COLUMN nps.nps_contribution.current_share IS 'the group''s share of the whole''s weight now (0 without responses; NULL when the whole has none)';
COMMENT ON COLUMN nps.nps_contribution.previous_share IS 'the group''s share of the whole''s weight before (0 without responses; NULL when the whole has none)';
COMMENT ON COLUMN nps.nps_contribution.current_nps IS 'the group''s NPS now (NULL without responses)';
COMMENT ON COLUMN nps.nps_contribution.previous_nps IS 'the group''s NPS before (NULL without responses)';
COMMENT ON COLUMN nps.nps_contribution.mix_effect IS 'points of the whole''s change from the group''s change of share: (w1 - w0) ((s0 + s1)/2 - (S0 + S1)/2)';
COMMENT ON COLUMN nps.nps_contribution.rate_effect IS 'points of the whole''s change from the group''s change of NPS: ((w0 + w1)/2) (s1 - s0)';
COMMENT ON COLUMN nps.nps_contribution.effect IS 'mix_effect + rate_effect; over a whole the effects add up to its NPS change (NULL when one period of the whole has no responses)';

CREATE FUNCTION nps.nps_contribution(cur nps.nps_result, prev nps.nps_result)
  RETURNS nps.nps_contribution
  AS 'MODULE_PATHNAME', 'nps_contribution_window' LANGUAGE C WINDOW IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION nps.nps_contribution(nps.nps_result, nps.nps_result) IS
  'window function: a group''s part in the NPS change of its partition (the partition''s totals are summed from every row of the partition, whatever the frame); NULL results count as no responses';

CREATE FUNCTION nps.nps_contribution(cur nps.nps_result, prev nps.nps_result,
                                     cur_total nps.nps_result, prev_total nps.nps_result)
  RETURNS nps.nps_contribution
  AS 'MODULE_PATHNAME', 'nps_contribution_plain' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION nps.nps_contribution(nps.nps_result, nps.nps_result, nps.nps_result, nps.nps_result) IS
  'a group''s part in the NPS change of a whole, given the group''s and the whole''s results now and before; NULL results count as no responses';

-- ---------- net_promoter_score: the number alone ----------

CREATE FUNCTION nps.nps_value_final(nps.nps_state) RETURNS double precision
  AS 'MODULE_PATHNAME', 'nps_value_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION nps.nps_value_final(nps.nps_state) IS
  'final function of net_promoter_score: the NPS of the state (NULL when no response has positive weight)';

CREATE AGGREGATE nps.net_promoter_score(score smallint) (
  SFUNC = nps.nps_trans, STYPE = nps.nps_state, INITCOND = 'responses=0 promoters=0 passives=0 detractors=0 weight_sq=0 inexact=f',
  FINALFUNC = nps.nps_value_final, COMBINEFUNC = nps.nps_combine,
  MSFUNC = nps.nps_trans, MINVFUNC = nps.nps_inv, MSTYPE = nps.nps_state,
  MINITCOND = 'responses=0 promoters=0 passives=0 detractors=0 weight_sq=0 inexact=f', MFINALFUNC = nps.nps_value_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps.net_promoter_score(smallint) IS
  'Net Promoter Score alone (double precision, -100..100; NULL for no responses), the same as (nps_agg(...)).nps, with the same validation and errors';

CREATE AGGREGATE nps.net_promoter_score(score smallint, weight double precision) (
  SFUNC = nps.nps_trans, STYPE = nps.nps_state, INITCOND = 'responses=0 promoters=0 passives=0 detractors=0 weight_sq=0 inexact=f',
  FINALFUNC = nps.nps_value_final, COMBINEFUNC = nps.nps_combine,
  MSFUNC = nps.nps_trans, MINVFUNC = nps.nps_inv, MSTYPE = nps.nps_state,
  MINITCOND = 'responses=0 promoters=0 passives=0 detractors=0 weight_sq=0 inexact=f', MFINALFUNC = nps.nps_value_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps.net_promoter_score(smallint, double precision) IS
  'weighted Net Promoter Score alone (double precision, -100..100; NULL for no responses), the same as (nps_agg(...)).nps, with the same validation and errors';

CREATE AGGREGATE nps.net_promoter_score(score integer) (
  SFUNC = nps.nps_trans, STYPE = nps.nps_state, INITCOND = 'responses=0 promoters=0 passives=0 detractors=0 weight_sq=0 inexact=f',
  FINALFUNC = nps.nps_value_final, COMBINEFUNC = nps.nps_combine,
  MSFUNC = nps.nps_trans, MINVFUNC = nps.nps_inv, MSTYPE = nps.nps_state,
  MINITCOND = 'responses=0 promoters=0 passives=0 detractors=0 weight_sq=0 inexact=f', MFINALFUNC = nps.nps_value_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps.net_promoter_score(integer) IS
  'Net Promoter Score alone (double precision, -100..100; NULL for no responses), the same as (nps_agg(...)).nps, with the same validation and errors';

CREATE AGGREGATE nps.net_promoter_score(score integer, weight double precision) (
  SFUNC = nps.nps_trans, STYPE = nps.nps_state, INITCOND = 'responses=0 promoters=0 passives=0 detractors=0 weight_sq=0 inexact=f',
  FINALFUNC = nps.nps_value_final, COMBINEFUNC = nps.nps_combine,
  MSFUNC = nps.nps_trans, MINVFUNC = nps.nps_inv, MSTYPE = nps.nps_state,
  MINITCOND = 'responses=0 promoters=0 passives=0 detractors=0 weight_sq=0 inexact=f', MFINALFUNC = nps.nps_value_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps.net_promoter_score(integer, double precision) IS
  'weighted Net Promoter Score alone (double precision, -100..100; NULL for no responses), the same as (nps_agg(...)).nps, with the same validation and errors';

CREATE AGGREGATE nps.net_promoter_score(score bigint) (
  SFUNC = nps.nps_trans, STYPE = nps.nps_state, INITCOND = 'responses=0 promoters=0 passives=0 detractors=0 weight_sq=0 inexact=f',
  FINALFUNC = nps.nps_value_final, COMBINEFUNC = nps.nps_combine,
  MSFUNC = nps.nps_trans, MINVFUNC = nps.nps_inv, MSTYPE = nps.nps_state,
  MINITCOND = 'responses=0 promoters=0 passives=0 detractors=0 weight_sq=0 inexact=f', MFINALFUNC = nps.nps_value_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps.net_promoter_score(bigint) IS
  'Net Promoter Score alone (double precision, -100..100; NULL for no responses), the same as (nps_agg(...)).nps, with the same validation and errors';

CREATE AGGREGATE nps.net_promoter_score(score bigint, weight double precision) (
  SFUNC = nps.nps_trans, STYPE = nps.nps_state, INITCOND = 'responses=0 promoters=0 passives=0 detractors=0 weight_sq=0 inexact=f',
  FINALFUNC = nps.nps_value_final, COMBINEFUNC = nps.nps_combine,
  MSFUNC = nps.nps_trans, MINVFUNC = nps.nps_inv, MSTYPE = nps.nps_state,
  MINITCOND = 'responses=0 promoters=0 passives=0 detractors=0 weight_sq=0 inexact=f', MFINALFUNC = nps.nps_value_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps.net_promoter_score(bigint, double precision) IS
  'weighted Net Promoter Score alone (double precision, -100..100; NULL for no responses), the same as (nps_agg(...)).nps, with the same validation and errors';

CREATE AGGREGATE nps.net_promoter_score(score numeric) (
  SFUNC = nps.nps_trans, STYPE = nps.nps_state, INITCOND = 'responses=0 promoters=0 passives=0 detractors=0 weight_sq=0 inexact=f',
  FINALFUNC = nps.nps_value_final, COMBINEFUNC = nps.nps_combine,
  MSFUNC = nps.nps_trans, MINVFUNC = nps.nps_inv, MSTYPE = nps.nps_state,
  MINITCOND = 'responses=0 promoters=0 passives=0 detractors=0 weight_sq=0 inexact=f', MFINALFUNC = nps.nps_value_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps.net_promoter_score(numeric) IS
  'Net Promoter Score alone (double precision, -100..100; NULL for no responses), the same as (nps_agg(...)).nps, with the same validation and errors';

CREATE AGGREGATE nps.net_promoter_score(score numeric, weight double precision) (
  SFUNC = nps.nps_trans, STYPE = nps.nps_state, INITCOND = 'responses=0 promoters=0 passives=0 detractors=0 weight_sq=0 inexact=f',
  FINALFUNC = nps.nps_value_final, COMBINEFUNC = nps.nps_combine,
  MSFUNC = nps.nps_trans, MINVFUNC = nps.nps_inv, MSTYPE = nps.nps_state,
  MINITCOND = 'responses=0 promoters=0 passives=0 detractors=0 weight_sq=0 inexact=f', MFINALFUNC = nps.nps_value_final,
  PARALLEL = SAFE
);
COMMENT ON AGGREGATE nps.net_promoter_score(numeric, double precision) IS
  'weighted Net Promoter Score alone (double precision, -100..100; NULL for no responses), the same as (nps_agg(...)).nps, with the same validation and errors';
