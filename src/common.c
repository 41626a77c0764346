/*
 * common.c
 *		Helpers shared by every metric area: score and weight validation,
 *		the strict text form of aggregate states, and composite results.
 *
 * Kept in one place so that NPS, CSAT, CES and rate aggregates report bad
 * input with the same SQLSTATEs and wording, and parse their states with the
 * same strictness (a state's text form is user input).
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

/* ---------- text form of states ---------- */

static pg_attribute_noreturn() void
bad_state_text(const char *type_name, const char *text, const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type %s: \"%s\"", type_name, text),
			 errdetail("%s", why)));
}

void
parse_state_text(const char *text, const char *type_name,
				 const StateField *fields, int nfields, void *state)
{
	const char *p = text;
	int			i;

	for (i = 0; i < nfields; i++)
	{
		const StateField *f = &fields[i];
		size_t		len = strlen(f->name);
		char	   *dest = (char *) state + f->offset;
		char	   *end = NULL;

		while (*p == ' ')
			p++;
		if (strncmp(p, f->name, len) != 0 || p[len] != '=')
			bad_state_text(type_name, text,
						   psprintf("Expected field \"%s=\" at position %d.", f->name,
									(int) (p - text) + 1));
		p += len + 1;

		switch (f->kind)
		{
			case STATE_FIELD_INT64:
				{
					long long	v;

					errno = 0;
					v = strtoll(p, &end, 10);
					if (end == p || errno != 0 || v < 0 || (double) v > NPS_MAX_EXACT_COUNT)
						bad_state_text(type_name, text,
									   psprintf("Field \"%s\" must be a count from 0 to 2^53.", f->name));
					*(int64 *) dest = (int64) v;
					break;
				}
			case STATE_FIELD_FLOAT8:
				{
					double		v;

					errno = 0;
					v = strtod(p, &end);
					/* like float8in: ERANGE for a subnormal result is not an error */
					if (errno == ERANGE && v != 0.0 && isfinite(v))
						errno = 0;
					if (end == p || errno != 0 || !isfinite(v) || v < 0.0)
						bad_state_text(type_name, text,
									   psprintf("Field \"%s\" must be a finite, non-negative number.", f->name));
					*(double *) dest = v;
					break;
				}
			case STATE_FIELD_BOOL:
				if (*p == 't' || *p == 'f')
				{
					*(bool *) dest = (*p == 't');
					end = (char *) p + 1;
				}
				else
					bad_state_text(type_name, text,
								   psprintf("Field \"%s\" must be t or f.", f->name));
				break;
		}
		p = end;
		if (*p != ' ' && *p != '\0')
			bad_state_text(type_name, text,
						   psprintf("Unexpected character after field \"%s\".", f->name));
	}
	while (*p == ' ')
		p++;
	if (*p != '\0')
		bad_state_text(type_name, text, "Unexpected text after the last field.");
}

char *
format_state_text(const StateField *fields, int nfields, const void *state)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = 0; i < nfields; i++)
	{
		const StateField *f = &fields[i];
		const char *src = (const char *) state + f->offset;

		if (i > 0)
			appendStringInfoChar(&buf, ' ');
		appendStringInfo(&buf, "%s=", f->name);
		switch (f->kind)
		{
			case STATE_FIELD_INT64:
				appendStringInfo(&buf, INT64_FORMAT, *(const int64 *) src);
				break;
			case STATE_FIELD_FLOAT8:
				{
					/* shortest exact form: the state round-trips bit for bit */
					char		num[DOUBLE_SHORTEST_DECIMAL_LEN];

					double_to_shortest_decimal_buf(*(const double *) src, num);
					appendStringInfoString(&buf, num);
					break;
				}
			case STATE_FIELD_BOOL:
				appendStringInfoChar(&buf, *(const bool *) src ? 't' : 'f');
				break;
		}
	}
	return buf.data;
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
		if (first->t_data->t_hoff + 8 * natts != first->t_len)
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

Datum
test_result_row(FunctionCallInfo fcinfo, double difference, double std_error,
				double z, double confidence)
{
	Datum		values[5];
	bool		nulls[5] = {false, false, false, false, false};
	double		p = two_sided_p(z);

	values[0] = Float8GetDatum(difference);
	values[1] = Float8GetDatum(std_error);
	values[2] = Float8GetDatum(z);
	values[3] = Float8GetDatum(p);
	values[4] = BoolGetDatum(p < 1.0 - confidence);
	return build_result_tuple(fcinfo, values, nulls);
}

Datum
test_result_null(FunctionCallInfo fcinfo)
{
	Datum		values[5] = {0};
	bool		nulls[5] = {true, true, true, true, true};

	return build_result_tuple(fcinfo, values, nulls);
}

Datum
composite_field(HeapTupleHeader tuple, int attno, bool *isnull)
{
	return GetAttributeByNum(tuple, (AttrNumber) attno, isnull);
}
