/*
 * state.h
 *		One descriptor-driven machinery for the aggregate states of every
 *		metric area (nps_state, scale_state, rate_state) and for the stored
 *		results they are read back from.
 *
 * An area describes its state with a table of StateField entries (key of
 * the text form, kind, offset in the C struct, column of the result type)
 * and a StateType holding that table, the check of the relations between
 * fields and the message for merging states of different parameters.  From
 * that, state.c provides the text form, the binary form, the validator,
 * merges (combine, rollup and their inverses) and result reading; an area
 * adds its transition and final functions and its inference.
 *
 * SQLSTATEs, the same whichever way a value arrives:
 *	22P02	malformed text (not "key=value ..." with every key, in order)
 *	22003	a number the field's C type cannot hold (text input), or a merge
 *			or addition leaving the exact range (counts past 2^53, sums past
 *			the double range)
 *	22023	an impossible value: a field outside its domain (negative, not
 *			finite, count past 2^53) or fields no set of rows could have
 *			produced together
 *
 * Every state struct starts with a StateHeader carrying the format version.
 * The binary form starts with it too; the text form of version 1 has no
 * version key (a later format may add one as its first key).
 */
#ifndef NPS_STATE_H
#define NPS_STATE_H

#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "access/htup.h"
#include "lib/stringinfo.h"

/* Largest count a double holds exactly; counts are integers from 0 to this. */
#define STATE_MAX_COUNT		(INT64CONST(1) << 53)

/* Format of the states this code writes (and the only one it reads). */
#define STATE_VERSION		1

typedef struct StateHeader
{
	uint8		version;		/* STATE_VERSION */
	bool		inexact;		/* some float sum was rounded (NPS weights) */
	char		pad[6];
} StateHeader;

typedef enum StateFieldKind
{
	STATE_COUNT,				/* int64 from 0 to 2^53; added by merges */
	STATE_SUM,					/* double, finite and not negative; added */
	STATE_PARAM,				/* int32 from 0 (not set yet); equal in merges */
	STATE_FLAG					/* the header's inexact flag: "t" or "f" */
} StateFieldKind;

typedef struct StateField
{
	const char *name;			/* key of the text form */
	StateFieldKind kind;
	uint16		offset;			/* offsetof() the field in the C struct */
	int16		result_att;		/* attribute number in the result type; 0: none */
	const char *result_name;	/* that column's name, for messages */
} StateField;

typedef struct StateType StateType;

struct StateType
{
	const char *name;			/* SQL name of the state type: "scale_state" */
	const char *result_name;	/* SQL name of the result type: "csat_result" */
	const char *metric;			/* the metric in messages: "CSAT" */
	uint16		size;			/* sizeof the C struct = INTERNALLENGTH */
	const StateField *fields;
	int			nfields;

	/*
	 * Raises state_impossible() when the fields, each within its domain, are
	 * a combination no set of rows could have produced.  type_name is what
	 * the value is: the state type, or the result type it was read from.
	 */
	void		(*check) (const void *state, const char *type_name);

	/* Raises the error for merging states of different parameters. */
	void		(*param_mismatch) (const StateType *type, const void *into,
								   const void *from, bool rollup);

	/*
	 * The final function: the result has natts columns; those of the fields
	 * are filled from the table, derive() fills the others (the metric, its
	 * standard error, ...).  A state whose first field (the row count) is 0
	 * gives NULL, like avg().
	 */
	int			natts;
	void		(*derive) (const StateType *type, const void *state,
						   Datum *values, bool *nulls);
};

extern pg_attribute_noreturn() void state_impossible(const char *type_name,
													 const char *detail_fmt,...) pg_attribute_printf(2, 3);
extern pg_attribute_noreturn() void state_sum_overflow(const StateType *type);

extern pg_attribute_noreturn() void state_not_aggregate(const StateType *type);
extern pg_attribute_noreturn() void state_bad_version(const StateType *type, int version);

/* A state argument only read (final functions, the merged state). */
static inline const void *
state_datum(const StateType *type, Datum d)
{
	const StateHeader *h = (const StateHeader *) DatumGetPointer(d);

	if (unlikely(h->version != STATE_VERSION))
		state_bad_version(type, h->version);
	return h;
}

/*
 * The state argument of a transition or combine function, which it updates
 * in place: only inside an aggregate (0A000 otherwise).  Inline: it runs for
 * every row.
 */
static inline void *
state_arg(FunctionCallInfo fcinfo, const StateType *type)
{
	if (unlikely(!AggCheckCallContext(fcinfo, NULL)))
		state_not_aggregate(type);
	return unconstify(void *, state_datum(type, PG_GETARG_DATUM(0)));
}

/* Reads the counts of a stored result into *state and validates them. */
extern void state_from_result(const StateType *type, HeapTupleHeader result,
							  void *state);

/* into +/- from, field by field; 22003 past the exact range. */
extern void state_merge(const StateType *type, void *into, const void *from,
						bool remove, bool rollup);

/* Fills the columns of a result that hold the state's fields (result_att). */
extern void state_result_values(const StateType *type, const void *state,
								Datum *values);

/* The SQL-callable support functions, for the macros below. */
extern Datum state_io_fn(FunctionCallInfo fcinfo, const StateType *type,
						 bool input, bool binary);
extern Datum state_combine_fn(FunctionCallInfo fcinfo, const StateType *type);
extern Datum state_final_fn(FunctionCallInfo fcinfo, const StateType *type);
extern Datum state_rollup_fn(FunctionCallInfo fcinfo, const StateType *type,
							 bool remove);

/* <prefix>_in, _out, _recv, _send: the I/O functions of a state type. */
#define STATE_IO_FUNCTIONS(prefix, type) \
	STATE_FUNCTION(prefix##_in, state_io_fn(fcinfo, &type, true, false)) \
	STATE_FUNCTION(prefix##_out, state_io_fn(fcinfo, &type, false, false)) \
	STATE_FUNCTION(prefix##_recv, state_io_fn(fcinfo, &type, true, true)) \
	STATE_FUNCTION(prefix##_send, state_io_fn(fcinfo, &type, false, true))

/* <prefix>_combine, _final, _rollup_trans, _rollup_inv of an aggregate and its rollup. */
#define STATE_AGG_FUNCTIONS(prefix, type) \
	STATE_FUNCTION(prefix##_combine, state_combine_fn(fcinfo, &type)) \
	STATE_FUNCTION(prefix##_final, state_final_fn(fcinfo, &type)) \
	STATE_FUNCTION(prefix##_rollup_trans, state_rollup_fn(fcinfo, &type, false)) \
	STATE_FUNCTION(prefix##_rollup_inv, state_rollup_fn(fcinfo, &type, true))

/*
 * The StateType var of a metric without parameters: C struct C, declared in
 * SQL with INTERNALLENGTH length (checked at compile time), a result of
 * natts columns, and its SQL functions <prefix>_state_in/out/recv/send,
 * <prefix>_combine, _final and _rollup_trans/inv.
 */
#define STATE_TYPE(var, prefix, C, length, name_, result_name_, metric_, fields_, check_, \
				   natts_, derive_) \
	static const StateType var = {.name = name_, .result_name = result_name_, \
		.metric = metric_, .size = sizeof(C), .fields = fields_, .nfields = lengthof(fields_), \
		.check = check_, .natts = natts_, .derive = derive_}; \
	StaticAssertDecl(sizeof(C) == length, name_ " has INTERNALLENGTH " #length); \
	STATE_IO_FUNCTIONS(prefix##_state, var) \
	STATE_AGG_FUNCTIONS(prefix, var)

#define STATE_FUNCTION(fn, call) \
	PG_FUNCTION_INFO_V1(fn); \
	Datum fn(PG_FUNCTION_ARGS) { return call; }

/*
 * a + b, setting *inexact when the sum was rounded (its TwoSum error term is
 * not zero) and raising 22003 when it is no longer finite.  A state whose
 * sums were never rounded can be reverted exactly by subtraction.
 */
static inline double
state_add_sum(const StateType *type, double a, double b, bool *inexact)
{
	double		s = a + b;
	double		bb = s - a;

	if (unlikely(isinf(s)))
		state_sum_overflow(type);
	if ((a - (s - bb)) + (b - bb) != 0.0)
		*inexact = true;
	return s;
}

#endif							/* NPS_STATE_H */
