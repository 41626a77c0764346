/*
 * common.c
 *		Helpers shared by every metric area: score and weight validation,
 *		the strict text form of aggregate states, and composite results.
 *
 * Kept in one place so that NPS, CSAT, CES and rate aggregates report bad
 * input with the same SQLSTATEs and wording.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "common/shortest_dec.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"

#include "common.h"

void
score_out_of_range_int(const char *what, int64 value, int32 min, int32 max)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("%s score " INT64_FORMAT " is out of range", what, value),
			 errdetail("%s scores must be integers from %d to %d.", what, min, max)));
}

/*
 * Converts a numeric score to int32, rejecting NaN, infinities, non-integral
 * values and values outside [min, max], all with SQLSTATE 22003.
 */
int32
score_from_numeric(const char *what, Numeric num, int32 min, int32 max)
{
	bool		overflow = false;
	int32		value = 0;

	if (numeric_is_nan(num) || numeric_is_inf(num))
		overflow = true;
	else
		value = numeric_int4_opt_error(num, &overflow);

	if (!overflow)
	{
		/* numeric_int4 rounds: the score is integral iff it equals its rounding */
		Numeric		rounded = int64_to_numeric(value);

		if (DatumGetInt32(DirectFunctionCall2(numeric_cmp,
											  NumericGetDatum(num),
											  NumericGetDatum(rounded))) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("%s score %s is not an integer", what,
							DatumGetCString(DirectFunctionCall1(numeric_out,
																NumericGetDatum(num)))),
					 errdetail("%s scores must be integers from %d to %d.", what, min, max)));
		if (value >= min && value <= max)
			return value;
	}

	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("%s score %s is out of range", what,
					DatumGetCString(DirectFunctionCall1(numeric_out,
														NumericGetDatum(num)))),
			 errdetail("%s scores must be integers from %d to %d.", what, min, max)));
	pg_unreachable();
}

void
check_weight(const char *what, double weight)
{
	if (!(weight >= 0.0) || isinf(weight))
	{
		char		buf[DOUBLE_SHORTEST_DECIMAL_LEN];

		if (isnan(weight))
			strcpy(buf, "NaN");
		else if (isinf(weight))
			strcpy(buf, weight > 0 ? "Infinity" : "-Infinity");
		else
			double_to_shortest_decimal_buf(weight, buf);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid %s weight %s", what, buf),
				 errdetail("Weights must be finite and not negative; a NULL weight skips the response.")));
	}
}

/* ---------- composite results ---------- */

/*
 * Per-function cache of the result's tuple descriptor.  "flat" is true when
 * every attribute is an 8-byte pass-by-value type (int8, float8): such a
 * tuple without NULLs has the same header and layout whatever its values.
 * We let heap_form_tuple build the first one, keep it as a template, and
 * later copy the template and overwrite its data, which is much cheaper than
 * forming a tuple; it matters in window aggregates, where the final function
 * runs once per row.  The header always comes from PostgreSQL itself.
 */
typedef struct ResultTupleCache
{
	TupleDesc	tupdesc;
	bool		flat;
	HeapTupleHeader template;	/* first NULL-free result, once built */
	Size		len;			/* its total length */
} ResultTupleCache;

static ResultTupleCache *
result_tuple_cache(FunctionCallInfo fcinfo)
{
	ResultTupleCache *cache = (ResultTupleCache *) fcinfo->flinfo->fn_extra;

	if (cache == NULL)
	{
		MemoryContext oldcxt = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
		TupleDesc	desc;
		int			i;

		if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("function returning a record called in a context that cannot accept it")));
		cache = palloc0(sizeof(ResultTupleCache));
		cache->tupdesc = BlessTupleDesc(CreateTupleDescCopy(desc));
		cache->flat = true;
		for (i = 0; i < cache->tupdesc->natts; i++)
		{
			Form_pg_attribute att = TupleDescAttr(cache->tupdesc, i);

			if (att->attisdropped || att->attlen != 8 || !att->attbyval)
				cache->flat = false;
		}
		MemoryContextSwitchTo(oldcxt);
		fcinfo->flinfo->fn_extra = cache;
	}
	return cache;
}

Datum
build_result_tuple(FunctionCallInfo fcinfo, Datum *values, bool *nulls)
{
	ResultTupleCache *cache = result_tuple_cache(fcinfo);
	int			natts = cache->tupdesc->natts;
	HeapTupleHeader td;
	char	   *data;
	int			i;

	for (i = 0; i < natts; i++)
		if (nulls[i])
			return HeapTupleGetDatum(heap_form_tuple(cache->tupdesc, values, nulls));
	if (!cache->flat)
		return HeapTupleGetDatum(heap_form_tuple(cache->tupdesc, values, nulls));

	if (cache->template == NULL)
	{
		HeapTuple	first = heap_form_tuple(cache->tupdesc, values, nulls);

		/* keep it only if it has the plain layout we rely on */
		Assert(natts > 0);
		if (first->t_len != (uint32) (first->t_data->t_hoff + 8 * natts))
		{
			cache->flat = false;
			return HeapTupleGetDatum(first);
		}
		cache->template = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, first->t_len);
		memcpy(cache->template, first->t_data, first->t_len);
		cache->len = first->t_len;
		return HeapTupleGetDatum(first);
	}

	td = (HeapTupleHeader) palloc(cache->len);
	memcpy(td, cache->template, cache->template->t_hoff);
	data = (char *) td + td->t_hoff;
	for (i = 0; i < natts; i++)
		store_att_byval(data + 8 * i, values[i], 8);
	return PointerGetDatum(td);
}
