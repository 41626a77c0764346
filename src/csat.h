/*
 * csat.h
 *		States of the CSAT, CES and rate aggregates, and the proportion
 *		statistics (Wilson interval, two-proportion test) they share.
 *
 * CSAT and CES are both scores on a bounded 1..scale_max scale with a
 * threshold (satisfied_min, easy_min) that makes a response a "hit"; they
 * share one state, ScaleState (csat.c), and differ only in their final
 * functions.  A rate (rate.c) is the degenerate case of hits out of n.  Every
 * field is an exact integer count, so combine, rollup and the inverse
 * transition of window frames are exact.
 */
#ifndef NPS_CSAT_H
#define NPS_CSAT_H

#include "postgres.h"
#include "fmgr.h"

/* The scale of CSAT/CES scores is 1..scale_max, scale_max in this range. */
#define SCALE_MAX_MIN	2
#define SCALE_MAX_MAX	100

/*
 * State of csat_agg/ces_agg and their rollups.  scale_max and threshold are 0
 * until the first row (or merged state) sets them; afterwards every row must
 * carry the same values.
 */
typedef struct ScaleState
{
	int64		responses;		/* rows counted */
	int64		scale_max;		/* scores are 1..scale_max; 0 = not set yet */
	int64		threshold;		/* satisfied_min / easy_min; 0 = not set yet */
	int64		hits;			/* responses scoring >= threshold */
	int64		sum;			/* sum of scores */
	int64		sum_sq;			/* sum of squared scores */
} ScaleState;

/* State of rate_agg/rate_rollup. */
typedef struct RateState
{
	int64		n;				/* non-NULL rows */
	int64		hits;			/* rows that were true */
} RateState;

/*
 * Wilson score interval for hits out of n at normal quantile z, as fractions
 * in [0, 1].  n must be positive.
 */
extern void wilson_interval(double hits, double n, double z,
							double *low, double *high);

/*
 * Two-sided pooled two-proportion z-test of hits_a/n_a against hits_b/n_b;
 * builds the (difference, std_error, z, p_value, significant) record of the
 * calling function, in percentage points.  All NULL when either n is 0.
 */
extern Datum proportion_test(FunctionCallInfo fcinfo,
							 int64 hits_a, int64 n_a, int64 hits_b, int64 n_b,
							 double confidence);

/*
 * Builds the (low, high) record of the calling function: the Wilson interval
 * in percent, or NULLs when n is 0.
 */
extern Datum wilson_result(FunctionCallInfo fcinfo, int64 hits, int64 n,
						   double confidence);

#endif							/* NPS_CSAT_H */
