/*
 * state.h
 *		Descriptor-driven handling of the aggregate states (nps_state,
 *		scale_state, rate_state) and of the stored results they are read back
 *		from.
 *
 * Each metric area describes its state with a table of StateField entries
 * (name in the text form, kind, offset in the C struct, column of the result
 * type) and a StateType holding that table and a check of the relations
 * between fields.  From that, this file provides the text form, the binary
 * form, reading a stored result back into a state, and the one validator all
 * of them go through:
 *
 *	22P02	malformed text (not "key=value ..." with every key in order)
 *	22003	a number beyond what the field's C type holds (text input), or
 *			an addition of states that would leave the exact range
 *	22023	an impossible value: a field outside its domain (negative,
 *			not finite, count past 2^53) or fields no set of rows could
 *			have produced together
 *
 * Text input, binary input and the result readers accept exactly the same
 * values, so every value one of them accepts survives the others.
 */
#ifndef NPS_STATE_H
#define NPS_STATE_H

#include "postgres.h"
#include "fmgr.h"
#include "access/htup.h"
#include "lib/stringinfo.h"

/* Largest count a double holds exactly; counts are integers from 0 to this. */
#define STATE_MAX_COUNT		(INT64CONST(1) << 53)

typedef enum StateFieldKind
{
	STATE_COUNT,				/* int64 from 0 to 2^53; added by merges */
	STATE_SUM,					/* double, finite and not negative; added */
	STATE_PARAM,				/* int64 parameter (a scale); equal in merges */
	STATE_FLAG					/* bool, "t" or "f"; or-ed by merges */
} StateFieldKind;

typedef struct StateField
{
	const char *name;			/* key of the text form */
	StateFieldKind kind;
	uint16		offset;			/* offsetof() the field in the C struct */
	int16		result_att;		/* attribute number in the result type; 0: none */
	const char *result_name;	/* that column's name, for messages */
} StateField;

typedef struct StateType
{
	const char *name;			/* SQL name of the state type: "nps_state" */
	const char *result_name;	/* SQL name of the result type: "nps_result" */
	Size		size;			/* sizeof the C struct */
	const StateField *fields;
	int			nfields;

	/*
	 * Checks the relations between fields (every field is already within its
	 * domain) and raises state_impossible() for a combination no set of rows
	 * could have produced.  type_name is what the value is: the state type,
	 * or the result type when it was read from a result.
	 */
	void		(*check) (const void *state, const char *type_name);
} StateType;

extern void *state_in(const StateType *type, const char *text);
extern char *state_out(const StateType *type, const void *state);
extern void *state_recv(const StateType *type, StringInfo buf);
extern bytea *state_send(const StateType *type, const void *state);
extern void state_from_result(const StateType *type, HeapTupleHeader result,
							  void *state);
extern pg_attribute_noreturn() void state_impossible(const char *type_name,
													 const char *detail_fmt,...) pg_attribute_printf(2, 3);

#endif							/* NPS_STATE_H */
