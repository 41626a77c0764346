/*
 * scale.c
 *		The bounded-scale area: the scale_state type, and on it CSAT
 *		(csat_agg, csat_rollup, csat_ci, csat_test) and CES (ces_agg,
 *		ces_rollup, ces_ci, ces_test).
 *
 * A CSAT or CES response is an integer from 1 to scale_max; it is a "hit"
 * (satisfied, easy) when it is at least the threshold (satisfied_min,
 * easy_min).  Both keep the same state (ScaleState, scale.h).  A ScaleKind
 * is the state type as each metric reads it from its own result type, plus
 * its defaults; the state's text, binary, validation, combine and rollup
 * come from state.c.  Transition functions update the state in place and
 * allocate nothing per row.
 */
#include "postgres.h"

#include <math.h>

#include "common.h"
#include "scale.h"
#include "stats.h"

/* What differs between CSAT and CES; type first, so a StateType * is a ScaleKind *. */
typedef struct ScaleKind
{
	StateType	type;
	const char *threshold_name; /* argument and column: "satisfied_min" */
	int32		default_scale;	/* scale_max when omitted */
	int32		default_threshold;	/* threshold when omitted */
	bool		of_mean;		/* std_error is the mean's (CES), else the hits' share's */
	/* attribute numbers of the derived columns of the result */
	int16		att_pct,		/* 100 hits / responses: csat, easy_pct */
				att_mean,
				att_std_error,
				att_margin_95;
} ScaleKind;

static void scale_state_check(const void *state, const char *type_name);
static void scale_mismatch(const StateType *type, const void *into,
						   const void *from, bool rollup);
static void scale_derive(const StateType *type, const void *state, Datum *values, bool *nulls);

/*
 * The fields of scale_state; R is the result type's attribute number prefix
 * (CSAT_RESULT, CES_RESULT); hits_col and threshold_col name its columns.
 */
#define SCALE_STATE_FIELDS(R, hits_col, threshold_col) { \
	{"responses", STATE_COUNT, offsetof(ScaleState, responses), R##_RESPONSES, "responses"}, \
	{"scale_max", STATE_PARAM, offsetof(ScaleState, scale_max), R##_SCALE_MAX, "scale_max"}, \
	{"threshold", STATE_PARAM, offsetof(ScaleState, threshold), R##_THRESHOLD, threshold_col}, \
	{"hits", STATE_COUNT, offsetof(ScaleState, hits), R##_HITS, hits_col}, \
	{"sum", STATE_COUNT, offsetof(ScaleState, sum), R##_SCORE_SUM, "score_sum"}, \
	{"sum_sq", STATE_COUNT, offsetof(ScaleState, sum_sq), R##_SCORE_SQ_SUM, "score_sq_sum"}}

static const StateField csat_fields[] = SCALE_STATE_FIELDS(CSAT_RESULT, "satisfied", "satisfied_min");
static const StateField ces_fields[] = SCALE_STATE_FIELDS(CES_RESULT, "easy", "easy_min");

static const ScaleKind csat_kind = {
	{"scale_state", "csat_result", "CSAT", sizeof(ScaleState), csat_fields, lengthof(csat_fields),
	scale_state_check, scale_mismatch, CSAT_RESULT_NATTS, scale_derive}, "satisfied_min", 5, 4,
	false, CSAT_RESULT_CSAT, CSAT_RESULT_MEAN, CSAT_RESULT_STD_ERROR, CSAT_RESULT_MARGIN_95
};
static const ScaleKind ces_kind = {
	{"scale_state", "ces_result", "CES", sizeof(ScaleState), ces_fields, lengthof(ces_fields),
	scale_state_check, scale_mismatch, CES_RESULT_NATTS, scale_derive}, "easy_min", 7, 5,
	true, CES_RESULT_EASY_PCT, CES_RESULT_MEAN, CES_RESULT_STD_ERROR, CES_RESULT_MARGIN_95
};

StaticAssertDecl(sizeof(ScaleState) == 48, "scale_state has INTERNALLENGTH 48");

/* scale_state has one text and binary form; the CSAT table names its fields */
STATE_IO_FUNCTIONS(scale_state, csat_kind.type)
STATE_AGG_FUNCTIONS(csat, csat_kind.type)
STATE_AGG_FUNCTIONS(ces, ces_kind.type)

/*
 * A state (or stored result) must be one that some set of responses on its
 * scale could have produced: scores 1..scale_max, hits scoring at least the
 * threshold and the others less, sum of squares consistent with the sum.
 * Every count is within 0..2^53 already, and the scale within 0..2^31, so
 * no product below overflows.
 */
static void
scale_state_check(const void *state, const char *type_name)
{
	const ScaleState *s = (const ScaleState *) state;
	int64		misses = s->responses - s->hits;

	if (s->scale_max == 0 && s->threshold == 0)
	{
		/* scale not set yet: only the empty state */
		if (s->responses != 0 || s->hits != 0 || s->sum != 0 || s->sum_sq != 0)
			state_impossible(type_name, "A value without a scale must have no responses.");
		return;
	}
	if (s->scale_max < SCALE_MAX_MIN || s->scale_max > SCALE_MAX_MAX ||
		s->threshold < 1 || s->threshold > s->scale_max)
		state_impossible(type_name,
						 "The scale must be 1..scale_max with scale_max from %d to %d, and the threshold from 1 to scale_max; got scale_max %d and threshold %d.",
						 SCALE_MAX_MIN, SCALE_MAX_MAX, s->scale_max, s->threshold);
	if (misses < 0)
		state_impossible(type_name, "There cannot be more hits than responses.");
	if (misses > 0 && s->threshold == 1)
		state_impossible(type_name, "With a threshold of 1 every response is a hit.");
	/* hits score threshold..scale_max, the others 1..threshold-1 */
	if (s->sum < s->hits * s->threshold + misses ||
		s->sum > s->hits * s->scale_max + misses * (s->threshold - 1))
		state_impossible(type_name, "The sum of scores does not fit the counts and the scale.");
	/* x <= x^2 <= scale_max x, x^2 - x is even, and (sum x)^2 <= n sum x^2 */
	if (s->sum_sq < s->sum || s->sum_sq > s->scale_max * s->sum ||
		(s->sum_sq - s->sum) % 2 != 0 ||
		(int128) s->sum * s->sum > (int128) s->responses * s->sum_sq)
		state_impossible(type_name, "The sum of squared scores does not fit the sum of scores.");
}

static void
scale_mismatch(const StateType *type, const void *into, const void *from, bool rollup)
{
	const ScaleKind *kind = (const ScaleKind *) type;
	const ScaleState *s = (const ScaleState *) into;
	const ScaleState *f = (const ScaleState *) from;

	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 rollup ? errmsg("cannot roll up %s results of different scales", type->metric) :
			 errmsg("%s scale changed within one aggregate", type->metric),
			 errdetail("Scale 1..%d with %s %d met scale 1..%d with %s %d.",
					   s->scale_max, kind->threshold_name, s->threshold,
					   f->scale_max, kind->threshold_name, f->threshold),
			 rollup ? errhint("Roll up results of one scale at a time, e.g. GROUP BY (r).scale_max, (r).%s.",
							  kind->threshold_name) :
			 errhint("Pass the same scale_max and %s for every row of a group.",
					 kind->threshold_name)));
}

/* ---------- transition functions ---------- */

/*
 * Slow path of the per-row parameter check: the first row sets the scale
 * (after validating it); any later row with another scale is an error.
 */
static pg_noinline void
scale_set_params(const ScaleKind *kind, ScaleState *s, int32 scale_max, int32 threshold)
{
	ScaleState	row = {.scale_max = scale_max, .threshold = threshold};

	if (scale_max < SCALE_MAX_MIN || scale_max > SCALE_MAX_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s scale_max %d is out of range", kind->type.metric, scale_max),
				 errdetail("scale_max must be from %d to %d (scores are 1..scale_max).",
						   SCALE_MAX_MIN, SCALE_MAX_MAX)));
	if (threshold < 1 || threshold > scale_max)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s %s %d is out of range", kind->type.metric, kind->threshold_name, threshold),
				 errdetail("%s must be from 1 to scale_max (%d).", kind->threshold_name, scale_max)));
	if (s->scale_max != 0)
		scale_mismatch(&kind->type, s, &row, false);
	s->scale_max = scale_max;
	s->threshold = threshold;
}

typedef enum ScoreType
{
	SCORE_INT2,
	SCORE_INT4,
	SCORE_NUMERIC
} ScoreType;

/*
 * One step of csat_agg/ces_agg: (state, score [, scale_max [, threshold]]).
 * The same C function serves the three arities; omitted arguments take the
 * kind's defaults.  Inlined into each SQL-callable function below, so the
 * kind and score type are constants and the common path is a comparison of
 * the scale, a range check and four integer additions.  Counts cannot reach
 * 2^53 one row at a time in practice (that is 9e11 rows at the largest scale);
 * merges of states check it.
 */
static pg_attribute_always_inline Datum
scale_step(FunctionCallInfo fcinfo, const ScaleKind *kind, ScoreType type, bool remove)
{
	ScaleState *s = state_arg(fcinfo, &kind->type);
	int32		scale_max = PG_NARGS() > 2 ? PG_GETARG_INT32(2) : kind->default_scale;
	int32		threshold = PG_NARGS() > 3 ? PG_GETARG_INT32(3) : kind->default_threshold;
	int64		x,
				sign = remove ? -1 : 1;

	if (unlikely(s->scale_max != scale_max || s->threshold != threshold))
		scale_set_params(kind, s, scale_max, threshold);

	if (type == SCORE_INT2)
		x = PG_GETARG_INT16(1);
	else if (type == SCORE_INT4)
		x = PG_GETARG_INT32(1);
	else
		x = score_from_numeric(kind->type.metric, PG_GETARG_NUMERIC(1), 1, scale_max);
	if (unlikely(x < 1 || x > scale_max))
		score_out_of_range_int(kind->type.metric, x, 1, scale_max);

	Assert(!remove || (s->responses > 0 && s->sum_sq >= x * x));
	s->responses += sign;
	s->hits += sign * (x >= threshold);
	s->sum += sign * x;
	s->sum_sq += sign * x * x;
	PG_RETURN_POINTER(s);
}

/* <kind>_trans_<type>: count one response; <kind>_inv_<type>: uncount it (exact) */
#define SCALE_STEP_FUNCTIONS(kind, type, suffix) \
	STATE_FUNCTION(kind##_trans_##suffix, scale_step(fcinfo, &kind##_kind, type, false)) \
	STATE_FUNCTION(kind##_inv_##suffix, scale_step(fcinfo, &kind##_kind, type, true))

SCALE_STEP_FUNCTIONS(csat, SCORE_INT2, int2)
SCALE_STEP_FUNCTIONS(csat, SCORE_INT4, int4)
SCALE_STEP_FUNCTIONS(csat, SCORE_NUMERIC, numeric)
SCALE_STEP_FUNCTIONS(ces, SCORE_INT2, int2)
SCALE_STEP_FUNCTIONS(ces, SCORE_INT4, int4)
SCALE_STEP_FUNCTIONS(ces, SCORE_NUMERIC, numeric)

/* ---------- final functions ---------- */

/*
 * Standard error of the mean score, like stddev_samp(score) / sqrt(n), from
 * exact integers: sqrt((n sum x^2 - (sum x)^2) / (n (n - 1)) / n).  n >= 2.
 */
static double
mean_std_error(const ScaleState *s)
{
	int128		num = (int128) s->responses * s->sum_sq - (int128) s->sum * s->sum;
	double		n = (double) s->responses;

	Assert(s->responses >= 2 && num >= 0);
	return sqrt((double) num / (n * (n - 1.0)) / n);
}

/*
 * csat_final, ces_final: derived from the counts, the share of hits, the
 * mean, and the standard error of the metric's value (the Wald error of the
 * share in points for CSAT, the error of the mean for CES, NULL for one
 * response like stddev_samp()) with its 95% margin.
 */
static void
scale_derive(const StateType *type, const void *state, Datum *values, bool *nulls)
{
	const ScaleKind *kind = (const ScaleKind *) type;
	const ScaleState *s = (const ScaleState *) state;
	double		n = (double) s->responses;
	double		se = 0.0;

	if (!kind->of_mean)
		se = proportion_std_error(s->hits, s->responses);
	else if (s->responses >= 2)
		se = mean_std_error(s);
	values[kind->att_pct - 1] = Float8GetDatum(100.0 * (double) s->hits / n);
	values[kind->att_mean - 1] = Float8GetDatum((double) s->sum / n);
	values[kind->att_std_error - 1] = Float8GetDatum(se);
	values[kind->att_margin_95 - 1] = Float8GetDatum(NPS_Z95 * se);
	nulls[kind->att_std_error - 1] = nulls[kind->att_margin_95 - 1] =
		kind->of_mean && s->responses < 2;
}

/* ---------- inference ---------- */

/* csat_ci(r csat_result, confidence) -> Wilson (low, high) of csat, in percent */
PG_FUNCTION_INFO_V1(csat_ci);
Datum
csat_ci(PG_FUNCTION_ARGS)
{
	ScaleState	r;

	state_from_result(&csat_kind.type, PG_GETARG_HEAPTUPLEHEADER(0), &r);
	return wilson_row(fcinfo, r.hits, r.responses, PG_GETARG_FLOAT8(1));
}

/*
 * ces_ci(r ces_result, confidence) -> (low, high): the normal interval of
 * the mean, mean -/+ z std_error, clamped to the scale 1..scale_max.  NULL
 * for fewer than 2 responses (no standard error).
 */
PG_FUNCTION_INFO_V1(ces_ci);
Datum
ces_ci(PG_FUNCTION_ARGS)
{
	ScaleState	r;
	double		z = z_for_confidence(PG_GETARG_FLOAT8(1));
	double		mean,
				half;

	state_from_result(&ces_kind.type, PG_GETARG_HEAPTUPLEHEADER(0), &r);
	if (r.responses < 2)
		return interval_row(fcinfo, false, 0.0, 0.0);
	mean = (double) r.sum / (double) r.responses;
	half = z * mean_std_error(&r);
	return interval_row(fcinfo, true, Max(1.0, mean - half),
						Min((double) r.scale_max, mean + half));
}

/*
 * csat_test(a, b, confidence): pooled two-proportion test of the satisfied
 * shares; the scales need not match, it compares percentages satisfied.
 * ces_test(a, b, confidence): two-sided z-test of the difference of the mean
 * scores, a - b, with standard error sqrt(se_a^2 + se_b^2); all NULL when
 * either has fewer than 2 responses; means of different scales are refused.
 */
static Datum
scale_test(FunctionCallInfo fcinfo, const ScaleKind *kind)
{
	ScaleState	a,
				b;

	state_from_result(&kind->type, PG_GETARG_HEAPTUPLEHEADER(0), &a);
	state_from_result(&kind->type, PG_GETARG_HEAPTUPLEHEADER(1), &b);
	if (!kind->of_mean)
		return proportion_test(fcinfo, a.hits, a.responses, b.hits, b.responses,
							   PG_GETARG_FLOAT8(2));
	(void) z_for_confidence(PG_GETARG_FLOAT8(2));
	if (a.responses < 2 || b.responses < 2)
		return test_row_null(fcinfo);
	if (a.scale_max != b.scale_max)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot compare %s results of different scales", kind->type.metric),
				 errdetail("Mean scores on scale 1..%d and on scale 1..%d are not comparable.",
						   a.scale_max, b.scale_max)));
	return mean_test(fcinfo, (double) a.sum / (double) a.responses, mean_std_error(&a),
					 (double) b.sum / (double) b.responses, mean_std_error(&b),
					 PG_GETARG_FLOAT8(2));
}

STATE_FUNCTION(csat_test, scale_test(fcinfo, &csat_kind))
STATE_FUNCTION(ces_test, scale_test(fcinfo, &ces_kind))
