/*
 * common.h
 *		The lowest layer of the nps extension, used by every metric area:
 *		validation of scores and weights with PostgreSQL-style errors, and
 *		the builder of composite results.
 *
 * Kept in one place so that NPS, CSAT, CES and rate aggregates report bad
 * input with the same SQLSTATEs and wording.  It calls nothing else of the
 * extension.
 */
#ifndef NPS_COMMON_H
#define NPS_COMMON_H

#include "postgres.h"
#include "fmgr.h"
#include "utils/numeric.h"

/*
 * Score validation.  "what" names the metric in messages ("NPS", "CSAT").
 * All report SQLSTATE 22003 naming the value and the valid range.
 */
extern pg_attribute_noreturn() void score_out_of_range_int(const char *what,
														   int64 value,
														   int32 min, int32 max);
extern int32 score_from_numeric(const char *what, Numeric num,
								int32 min, int32 max);

/* Validates a survey weight (22023 for negative, NaN or infinite). */
extern void check_weight(const char *what, double weight);

/*
 * Builds a composite (or OUT-parameter record) result from values/nulls,
 * using the function's declared result type; the tuple descriptor is cached
 * in fn_extra.
 */
extern Datum build_result_tuple(FunctionCallInfo fcinfo, Datum *values, bool *nulls);

#endif							/* NPS_COMMON_H */
