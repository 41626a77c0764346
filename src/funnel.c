/*
 * funnel.c
 *		The journey funnel's per-customer pass, as the aggregate
 *		nps.funnel_counts(customer, touchpoint_id, occurred_at, stages):
 *		over a group of journey events, per stage of the journeys in
 *		"stages", the customers who reached it, those who continued from
 *		the previous stage and from the first stage, and the median time
 *		from the previous stage.  journey_funnel_at (views.sql) is built on it.
 *
 * "stages" is a two-dimensional integer array, one row per stage:
 * {touchpoint_id, previous_touchpoint_id (NULL for a first stage),
 * first_touchpoint_id}; the stages that share a first touchpoint form one
 * journey.  It is read from the group's first row.
 *
 * A customer reaches a stage at the time of their first event there;
 * continued from the previous stage means they reached that stage too, at
 * or before; from the first stage likewise.  Events of touchpoints not in
 * "stages", and those without a touchpoint or a time, are ignored.
 *
 * Why C: the same result in SQL needs the events sorted by customer (one
 * general-purpose sort of every event in the window, on disk at millions of
 * rows).  Here each event costs one probe of a hash table keyed by
 * (customer, journey) whose entry holds the journey's stage times, and the
 * counts come from one walk over the entries.  Customers are compared by
 * their bytes, which is equality for every deterministic collation; a
 * nondeterministic one is refused (0A000).
 *
 * The result has one element per stage, in the order of "stages".  Counts
 * of groups with disjoint customers add up; their medians do not, except
 * where each group has at most one gap per stage (a group per customer,
 * which is how journey_funnel_at groups on Citus).
 */
#include "postgres.h"

#include "catalog/pg_collation_d.h"
#include "catalog/pg_type_d.h"
#include "common/hashfn.h"
#include "common/int.h"
#include "datatype/timestamp.h"
#include "funcapi.h"
#include "port/pg_bitutils.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"

/* Columns of the composite type nps.funnel_stage */
enum
{
	STAGE_TOUCHPOINT_ID,
	STAGE_CUSTOMERS,
	STAGE_CONTINUED,
	STAGE_FROM_FIRST,
	STAGE_MEDIAN_GAP,
	STAGE_NATTS
};

/* Marks a stage a customer has not reached; real times are finite. */
#define NOT_REACHED DT_NOEND

/* A stage of the "stages" argument. */
typedef struct FunnelStage
{
	int32		touchpoint_id;
	int			journey;		/* index of its journey */
	int			position;		/* its slot in the journey's stage times */
	int			previous;		/* slot of the previous stage, -1 for none */
	int			first;			/* slot of the journey's first stage */
} FunnelStage;

/*
 * A customer in a journey: its stage times (NOT_REACHED where it has none),
 * then the customer's bytes.  Records lie end to end in one arena, each
 * MAXALIGNed, so a probe that finds its slot reads one record, and the
 * final walk reads the arena in order.
 */
typedef struct CustomerJourney
{
	int32		journey;
	int32		key_length;		/* -1 for a NULL customer */
	TimestampTz times[FLEXIBLE_ARRAY_MEMBER];	/* width of its journey */
	/* then key_length bytes of the customer */
} CustomerJourney;

#define RECORD_SIZE(width, key_length) \
	MAXALIGN(offsetof(CustomerJourney, times) + sizeof(TimestampTz) * (width) + Max((key_length), 0))
#define RECORD_KEY(record, width) ((char *) &(record)->times[(width)])

typedef struct FunnelState
{
	MemoryContext context;		/* the aggregate's: everything below lives there */

	int			nstages;
	FunnelStage *stages;		/* in the order of the argument */
	int		   *by_touchpoint;	/* stage indexes sorted by touchpoint_id */
	int			njourneys;
	int		   *journey_width;	/* stages per journey */
	int		   *journey_stages; /* per journey and slot: the stage index */
	int		   *journey_start;	/* per journey: its first entry in journey_stages */

	/*
	 * Open addressing, linear probing, at most half full: each slot holds a
	 * record's hash (high 32 bits) and its offset in the arena (low 32 bits,
	 * in MAXALIGN units; 0 = empty, so the arena starts one unit in).
	 */
	uint64	   *slots;
	uint32		slot_mask;
	uint32		nrecords;
	char	   *arena;
	Size		arena_used;
	Size		arena_size;
} FunnelState;

static int
compare_stage_touchpoints(const void *a, const void *b, void *arg)
{
	const FunnelStage *stages = (const FunnelStage *) arg;
	int32		x = stages[*(const int *) a].touchpoint_id;
	int32		y = stages[*(const int *) b].touchpoint_id;

	return (x > y) - (x < y);
}

static pg_attribute_noreturn() void
bad_stages(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid stages argument of funnel_counts"),
			 errdetail("%s", detail),
			 errhint("Pass one row {touchpoint_id, previous_touchpoint_id, first_touchpoint_id} per stage.")));
}

/* The stage index of a touchpoint, or -1. */
static int
find_stage(const FunnelState *state, int32 touchpoint_id)
{
	int			lo = 0,
				hi = state->nstages - 1;

	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;
		int32		id = state->stages[state->by_touchpoint[mid]].touchpoint_id;

		if (id == touchpoint_id)
			return state->by_touchpoint[mid];
		if (id < touchpoint_id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/* Reads "stages" into the state (see the top of the file), validating it. */
static void
read_stages(FunnelState *state, ArrayType *array)
{
	Datum	   *values;
	bool	   *nulls;
	int			nvalues;
	int			n;
	int			i;
	int		   *first_stage;

	if (ARR_NDIM(array) == 0)
		n = 0;
	else if (ARR_NDIM(array) != 2 || ARR_DIMS(array)[1] != 3)
		bad_stages("It must be a two-dimensional array with 3 columns.");
	else
		n = ARR_DIMS(array)[0];
	Assert(ARR_ELEMTYPE(array) == INT4OID);
	deconstruct_array(array, INT4OID, sizeof(int32), true, TYPALIGN_INT,
					  &values, &nulls, &nvalues);
	Assert(nvalues == 3 * n);

	state->nstages = n;
	state->stages = palloc0(sizeof(FunnelStage) * Max(n, 1));
	state->by_touchpoint = palloc(sizeof(int) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		if (nulls[3 * i] || nulls[3 * i + 2])
			bad_stages("A stage's touchpoint_id and first_touchpoint_id must not be null.");
		state->stages[i].touchpoint_id = DatumGetInt32(values[3 * i]);
		state->by_touchpoint[i] = i;
	}
	qsort_arg(state->by_touchpoint, n, sizeof(int), compare_stage_touchpoints, state->stages);
	for (i = 1; i < n; i++)
		if (state->stages[state->by_touchpoint[i]].touchpoint_id ==
			state->stages[state->by_touchpoint[i - 1]].touchpoint_id)
			bad_stages(psprintf("Touchpoint %d is listed twice.",
								state->stages[state->by_touchpoint[i]].touchpoint_id));

	/* journeys: one per first stage; slots in the order of the argument */
	first_stage = palloc(sizeof(int) * Max(n, 1));
	state->journey_width = palloc0(sizeof(int) * Max(n, 1));
	state->njourneys = 0;
	for (i = 0; i < n; i++)
	{
		int			f = find_stage(state, DatumGetInt32(values[3 * i + 2]));

		if (f < 0)
			bad_stages(psprintf("The first touchpoint %d of touchpoint %d is not a stage.",
								DatumGetInt32(values[3 * i + 2]),
								state->stages[i].touchpoint_id));
		first_stage[i] = f;
	}
	for (i = 0; i < n; i++)
	{
		int			f = first_stage[i];

		if (first_stage[f] != f)
			bad_stages(psprintf("The first touchpoint %d of touchpoint %d has another first touchpoint.",
								state->stages[f].touchpoint_id, state->stages[i].touchpoint_id));
		if (f == i)
			state->stages[i].journey = state->njourneys++;
	}
	for (i = 0; i < n; i++)
	{
		FunnelStage *s = &state->stages[i];

		s->journey = state->stages[first_stage[i]].journey;
		s->position = state->journey_width[s->journey]++;
	}
	state->journey_start = palloc(sizeof(int) * Max(state->njourneys, 1));
	state->journey_stages = palloc(sizeof(int) * Max(n, 1));
	for (i = 0; i < state->njourneys; i++)
		state->journey_start[i] = (i == 0) ? 0 : state->journey_start[i - 1] + state->journey_width[i - 1];
	for (i = 0; i < n; i++)
	{
		FunnelStage *s = &state->stages[i];

		state->journey_stages[state->journey_start[s->journey] + s->position] = i;
		s->first = state->stages[first_stage[i]].position;
		s->previous = -1;
		if (!nulls[3 * i + 1])
		{
			int			p = find_stage(state, DatumGetInt32(values[3 * i + 1]));

			if (p < 0 || first_stage[p] != first_stage[i] || p == i)
				bad_stages(psprintf("The previous touchpoint %d of touchpoint %d is not another stage of its journey.",
									DatumGetInt32(values[3 * i + 1]), s->touchpoint_id));
			s->previous = state->stages[p].position;
		}
	}
	pfree(first_stage);
}

static FunnelState *
funnel_state_create(MemoryContext context, ArrayType *stages)
{
	MemoryContext old = MemoryContextSwitchTo(context);
	FunnelState *state = palloc0(sizeof(FunnelState));

	state->context = context;
	read_stages(state, stages);
	state->slot_mask = 1023;
	state->slots = palloc0(sizeof(uint64) * (state->slot_mask + 1));
	state->arena_size = 16384;
	state->arena = palloc(state->arena_size);
	state->arena_used = MAXIMUM_ALIGNOF;
	MemoryContextSwitchTo(old);
	return state;
}

/* Doubles the slots once half are used, re-placing every record. */
static void
grow_slots(FunnelState *state)
{
	uint32		mask = state->slot_mask * 2 + 1;
	uint64	   *slots;
	uint32		i;

	if (mask >= PG_UINT32_MAX / 2)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many customers in one group of funnel_counts")));
	slots = MemoryContextAllocExtended(state->context, sizeof(uint64) * ((Size) mask + 1),
									   MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	for (i = 0; i <= state->slot_mask; i++)
	{
		uint64		slot = state->slots[i];
		uint32		s;

		if (slot == 0)
			continue;
		for (s = (uint32) (slot >> 32) & mask; slots[s] != 0; s = (s + 1) & mask)
			;
		slots[s] = slot;
	}
	pfree(state->slots);
	state->slots = slots;
	state->slot_mask = mask;
}

/* The stage times of (customer, journey), made (not reached anywhere) if new. */
static TimestampTz *
customer_journey_times(FunnelState *state, const char *key, int32 key_length, int32 journey)
{
	int			width = state->journey_width[journey];
	uint32		hash;
	uint32		s;
	uint64		slot;
	CustomerJourney *record;
	Size		size;
	int			i;

	hash = (key_length < 0) ? 0x9e3779b9 : hash_bytes((const unsigned char *) key, key_length);
	hash = hash_combine(hash, murmurhash32((uint32) journey));

	for (s = hash & state->slot_mask; (slot = state->slots[s]) != 0; s = (s + 1) & state->slot_mask)
	{
		if ((uint32) (slot >> 32) != hash)
			continue;
		record = (CustomerJourney *) (state->arena + (Size) (uint32) slot * MAXIMUM_ALIGNOF);
		if (record->journey == journey && record->key_length == key_length &&
			(key_length <= 0 || memcmp(RECORD_KEY(record, width), key, key_length) == 0))
			return record->times;
	}

	/* new: append the record, take the free slot s, grow the slots if needed */
	size = RECORD_SIZE(width, key_length);
	if (state->arena_used + size > state->arena_size)
	{
		while (state->arena_used + size > state->arena_size)
			state->arena_size *= 2;
		if (state->arena_size / MAXIMUM_ALIGNOF > PG_UINT32_MAX)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many customers in one group of funnel_counts")));
		state->arena = repalloc_huge(state->arena, state->arena_size);
	}
	record = (CustomerJourney *) (state->arena + state->arena_used);
	record->journey = journey;
	record->key_length = key_length;
	for (i = 0; i < width; i++)
		record->times[i] = NOT_REACHED;
	if (key_length > 0)
		memcpy(RECORD_KEY(record, width), key, key_length);
	state->slots[s] = ((uint64) hash << 32) | (uint64) (state->arena_used / MAXIMUM_ALIGNOF);
	state->arena_used += size;
	if (++state->nrecords > state->slot_mask / 2)
		grow_slots(state);
	return record->times;
}

PG_FUNCTION_INFO_V1(nps_funnel_counts_trans);

/*
 * funnel_counts transition: (state internal, customer text, touchpoint_id
 * integer, occurred_at timestamptz, stages integer[]).  Not strict: the
 * state starts NULL, and a NULL customer is a customer.
 */
Datum
nps_funnel_counts_trans(PG_FUNCTION_ARGS)
{
	MemoryContext context;
	FunnelState *state;
	int			stage;
	TimestampTz at;
	TimestampTz *times;
	const char *key = NULL;
	int32		key_length = -1;

	if (!AggCheckCallContext(fcinfo, &context))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("funnel_counts transition function called in non-aggregate context")));

	if (PG_ARGISNULL(0))
	{
		if (PG_ARGISNULL(4))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("stages argument of funnel_counts must not be null")));
		if (!get_collation_isdeterministic(PG_GET_COLLATION() == InvalidOid ?
										   DEFAULT_COLLATION_OID : PG_GET_COLLATION()))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("funnel_counts does not support nondeterministic collations"),
					 errhint("Use a deterministic collation for the customer column, e.g. customer COLLATE \"C\".")));
		state = funnel_state_create(context, PG_GETARG_ARRAYTYPE_P(4));
	}
	else
		state = (FunnelState *) PG_GETARG_POINTER(0);

	if (PG_ARGISNULL(2) || PG_ARGISNULL(3))
		PG_RETURN_POINTER(state);
	stage = find_stage(state, PG_GETARG_INT32(2));
	if (stage < 0)
		PG_RETURN_POINTER(state);
	at = PG_GETARG_TIMESTAMPTZ(3);
	if (TIMESTAMP_NOT_FINITE(at))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("occurred_at must be finite in funnel_counts")));
	if (!PG_ARGISNULL(1))
	{
		text	   *customer = PG_GETARG_TEXT_PP(1);

		key = VARDATA_ANY(customer);
		key_length = VARSIZE_ANY_EXHDR(customer);
	}

	times = customer_journey_times(state, key, key_length, state->stages[stage].journey);
	if (at < times[state->stages[stage].position])
		times[state->stages[stage].position] = at;
	PG_RETURN_POINTER(state);
}

static int
compare_int64(const void *a, const void *b)
{
	int64		x = *(const int64 *) a;
	int64		y = *(const int64 *) b;

	return (x > y) - (x < y);
}

/*
 * Puts the k-th smallest of v[0..n) at v[k], the smaller ones before it and
 * the larger ones after: quickselect with three-way partitions (gaps repeat
 * often), falling back to a sort if the partitions keep coming out lopsided.
 */
static void
select_kth(int64 *v, int64 n, int64 k)
{
	int64		lo = 0,
				hi = n - 1;
	int			budget = 2 * (pg_leftmost_one_pos64((uint64) n) + 1) + 8;

	Assert(k >= 0 && k < n);
	while (hi > lo)
	{
		int64		a = v[lo],
					b = v[lo + (hi - lo) / 2],
					c = v[hi];
		int64		pivot = Max(Min(a, b), Min(Max(a, b), c));	/* median of three */
		int64		lt = lo,
					i = lo,
					gt = hi;

		if (budget-- == 0)
		{
			qsort(v + lo, hi - lo + 1, sizeof(int64), compare_int64);
			return;
		}
		while (i <= gt)
		{
			int64		x = v[i];

			if (x < pivot)
			{
				v[i++] = v[lt];
				v[lt++] = x;
			}
			else if (x > pivot)
			{
				v[i] = v[gt];
				v[gt--] = x;
			}
			else
				i++;
		}
		/* [lo, lt) < pivot, [lt, gt] = pivot, (gt, hi] > pivot */
		if (k < lt)
			hi = lt - 1;
		else if (k > gt)
			lo = gt + 1;
		else
			return;
	}
}

/* timestamptz - timestamptz for a gap >= 0 microseconds, as the - operator gives it. */
static Datum
gap_interval(int64 microseconds)
{
	Interval   *result = palloc(sizeof(Interval));

	Assert(microseconds >= 0);
	result->month = 0;
	result->day = (int32) (microseconds / USECS_PER_DAY);
	result->time = microseconds - (int64) result->day * USECS_PER_DAY;
	return IntervalPGetDatum(result);
}

/*
 * The median of a stage's gaps as percentile_cont(0.5) computes it: the
 * middle gap, or lo + (hi - lo) * 0.5 with interval arithmetic.
 */
static Datum
median_gap(int64 *gaps, int64 n)
{
	int64		lo = (n - 1) / 2;
	int64		hi;
	int64		i;

	Assert(n > 0);
	select_kth(gaps, n, lo);
	if ((n - 1) % 2 == 0)
		return gap_interval(gaps[lo]);
	/* the next one up is the smallest of those after the lower middle */
	hi = gaps[lo + 1];
	for (i = lo + 2; i < n; i++)
		hi = Min(hi, gaps[i]);
	return DirectFunctionCall2(interval_pl, gap_interval(gaps[lo]),
							   DirectFunctionCall2(interval_mul,
												   DirectFunctionCall2(interval_mi,
																	   gap_interval(hi),
																	   gap_interval(gaps[lo])),
												   Float8GetDatum(0.5)));
}

PG_FUNCTION_INFO_V1(nps_funnel_counts_final);

/* funnel_counts final: nps.funnel_stage[], one element per stage (NULL for no rows). */
Datum
nps_funnel_counts_final(PG_FUNCTION_ARGS)
{
	FunnelState *state;
	int64	   *customers,
			   *continued,
			   *from_first;
	int64	  **gaps;
	int64	   *gaps_size;
	Size		offset;
	int			width = 0;
	int32		key_length = 0;
	int			k;
	Oid			array_type,
				element_type;
	TupleDesc	desc;
	Datum	   *elements;

	if (!AggCheckCallContext(fcinfo, NULL))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("funnel_counts final function called in non-aggregate context")));
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	state = (FunnelState *) PG_GETARG_POINTER(0);

	customers = palloc0(sizeof(int64) * Max(state->nstages, 1));
	continued = palloc0(sizeof(int64) * Max(state->nstages, 1));
	from_first = palloc0(sizeof(int64) * Max(state->nstages, 1));
	gaps = palloc0(sizeof(int64 *) * Max(state->nstages, 1));
	gaps_size = palloc0(sizeof(int64) * Max(state->nstages, 1));

	/* one walk over the records: the counts, and the gaps of those who continued */
	for (offset = MAXIMUM_ALIGNOF; offset < state->arena_used; offset += RECORD_SIZE(width, key_length))
	{
		const CustomerJourney *e = (const CustomerJourney *) (state->arena + offset);
		const TimestampTz *t = e->times;
		const int  *journey_stages = state->journey_stages + state->journey_start[e->journey];

		width = state->journey_width[e->journey];
		key_length = e->key_length;

		for (k = 0; k < width; k++)
		{
			int			si = journey_stages[k];
			const FunnelStage *s = &state->stages[si];
			int64		gap;

			if (t[k] == NOT_REACHED)
				continue;
			customers[si]++;
			if (t[s->first] <= t[k])
				from_first[si]++;
			/* a stage not reached has NOT_REACHED, never <= a reached one */
			if (s->previous < 0 || t[s->previous] > t[k])
				continue;
			if (pg_sub_s64_overflow(t[k], t[s->previous], &gap))
				ereport(ERROR,
						(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
						 errmsg("interval out of range")));
			if (continued[si] == gaps_size[si])
			{
				gaps_size[si] = Max(64, gaps_size[si] * 2);
				gaps[si] = (gaps[si] == NULL)
					? palloc_extended(sizeof(int64) * gaps_size[si], MCXT_ALLOC_HUGE)
					: repalloc_huge(gaps[si], sizeof(int64) * gaps_size[si]);
			}
			gaps[si][continued[si]++] = gap;
		}
	}

	array_type = get_fn_expr_rettype(fcinfo->flinfo);
	element_type = get_element_type(array_type);
	if (!OidIsValid(element_type))
		elog(ERROR, "funnel_counts must return an array of a composite type");
	desc = lookup_rowtype_tupdesc(element_type, -1);
	if (desc->natts != STAGE_NATTS)
		elog(ERROR, "funnel_counts: the composite type has %d columns, not %d", desc->natts, STAGE_NATTS);
	elements = palloc(sizeof(Datum) * Max(state->nstages, 1));
	for (k = 0; k < state->nstages; k++)
	{
		Datum		values[STAGE_NATTS];
		bool		nulls[STAGE_NATTS] = {false};

		values[STAGE_TOUCHPOINT_ID] = Int32GetDatum(state->stages[k].touchpoint_id);
		values[STAGE_CUSTOMERS] = Int64GetDatum(customers[k]);
		values[STAGE_CONTINUED] = Int64GetDatum(continued[k]);
		values[STAGE_FROM_FIRST] = Int64GetDatum(from_first[k]);
		if (continued[k] > 0)
			values[STAGE_MEDIAN_GAP] = median_gap(gaps[k], continued[k]);
		else
			nulls[STAGE_MEDIAN_GAP] = true;
		elements[k] = HeapTupleGetDatum(heap_form_tuple(desc, values, nulls));
	}
	ReleaseTupleDesc(desc);
	PG_RETURN_ARRAYTYPE_P(construct_array(elements, state->nstages, element_type,
										  -1, false, TYPALIGN_DOUBLE));
}
