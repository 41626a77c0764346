/*
 * nps.h
 *		The NPS area: its aggregate state and the layout of nps_result.
 *
 * The state is a handful of counters: rows seen, the (weighted) sum of
 * detractors, passives and promoters, and the sum of squared weights.  An
 * unweighted response adds 1 to its category and to weight_sq, so unweighted
 * states are integers and every operation on them is exact.  Weighted sums
 * are floats; the header's "inexact" flag records whether any addition was
 * rounded, which tells the inverse transition whether it can subtract
 * exactly.
 */
#ifndef NPS_NPS_H
#define NPS_NPS_H

#include "postgres.h"

#include "access/htup.h"

#include "state.h"

#define NPS_DETRACTOR	0
#define NPS_PASSIVE		1
#define NPS_PROMOTER	2

/* nps_state: INTERNALLENGTH 48 in nps_agg.sql */
typedef struct NpsState
{
	StateHeader hdr;			/* format version, inexact flag */
	int64		responses;		/* rows counted (weight 0 included) */
	double		sum[3];			/* sum of weights per category */
	double		weight_sq;		/* sum of squared weights */
} NpsState;

/* Attribute numbers of the composite type nps.nps_result */
#define NPS_RESULT_RESPONSES	1
#define NPS_RESULT_PROMOTERS	2
#define NPS_RESULT_PASSIVES		3
#define NPS_RESULT_DETRACTORS	4
#define NPS_RESULT_NPS			5
#define NPS_RESULT_STD_ERROR	6
#define NPS_RESULT_MARGIN_95	7
#define NPS_RESULT_EFFECTIVE_N	8
#define NPS_RESULT_WEIGHT_SQ	9
#define NPS_RESULT_NATTS		9

/*
 * For the layers above (attribution.c): the counts of a stored nps_result,
 * validated (a NULL result is none: zero counts), and its total weight.
 */
extern void nps_result_state(HeapTupleHeader result, NpsState *state);

static inline double
nps_total_weight(const NpsState *s)
{
	return s->sum[NPS_DETRACTOR] + s->sum[NPS_PASSIVE] + s->sum[NPS_PROMOTER];
}

#endif							/* NPS_NPS_H */
