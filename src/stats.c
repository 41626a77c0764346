/*
 * stats.c
 *		The statistics shared by every metric area (see stats.h): the normal
 *		distribution, which PostgreSQL 15 lacks, confidence levels, the
 *		Wilson interval, the tests of proportions and means, and the rows
 *		intervals and tests return.  Kept apart from the metrics so that each
 *		formula exists once and every test reports the same way.
 *
 * normal_quantile() starts from Acklam's rational approximation (relative
 * error about 1e-9) and refines it with one Halley step against the exact
 * CDF, which brings it to full double precision.
 */
#include "postgres.h"

#include <math.h>

#include "utils/float.h"

#include "common.h"
#include "stats.h"

double
normal_cdf(double x)
{
	return 0.5 * erfc(-x / M_SQRT2);
}

/* Two-sided p-value of a standard normal statistic: 2 (1 - Phi(|z|)). */
double
two_sided_p(double z)
{
	return erfc(fabs(z) / M_SQRT2);
}

double
normal_quantile(double p)
{
	/* Acklam's coefficients: central region and lower tail */
	static const double a[6] = {
		-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
		1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00
	};
	static const double b[5] = {
		-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
		6.680131188771972e+01, -1.328068155288572e+01
	};
	static const double c[6] = {
		-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
		-2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00
	};
	static const double d[4] = {
		7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
		3.754408661907416e+00
	};
	const double p_low = 0.02425;
	double		q,
				r,
				x,
				e,
				u;

	if (isnan(p) || p < 0.0 || p > 1.0)
		return get_float8_nan();
	if (p == 0.0)
		return -get_float8_infinity();
	if (p == 1.0)
		return get_float8_infinity();

	if (p < p_low)
	{
		q = sqrt(-2.0 * log(p));
		x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
			((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
	}
	else if (p <= 1.0 - p_low)
	{
		q = p - 0.5;
		r = q * q;
		x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
			(((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
	}
	else
	{
		q = sqrt(-2.0 * log1p(-p));
		x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
			((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
	}

	/*
	 * One Halley step on Phi(x) - p.  In the upper tail compare upper tails
	 * (1 - p is exact there, Phi(x) near 1 is not).
	 */
	if (p > 0.5)
		e = -(0.5 * erfc(x / M_SQRT2) - (1.0 - p));
	else
		e = 0.5 * erfc(-x / M_SQRT2) - p;
	u = e * sqrt(2.0 * M_PI) * exp(x * x / 2.0);
	/* beyond |x| of about 37 exp() overflows; the approximation stands alone */
	if (isfinite(u))
		x = x - u / (1.0 + x * u / 2.0);
	return x;
}

/* z such that a two-sided interval at this confidence covers it: Phi^-1((1+c)/2) */
double
z_for_confidence(double confidence)
{
	if (!(confidence > 0.0 && confidence < 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("confidence must be greater than 0 and less than 1"),
				 errdetail("Confidence %g was given.", confidence),
				 errhint("Use 0.95 for a 95%% interval.")));
	/* upper tail probability (1 - c) / 2, computed without cancellation */
	return -normal_quantile((1.0 - confidence) / 2.0);
}

PG_FUNCTION_INFO_V1(nps_normal_cdf);
Datum
nps_normal_cdf(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(normal_cdf(PG_GETARG_FLOAT8(0)));
}

PG_FUNCTION_INFO_V1(nps_normal_quantile);
Datum
nps_normal_quantile(PG_FUNCTION_ARGS)
{
	double		p = PG_GETARG_FLOAT8(0);

	if (!(p >= 0.0 && p <= 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("probability must be between 0 and 1"),
				 errdetail("Probability %g was given.", p)));
	PG_RETURN_FLOAT8(normal_quantile(p));
}

/* ---------- proportions ---------- */

void
wilson_interval(double hits, double n, double z, double *low, double *high)
{
	double		p = hits / n;
	double		z2n = z * z / n;
	double		denom = 1.0 + z2n;
	double		center = (p + z2n / 2.0) / denom;
	double		half = z * sqrt(p * (1.0 - p) / n + z2n / (4.0 * n)) / denom;

	Assert(n > 0.0 && hits >= 0.0 && hits <= n);
	/* the bounds are exactly 0 and 1 at the edges; do not let rounding move them */
	*low = hits <= 0.0 ? 0.0 : Max(0.0, center - half);
	*high = hits >= n ? 1.0 : Min(1.0, center + half);
}

double
proportion_std_error(int64 hits, int64 n)
{
	double		p = (double) hits / (double) n;

	Assert(n > 0 && hits >= 0 && hits <= n);
	return 100.0 * sqrt(p * (1.0 - p) / (double) n);
}

/* ---------- result rows ---------- */

Datum
interval_row(FunctionCallInfo fcinfo, bool valid, double low, double high)
{
	Datum		values[2] = {Float8GetDatum(low), Float8GetDatum(high)};
	bool		nulls[2] = {!valid, !valid};

	Assert(!valid || low <= high);
	return build_result_tuple(fcinfo, values, nulls);
}

Datum
wilson_row(FunctionCallInfo fcinfo, int64 hits, int64 n, double confidence)
{
	double		z = z_for_confidence(confidence);
	double		low = 0.0,
				high = 0.0;

	if (n > 0)
		wilson_interval((double) hits, (double) n, z, &low, &high);
	return interval_row(fcinfo, n > 0, 100.0 * low, 100.0 * high);
}

Datum
test_row(FunctionCallInfo fcinfo, double difference, double estimate,
		 double std_error, double confidence)
{
	Datum		values[5];
	bool		nulls[5] = {false, false, false, false, false};
	double		z,
				p;

	Assert(std_error >= 0.0);
	if (std_error > 0.0)
		z = estimate / std_error;
	else if (estimate == 0.0)
		z = 0.0;				/* no variance, no difference: nothing to see */
	else
		z = estimate > 0 ? get_float8_infinity() : -get_float8_infinity();
	p = two_sided_p(z);
	values[0] = Float8GetDatum(difference);
	values[1] = Float8GetDatum(std_error);
	values[2] = Float8GetDatum(z);
	values[3] = Float8GetDatum(p);
	values[4] = BoolGetDatum(p < 1.0 - confidence);
	return build_result_tuple(fcinfo, values, nulls);
}

Datum
test_row_null(FunctionCallInfo fcinfo)
{
	Datum		values[5] = {0};
	bool		nulls[5] = {true, true, true, true, true};

	return build_result_tuple(fcinfo, values, nulls);
}

/*
 * Pooled two-proportion z-test (the classic test of H0: pa = pb; z^2 is
 * Pearson's chi-square of the 2x2 table without continuity correction, R's
 * prop.test(correct = FALSE)).  All NULL when either n is 0.
 */
Datum
proportion_test(FunctionCallInfo fcinfo, int64 hits_a, int64 n_a,
				int64 hits_b, int64 n_b, double confidence)
{
	double		pooled,
				diff;

	(void) z_for_confidence(confidence);	/* validates it */
	if (n_a <= 0 || n_b <= 0)
		return test_row_null(fcinfo);

	/* a/n_a - b/n_b over a common denominator: 45/100 - 30/100 is exactly 15 points */
	diff = 100.0 * (double) ((int128) hits_a * n_b - (int128) hits_b * n_a) /
		((double) n_a * (double) n_b);
	pooled = (double) (hits_a + hits_b) / (double) (n_a + n_b);
	/* 0 only when both samples are all hits or all misses: no difference */
	return test_row(fcinfo, diff, diff,
					100.0 * sqrt(pooled * (1.0 - pooled) * (1.0 / n_a + 1.0 / n_b)),
					confidence);
}

/* Two-sample z-test of means (unpooled): se = sqrt(se_a^2 + se_b^2). */
Datum
mean_test(FunctionCallInfo fcinfo, double mean_a, double se_a,
		  double mean_b, double se_b, double confidence)
{
	(void) z_for_confidence(confidence);
	return test_row(fcinfo, mean_a - mean_b, mean_a - mean_b,
					sqrt(se_a * se_a + se_b * se_b), confidence);
}
