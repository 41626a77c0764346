/*
 * nps_agg.h
 *		The NPS aggregate state and the summary statistics computed from it.
 *
 * The state is a handful of exact counters: rows seen, the (weighted) sum of
 * detractors, passives and promoters, and the sum of squared weights.  An
 * unweighted response adds 1 to its category and to weight_sq, so unweighted
 * states are integers and every operation on them is exact.  Weighted sums are
 * floats; "inexact" records whether any addition was rounded, which tells the
 * inverse transition whether it can subtract exactly.
 */
#ifndef NPS_AGG_H
#define NPS_AGG_H

#include "postgres.h"
#include "fmgr.h"
#include "access/htup.h"

#define NPS_DETRACTOR	0
#define NPS_PASSIVE		1
#define NPS_PROMOTER	2

typedef struct NpsState
{
	int64		responses;		/* rows counted (weight 0 included) */
	double		sum[3];			/* sum of weights per category */
	double		weight_sq;		/* sum of squared weights */
	bool		inexact;		/* some float addition was rounded */
	char		pad[7];
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
 * Proportions behind a score.  nps is a fraction in [-1, 1]; variance is the
 * variance of one response's contribution (+1, 0, -1); n is the (effective)
 * sample size.  With adjusted = true, the Adjusted Wald pseudo-observations
 * (3/4 promoter, 3/2 passive, 3/4 detractor) are added first.
 */
typedef struct NpsSummary
{
	double		n;
	double		nps;
	double		variance;
} NpsSummary;

extern void nps_state_from_result(HeapTupleHeader result, NpsState *state);
extern bool nps_summarize(const NpsState *state, bool adjusted, NpsSummary *out);

#endif							/* NPS_AGG_H */
