/*
 * scale.h
 *		The bounded-scale area (CSAT and CES): its aggregate state and the
 *		layouts of csat_result and ces_result.
 *
 * CSAT and CES are both scores on a bounded 1..scale_max scale with a
 * threshold (satisfied_min, easy_min) that makes a response a "hit"; they
 * share one state, ScaleState, and differ in their final functions and
 * inference.  Every count is an exact integer, so combine, rollup and the
 * inverse transition of window frames are exact.
 */
#ifndef NPS_SCALE_H
#define NPS_SCALE_H

#include "postgres.h"

#include "state.h"

/* The scale of CSAT/CES scores is 1..scale_max, scale_max in this range. */
#define SCALE_MAX_MIN	2
#define SCALE_MAX_MAX	100

/*
 * scale_state: INTERNALLENGTH 48 in csat.sql.  scale_max and threshold are 0
 * until the first row (or merged state) sets them; afterwards every row must
 * carry the same values.
 */
typedef struct ScaleState
{
	StateHeader hdr;			/* format version */
	int64		responses;		/* rows counted */
	int64		hits;			/* responses scoring >= threshold */
	int64		sum;			/* sum of scores */
	int64		sum_sq;			/* sum of squared scores */
	int32		scale_max;		/* scores are 1..scale_max; 0 = not set yet */
	int32		threshold;		/* satisfied_min / easy_min; 0 = not set yet */
} ScaleState;

/* Attribute numbers of nps.csat_result */
#define CSAT_RESULT_RESPONSES		1
#define CSAT_RESULT_HITS			2	/* satisfied */
#define CSAT_RESULT_CSAT			3
#define CSAT_RESULT_MEAN			4
#define CSAT_RESULT_STD_ERROR		5
#define CSAT_RESULT_MARGIN_95		6
#define CSAT_RESULT_SCALE_MAX		7
#define CSAT_RESULT_THRESHOLD		8	/* satisfied_min */
#define CSAT_RESULT_SCORE_SUM		9
#define CSAT_RESULT_SCORE_SQ_SUM	10
#define CSAT_RESULT_NATTS			10

/* Attribute numbers of nps.ces_result */
#define CES_RESULT_RESPONSES		1
#define CES_RESULT_MEAN				2
#define CES_RESULT_STD_ERROR		3
#define CES_RESULT_MARGIN_95		4
#define CES_RESULT_HITS				5	/* easy */
#define CES_RESULT_EASY_PCT			6
#define CES_RESULT_SCALE_MAX		7
#define CES_RESULT_THRESHOLD		8	/* easy_min */
#define CES_RESULT_SCORE_SUM		9
#define CES_RESULT_SCORE_SQ_SUM		10
#define CES_RESULT_NATTS			10

#endif							/* NPS_SCALE_H */
