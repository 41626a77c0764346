/*
 * stats.h
 *		The statistics every metric area uses: the normal distribution
 *		(PostgreSQL 15 has none), confidence levels, the Wilson interval, the
 *		Wald standard error of a proportion, the two-sided tests of
 *		proportions and of means, and the (low, high) and (difference,
 *		std_error, z, p_value, significant) rows they return.
 *
 * Percentages and points: rows built here are in percent (points) for
 * proportions; a metric area passes its own units for means.
 */
#ifndef NPS_STATS_H
#define NPS_STATS_H

#include "postgres.h"
#include "fmgr.h"

/* z for a two-sided 95% interval: normal_quantile(0.975) */
#define NPS_Z95 1.959963984540054

extern double normal_cdf(double x);
extern double normal_quantile(double p);

/* Two-sided p-value of a standard normal statistic: 2 (1 - Phi(|z|)). */
extern double two_sided_p(double z);

/* z of a two-sided interval at this confidence; 22023 unless 0 < c < 1. */
extern double z_for_confidence(double confidence);

/* Wilson score interval of hits out of n > 0 at quantile z, as fractions. */
extern void wilson_interval(double hits, double n, double z,
							double *low, double *high);

/* Wald standard error of hits / n > 0, in points: 100 sqrt(p (1 - p) / n). */
extern double proportion_std_error(int64 hits, int64 n);

/* The (low, high) row of the calling function; NULLs when !valid. */
extern Datum interval_row(FunctionCallInfo fcinfo, bool valid, double low, double high);

/* The Wilson interval of hits / n in percent, as a (low, high) row (NULL if n = 0). */
extern Datum wilson_row(FunctionCallInfo fcinfo, int64 hits, int64 n, double confidence);

/*
 * The (difference, std_error, z, p_value, significant) row of a two-sided
 * test: z = estimate / std_error (0 when both are 0, infinite when only the
 * standard error is), p_value = 2 (1 - Phi(|z|)), significant = p_value <
 * 1 - confidence.  difference is what the user sees (observed); estimate is
 * what the method tests, usually the same.  test_row_null: all NULL.
 */
extern Datum test_row(FunctionCallInfo fcinfo, double difference, double estimate,
					  double std_error, double confidence);
extern Datum test_row_null(FunctionCallInfo fcinfo);

/* Pooled two-proportion z-test of hits_a / n_a - hits_b / n_b, in points. */
extern Datum proportion_test(FunctionCallInfo fcinfo, int64 hits_a, int64 n_a,
							 int64 hits_b, int64 n_b, double confidence);

/* Two-sample z-test of two means with their standard errors. */
extern Datum mean_test(FunctionCallInfo fcinfo, double mean_a, double se_a,
					   double mean_b, double se_b, double confidence);

#endif							/* NPS_STATS_H */
