/*
 * common.h
 *		Helpers shared by every metric area of the nps extension.
 *
 * Each metric (NPS, CSAT, CES, rates) keeps its aggregate state as a small
 * fixed-size C type with a text form (so Citus can ship partial states and
 * users can store them), and hands the user a composite result type.  The
 * pieces every area needs live here: score validation with PostgreSQL-style
 * errors, the strict "key=value" text form of states, the composite result
 * builder, exactness-checked float addition for moving aggregates, and the
 * normal distribution functions PostgreSQL 15 does not have.
 */
#ifndef NPS_COMMON_H
#define NPS_COMMON_H

#include "postgres.h"
#include "fmgr.h"
#include "access/htup.h"
#include "utils/numeric.h"

/* z for a two-sided 95% interval: normal_quantile(0.975) */
#define NPS_Z95 1.959963984540054

/*
 * Score validation.  "what" names the metric in messages ("NPS", "CSAT").
 * All report SQLSTATE 22003 naming the value and the valid range.
 */
extern pg_attribute_noreturn() void score_out_of_range_int(const char *what,
														   int64 value,
														   int32 min, int32 max);
extern int32 score_from_numeric(const char *what, Numeric num,
								int32 min, int32 max);

/* Validates a survey weight (22023 for negative, NaN or infinite). */
extern void check_weight(const char *what, double weight);

/*
 * Exactness-tracked float arithmetic for moving aggregates.  add_checked()
 * returns a + b and sets *inexact when the sum was rounded (TwoSum error term
 * is non-zero); sub_checked() likewise for a - b.  A state whose sums were
 * never rounded can be reverted exactly by its inverse transition.
 */
static inline double
add_checked(double a, double b, bool *inexact)
{
	double		s = a + b;
	double		bb = s - a;
	double		err = (a - (s - bb)) + (b - bb);

	if (err != 0.0 || !isfinite(s))
		*inexact = true;
	return s;
}

static inline double
sub_checked(double a, double b, bool *inexact)
{
	return add_checked(a, -b, inexact);
}

/*
 * Builds a composite (or OUT-parameter record) result from values/nulls,
 * using the function's declared result type; the tuple descriptor is cached
 * in fn_extra.
 */
extern Datum build_result_tuple(FunctionCallInfo fcinfo, Datum *values, bool *nulls);

/*
 * The (difference, std_error, z, p_value, significant) row every two-sided
 * test of the extension returns: p_value = 2 (1 - Phi(|z|)), significant =
 * p_value < 1 - confidence.  test_result_null() is the all-NULL row.
 */
extern Datum test_result_row(FunctionCallInfo fcinfo, double difference,
							 double std_error, double z, double confidence);
extern Datum test_result_null(FunctionCallInfo fcinfo);

/* Normal distribution (stats.c). */
extern double normal_cdf(double x);
extern double normal_quantile(double p);
extern double z_for_confidence(double confidence);
extern double two_sided_p(double z);

#endif							/* NPS_COMMON_H */
