/*
 * nps_agg.c
 *		Net Promoter Score aggregates: the nps_state type, nps_agg (plain and
 *		weighted, for every integer type and numeric), nps_rollup over stored
 *		nps_result values, and nps_category().
 *
 * Every aggregate here shares one state (NpsState, see nps_agg.h) and one
 * final function, so that a result computed from raw rows, from a parallel
 * plan, from a window frame or from stored daily results is the same
 * arithmetic on the same counts.  Transition functions update the state in
 * place (after AggCheckCallContext) and do no allocation per row.
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

#include "common.h"
#include "nps_agg.h"
#include "state.h"

/* score -> category; 0..6 detractor, 7..8 passive, 9..10 promoter */
static const int8 nps_category_of[11] = {
	NPS_DETRACTOR, NPS_DETRACTOR, NPS_DETRACTOR, NPS_DETRACTOR,
	NPS_DETRACTOR, NPS_DETRACTOR, NPS_DETRACTOR,
	NPS_PASSIVE, NPS_PASSIVE,
	NPS_PROMOTER, NPS_PROMOTER
};

static void nps_state_check(const void *state, const char *type_name);

static const StateField nps_state_fields[] = {
	{"responses", STATE_COUNT, offsetof(NpsState, responses), NPS_RESULT_RESPONSES, "responses"},
	{"promoters", STATE_SUM, offsetof(NpsState, sum[NPS_PROMOTER]), NPS_RESULT_PROMOTERS, "promoters"},
	{"passives", STATE_SUM, offsetof(NpsState, sum[NPS_PASSIVE]), NPS_RESULT_PASSIVES, "passives"},
	{"detractors", STATE_SUM, offsetof(NpsState, sum[NPS_DETRACTOR]), NPS_RESULT_DETRACTORS, "detractors"},
	{"weight_sq", STATE_SUM, offsetof(NpsState, weight_sq), NPS_RESULT_WEIGHT_SQ, "weight_sq_sum"},
	{"inexact", STATE_FLAG, offsetof(NpsState, inexact), 0, NULL},
};

static const StateType nps_state_type = {
	"nps_state", "nps_result", sizeof(NpsState),
	nps_state_fields, lengthof(nps_state_fields), nps_state_check
};

/* ---------- validation ---------- */

/*
 * A state (or stored result) must be one some set of weighted responses could
 * have produced.  With n responses of weights w >= 0 (1 when unweighted):
 *
 *	(sum w)^2 <= n sum w^2				(Cauchy-Schwarz: effective n <= n)
 *	sum w^2 <= P^2 + A^2 + D^2			(each category: sum of squares <= square
 *										 of the sum: effective n >= 1)
 *
 * Both hold exactly for exact sums.  Float sums of n terms can be off by
 * (n - 1) units in the last place, relative, so the comparison allows
 * 8 (n + 2) DBL_EPSILON.  Both sides are compared in a form that neither
 * overflows nor underflows.
 */
static void
nps_state_check(const void *state, const char *type_name)
{
	const NpsState *s = (const NpsState *) state;
	double		n = (double) s->responses;
	double		tol = 1.0 + 8.0 * (n + 2.0) * DBL_EPSILON;
	double		total = s->sum[0] + s->sum[1] + s->sum[2];
	double		m = Max(Max(s->sum[0], s->sum[1]), s->sum[2]);
	double		squares = 0.0;
	int			i;

	if (s->responses == 0 && (total != 0.0 || s->weight_sq != 0.0))
		state_impossible(type_name, "A value with 0 responses must have no promoters, passives, detractors or weight.");
	if (!(total <= sqrt(n) * sqrt(s->weight_sq) * tol))
		state_impossible(type_name, "The sum of weights is too large for the responses and the sum of squared weights: the effective sample size cannot exceed the number of responses.");
	for (i = 0; i < 3 && m > 0.0; i++)
		squares += (s->sum[i] / m) * (s->sum[i] / m);
	if (m == 0.0 ? s->weight_sq != 0.0 : !(s->weight_sq / m <= m * squares * tol))
		state_impossible(type_name, "The sum of squared weights is too large for the promoter, passive and detractor sums.");
}

/*
 * a + b for the weighted sums: sets *inexact when the sum was rounded, and
 * raises 22003 when it is no longer finite.
 */
static inline double
nps_add_sum(double a, double b, bool *inexact)
{
	double		s = add_checked(a, b, inexact);

	if (unlikely(isinf(s)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("NPS sum of weights is out of range"),
				 errdetail("Sums of weights and of squared weights must stay within double precision.")));
	return s;
}

static inline int
category_of_int(int64 score)
{
	if (unlikely(score < 0 || score > 10))
		score_out_of_range_int("NPS", score, 0, 10);
	return nps_category_of[score];
}

static inline int
category_of_numeric(Numeric num)
{
	return nps_category_of[score_from_numeric("NPS", num, 0, 10)];
}

/* The state argument, which we may update in place inside an aggregate. */
static inline NpsState *
nps_state_arg(FunctionCallInfo fcinfo)
{
	if (unlikely(!AggCheckCallContext(fcinfo, NULL)))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("nps aggregate support function called in non-aggregate context")));
	return (NpsState *) PG_GETARG_POINTER(0);
}

/* ---------- the nps_state type ---------- */

PG_FUNCTION_INFO_V1(nps_state_in);
Datum
nps_state_in(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(state_in(&nps_state_type, PG_GETARG_CSTRING(0)));
}

PG_FUNCTION_INFO_V1(nps_state_out);
Datum
nps_state_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(state_out(&nps_state_type, PG_GETARG_POINTER(0)));
}

PG_FUNCTION_INFO_V1(nps_state_recv);
Datum
nps_state_recv(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(state_recv(&nps_state_type, (StringInfo) PG_GETARG_POINTER(0)));
}

PG_FUNCTION_INFO_V1(nps_state_send);
Datum
nps_state_send(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(state_send(&nps_state_type, PG_GETARG_POINTER(0)));
}

/* ---------- transition functions: unweighted ---------- */

/* One unweighted response: every sum stays an exact integer. */
static inline void
nps_add(NpsState *s, int category)
{
	s->responses++;
	s->sum[category] += 1.0;
	s->weight_sq += 1.0;
}

static inline void
nps_remove(NpsState *s, int category)
{
	s->responses--;
	s->sum[category] -= 1.0;
	s->weight_sq -= 1.0;
}

/*
 * The SQL-callable functions differ only in how they read the score, so a
 * macro stamps them out: NAME_int2, _int4, _int8, _numeric.
 */
#define NPS_SCORE_FUNCTIONS(fn, body) \
	PG_FUNCTION_INFO_V1(fn##_int2); \
	Datum fn##_int2(PG_FUNCTION_ARGS) \
	{ int category = category_of_int(PG_GETARG_INT16(1)); body } \
	PG_FUNCTION_INFO_V1(fn##_int4); \
	Datum fn##_int4(PG_FUNCTION_ARGS) \
	{ int category = category_of_int(PG_GETARG_INT32(1)); body } \
	PG_FUNCTION_INFO_V1(fn##_int8); \
	Datum fn##_int8(PG_FUNCTION_ARGS) \
	{ int category = category_of_int(PG_GETARG_INT64(1)); body } \
	PG_FUNCTION_INFO_V1(fn##_numeric); \
	Datum fn##_numeric(PG_FUNCTION_ARGS) \
	{ int category = category_of_numeric(PG_GETARG_NUMERIC(1)); body }

/* nps_trans_*(state, score): add one response */
NPS_SCORE_FUNCTIONS(nps_trans, {
	NpsState   *s = nps_state_arg(fcinfo);

	nps_add(s, category);
	PG_RETURN_POINTER(s);
})

/* nps_inv_*(state, score): remove one response (exact for unweighted states) */
NPS_SCORE_FUNCTIONS(nps_inv, {
	NpsState   *s = nps_state_arg(fcinfo);

	nps_remove(s, category);
	PG_RETURN_POINTER(s);
})

/* ---------- transition functions: weighted ---------- */

static inline void
nps_add_weighted(NpsState *s, int category, double w, bool remove)
{
	double		w2 = w * w;

	check_weight("NPS", w);
	if (unlikely(!isfinite(w2) || (w > 0.0 && w2 == 0.0)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("NPS weight %g is out of range", w),
				 errdetail("A weight's square must be a finite, non-zero number: use weights between 1e-150 and 1e150.")));
	/* w * w itself may be rounded: fma gives the rounding error exactly */
	if (fma(w, w, -w2) != 0.0)
		s->inexact = true;
	if (remove)
	{
		s->responses--;
		s->sum[category] = sub_checked(s->sum[category], w, &s->inexact);
		s->weight_sq = sub_checked(s->weight_sq, w2, &s->inexact);
	}
	else
	{
		s->responses++;
		s->sum[category] = nps_add_sum(s->sum[category], w, &s->inexact);
		s->weight_sq = nps_add_sum(s->weight_sq, w2, &s->inexact);
	}
}

/* nps_wtrans_*(state, score, weight): add one weighted response */
NPS_SCORE_FUNCTIONS(nps_wtrans, {
	NpsState   *s = nps_state_arg(fcinfo);

	nps_add_weighted(s, category, PG_GETARG_FLOAT8(2), false);
	PG_RETURN_POINTER(s);
})

/*
 * nps_winv_*(state, score, weight): remove one weighted response, or return
 * NULL when the float sums cannot be reverted exactly; PostgreSQL then
 * recomputes the window frame from scratch instead of drifting.
 */
NPS_SCORE_FUNCTIONS(nps_winv, {
	NpsState   *s = nps_state_arg(fcinfo);

	if (s->inexact)
		PG_RETURN_NULL();
	nps_add_weighted(s, category, PG_GETARG_FLOAT8(2), true);
	if (s->inexact)
		PG_RETURN_NULL();
	PG_RETURN_POINTER(s);
})

/* ---------- combine and final ---------- */

static void
nps_merge(NpsState *into, const NpsState *from, bool remove)
{
	int			i;

	if (remove)
	{
		into->responses -= from->responses;
		for (i = 0; i < 3; i++)
			into->sum[i] = sub_checked(into->sum[i], from->sum[i], &into->inexact);
		into->weight_sq = sub_checked(into->weight_sq, from->weight_sq, &into->inexact);
	}
	else
	{
		into->responses += from->responses;
		for (i = 0; i < 3; i++)
			into->sum[i] = nps_add_sum(into->sum[i], from->sum[i], &into->inexact);
		into->weight_sq = nps_add_sum(into->weight_sq, from->weight_sq, &into->inexact);
	}
	into->inexact |= from->inexact;
	if (unlikely(into->responses > STATE_MAX_COUNT))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("NPS response count is out of range"),
				 errdetail("At most 2^53 responses can be counted exactly.")));
}

PG_FUNCTION_INFO_V1(nps_combine);
Datum
nps_combine(PG_FUNCTION_ARGS)
{
	NpsState   *s = nps_state_arg(fcinfo);

	nps_merge(s, (NpsState *) PG_GETARG_POINTER(1), false);
	PG_RETURN_POINTER(s);
}

bool
nps_summarize(const NpsState *s, bool adjusted, NpsSummary *out)
{
	double		total = s->sum[0] + s->sum[1] + s->sum[2];
	double		n,
				promoters,
				detractors;

	/* no responses, or only weight-0 ones: nothing to infer, not even a prior */
	if (!(total > 0.0))
		return false;
	Assert(s->weight_sq > 0.0 && s->responses > 0);

	/*
	 * Kish effective n; W * (W / W2) is exactly W when unweighted.  The
	 * validator allows rounding error in the sums, never more than n.
	 */
	n = Min(total * (total / s->weight_sq), (double) s->responses);
	/* category sums rescaled to the effective sample (identity if unweighted) */
	promoters = s->sum[NPS_PROMOTER] * (n / total);
	detractors = s->sum[NPS_DETRACTOR] * (n / total);

	if (adjusted)
	{
		n += 3.0;
		promoters += 0.75;
		detractors += 0.75;
	}
	Assert(n > 0.0 && isfinite(n));
	out->n = n;
	out->nps = (promoters - detractors) / n;
	out->variance = Max(0.0, (promoters + detractors) / n - out->nps * out->nps);
	return true;
}

PG_FUNCTION_INFO_V1(nps_final);
Datum
nps_final(PG_FUNCTION_ARGS)
{
	NpsState   *s = (NpsState *) PG_GETARG_POINTER(0);
	Datum		values[NPS_RESULT_NATTS];
	bool		nulls[NPS_RESULT_NATTS] = {0};
	double		total = s->sum[0] + s->sum[1] + s->sum[2];
	NpsSummary	sum;

	/* like avg(): no rows, no result */
	if (s->responses == 0)
		PG_RETURN_NULL();

	values[NPS_RESULT_RESPONSES - 1] = Int64GetDatum(s->responses);
	values[NPS_RESULT_PROMOTERS - 1] = Float8GetDatum(s->sum[NPS_PROMOTER]);
	values[NPS_RESULT_PASSIVES - 1] = Float8GetDatum(s->sum[NPS_PASSIVE]);
	values[NPS_RESULT_DETRACTORS - 1] = Float8GetDatum(s->sum[NPS_DETRACTOR]);
	values[NPS_RESULT_WEIGHT_SQ - 1] = Float8GetDatum(s->weight_sq);

	if (nps_summarize(s, false, &sum))
	{
		double		se = 100.0 * sqrt(sum.variance / sum.n);

		/* computed from the sums, not the shares, so 70 - 10 of 100 is exactly 60 */
		values[NPS_RESULT_NPS - 1] =
			Float8GetDatum(100.0 * (s->sum[NPS_PROMOTER] - s->sum[NPS_DETRACTOR]) / total);
		values[NPS_RESULT_STD_ERROR - 1] = Float8GetDatum(se);
		values[NPS_RESULT_MARGIN_95 - 1] = Float8GetDatum(NPS_Z95 * se);
		values[NPS_RESULT_EFFECTIVE_N - 1] = Float8GetDatum(sum.n);
	}
	else
	{
		/* every response has weight 0: counted, but no score to report */
		nulls[NPS_RESULT_NPS - 1] = true;
		nulls[NPS_RESULT_STD_ERROR - 1] = true;
		nulls[NPS_RESULT_MARGIN_95 - 1] = true;
		values[NPS_RESULT_EFFECTIVE_N - 1] = Float8GetDatum(0.0);
	}
	return build_result_tuple(fcinfo, values, nulls);
}

/* ---------- rollup of stored nps_result values ---------- */

/*
 * Reads the counts of a stored nps_result; the derived fields (nps,
 * std_error, ...) are ignored and recomputed, so a rollup is exact.
 */
void
nps_state_from_result(HeapTupleHeader r, NpsState *s)
{
	state_from_result(&nps_state_type, r, s);
}

/* nps_rollup_trans(state, nps_result) */
PG_FUNCTION_INFO_V1(nps_rollup_trans);
Datum
nps_rollup_trans(PG_FUNCTION_ARGS)
{
	NpsState   *s = nps_state_arg(fcinfo);
	NpsState	r;

	nps_state_from_result(PG_GETARG_HEAPTUPLEHEADER(1), &r);
	nps_merge(s, &r, false);
	PG_RETURN_POINTER(s);
}

/* nps_rollup_inv(state, nps_result): NULL (recompute) when not exact */
PG_FUNCTION_INFO_V1(nps_rollup_inv);
Datum
nps_rollup_inv(PG_FUNCTION_ARGS)
{
	NpsState   *s = nps_state_arg(fcinfo);
	NpsState	r;

	if (s->inexact)
		PG_RETURN_NULL();
	nps_state_from_result(PG_GETARG_HEAPTUPLEHEADER(1), &r);
	nps_merge(s, &r, true);
	if (s->inexact)
		PG_RETURN_NULL();
	PG_RETURN_POINTER(s);
}

/* ---------- nps_category(score) ---------- */

static const char *const nps_category_labels[3] = {"detractor", "passive", "promoter"};

/* Returns the OID of the enum label for a category, cached in fn_extra. */
static Datum
nps_category_datum(FunctionCallInfo fcinfo, int category)
{
	Oid		   *labels = (Oid *) fcinfo->flinfo->fn_extra;

	if (labels == NULL)
	{
		Oid			enumtype = get_fn_expr_rettype(fcinfo->flinfo);
		int			i;

		if (!OidIsValid(enumtype))
			elog(ERROR, "could not determine the result type of nps_category");
		labels = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, 3 * sizeof(Oid));
		for (i = 0; i < 3; i++)
			labels[i] = DatumGetObjectId(DirectFunctionCall2(enum_in,
															 CStringGetDatum(nps_category_labels[i]),
															 ObjectIdGetDatum(enumtype)));
		fcinfo->flinfo->fn_extra = labels;
	}
	return ObjectIdGetDatum(labels[category]);
}

PG_FUNCTION_INFO_V1(nps_category_int2);
Datum
nps_category_int2(PG_FUNCTION_ARGS)
{
	return nps_category_datum(fcinfo, category_of_int(PG_GETARG_INT16(0)));
}

PG_FUNCTION_INFO_V1(nps_category_int4);
Datum
nps_category_int4(PG_FUNCTION_ARGS)
{
	return nps_category_datum(fcinfo, category_of_int(PG_GETARG_INT32(0)));
}

PG_FUNCTION_INFO_V1(nps_category_int8);
Datum
nps_category_int8(PG_FUNCTION_ARGS)
{
	return nps_category_datum(fcinfo, category_of_int(PG_GETARG_INT64(0)));
}

PG_FUNCTION_INFO_V1(nps_category_numeric);
Datum
nps_category_numeric(PG_FUNCTION_ARGS)
{
	return nps_category_datum(fcinfo, category_of_numeric(PG_GETARG_NUMERIC(0)));
}
