/*
 * csat.c
 *		Bounded-scale scores: the scale_state type, and on it CSAT (csat_agg,
 *		csat_rollup, csat_ci, csat_test) and CES (ces_agg, ces_rollup).
 *
 * A CSAT or CES response is an integer from 1 to scale_max; it is a "hit"
 * (satisfied, easy) when it is at least the threshold (satisfied_min,
 * easy_min).  Both keep the same state (ScaleState, csat.h): the scale, the
 * threshold and exact integer counts (responses, hits, sum and sum of squares
 * of the scores).  A ScaleKind describes what differs between the two: names
 * in messages, the default scale and threshold, and where the counts sit in
 * the result type.  Transition functions update the state in place (after
 * AggCheckCallContext) and allocate nothing per row.
 */
#include "postgres.h"

#include <math.h>

#include "utils/builtins.h"
#include "utils/numeric.h"

#include "common.h"
#include "csat.h"
#include "state.h"

/* Attribute numbers of nps.csat_result */
#define CSAT_RESULT_RESPONSES		1
#define CSAT_RESULT_HITS			2
#define CSAT_RESULT_CSAT			3
#define CSAT_RESULT_MEAN			4
#define CSAT_RESULT_STD_ERROR		5
#define CSAT_RESULT_MARGIN_95		6
#define CSAT_RESULT_SCALE_MAX		7
#define CSAT_RESULT_THRESHOLD		8
#define CSAT_RESULT_SCORE_SUM		9
#define CSAT_RESULT_SCORE_SQ_SUM	10
#define CSAT_RESULT_NATTS			10

/* Attribute numbers of nps.ces_result */
#define CES_RESULT_RESPONSES		1
#define CES_RESULT_MEAN				2
#define CES_RESULT_STD_ERROR		3
#define CES_RESULT_HITS				4
#define CES_RESULT_EASY_PCT			5
#define CES_RESULT_SCALE_MAX		6
#define CES_RESULT_THRESHOLD		7
#define CES_RESULT_SCORE_SUM		8
#define CES_RESULT_SCORE_SQ_SUM		9
#define CES_RESULT_NATTS			9

static void scale_state_check(const void *state, const char *type_name);

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

static const StateType csat_state_type = {
	"scale_state", "csat_result", sizeof(ScaleState), csat_fields, lengthof(csat_fields),
	scale_state_check
};
static const StateType ces_state_type = {
	"scale_state", "ces_result", sizeof(ScaleState), ces_fields, lengthof(ces_fields),
	scale_state_check
};

/* What differs between CSAT and CES. */
typedef struct ScaleKind
{
	const char *name;			/* in messages: "CSAT" */
	const char *threshold_name; /* argument name: "satisfied_min" */
	int32		default_scale;	/* scale_max when omitted */
	int32		default_threshold;	/* threshold when omitted */
	const StateType *type;		/* the state, read from this kind's result */
} ScaleKind;

static const ScaleKind csat_kind = {"CSAT", "satisfied_min", 5, 4, &csat_state_type};
static const ScaleKind ces_kind = {"CES", "easy_min", 7, 5, &ces_state_type};

/* ---------- validation ---------- */

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
	int64		misses;

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
						 "The scale must be 1..scale_max with scale_max from %d to %d, and the threshold from 1 to scale_max; got scale_max " INT64_FORMAT " and threshold " INT64_FORMAT ".",
						 SCALE_MAX_MIN, SCALE_MAX_MAX, s->scale_max, s->threshold);
	misses = s->responses - s->hits;
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

static pg_attribute_noreturn() void
scale_mismatch(const ScaleKind *kind, const ScaleState *s, int64 scale_max,
			   int64 threshold, bool rollup)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 rollup ? errmsg("cannot roll up %s results of different scales", kind->name) :
			 errmsg("%s scale changed within one aggregate", kind->name),
			 errdetail("Scale 1.." INT64_FORMAT " with %s " INT64_FORMAT " met scale 1.." INT64_FORMAT " with %s " INT64_FORMAT ".",
					   s->scale_max, kind->threshold_name, s->threshold,
					   scale_max, kind->threshold_name, threshold),
			 rollup ? errhint("Roll up results of one scale at a time, e.g. GROUP BY (r).scale_max, (r).%s.",
							  kind->threshold_name) :
			 errhint("Pass the same scale_max and %s for every row of a group.",
					 kind->threshold_name)));
}

/*
 * Slow path of the per-row parameter check: the first row sets the scale
 * (after validating it); any later row with another scale is an error.
 */
static pg_noinline void
scale_set_params(const ScaleKind *kind, ScaleState *s, int32 scale_max, int32 threshold)
{
	if (scale_max < SCALE_MAX_MIN || scale_max > SCALE_MAX_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s scale_max %d is out of range", kind->name, scale_max),
				 errdetail("scale_max must be from %d to %d (scores are 1..scale_max).",
						   SCALE_MAX_MIN, SCALE_MAX_MAX)));
	if (threshold < 1 || threshold > scale_max)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s %s %d is out of range", kind->name, kind->threshold_name, threshold),
				 errdetail("%s must be from 1 to scale_max (%d).", kind->threshold_name, scale_max)));
	if (s->scale_max != 0)
		scale_mismatch(kind, s, scale_max, threshold, false);
	s->scale_max = scale_max;
	s->threshold = threshold;
}

/* The state argument, which we may update in place inside an aggregate. */
static inline ScaleState *
scale_state_arg(FunctionCallInfo fcinfo)
{
	if (unlikely(!AggCheckCallContext(fcinfo, NULL)))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("CSAT/CES aggregate support function called in non-aggregate context")));
	return (ScaleState *) PG_GETARG_POINTER(0);
}

/* ---------- the scale_state type ---------- */

/* scale_state has one text and binary form; the CSAT table names its fields */
PG_FUNCTION_INFO_V1(scale_state_in);
Datum
scale_state_in(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(state_in(&csat_state_type, PG_GETARG_CSTRING(0)));
}

PG_FUNCTION_INFO_V1(scale_state_out);
Datum
scale_state_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(state_out(&csat_state_type, PG_GETARG_POINTER(0)));
}

PG_FUNCTION_INFO_V1(scale_state_recv);
Datum
scale_state_recv(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(state_recv(&csat_state_type, (StringInfo) PG_GETARG_POINTER(0)));
}

PG_FUNCTION_INFO_V1(scale_state_send);
Datum
scale_state_send(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(state_send(&csat_state_type, PG_GETARG_POINTER(0)));
}

/* ---------- transition functions ---------- */

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
	ScaleState *s = scale_state_arg(fcinfo);
	int32		scale_max = PG_NARGS() > 2 ? PG_GETARG_INT32(2) : kind->default_scale;
	int32		threshold = PG_NARGS() > 3 ? PG_GETARG_INT32(3) : kind->default_threshold;
	int64		x;

	if (unlikely(s->scale_max != scale_max || s->threshold != threshold))
		scale_set_params(kind, s, scale_max, threshold);

	switch (type)
	{
		case SCORE_INT2:
			x = PG_GETARG_INT16(1);
			break;
		case SCORE_INT4:
			x = PG_GETARG_INT32(1);
			break;
		default:
			x = score_from_numeric(kind->name, PG_GETARG_NUMERIC(1), 1, scale_max);
			break;
	}
	if (unlikely(x < 1 || x > scale_max))
		score_out_of_range_int(kind->name, x, 1, scale_max);

	if (remove)
	{
		s->responses--;
		s->hits -= (x >= threshold);
		s->sum -= x;
		s->sum_sq -= x * x;
	}
	else
	{
		s->responses++;
		s->hits += (x >= threshold);
		s->sum += x;
		s->sum_sq += x * x;
	}
	PG_RETURN_POINTER(s);
}

#define SCALE_STEP_FUNCTION(fn, kind, type, remove) \
	PG_FUNCTION_INFO_V1(fn); \
	Datum fn(PG_FUNCTION_ARGS) { return scale_step(fcinfo, &kind, type, remove); }

/* <kind>_trans_<type>: count one response; <kind>_inv_<type>: uncount it (exact) */
SCALE_STEP_FUNCTION(csat_trans_int2, csat_kind, SCORE_INT2, false)
SCALE_STEP_FUNCTION(csat_trans_int4, csat_kind, SCORE_INT4, false)
SCALE_STEP_FUNCTION(csat_trans_numeric, csat_kind, SCORE_NUMERIC, false)
SCALE_STEP_FUNCTION(csat_inv_int2, csat_kind, SCORE_INT2, true)
SCALE_STEP_FUNCTION(csat_inv_int4, csat_kind, SCORE_INT4, true)
SCALE_STEP_FUNCTION(csat_inv_numeric, csat_kind, SCORE_NUMERIC, true)
SCALE_STEP_FUNCTION(ces_trans_int2, ces_kind, SCORE_INT2, false)
SCALE_STEP_FUNCTION(ces_trans_int4, ces_kind, SCORE_INT4, false)
SCALE_STEP_FUNCTION(ces_trans_numeric, ces_kind, SCORE_NUMERIC, false)
SCALE_STEP_FUNCTION(ces_inv_int2, ces_kind, SCORE_INT2, true)
SCALE_STEP_FUNCTION(ces_inv_int4, ces_kind, SCORE_INT4, true)
SCALE_STEP_FUNCTION(ces_inv_numeric, ces_kind, SCORE_NUMERIC, true)

/* ---------- combine, rollup ---------- */

/* Adds (or removes) the counts of one state to another of the same scale. */
static void
scale_merge(const ScaleKind *kind, ScaleState *into, const ScaleState *from,
			bool remove, bool rollup)
{
	if (from->scale_max == 0)
		return;					/* empty and without a scale: nothing to do */
	if (into->scale_max == 0)
	{
		into->scale_max = from->scale_max;
		into->threshold = from->threshold;
	}
	else if (into->scale_max != from->scale_max || into->threshold != from->threshold)
		scale_mismatch(kind, into, from->scale_max, from->threshold, rollup);

	if (remove)
	{
		into->responses -= from->responses;
		into->hits -= from->hits;
		into->sum -= from->sum;
		into->sum_sq -= from->sum_sq;
	}
	else
	{
		into->responses += from->responses;
		into->hits += from->hits;
		into->sum += from->sum;
		into->sum_sq += from->sum_sq;
		/* sum_sq >= sum >= responses >= hits: one check covers them all */
		Assert(into->sum_sq >= into->sum && into->sum >= into->responses &&
			   into->responses >= into->hits);
		if (into->sum_sq > STATE_MAX_COUNT)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("%s aggregate sum of squared scores out of range", kind->name),
					 errdetail("Counts and sums are limited to 2^53.")));
	}
}

static Datum
scale_combine(FunctionCallInfo fcinfo, const ScaleKind *kind)
{
	ScaleState *s = scale_state_arg(fcinfo);

	scale_merge(kind, s, (ScaleState *) PG_GETARG_POINTER(1), false, false);
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(csat_combine);
Datum
csat_combine(PG_FUNCTION_ARGS)
{
	return scale_combine(fcinfo, &csat_kind);
}

PG_FUNCTION_INFO_V1(ces_combine);
Datum
ces_combine(PG_FUNCTION_ARGS)
{
	return scale_combine(fcinfo, &ces_kind);
}

/*
 * Reads the counts of a stored csat_result/ces_result; the derived fields
 * (csat, mean, std_error, ...) are ignored and recomputed, so rollups are
 * exact.
 */
static void
scale_state_from_result(const ScaleKind *kind, HeapTupleHeader r, ScaleState *s)
{
	state_from_result(kind->type, r, s);
}

static Datum
scale_rollup_step(FunctionCallInfo fcinfo, const ScaleKind *kind, bool remove)
{
	ScaleState *s = scale_state_arg(fcinfo);
	ScaleState	r;

	scale_state_from_result(kind, PG_GETARG_HEAPTUPLEHEADER(1), &r);
	scale_merge(kind, s, &r, remove, true);
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(csat_rollup_trans);
Datum
csat_rollup_trans(PG_FUNCTION_ARGS)
{
	return scale_rollup_step(fcinfo, &csat_kind, false);
}

PG_FUNCTION_INFO_V1(csat_rollup_inv);
Datum
csat_rollup_inv(PG_FUNCTION_ARGS)
{
	return scale_rollup_step(fcinfo, &csat_kind, true);
}

PG_FUNCTION_INFO_V1(ces_rollup_trans);
Datum
ces_rollup_trans(PG_FUNCTION_ARGS)
{
	return scale_rollup_step(fcinfo, &ces_kind, false);
}

PG_FUNCTION_INFO_V1(ces_rollup_inv);
Datum
ces_rollup_inv(PG_FUNCTION_ARGS)
{
	return scale_rollup_step(fcinfo, &ces_kind, true);
}

/* ---------- final functions ---------- */

/*
 * Sample variance of the scores (n - 1 in the denominator, like var_samp),
 * from exact integers: (n sum x^2 - (sum x)^2) / (n (n - 1)).  n >= 2.
 */
static double
scale_variance(const ScaleState *s)
{
	int128		num = (int128) s->responses * s->sum_sq - (int128) s->sum * s->sum;

	return (double) num / ((double) s->responses * (double) (s->responses - 1));
}

PG_FUNCTION_INFO_V1(csat_final);
Datum
csat_final(PG_FUNCTION_ARGS)
{
	ScaleState *s = (ScaleState *) PG_GETARG_POINTER(0);
	Datum		values[CSAT_RESULT_NATTS];
	bool		nulls[CSAT_RESULT_NATTS] = {0};
	double		n = (double) s->responses;
	double		p,
				se;

	/* like avg(): no rows, no result */
	if (s->responses == 0)
		PG_RETURN_NULL();

	/* Wald standard error of the satisfied share, in points */
	p = (double) s->hits / n;
	se = 100.0 * sqrt(p * (1.0 - p) / n);

	values[CSAT_RESULT_RESPONSES - 1] = Int64GetDatum(s->responses);
	values[CSAT_RESULT_HITS - 1] = Int64GetDatum(s->hits);
	values[CSAT_RESULT_CSAT - 1] = Float8GetDatum(100.0 * (double) s->hits / n);
	values[CSAT_RESULT_MEAN - 1] = Float8GetDatum((double) s->sum / n);
	values[CSAT_RESULT_STD_ERROR - 1] = Float8GetDatum(se);
	values[CSAT_RESULT_MARGIN_95 - 1] = Float8GetDatum(NPS_Z95 * se);
	values[CSAT_RESULT_SCALE_MAX - 1] = Int64GetDatum(s->scale_max);
	values[CSAT_RESULT_THRESHOLD - 1] = Int64GetDatum(s->threshold);
	values[CSAT_RESULT_SCORE_SUM - 1] = Int64GetDatum(s->sum);
	values[CSAT_RESULT_SCORE_SQ_SUM - 1] = Int64GetDatum(s->sum_sq);
	return build_result_tuple(fcinfo, values, nulls);
}

PG_FUNCTION_INFO_V1(ces_final);
Datum
ces_final(PG_FUNCTION_ARGS)
{
	ScaleState *s = (ScaleState *) PG_GETARG_POINTER(0);
	Datum		values[CES_RESULT_NATTS];
	bool		nulls[CES_RESULT_NATTS] = {0};
	double		n = (double) s->responses;

	if (s->responses == 0)
		PG_RETURN_NULL();

	values[CES_RESULT_RESPONSES - 1] = Int64GetDatum(s->responses);
	values[CES_RESULT_MEAN - 1] = Float8GetDatum((double) s->sum / n);
	/* one response has no spread to estimate, like stddev_samp() */
	if (s->responses >= 2)
		values[CES_RESULT_STD_ERROR - 1] = Float8GetDatum(sqrt(scale_variance(s) / n));
	else
	{
		values[CES_RESULT_STD_ERROR - 1] = (Datum) 0;
		nulls[CES_RESULT_STD_ERROR - 1] = true;
	}
	values[CES_RESULT_HITS - 1] = Int64GetDatum(s->hits);
	values[CES_RESULT_EASY_PCT - 1] = Float8GetDatum(100.0 * (double) s->hits / n);
	values[CES_RESULT_SCALE_MAX - 1] = Int64GetDatum(s->scale_max);
	values[CES_RESULT_THRESHOLD - 1] = Int64GetDatum(s->threshold);
	values[CES_RESULT_SCORE_SUM - 1] = Int64GetDatum(s->sum);
	values[CES_RESULT_SCORE_SQ_SUM - 1] = Int64GetDatum(s->sum_sq);
	return build_result_tuple(fcinfo, values, nulls);
}

/* ---------- inference on csat_result ---------- */

/* csat_ci(r csat_result, confidence) -> Wilson (low, high) of csat, in percent */
PG_FUNCTION_INFO_V1(csat_ci);
Datum
csat_ci(PG_FUNCTION_ARGS)
{
	ScaleState	r;

	scale_state_from_result(&csat_kind, PG_GETARG_HEAPTUPLEHEADER(0), &r);
	return wilson_result(fcinfo, r.hits, r.responses, PG_GETARG_FLOAT8(1));
}

/*
 * csat_test(a, b, confidence): pooled two-proportion test of the satisfied
 * shares.  The scales need not match: it compares percentages satisfied.
 */
PG_FUNCTION_INFO_V1(csat_test);
Datum
csat_test(PG_FUNCTION_ARGS)
{
	ScaleState	a,
				b;

	scale_state_from_result(&csat_kind, PG_GETARG_HEAPTUPLEHEADER(0), &a);
	scale_state_from_result(&csat_kind, PG_GETARG_HEAPTUPLEHEADER(1), &b);
	return proportion_test(fcinfo, a.hits, a.responses, b.hits, b.responses,
						   PG_GETARG_FLOAT8(2));
}
