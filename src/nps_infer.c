/*
 * nps_infer.c
 *		Inference on NPS results: confidence intervals (Wald and Adjusted
 *		Wald), two-sample and one-sample significance tests, and the sample
 *		size needed for a margin of error.
 *
 * All of it is arithmetic on the counts of an nps_result (see nps_summarize
 * in nps_agg.c); the formulas are those of shared/design.md.  Weighted
 * results use their Kish effective sample size in place of n.
 */
#include "postgres.h"

#include <math.h>

#include "utils/builtins.h"
#include "utils/float.h"

#include "common.h"
#include "nps_agg.h"

/* Parses the method argument: true for adjusted Wald. */
static bool
method_is_adjusted(text *method)
{
	char	   *m = text_to_cstring(method);

	if (strcmp(m, "adjusted_wald") == 0)
		return true;
	if (strcmp(m, "wald") == 0)
		return false;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown NPS interval method \"%s\"", m),
			 errhint("Use \"adjusted_wald\" (the default) or \"wald\".")));
	pg_unreachable();
}

static double
clamp_points(double x)
{
	return Max(-100.0, Min(100.0, x));
}

/* nps_ci(r nps_result, confidence float8, method text) -> (low, high) */
PG_FUNCTION_INFO_V1(nps_ci);
Datum
nps_ci(PG_FUNCTION_ARGS)
{
	NpsState	s;
	NpsSummary	sum;
	double		z = z_for_confidence(PG_GETARG_FLOAT8(1));
	bool		adjusted = method_is_adjusted(PG_GETARG_TEXT_PP(2));
	Datum		values[2];
	bool		nulls[2] = {false, false};

	nps_state_from_result(PG_GETARG_HEAPTUPLEHEADER(0), &s);
	if (nps_summarize(&s, adjusted, &sum))
	{
		double		half = z * sqrt(sum.variance / sum.n);

		values[0] = Float8GetDatum(clamp_points(100.0 * (sum.nps - half)));
		values[1] = Float8GetDatum(clamp_points(100.0 * (sum.nps + half)));
	}
	else
		nulls[0] = nulls[1] = true;	/* Wald with no (weight of) responses */
	return build_result_tuple(fcinfo, values, nulls);
}

/*
 * The test row: difference is the observed difference in points; estimate
 * and se are the method's difference and standard error (the observed
 * difference under Wald, from the adjusted proportions under Adjusted Wald).
 */
static Datum
test_result(FunctionCallInfo fcinfo, double difference, double estimate,
			double se, double confidence)
{
	double		z;

	if (se > 0.0)
		z = estimate / se;
	else if (estimate == 0.0)
		z = 0.0;				/* no variance, no difference: nothing to see */
	else
		z = estimate > 0 ? get_float8_infinity() : -get_float8_infinity();
	return test_result_row(fcinfo, difference, se, z, confidence);
}

/* Observed NPS in points, or NaN when there is no weight. */
static double
observed_nps(const NpsState *s)
{
	double		total = s->sum[0] + s->sum[1] + s->sum[2];

	return 100.0 * (s->sum[NPS_PROMOTER] - s->sum[NPS_DETRACTOR]) / total;
}

/* nps_test(a nps_result, b nps_result, confidence, method) */
PG_FUNCTION_INFO_V1(nps_test_two);
Datum
nps_test_two(PG_FUNCTION_ARGS)
{
	NpsState	a,
				b;
	NpsSummary	sa,
				sb;
	double		confidence = PG_GETARG_FLOAT8(2);
	bool		adjusted = method_is_adjusted(PG_GETARG_TEXT_PP(3));

	(void) z_for_confidence(confidence);	/* validates it */
	nps_state_from_result(PG_GETARG_HEAPTUPLEHEADER(0), &a);
	nps_state_from_result(PG_GETARG_HEAPTUPLEHEADER(1), &b);
	if (!nps_summarize(&a, adjusted, &sa) || !nps_summarize(&b, adjusted, &sb) ||
		!nps_summarize(&a, false, &(NpsSummary) {0}) ||
		!nps_summarize(&b, false, &(NpsSummary) {0}))
		return test_result_null(fcinfo);

	return test_result(fcinfo,
					   observed_nps(&a) - observed_nps(&b),
					   100.0 * (sa.nps - sb.nps),
					   100.0 * sqrt(sa.variance / sa.n + sb.variance / sb.n),
					   confidence);
}

/* nps_test(a nps_result, benchmark float8, confidence, method) */
PG_FUNCTION_INFO_V1(nps_test_benchmark);
Datum
nps_test_benchmark(PG_FUNCTION_ARGS)
{
	NpsState	a;
	NpsSummary	sa;
	double		benchmark = PG_GETARG_FLOAT8(1);
	double		confidence = PG_GETARG_FLOAT8(2);
	bool		adjusted = method_is_adjusted(PG_GETARG_TEXT_PP(3));

	(void) z_for_confidence(confidence);
	if (!(benchmark >= -100.0 && benchmark <= 100.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("NPS benchmark %g is out of range", benchmark),
				 errdetail("A benchmark NPS must be between -100 and 100.")));
	nps_state_from_result(PG_GETARG_HEAPTUPLEHEADER(0), &a);
	if (!nps_summarize(&a, adjusted, &sa) ||
		!nps_summarize(&a, false, &(NpsSummary) {0}))
		return test_result_null(fcinfo);

	return test_result(fcinfo,
					   observed_nps(&a) - benchmark,
					   100.0 * sa.nps - benchmark,
					   100.0 * sqrt(sa.variance / sa.n),
					   confidence);
}

/* nps_sample_size(margin, confidence, variance) -> responses needed */
PG_FUNCTION_INFO_V1(nps_sample_size);
Datum
nps_sample_size(PG_FUNCTION_ARGS)
{
	double		margin = PG_GETARG_FLOAT8(0);
	double		z = z_for_confidence(PG_GETARG_FLOAT8(1));
	double		variance = PG_GETARG_FLOAT8(2);
	double		m = margin / 100.0;
	double		n;

	if (!(margin > 0.0 && margin <= 200.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("margin of error %g is out of range", margin),
				 errdetail("The margin is in NPS points and must be greater than 0 and at most 200.")));
	if (!(variance > 0.0 && variance <= 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("variance %g is out of range", variance),
				 errdetail("The variance of one response's contribution is greater than 0 and at most 1 (the worst case).")));
	/* n = z^2 v / m^2 - 3 (the Adjusted Wald pseudo-observations count) */
	n = z * z * variance / (m * m) - 3.0;
	if (n >= (double) PG_INT64_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("sample size for a margin of %g points is out of range", margin)));
	/* a hair of tolerance so that an exact integer is not rounded up by noise */
	PG_RETURN_INT64((int64) Max(1.0, ceil(n - 1e-9)));
}
