/*
 * state.c
 *		The machinery every aggregate state shares, driven by the StateType
 *		tables of the metric areas: text and binary forms, the validator,
 *		merges (combine, rollups and their inverses) and result reading.
 *
 * A state is user input: it arrives as text (INITCOND, Citus shipping
 * partial states, a user's literal), as binary (COPY BINARY, the protocol),
 * or as the counts of a stored result (rollups, intervals, tests).  All
 * three go through validate(), so they accept exactly the same values, and
 * every merge checks that the sum stays exact.  See state.h.  Above
 * common.c (result tuples), below the metric areas.
 */
#include "postgres.h"

#include "common/shortest_dec.h"
#include "executor/executor.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "common.h"
#include "state.h"

#define FIELD(state, f)		((char *) (state) + (f)->offset)
#define CFIELD(state, f)	((const char *) (state) + (f)->offset)

/* What a field's value must be, for messages: "Field "x" must be %s." */
static const char *const field_domain[] = {
	[STATE_COUNT] = "a count from 0 to 2^53",
	[STATE_SUM] = "a finite, non-negative number",
	[STATE_PARAM] = "an integer from 0 to 2147483647",
	[STATE_FLAG] = "t or f",
};

void
state_impossible(const char *type_name, const char *detail_fmt,...)
{
	StringInfoData detail;

	initStringInfo(&detail);
	for (;;)
	{
		va_list		args;
		int			needed;

		va_start(args, detail_fmt);
		needed = appendStringInfoVA(&detail, detail_fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(&detail, needed);
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid %s value", type_name),
			 errdetail("%s", detail.data)));
	pg_unreachable();
}

void
state_sum_overflow(const StateType *type)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("%s aggregate sum is out of range", type->metric),
			 errdetail("Sums of weights and of squared weights must stay within the range of double precision.")));
	pg_unreachable();
}

/*
 * The one validator: every field within its domain, then the relations of
 * the metric area.  Fields are named as the value names them: by their key
 * in a state, by their column in a result.
 */
static void
validate(const StateType *type, const void *state, bool result)
{
	int			i;

	Assert(((const StateHeader *) state)->version == STATE_VERSION);
	for (i = 0; i < type->nfields; i++)
	{
		const StateField *f = &type->fields[i];
		const char *p = CFIELD(state, f);
		bool		ok = true;

		if (f->kind == STATE_COUNT)
			ok = *(const int64 *) p >= 0 && *(const int64 *) p <= STATE_MAX_COUNT;
		else if (f->kind == STATE_SUM)
			ok = *(const double *) p >= 0.0 && !isinf(*(const double *) p);
		else if (f->kind == STATE_PARAM)
			ok = *(const int32 *) p >= 0;
		if (!ok)
			state_impossible(result ? type->result_name : type->name, "Field \"%s\" must be %s.",
							 result ? f->result_name : f->name, field_domain[f->kind]);
	}
	type->check(state, result ? type->result_name : type->name);
}

/* A fresh state of the current format, for input functions to fill. */
static void *
new_state(const StateType *type, FunctionCallInfo fcinfo)
{
	StateHeader *h = palloc0(type->size);

	/* input functions get the type's OID: the SQL and C sizes must agree */
	if (PG_NARGS() > 1 && get_typlen(PG_GETARG_OID(1)) != type->size)
		elog(ERROR, "type %s has INTERNALLENGTH %d, but the C struct of %s has %d bytes",
			 format_type_be(PG_GETARG_OID(1)), get_typlen(PG_GETARG_OID(1)), type->name, type->size);
	h->version = STATE_VERSION;
	return h;
}

void
state_bad_version(const StateType *type, int version)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("%s value of format version %d cannot be read", type->name, version),
			 errdetail("This version of the nps extension reads format version %d.", STATE_VERSION)));
	pg_unreachable();
}

void
state_not_aggregate(const StateType *type)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("%s aggregate support function called in non-aggregate context",
					type->metric)));
	pg_unreachable();
}

/* ---------- text form: "key=value key=value ...", keys in table order ---------- */

static pg_attribute_noreturn() void
bad_text(const StateType *type, const char *text, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type %s: \"%s\"", type->name, text),
			 errdetail("%s", detail)));
	pg_unreachable();
}

/*
 * Parses the value at p into field f; returns its end.  Only the syntax is
 * checked here, and the range of the C type (22003, like int8in and
 * float8in): "-1" and "NaN" are numbers, which the validator refuses.
 */
static const char *
parse_value(const StateType *type, const StateField *f, const char *text,
			const char *p, void *state)
{
	char	   *end = NULL;
	int64		i = 0;
	double		d = 0.0;

	errno = 0;
	if (f->kind == STATE_FLAG)
	{
		if (*p != 't' && *p != 'f')
			bad_text(type, text, psprintf("Field \"%s\" must be t or f.", f->name));
		*(bool *) FIELD(state, f) = (*p == 't');
		return p + 1;
	}
	if (f->kind == STATE_SUM && *p != '\0' && !isspace((unsigned char) *p))
		d = strtod(p, &end);
	else if (f->kind != STATE_SUM &&
			 (isdigit((unsigned char) p[0]) || (p[0] == '-' && isdigit((unsigned char) p[1]))))
		i = strtoi64(p, &end, 10);
	if (end == NULL || end == p)
		bad_text(type, text, psprintf("Field \"%s\" must be %s.", f->name,
									  f->kind == STATE_SUM ? "a number" : "an integer"));
	/* like float8in: a subnormal result is fine, a zero or infinite one is not */
	if ((errno == ERANGE && (f->kind != STATE_SUM || d == 0.0 || isinf(d))) ||
		(f->kind == STATE_PARAM && (i < PG_INT32_MIN || i > PG_INT32_MAX)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("value \"%.*s\" is out of range for field \"%s\" of type %s",
						(int) (end - p), p, f->name, type->name)));
	if (f->kind == STATE_SUM)
		*(double *) FIELD(state, f) = d;
	else if (f->kind == STATE_PARAM)
		*(int32 *) FIELD(state, f) = (int32) i;
	else
		*(int64 *) FIELD(state, f) = i;
	return end;
}

/*
 * Text input ("key=value ..." with every key in order) or binary input (the
 * format version, then each field in table order), then the validator.
 */
static Datum
state_read(FunctionCallInfo fcinfo, const StateType *type, bool binary)
{
	void	   *state = new_state(type, fcinfo);
	StringInfo	buf = binary ? (StringInfo) PG_GETARG_POINTER(0) : NULL;
	const char *text = binary ? NULL : PG_GETARG_CSTRING(0);
	const char *p = text;
	int			i;

	if (binary && (i = pq_getmsgbyte(buf)) != STATE_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid external %s value", type->name),
				 errdetail("Format version %d is not supported; this version of the nps extension reads format version %d.",
						   i, STATE_VERSION)));
	for (i = 0; i < type->nfields; i++)
	{
		const StateField *f = &type->fields[i];
		char	   *v = FIELD(state, f);
		size_t		len = strlen(f->name);

		if (binary && f->kind == STATE_COUNT)
			*(int64 *) v = pq_getmsgint64(buf);
		else if (binary && f->kind == STATE_SUM)
			*(double *) v = pq_getmsgfloat8(buf);
		else if (binary && f->kind == STATE_PARAM)
			*(int32 *) v = (int32) pq_getmsgint(buf, 4);
		else if (binary)
			*(bool *) v = pq_getmsgbyte(buf) != 0;
		else
		{
			while (*p == ' ')
				p++;
			if (strncmp(p, f->name, len) != 0 || p[len] != '=')
				bad_text(type, text, psprintf("Expected field \"%s=\" at position %d.",
											  f->name, (int) (p - text) + 1));
			p = parse_value(type, f, text, p + len + 1, state);
			if (*p != ' ' && *p != '\0')
				bad_text(type, text, psprintf("Unexpected character after field \"%s\".", f->name));
		}
	}
	while (!binary && *p == ' ')
		p++;
	if (!binary && *p != '\0')
		bad_text(type, text, "Unexpected text after the last field.");
	validate(type, state, false);
	PG_RETURN_POINTER(state);
}

/* Text output (shortest exact numbers: round-trips bit for bit) or binary output. */
static Datum
state_write(FunctionCallInfo fcinfo, const StateType *type, bool binary)
{
	const void *state = state_datum(type, PG_GETARG_DATUM(0));
	StringInfoData buf;
	int			i;

	if (binary)
	{
		pq_begintypsend(&buf);
		pq_sendbyte(&buf, STATE_VERSION);
	}
	else
		initStringInfo(&buf);
	for (i = 0; i < type->nfields; i++)
	{
		const StateField *f = &type->fields[i];
		const char *v = CFIELD(state, f);
		char		num[DOUBLE_SHORTEST_DECIMAL_LEN];

		if (!binary)
			appendStringInfo(&buf, "%s%s=", i > 0 ? " " : "", f->name);
		if (f->kind == STATE_COUNT && binary)
			pq_sendint64(&buf, *(const int64 *) v);
		else if (f->kind == STATE_COUNT)
			appendStringInfo(&buf, INT64_FORMAT, *(const int64 *) v);
		else if (f->kind == STATE_SUM && binary)
			pq_sendfloat8(&buf, *(const double *) v);
		else if (f->kind == STATE_SUM)
		{
			double_to_shortest_decimal_buf(*(const double *) v, num);
			appendStringInfoString(&buf, num);
		}
		else if (f->kind == STATE_PARAM && binary)
			pq_sendint32(&buf, *(const int32 *) v);
		else if (f->kind == STATE_PARAM)
			appendStringInfo(&buf, "%d", *(const int32 *) v);
		else if (binary)
			pq_sendbyte(&buf, *(const bool *) v ? 1 : 0);
		else
			appendStringInfoChar(&buf, *(const bool *) v ? 't' : 'f');
	}
	if (binary)
		PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
	PG_RETURN_CSTRING(buf.data);
}

Datum
state_io_fn(FunctionCallInfo fcinfo, const StateType *type, bool input, bool binary)
{
	return input ? state_read(fcinfo, type, binary) : state_write(fcinfo, type, binary);
}

/* ---------- stored results ---------- */

/*
 * The derived columns of a result (the score, std_error, ...) are ignored
 * and recomputed, so rollups are exact and a doctored score changes nothing.
 */
void
state_from_result(const StateType *type, HeapTupleHeader result, void *state)
{
	int			i;

	memset(state, 0, type->size);
	((StateHeader *) state)->version = STATE_VERSION;
	for (i = 0; i < type->nfields; i++)
	{
		const StateField *f = &type->fields[i];
		bool		isnull;
		Datum		d;

		if (f->result_att == 0)
			continue;
		d = GetAttributeByNum(result, f->result_att, &isnull);
		if (isnull || (f->kind == STATE_PARAM &&
					   (DatumGetInt64(d) < 0 || DatumGetInt64(d) > PG_INT32_MAX)))
			state_impossible(type->result_name, "Field \"%s\" must be %s%s.", f->result_name,
							 field_domain[f->kind], isnull ? ", not NULL" : "");
		if (f->kind == STATE_SUM)
			*(double *) FIELD(state, f) = DatumGetFloat8(d);
		else if (f->kind == STATE_PARAM)
			*(int32 *) FIELD(state, f) = (int32) DatumGetInt64(d);
		else
			*(int64 *) FIELD(state, f) = DatumGetInt64(d);
	}
	validate(type, state, true);
}

/* The columns of a result that hold the state's fields, for final functions. */
void
state_result_values(const StateType *type, const void *state, Datum *values)
{
	int			i;

	for (i = 0; i < type->nfields; i++)
	{
		const StateField *f = &type->fields[i];
		const char *v = CFIELD(state, f);

		if (f->result_att == 0)
			continue;
		if (f->kind == STATE_SUM)
			values[f->result_att - 1] = Float8GetDatum(*(const double *) v);
		else if (f->kind == STATE_PARAM)
			values[f->result_att - 1] = Int64GetDatum(*(const int32 *) v);
		else
			values[f->result_att - 1] = Int64GetDatum(*(const int64 *) v);
	}
}

/* ---------- merges ---------- */

/*
 * into +/- from.  Parameters (a scale) must agree; a state whose parameters
 * are not set yet is empty: from adds nothing, into takes from's.  Adding
 * raises 22003 when a count passes 2^53 or a sum the double range; removing
 * what was added before cannot go below 0.
 */
void
state_merge(const StateType *type, void *into, const void *from, bool remove,
			bool rollup)
{
	StateHeader *h = (StateHeader *) into;
	bool		has_params = false,
				from_set = false,
				into_set = false,
				differ = false;
	int			i;

	for (i = 0; i < type->nfields; i++)
	{
		const StateField *f = &type->fields[i];

		if (f->kind != STATE_PARAM)
			continue;
		has_params = true;
		from_set |= *(const int32 *) CFIELD(from, f) != 0;
		into_set |= *(const int32 *) CFIELD(into, f) != 0;
		differ |= *(const int32 *) CFIELD(into, f) != *(const int32 *) CFIELD(from, f);
	}
	if (has_params && !from_set)
		return;
	Assert(!has_params || type->param_mismatch != NULL);
	if (has_params && into_set && differ)
		type->param_mismatch(type, into, from, rollup);

	for (i = 0; i < type->nfields; i++)
	{
		const StateField *f = &type->fields[i];
		char	   *p = FIELD(into, f);
		const char *q = CFIELD(from, f);

		if (f->kind == STATE_COUNT)
		{
			*(int64 *) p += remove ? -*(const int64 *) q : *(const int64 *) q;
			Assert(*(int64 *) p >= 0);
			if (unlikely(*(int64 *) p > STATE_MAX_COUNT))
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("%s aggregate count \"%s\" is out of range", type->metric, f->result_name),
						 errdetail("Counts are limited to 2^53, the largest integer a double precision value holds exactly.")));
		}
		else if (f->kind == STATE_SUM)
			*(double *) p = state_add_sum(type, *(double *) p,
										  remove ? -*(const double *) q : *(const double *) q,
										  &h->inexact);
		else if (f->kind == STATE_PARAM)
			*(int32 *) p = *(const int32 *) q;
		else
			*(bool *) p |= *(const bool *) q;
	}
}

Datum
state_final_fn(FunctionCallInfo fcinfo, const StateType *type)
{
	const void *state = state_datum(type, PG_GETARG_DATUM(0));
	Datum		values[16] = {0};
	bool		nulls[16] = {0};

	Assert(type->natts > 0 && (size_t) type->natts <= lengthof(values) &&
		   type->fields[0].kind == STATE_COUNT);
	if (*(const int64 *) CFIELD(state, &type->fields[0]) == 0)
		PG_RETURN_NULL();
	state_result_values(type, state, values);
	type->derive(type, state, values, nulls);
	return build_result_tuple(fcinfo, values, nulls);
}

Datum
state_combine_fn(FunctionCallInfo fcinfo, const StateType *type)
{
	void	   *state = state_arg(fcinfo, type);

	state_merge(type, state, state_datum(type, PG_GETARG_DATUM(1)), false, false);
	PG_RETURN_POINTER(state);
}

/*
 * Transition (remove = false) and inverse transition (true) of a rollup over
 * stored results.  The inverse returns NULL, so that PostgreSQL recomputes
 * the window frame, when the float sums cannot be reverted exactly.
 */
Datum
state_rollup_fn(FunctionCallInfo fcinfo, const StateType *type, bool remove)
{
	StateHeader *state = state_arg(fcinfo, type);
	double		result[8];		/* room for any state, aligned */

	Assert(type->size <= sizeof(result));
	if (remove && state->inexact)
		PG_RETURN_NULL();
	state_from_result(type, PG_GETARG_HEAPTUPLEHEADER(1), result);
	state_merge(type, state, result, remove, true);
	if (remove && state->inexact)
		PG_RETURN_NULL();
	PG_RETURN_POINTER(state);
}
