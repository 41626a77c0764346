/*
 * rate.h
 *		The rate area (first-contact resolution, SLA met, complaints...): its
 *		aggregate state and the layout of rate_result.
 *
 * The state is two exact counts, n and hits, so a parallel combine, a rollup
 * of stored days and the inverse transition of a window frame are additions
 * and subtractions of integers.
 */
#ifndef NPS_RATE_H
#define NPS_RATE_H

#include "postgres.h"

#include "state.h"

/* rate_state: INTERNALLENGTH 24 in rate.sql */
typedef struct RateState
{
	StateHeader hdr;			/* format version */
	int64		n;				/* non-NULL rows */
	int64		hits;			/* rows that were true */
} RateState;

/* Attribute numbers of the composite type nps.rate_result */
#define RATE_RESULT_RESPONSES	1
#define RATE_RESULT_HITS		2
#define RATE_RESULT_RATE		3
#define RATE_RESULT_STD_ERROR	4
#define RATE_RESULT_MARGIN_95	5
#define RATE_RESULT_CI_LOW		6
#define RATE_RESULT_CI_HIGH		7
#define RATE_RESULT_NATTS		7

#endif							/* NPS_RATE_H */
