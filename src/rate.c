/*
 * rate.c
 *		Service rates (first-contact resolution, SLA met, complaints...): the
 *		rate_state type, rate_agg(boolean), rate_rollup over stored
 *		rate_result values, rate_ci and rate_test; and the proportion
 *		statistics CSAT shares with rates (Wilson interval, pooled
 *		two-proportion z-test).
 *
 * The state is two exact counts, n and hits, so a parallel combine, a rollup
 * of stored days and the inverse transition of a window frame are additions
 * and subtractions of integers.
 */
#include "postgres.h"

#include <math.h>

#include "utils/builtins.h"

#include "common.h"
#include "csat.h"
#include "state.h"

/* Attribute numbers of the composite type nps.rate_result */
#define RATE_RESULT_N		1
#define RATE_RESULT_HITS	2
#define RATE_RESULT_RATE	3
#define RATE_RESULT_CI_LOW	4
#define RATE_RESULT_CI_HIGH 5
#define RATE_RESULT_NATTS	5

static void rate_state_check(const void *state, const char *type_name);

static const StateField rate_state_fields[] = {
	{"n", STATE_COUNT, offsetof(RateState, n), RATE_RESULT_N, "n"},
	{"hits", STATE_COUNT, offsetof(RateState, hits), RATE_RESULT_HITS, "hits"},
};

static const StateType rate_state_type = {
	"rate_state", "rate_result", sizeof(RateState),
	rate_state_fields, lengthof(rate_state_fields), rate_state_check
};

/* ---------- proportion statistics (shared with CSAT) ---------- */

void
wilson_interval(double hits, double n, double z, double *low, double *high)
{
	double		p = hits / n;
	double		z2n = z * z / n;
	double		denom = 1.0 + z2n;
	double		center = (p + z2n / 2.0) / denom;
	double		half = z * sqrt(p * (1.0 - p) / n + z2n / (4.0 * n)) / denom;

	/* the bounds are exactly 0 and 1 at the edges; do not let rounding move them */
	*low = hits <= 0.0 ? 0.0 : Max(0.0, center - half);
	*high = hits >= n ? 1.0 : Min(1.0, center + half);
}

Datum
wilson_result(FunctionCallInfo fcinfo, int64 hits, int64 n, double confidence)
{
	double		z = z_for_confidence(confidence);
	Datum		values[2];
	bool		nulls[2] = {false, false};

	if (n > 0)
	{
		double		low,
					high;

		wilson_interval((double) hits, (double) n, z, &low, &high);
		values[0] = Float8GetDatum(100.0 * low);
		values[1] = Float8GetDatum(100.0 * high);
	}
	else
	{
		values[0] = values[1] = (Datum) 0;
		nulls[0] = nulls[1] = true;
	}
	return build_result_tuple(fcinfo, values, nulls);
}

/*
 * Pooled two-proportion z-test (the classic test of H0: pa = pb; z^2 is
 * Pearson's chi-square of the 2x2 table without continuity correction, R's
 * prop.test(correct = FALSE)).  difference and std_error are in points.
 */
Datum
proportion_test(FunctionCallInfo fcinfo, int64 hits_a, int64 n_a,
				int64 hits_b, int64 n_b, double confidence)
{
	double		pooled,
				diff,
				se,
				z;

	(void) z_for_confidence(confidence);	/* validates it */
	if (n_a <= 0 || n_b <= 0)
		return test_result_null(fcinfo);

	/* a/n_a - b/n_b over a common denominator: 45/100 - 30/100 is exactly 15 points */
	diff = 100.0 * (double) ((int128) hits_a * n_b - (int128) hits_b * n_a) /
		((double) n_a * (double) n_b);
	pooled = (double) (hits_a + hits_b) / (double) (n_a + n_b);
	se = 100.0 * sqrt(pooled * (1.0 - pooled) * (1.0 / n_a + 1.0 / n_b));
	/* se is 0 only when both samples are all hits or all misses: no difference */
	z = se > 0.0 ? diff / se : 0.0;
	return test_result_row(fcinfo, diff, se, z, confidence);
}

/* ---------- the rate_state type ---------- */

static void
rate_state_check(const void *state, const char *type_name)
{
	const RateState *s = (const RateState *) state;

	if (s->hits > s->n)
		state_impossible(type_name, "hits must be from 0 to n; got n " INT64_FORMAT " and hits " INT64_FORMAT ".",
						 s->n, s->hits);
}

static inline RateState *
rate_state_arg(FunctionCallInfo fcinfo)
{
	if (unlikely(!AggCheckCallContext(fcinfo, NULL)))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("rate aggregate support function called in non-aggregate context")));
	return (RateState *) PG_GETARG_POINTER(0);
}

PG_FUNCTION_INFO_V1(rate_state_in);
Datum
rate_state_in(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(state_in(&rate_state_type, PG_GETARG_CSTRING(0)));
}

PG_FUNCTION_INFO_V1(rate_state_out);
Datum
rate_state_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(state_out(&rate_state_type, PG_GETARG_POINTER(0)));
}

PG_FUNCTION_INFO_V1(rate_state_recv);
Datum
rate_state_recv(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(state_recv(&rate_state_type, (StringInfo) PG_GETARG_POINTER(0)));
}

PG_FUNCTION_INFO_V1(rate_state_send);
Datum
rate_state_send(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(state_send(&rate_state_type, PG_GETARG_POINTER(0)));
}

/* ---------- rate_agg(boolean) ---------- */

/* rate_trans(state, hit): counts one row */
PG_FUNCTION_INFO_V1(rate_trans);
Datum
rate_trans(PG_FUNCTION_ARGS)
{
	RateState  *s = rate_state_arg(fcinfo);

	s->n++;
	s->hits += PG_GETARG_BOOL(1) ? 1 : 0;
	PG_RETURN_POINTER(s);
}

/* rate_inv(state, hit): uncounts one row (exact) */
PG_FUNCTION_INFO_V1(rate_inv);
Datum
rate_inv(PG_FUNCTION_ARGS)
{
	RateState  *s = rate_state_arg(fcinfo);

	s->n--;
	s->hits -= PG_GETARG_BOOL(1) ? 1 : 0;
	PG_RETURN_POINTER(s);
}

static void
rate_merge(RateState *into, const RateState *from, bool remove)
{
	if (remove)
	{
		into->n -= from->n;
		into->hits -= from->hits;
	}
	else
	{
		into->n += from->n;
		into->hits += from->hits;
		if (into->n > STATE_MAX_COUNT)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("rate aggregate count out of range"),
					 errdetail("Counts are limited to 2^53.")));
	}
}

PG_FUNCTION_INFO_V1(rate_combine);
Datum
rate_combine(PG_FUNCTION_ARGS)
{
	RateState  *s = rate_state_arg(fcinfo);

	rate_merge(s, (RateState *) PG_GETARG_POINTER(1), false);
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(rate_final);
Datum
rate_final(PG_FUNCTION_ARGS)
{
	RateState  *s = (RateState *) PG_GETARG_POINTER(0);
	Datum		values[RATE_RESULT_NATTS];
	bool		nulls[RATE_RESULT_NATTS] = {0};
	double		low,
				high;

	/* like avg(): no rows, no result */
	if (s->n == 0)
		PG_RETURN_NULL();

	wilson_interval((double) s->hits, (double) s->n, NPS_Z95, &low, &high);
	values[RATE_RESULT_N - 1] = Int64GetDatum(s->n);
	values[RATE_RESULT_HITS - 1] = Int64GetDatum(s->hits);
	values[RATE_RESULT_RATE - 1] = Float8GetDatum(100.0 * (double) s->hits / (double) s->n);
	values[RATE_RESULT_CI_LOW - 1] = Float8GetDatum(100.0 * low);
	values[RATE_RESULT_CI_HIGH - 1] = Float8GetDatum(100.0 * high);
	return build_result_tuple(fcinfo, values, nulls);
}

/* ---------- rate_rollup(rate_result), rate_ci, rate_test ---------- */

/* Reads the counts of a stored rate_result; the derived fields are ignored. */
static void
rate_state_from_result(HeapTupleHeader r, RateState *s)
{
	state_from_result(&rate_state_type, r, s);
}

PG_FUNCTION_INFO_V1(rate_rollup_trans);
Datum
rate_rollup_trans(PG_FUNCTION_ARGS)
{
	RateState  *s = rate_state_arg(fcinfo);
	RateState	r;

	rate_state_from_result(PG_GETARG_HEAPTUPLEHEADER(1), &r);
	rate_merge(s, &r, false);
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(rate_rollup_inv);
Datum
rate_rollup_inv(PG_FUNCTION_ARGS)
{
	RateState  *s = rate_state_arg(fcinfo);
	RateState	r;

	rate_state_from_result(PG_GETARG_HEAPTUPLEHEADER(1), &r);
	rate_merge(s, &r, true);
	PG_RETURN_POINTER(s);
}

/* rate_ci(r rate_result, confidence) -> (low, high) in percent */
PG_FUNCTION_INFO_V1(rate_ci);
Datum
rate_ci(PG_FUNCTION_ARGS)
{
	RateState	r;

	rate_state_from_result(PG_GETARG_HEAPTUPLEHEADER(0), &r);
	return wilson_result(fcinfo, r.hits, r.n, PG_GETARG_FLOAT8(1));
}

/* rate_test(a, b, confidence) -> (difference, std_error, z, p_value, significant) */
PG_FUNCTION_INFO_V1(rate_test);
Datum
rate_test(PG_FUNCTION_ARGS)
{
	RateState	a,
				b;

	rate_state_from_result(PG_GETARG_HEAPTUPLEHEADER(0), &a);
	rate_state_from_result(PG_GETARG_HEAPTUPLEHEADER(1), &b);
	return proportion_test(fcinfo, a.hits, a.n, b.hits, b.n, PG_GETARG_FLOAT8(2));
}
