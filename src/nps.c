/*
 * nps.c
 *		The NPS area: the nps_state type, nps_agg (plain and weighted, for
 *		every integer type and numeric), nps_rollup over stored nps_result
 *		values, nps_category(), and inference on results (nps_ci, nps_test,
 *		nps_sample_size).
 *
 * Every aggregate here shares one state (NpsState, nps.h) and one final
 * function, so that a result computed from raw rows, from a parallel plan,
 * from a window frame or from stored daily results is the same arithmetic on
 * the same counts.  The state's text, binary, validation, combine and rollup
 * come from the table below and state.c; what is NPS-specific is the
 * per-row transition, the relations the validator checks, and the formulas.
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "utils/builtins.h"

#include "common.h"
#include "nps.h"
#include "stats.h"

static void nps_state_check(const void *state, const char *type_name);
static void nps_derive(const StateType *type, const void *state, Datum *values, bool *nulls);

static const StateField nps_state_fields[] = {
	{"responses", STATE_COUNT, offsetof(NpsState, responses), NPS_RESULT_RESPONSES, "responses"},
	{"promoters", STATE_SUM, offsetof(NpsState, sum[NPS_PROMOTER]), NPS_RESULT_PROMOTERS, "promoters"},
	{"passives", STATE_SUM, offsetof(NpsState, sum[NPS_PASSIVE]), NPS_RESULT_PASSIVES, "passives"},
	{"detractors", STATE_SUM, offsetof(NpsState, sum[NPS_DETRACTOR]), NPS_RESULT_DETRACTORS, "detractors"},
	{"weight_sq", STATE_SUM, offsetof(NpsState, weight_sq), NPS_RESULT_WEIGHT_SQ, "weight_sq_sum"},
	{"inexact", STATE_FLAG, offsetof(NpsState, hdr.inexact), 0, NULL},
};

STATE_TYPE(nps_state_type, nps, NpsState, 48, "nps_state", "nps_result", "NPS",
		   nps_state_fields, nps_state_check, NPS_RESULT_NATTS, nps_derive)

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

/* ---------- scores ---------- */

/* score -> category; 0..6 detractor, 7..8 passive, 9..10 promoter */
static const int8 nps_category_of[11] = {
	NPS_DETRACTOR, NPS_DETRACTOR, NPS_DETRACTOR, NPS_DETRACTOR,
	NPS_DETRACTOR, NPS_DETRACTOR, NPS_DETRACTOR,
	NPS_PASSIVE, NPS_PASSIVE,
	NPS_PROMOTER, NPS_PROMOTER
};

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

/*
 * The SQL-callable functions differ only in how they read the score, so a
 * macro stamps them out: NAME_int2, _int4, _int8, _numeric.
 */
#define NPS_SCORE_FUNCTIONS(fn, score_arg, body) \
	STATE_FUNCTION(fn##_int2, body(category_of_int(PG_GETARG_INT16(score_arg)))) \
	STATE_FUNCTION(fn##_int4, body(category_of_int(PG_GETARG_INT32(score_arg)))) \
	STATE_FUNCTION(fn##_int8, body(category_of_int(PG_GETARG_INT64(score_arg)))) \
	STATE_FUNCTION(fn##_numeric, body(category_of_numeric(PG_GETARG_NUMERIC(score_arg))))

/* ---------- transition functions ---------- */

/*
 * One response of the given category, added or removed; weight < 0 means
 * unweighted (weight 1).  The inverse of a weighted response returns NULL
 * when the float sums cannot be reverted exactly: PostgreSQL then recomputes
 * the window frame from scratch instead of drifting.
 */
static pg_attribute_always_inline Datum
nps_step(FunctionCallInfo fcinfo, int category, bool weighted, bool remove)
{
	NpsState   *s = state_arg(fcinfo, &nps_state_type);
	double		w = 1.0,
				w2 = 1.0;

	if (weighted)
	{
		w = PG_GETARG_FLOAT8(2);
		check_weight("NPS", w);
		w2 = w * w;
		if (unlikely(!isfinite(w2) || (w > 0.0 && w2 == 0.0)))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("NPS weight %g is out of range", w),
					 errdetail("A weight's square must be a finite, non-zero number: use weights between 1e-150 and 1e150.")));
		if (remove && s->hdr.inexact)
			PG_RETURN_NULL();
		/* w * w itself may be rounded: fma gives the rounding error exactly */
		if (fma(w, w, -w2) != 0.0)
			s->hdr.inexact = true;
	}
	if (remove)
	{
		Assert(s->responses > 0);
		w = -w;
		w2 = -w2;
	}
	s->responses += remove ? -1 : 1;
	if (!weighted)
	{
		/* unweighted, the sums are integers below 2^53: exact additions */
		s->sum[category] += w;
		s->weight_sq += w2;
		PG_RETURN_POINTER(s);
	}
	s->sum[category] = state_add_sum(&nps_state_type, s->sum[category], w, &s->hdr.inexact);
	s->weight_sq = state_add_sum(&nps_state_type, s->weight_sq, w2, &s->hdr.inexact);
	if (remove && s->hdr.inexact)
		PG_RETURN_NULL();
	PG_RETURN_POINTER(s);
}

#define NPS_TRANS(category)		nps_step(fcinfo, category, false, false)
#define NPS_INV(category)		nps_step(fcinfo, category, false, true)
#define NPS_WTRANS(category)	nps_step(fcinfo, category, true, false)
#define NPS_WINV(category)		nps_step(fcinfo, category, true, true)

/* nps_trans_*(state, score) and nps_inv_*: count / uncount one response */
NPS_SCORE_FUNCTIONS(nps_trans, 1, NPS_TRANS)
NPS_SCORE_FUNCTIONS(nps_inv, 1, NPS_INV)
/* nps_wtrans_*(state, score, weight) and nps_winv_*: weighted */
NPS_SCORE_FUNCTIONS(nps_wtrans, 1, NPS_WTRANS)
NPS_SCORE_FUNCTIONS(nps_winv, 1, NPS_WINV)

/* ---------- summaries, final function ---------- */

/*
 * Proportions behind a score.  nps is a fraction in [-1, 1]; variance is the
 * variance of one response's contribution (+1, 0, -1); n is the (effective)
 * sample size.  With adjusted = true, the Adjusted Wald pseudo-observations
 * (3/4 promoter, 3/2 passive, 3/4 detractor) are added first.  False when
 * there is no response of positive weight: nothing to infer, not even a prior.
 */
typedef struct NpsSummary
{
	double		n;
	double		nps;
	double		variance;
} NpsSummary;

static bool
nps_summarize(const NpsState *s, bool adjusted, NpsSummary *out)
{
	double		total = s->sum[0] + s->sum[1] + s->sum[2];
	double		n,
				promoters,
				detractors;

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

/* Observed NPS in points, computed from the sums, not the shares, so 70 - 10 of 100 is exactly 60. */
static double
observed_nps(const NpsState *s)
{
	return 100.0 * (s->sum[NPS_PROMOTER] - s->sum[NPS_DETRACTOR]) /
		(s->sum[0] + s->sum[1] + s->sum[2]);
}

/* nps_final: NPS, its Wald standard error and margin, effective n */
static void
nps_derive(const StateType *type, const void *state, Datum *values, bool *nulls)
{
	const NpsState *s = (const NpsState *) state;
	NpsSummary	sum = {0};
	bool		scored = nps_summarize(s, false, &sum);
	double		se = scored ? 100.0 * sqrt(sum.variance / sum.n) : 0.0;

	/* every response has weight 0: counted, but no score to report */
	values[NPS_RESULT_NPS - 1] = Float8GetDatum(scored ? observed_nps(s) : 0.0);
	values[NPS_RESULT_STD_ERROR - 1] = Float8GetDatum(se);
	values[NPS_RESULT_MARGIN_95 - 1] = Float8GetDatum(NPS_Z95 * se);
	nulls[NPS_RESULT_NPS - 1] = nulls[NPS_RESULT_STD_ERROR - 1] =
		nulls[NPS_RESULT_MARGIN_95 - 1] = !scored;
	values[NPS_RESULT_EFFECTIVE_N - 1] = Float8GetDatum(sum.n);
}

/*
 * net_promoter_score(...)'s final function: the NPS alone, by value (a float8
 * result, which the window executor does not copy per row); NULL when no
 * response has positive weight.
 */
PG_FUNCTION_INFO_V1(nps_value_final);
Datum
nps_value_final(PG_FUNCTION_ARGS)
{
	const NpsState *s = state_datum(&nps_state_type, PG_GETARG_DATUM(0));

	if (!(nps_total_weight(s) > 0.0))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(observed_nps(s));
}

void
nps_result_state(HeapTupleHeader result, NpsState *state)
{
	state_from_result(&nps_state_type, result, state);
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

#define NPS_CATEGORY(category)	nps_category_datum(fcinfo, category)
NPS_SCORE_FUNCTIONS(nps_category, 0, NPS_CATEGORY)

/* ---------- inference ---------- */

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

/* nps_ci(r nps_result, confidence float8, method text) -> (low, high), clamped to [-100, 100] */
PG_FUNCTION_INFO_V1(nps_ci);
Datum
nps_ci(PG_FUNCTION_ARGS)
{
	NpsState	s;
	NpsSummary	sum = {0};
	double		z = z_for_confidence(PG_GETARG_FLOAT8(1));
	bool		valid;
	double		half;

	state_from_result(&nps_state_type, PG_GETARG_HEAPTUPLEHEADER(0), &s);
	valid = nps_summarize(&s, method_is_adjusted(PG_GETARG_TEXT_PP(2)), &sum);
	half = valid ? z * sqrt(sum.variance / sum.n) : 0.0;
	return interval_row(fcinfo, valid,
						Max(-100.0, Min(100.0, 100.0 * (sum.nps - half))),
						Max(-100.0, Min(100.0, 100.0 * (sum.nps + half))));
}

/*
 * nps_test(a nps_result, b nps_result, confidence, method) and
 * nps_test(a nps_result, benchmark float8, confidence, method).  difference
 * is the observed difference in points; the method's estimate and standard
 * error come from the adjusted proportions under Adjusted Wald.
 */
static Datum
nps_test(FunctionCallInfo fcinfo, bool benchmark)
{
	double		confidence = PG_GETARG_FLOAT8(2);
	bool		adjusted = method_is_adjusted(PG_GETARG_TEXT_PP(3));
	NpsState	a,
				b;
	NpsSummary	sa,
				sb = {0};
	double		bench = benchmark ? PG_GETARG_FLOAT8(1) : 0.0;

	(void) z_for_confidence(confidence);	/* validates it */
	if (benchmark && !(bench >= -100.0 && bench <= 100.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("NPS benchmark %g is out of range", bench),
				 errdetail("A benchmark NPS must be between -100 and 100.")));
	state_from_result(&nps_state_type, PG_GETARG_HEAPTUPLEHEADER(0), &a);
	if (!benchmark)
		state_from_result(&nps_state_type, PG_GETARG_HEAPTUPLEHEADER(1), &b);
	if (!nps_summarize(&a, adjusted, &sa) ||
		(!benchmark && !nps_summarize(&b, adjusted, &sb)))
		return test_row_null(fcinfo);
	if (benchmark)
		return test_row(fcinfo, observed_nps(&a) - bench, 100.0 * sa.nps - bench,
						100.0 * sqrt(sa.variance / sa.n), confidence);
	return test_row(fcinfo, observed_nps(&a) - observed_nps(&b), 100.0 * (sa.nps - sb.nps),
					100.0 * sqrt(sa.variance / sa.n + sb.variance / sb.n), confidence);
}

STATE_FUNCTION(nps_test_two, nps_test(fcinfo, false))
STATE_FUNCTION(nps_test_benchmark, nps_test(fcinfo, true))

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
