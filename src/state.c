/*
 * state.c
 *		The text form, binary form, validation and result reading of every
 *		aggregate state, driven by the StateType tables of the metric areas.
 *
 * A state is user input: it arrives as text (INITCOND, Citus shipping
 * partial states, a user's literal), as binary (COPY BINARY, the protocol),
 * or as the counts of a stored result (rollups, intervals, tests).  All three
 * go through state_validate(), so they accept exactly the same values.
 */
#include "postgres.h"

#include <math.h>

#include "common/shortest_dec.h"
#include "executor/executor.h"
#include "libpq/pqformat.h"

#include "state.h"

#define FIELD_PTR(state, f)		((char *) (state) + (f)->offset)
#define FIELD_CPTR(state, f)	((const char *) (state) + (f)->offset)

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

/*
 * The one validator: every field within its domain, then the relations of
 * the metric area.  Fields are named as the value names them: by their key
 * for a state, by their column for a result.
 */
static void
validate(const StateType *type, const void *state, bool result)
{
	const char *type_name = result ? type->result_name : type->name;
	int			i;

	for (i = 0; i < type->nfields; i++)
	{
		const StateField *f = &type->fields[i];
		const char *p = FIELD_CPTR(state, f);
		bool		ok = true;

		switch (f->kind)
		{
			case STATE_COUNT:
				ok = *(const int64 *) p >= 0 && *(const int64 *) p <= STATE_MAX_COUNT;
				break;
			case STATE_SUM:
				ok = *(const double *) p >= 0.0 && !isinf(*(const double *) p);
				break;
			case STATE_PARAM:
				ok = *(const int64 *) p >= 0 && *(const int64 *) p <= PG_INT32_MAX;
				break;
			case STATE_FLAG:
				break;
		}
		if (!ok)
			state_impossible(type_name, "Field \"%s\" must be %s.",
							 result ? f->result_name : f->name, field_domain[f->kind]);
	}
	type->check(state, type_name);
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

static pg_attribute_noreturn() void
out_of_range(const StateType *type, const StateField *f, const char *value, int len)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("value \"%.*s\" is out of range for field \"%s\" of type %s",
					len, value, f->name, type->name)));
	pg_unreachable();
}

/*
 * Parses one value at p into the field; returns the end of the value.  Only
 * the syntax is checked here (and the range of the C type, like int8in and
 * float8in do): "-1" and "NaN" are numbers, which the validator refuses.
 */
static const char *
parse_value(const StateType *type, const StateField *f, const char *text,
			const char *p, void *state)
{
	char	   *end = NULL;

	errno = 0;
	switch (f->kind)
	{
		case STATE_COUNT:
		case STATE_PARAM:
			if (!(isdigit((unsigned char) p[0]) ||
				  (p[0] == '-' && isdigit((unsigned char) p[1]))))
				bad_text(type, text, psprintf("Field \"%s\" must be an integer.", f->name));
			*(int64 *) FIELD_PTR(state, f) = strtoi64(p, &end, 10);
			if (errno == ERANGE)
				out_of_range(type, f, p, (int) (end - p));
			break;
		case STATE_SUM:
			{
				double		v = 0.0;

				if (*p == '\0' || isspace((unsigned char) *p))
					end = (char *) p;
				else
					v = strtod(p, &end);
				if (end == p)
					bad_text(type, text, psprintf("Field \"%s\" must be a number.", f->name));
				/* like float8in: a subnormal result is fine, a zero or infinite one is not */
				if (errno == ERANGE && (v == 0.0 || isinf(v)))
					out_of_range(type, f, p, (int) (end - p));
				*(double *) FIELD_PTR(state, f) = v;
				break;
			}
		case STATE_FLAG:
			if (*p != 't' && *p != 'f')
				bad_text(type, text, psprintf("Field \"%s\" must be t or f.", f->name));
			*(bool *) FIELD_PTR(state, f) = (*p == 't');
			end = (char *) p + 1;
			break;
	}
	return end;
}

void *
state_in(const StateType *type, const char *text)
{
	void	   *state = palloc0(type->size);
	const char *p = text;
	int			i;

	for (i = 0; i < type->nfields; i++)
	{
		const StateField *f = &type->fields[i];
		size_t		len = strlen(f->name);

		while (*p == ' ')
			p++;
		if (strncmp(p, f->name, len) != 0 || p[len] != '=')
			bad_text(type, text, psprintf("Expected field \"%s=\" at position %d.",
										  f->name, (int) (p - text) + 1));
		p = parse_value(type, f, text, p + len + 1, state);
		if (*p != ' ' && *p != '\0')
			bad_text(type, text, psprintf("Unexpected character after field \"%s\".", f->name));
	}
	while (*p == ' ')
		p++;
	if (*p != '\0')
		bad_text(type, text, "Unexpected text after the last field.");
	validate(type, state, false);
	return state;
}

char *
state_out(const StateType *type, const void *state)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = 0; i < type->nfields; i++)
	{
		const StateField *f = &type->fields[i];
		const char *p = FIELD_CPTR(state, f);

		appendStringInfo(&buf, "%s%s=", i > 0 ? " " : "", f->name);
		switch (f->kind)
		{
			case STATE_COUNT:
			case STATE_PARAM:
				appendStringInfo(&buf, INT64_FORMAT, *(const int64 *) p);
				break;
			case STATE_SUM:
				{
					/* shortest exact form: the state round-trips bit for bit */
					char		num[DOUBLE_SHORTEST_DECIMAL_LEN];

					double_to_shortest_decimal_buf(*(const double *) p, num);
					appendStringInfoString(&buf, num);
					break;
				}
			case STATE_FLAG:
				appendStringInfoChar(&buf, *(const bool *) p ? 't' : 'f');
				break;
		}
	}
	return buf.data;
}

/* ---------- binary form: the fields in table order ---------- */

void *
state_recv(const StateType *type, StringInfo buf)
{
	void	   *state = palloc0(type->size);
	int			i;

	for (i = 0; i < type->nfields; i++)
	{
		const StateField *f = &type->fields[i];
		char	   *p = FIELD_PTR(state, f);

		switch (f->kind)
		{
			case STATE_COUNT:
			case STATE_PARAM:
				*(int64 *) p = pq_getmsgint64(buf);
				break;
			case STATE_SUM:
				*(double *) p = pq_getmsgfloat8(buf);
				break;
			case STATE_FLAG:
				*(bool *) p = pq_getmsgbyte(buf) != 0;
				break;
		}
	}
	validate(type, state, false);
	return state;
}

bytea *
state_send(const StateType *type, const void *state)
{
	StringInfoData buf;
	int			i;

	pq_begintypsend(&buf);
	for (i = 0; i < type->nfields; i++)
	{
		const StateField *f = &type->fields[i];
		const char *p = FIELD_CPTR(state, f);

		switch (f->kind)
		{
			case STATE_COUNT:
			case STATE_PARAM:
				pq_sendint64(&buf, *(const int64 *) p);
				break;
			case STATE_SUM:
				pq_sendfloat8(&buf, *(const double *) p);
				break;
			case STATE_FLAG:
				pq_sendbyte(&buf, *(const bool *) p ? 1 : 0);
				break;
		}
	}
	return pq_endtypsend(&buf);
}

/* ---------- stored results ---------- */

/*
 * Reads the counts of a stored result into a state and validates them; the
 * derived columns (the score, std_error, ...) are ignored and recomputed, so
 * rollups are exact and a doctored score changes nothing.
 */
void
state_from_result(const StateType *type, HeapTupleHeader result, void *state)
{
	int			i;

	memset(state, 0, type->size);
	for (i = 0; i < type->nfields; i++)
	{
		const StateField *f = &type->fields[i];
		bool		isnull;
		Datum		d;

		if (f->result_att == 0)
			continue;
		d = GetAttributeByNum(result, f->result_att, &isnull);
		if (isnull)
			state_impossible(type->result_name, "Field \"%s\" must be %s, not NULL.",
							 f->result_name, field_domain[f->kind]);
		if (f->kind == STATE_SUM)
			*(double *) FIELD_PTR(state, f) = DatumGetFloat8(d);
		else
		{
			Assert(f->kind == STATE_COUNT || f->kind == STATE_PARAM);
			*(int64 *) FIELD_PTR(state, f) = DatumGetInt64(d);
		}
	}
	validate(type, state, true);
}
