/*
 * rate.c
 *		The rate area: the rate_state type, rate_agg(boolean), rate_rollup
 *		over stored rate_result values, rate_ci (Wilson) and rate_test
 *		(pooled two-proportion z-test).
 *
 * The state's text, binary, validation, combine and rollup come from the
 * table below and state.c; the statistics from stats.c.  What is left here
 * is what makes a rate: one row is a hit or not.
 */
#include "postgres.h"

#include "common.h"
#include "rate.h"
#include "stats.h"

static void rate_state_check(const void *state, const char *type_name);
static void rate_derive(const StateType *type, const void *state, Datum *values, bool *nulls);

static const StateField rate_state_fields[] = {
	{"n", STATE_COUNT, offsetof(RateState, n), RATE_RESULT_RESPONSES, "responses"},
	{"hits", STATE_COUNT, offsetof(RateState, hits), RATE_RESULT_HITS, "hits"},
};

STATE_TYPE(rate_state_type, rate, RateState, 24, "rate_state", "rate_result", "rate",
		   rate_state_fields, rate_state_check, RATE_RESULT_NATTS, rate_derive)

static void
rate_state_check(const void *state, const char *type_name)
{
	const RateState *s = (const RateState *) state;

	if (s->hits > s->n)
		state_impossible(type_name, "hits must be from 0 to n; got n " INT64_FORMAT " and hits " INT64_FORMAT ".",
						 s->n, s->hits);
}

/* rate_trans(state, hit) counts one row; rate_inv(state, hit) uncounts it (exact) */
static Datum
rate_step(FunctionCallInfo fcinfo, int64 sign)
{
	RateState  *s = state_arg(fcinfo, &rate_state_type);

	Assert(sign > 0 || s->n > 0);
	s->n += sign;
	s->hits += PG_GETARG_BOOL(1) ? sign : 0;
	PG_RETURN_POINTER(s);
}

STATE_FUNCTION(rate_trans, rate_step(fcinfo, 1))
STATE_FUNCTION(rate_inv, rate_step(fcinfo, -1))

/* rate_final: the rate, its Wald standard error and margin, the Wilson 95% interval */
static void
rate_derive(const StateType *type, const void *state, Datum *values, bool *nulls)
{
	const RateState *s = (const RateState *) state;
	double		low,
				high;

	wilson_interval((double) s->hits, (double) s->n, NPS_Z95, &low, &high);
	values[RATE_RESULT_RATE - 1] = Float8GetDatum(100.0 * (double) s->hits / (double) s->n);
	values[RATE_RESULT_STD_ERROR - 1] = Float8GetDatum(proportion_std_error(s->hits, s->n));
	values[RATE_RESULT_MARGIN_95 - 1] = Float8GetDatum(NPS_Z95 * proportion_std_error(s->hits, s->n));
	values[RATE_RESULT_CI_LOW - 1] = Float8GetDatum(100.0 * low);
	values[RATE_RESULT_CI_HIGH - 1] = Float8GetDatum(100.0 * high);
}

/* rate_ci(r rate_result, confidence) -> (low, high) in percent */
PG_FUNCTION_INFO_V1(rate_ci);
Datum
rate_ci(PG_FUNCTION_ARGS)
{
	RateState	r;

	state_from_result(&rate_state_type, PG_GETARG_HEAPTUPLEHEADER(0), &r);
	return wilson_row(fcinfo, r.hits, r.n, PG_GETARG_FLOAT8(1));
}

/* rate_test(a, b, confidence) -> (difference, std_error, z, p_value, significant) */
PG_FUNCTION_INFO_V1(rate_test);
Datum
rate_test(PG_FUNCTION_ARGS)
{
	RateState	a,
				b;

	state_from_result(&rate_state_type, PG_GETARG_HEAPTUPLEHEADER(0), &a);
	state_from_result(&rate_state_type, PG_GETARG_HEAPTUPLEHEADER(1), &b);
	return proportion_test(fcinfo, a.hits, a.n, b.hits, b.n, PG_GETARG_FLOAT8(2));
}
