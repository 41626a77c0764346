/*
 * attribution.c
 *		Why NPS moved: shift-share attribution of an NPS change over the groups
 *		of a partition (stages, segments, channels), as the window function
 *		nps_contribution(cur, prev) OVER (PARTITION BY ...) and as the plain
 *		function nps_contribution(cur, prev, cur_total, prev_total).
 *
 * For one group: w1, w0 are its share of the partition's total weight
 * (promoters + passives + detractors) now and before; s1, s0 its NPS; S1, S0
 * the partition's NPS from the summed counts.  A group without responses in
 * one period has share 0 there, and its NPS for that period is taken to be
 * its NPS in the other period (its whole effect is then mix).
 *
 *	mix_effect  = (w1 - w0) ((s0 + s1)/2 - (S0 + S1)/2)
 *	rate_effect = ((w0 + w1)/2) (s1 - s0)
 *	effect      = mix_effect + rate_effect
 *
 * Summed over a partition the effects are exactly S1 - S0 (up to rounding):
 * sum w1 s1 = S1, sum w0 s0 = S0, and the centring term adds to zero because
 * the shares of each period add to 1.  Centring on the overall score gives
 * each group's mix effect a meaningful sign: growing a group that scores
 * above the average lifts the whole.
 *
 * It sits above the NPS area (nps.c), whose validated results it reads.
 */
#include "postgres.h"

#include <math.h>

#include "windowapi.h"

#include "common.h"
#include "nps.h"

/* Columns of the composite type nps.nps_contribution */
enum
{
	CONTRIB_CURRENT_SHARE,
	CONTRIB_PREVIOUS_SHARE,
	CONTRIB_CURRENT_NPS,
	CONTRIB_PREVIOUS_NPS,
	CONTRIB_MIX_EFFECT,
	CONTRIB_RATE_EFFECT,
	CONTRIB_EFFECT,
	CONTRIB_NATTS
};

/* A group, or a whole partition, in one period: total weight, promoters - detractors. */
typedef struct PeriodCounts
{
	double		weight;
	double		net;			/* weighted promoters minus detractors */
} PeriodCounts;

/* The counts of an nps_result argument; a NULL result has none. */
static PeriodCounts
period_counts(Datum result, bool isnull)
{
	PeriodCounts c = {0.0, 0.0};
	NpsState	s;

	if (!isnull)
	{
		nps_result_state(DatumGetHeapTupleHeader(result), &s);
		c.weight = nps_total_weight(&s);
		c.net = s.sum[NPS_PROMOTER] - s.sum[NPS_DETRACTOR];
	}
	return c;
}

/* Adds a group's counts into a partition's; 22003 past the double range. */
static void
add_counts(PeriodCounts *into, PeriodCounts from)
{
	into->weight += from.weight;
	into->net += from.net;
	if (!isfinite(into->weight) || !isfinite(into->net))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("NPS totals of the partition are out of range")));
}

/*
 * The nps_contribution row of a group (cur, prev) in a whole (cur_total,
 * prev_total).  Shares and NPS are NULL where their period has no weight;
 * the effects are NULL unless both periods of the whole have weight.
 */
static Datum
contribution_row(FunctionCallInfo fcinfo, PeriodCounts cur, PeriodCounts prev,
				 PeriodCounts cur_total, PeriodCounts prev_total)
{
	Datum		values[CONTRIB_NATTS];
	bool		nulls[CONTRIB_NATTS];
	bool		has_cur = cur.weight > 0.0,
				has_prev = prev.weight > 0.0,
				whole = cur_total.weight > 0.0 && prev_total.weight > 0.0;
	double		w1 = 0.0,
				w0 = 0.0,
				s1 = 0.0,
				s0 = 0.0;
	int			i;

	if (cur.weight > cur_total.weight * (1.0 + 1e-12) ||
		prev.weight > prev_total.weight * (1.0 + 1e-12))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("group has more weight than its total"),
				 errdetail("The total of a period must include the group's responses.")));

	for (i = 0; i < CONTRIB_NATTS; i++)
		nulls[i] = true;
	if (cur_total.weight > 0.0)
	{
		w1 = cur.weight / cur_total.weight;
		values[CONTRIB_CURRENT_SHARE] = Float8GetDatum(w1);
		nulls[CONTRIB_CURRENT_SHARE] = false;
	}
	if (prev_total.weight > 0.0)
	{
		w0 = prev.weight / prev_total.weight;
		values[CONTRIB_PREVIOUS_SHARE] = Float8GetDatum(w0);
		nulls[CONTRIB_PREVIOUS_SHARE] = false;
	}
	if (has_cur)
	{
		s1 = 100.0 * cur.net / cur.weight;
		values[CONTRIB_CURRENT_NPS] = Float8GetDatum(s1);
		nulls[CONTRIB_CURRENT_NPS] = false;
	}
	if (has_prev)
	{
		s0 = 100.0 * prev.net / prev.weight;
		values[CONTRIB_PREVIOUS_NPS] = Float8GetDatum(s0);
		nulls[CONTRIB_PREVIOUS_NPS] = false;
	}
	if (whole && (has_cur || has_prev))
	{
		double		total1 = 100.0 * cur_total.net / cur_total.weight,
					total0 = 100.0 * prev_total.net / prev_total.weight,
					mix,
					rate;

		/* missing in one period: that period's NPS is the other one's */
		if (!has_cur)
			s1 = s0;
		if (!has_prev)
			s0 = s1;
		mix = (w1 - w0) * ((s0 + s1) / 2.0 - (total0 + total1) / 2.0);
		rate = ((w0 + w1) / 2.0) * (s1 - s0);
		values[CONTRIB_MIX_EFFECT] = Float8GetDatum(mix);
		values[CONTRIB_RATE_EFFECT] = Float8GetDatum(rate);
		values[CONTRIB_EFFECT] = Float8GetDatum(mix + rate);
		nulls[CONTRIB_MIX_EFFECT] = nulls[CONTRIB_RATE_EFFECT] = nulls[CONTRIB_EFFECT] = false;
	}
	else if (whole)
	{
		/* no responses in either period: no share, no effect */
		values[CONTRIB_MIX_EFFECT] = values[CONTRIB_RATE_EFFECT] =
			values[CONTRIB_EFFECT] = Float8GetDatum(0.0);
		nulls[CONTRIB_MIX_EFFECT] = nulls[CONTRIB_RATE_EFFECT] = nulls[CONTRIB_EFFECT] = false;
	}
	return build_result_tuple(fcinfo, values, nulls);
}

/* nps_contribution(cur, prev, cur_total, prev_total): not strict, NULL = no responses */
PG_FUNCTION_INFO_V1(nps_contribution_plain);
Datum
nps_contribution_plain(PG_FUNCTION_ARGS)
{
	return contribution_row(fcinfo,
							period_counts(PG_GETARG_DATUM(0), PG_ARGISNULL(0)),
							period_counts(PG_GETARG_DATUM(1), PG_ARGISNULL(1)),
							period_counts(PG_GETARG_DATUM(2), PG_ARGISNULL(2)),
							period_counts(PG_GETARG_DATUM(3), PG_ARGISNULL(3)));
}

/* The partition's totals, summed once per partition (partition-local memory). */
typedef struct PartitionTotals
{
	bool		summed;
	PeriodCounts cur;
	PeriodCounts prev;
} PartitionTotals;

/*
 * nps_contribution(cur, prev) OVER (PARTITION BY ...): the totals are the
 * sums over every row of the partition, whatever the frame, like ntile()
 * reads the partition's row count.
 */
PG_FUNCTION_INFO_V1(nps_contribution_window);
Datum
nps_contribution_window(PG_FUNCTION_ARGS)
{
	WindowObject winobj = PG_WINDOW_OBJECT();
	PartitionTotals *totals;
	bool		isnull,
				isout;
	Datum		cur,
				prev;
	bool		cur_null,
				prev_null;

	totals = (PartitionTotals *) WinGetPartitionLocalMemory(winobj, sizeof(PartitionTotals));
	if (!totals->summed)
	{
		int64		rows = WinGetPartitionRowCount(winobj);
		int64		i;

		for (i = 0; i < rows; i++)
		{
			Datum		d;

			d = WinGetFuncArgInPartition(winobj, 0, i, WINDOW_SEEK_HEAD, false, &isnull, &isout);
			Assert(!isout);
			add_counts(&totals->cur, period_counts(d, isnull));
			d = WinGetFuncArgInPartition(winobj, 1, i, WINDOW_SEEK_HEAD, false, &isnull, &isout);
			Assert(!isout);
			add_counts(&totals->prev, period_counts(d, isnull));
		}
		totals->summed = true;
	}
	cur = WinGetFuncArgCurrent(winobj, 0, &cur_null);
	prev = WinGetFuncArgCurrent(winobj, 1, &prev_null);
	return contribution_row(fcinfo, period_counts(cur, cur_null), period_counts(prev, prev_null),
							totals->cur, totals->prev);
}
