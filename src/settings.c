/*
 * settings.c
 *		Module entry of the nps extension: the magic block, _PG_init, and the
 *		nps.* configuration parameters (GUCs) it defines.
 *
 *	nps.window_length   interval, default '30 days': the length of the
 *	                    current window of the journey views (the previous
 *	                    window, for change tests, is the same length just
 *	                    before it); the name of the *_at functions' parameter
 *	                    (not "window": WINDOW is a reserved word, so
 *	                    SET nps.window = ... would be a syntax error)
 *	nps.followup_sla    interval, default '48 hours': how long a detractor may
 *	                    wait for a follow-up before it is overdue
 *	nps.min_responses   integer >= 1, default 30: below this many responses
 *	                    (or cases) a metric's status is 'insufficient'
 *	nps.notify          boolean, default on: the closed-loop trigger
 *	                    (closed_loop.sql) announces new detractors with
 *	                    NOTIFY nps_detractor; off silences it (bulk loads)
 *	nps.notify_payload  'full' (default) or 'id': what a notification carries.
 *	                    Any role that can connect may LISTEN, so 'id' sends
 *	                    only the response id and listeners read the rest
 *	                    through their own privileges and row security
 *	nps.change_fdr      real in (0, 0.5], default 0.01: the false discovery
 *	                    rate at which metric_status calls a change significant
 *	                    (change_q_value < nps.change_fdr).  Under no change at
 *	                    all Benjamini-Hochberg raises at least one alarm with
 *	                    probability about equal to this rate, per refresh: 0.05
 *	                    would be a false alarm every ~20 refreshes (weekly for a
 *	                    daily refresh)
 *
 * All of them are PGC_USERSET, so a DBA can set them per database or role
 * (ALTER DATABASE d SET nps.window_length = '7 days'; ALTER ROLE r SET ...), and a
 * session can SET them.  The two intervals are validated by a check hook
 * with the same parser as interval input (ParseDateTime + DecodeInterval,
 * falling back to ISO 8601), but "softly": a bad value is rejected with
 * SQLSTATE 22023 (invalid_parameter_value) and a detail, never by a longjmp
 * out of the hook.  Zero and negative intervals are rejected as well.
 *
 * Loading: PostgreSQL only knows these parameters once nps.so is loaded in
 * the session.  Until then "SET nps.window_length = 'bad'" creates a placeholder
 * without checking it; when the library loads (on the first call of any
 * nps C function - every SQL function and view of the extension reads the
 * settings through nps.setting_window_length() etc., which are C, so the library
 * is always loaded before a setting is used) the placeholder is validated
 * and a bad value is reported as a WARNING and replaced by the default.
 * Per-database/role settings (ALTER DATABASE/ROLE ... SET) are applied at
 * connection start as placeholders and validated the same way on load; to
 * have them validated when they are set, load the library first (call any
 * nps function in that session, or add nps to session_preload_libraries).
 *
 * This file is the module entry: the magic block every loadable module
 * carries and the library's only _PG_init.
 */
#include "postgres.h"

#include <limits.h>

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

static char *nps_window_length_string = NULL;
static char *nps_followup_sla_string = NULL;
static int	nps_min_responses = 30;
static bool nps_notify = true;
static double nps_change_fdr = 0.01;

typedef enum NotifyPayload
{
	NOTIFY_PAYLOAD_FULL,
	NOTIFY_PAYLOAD_ID
} NotifyPayload;

static const struct config_enum_entry notify_payload_options[] = {
	{"full", NOTIFY_PAYLOAD_FULL, false},
	{"id", NOTIFY_PAYLOAD_ID, false},
	{NULL, 0, false}
};
static int	nps_notify_payload = NOTIFY_PAYLOAD_FULL;

/* parsed values, set by the assign hooks from the check hooks' "extra" */
static Interval nps_window_length_value;
static Interval nps_followup_sla_value;

/*
 * Parses an interval like interval_in() does, without raising errors.
 * Returns true and fills *result on success; on failure sets the GUC check
 * detail and returns false.  Only strictly positive intervals are accepted.
 */
static bool
parse_positive_interval(const char *str, const char *name, Interval *result)
{
	struct pg_itm_in itm;
	char	   *field[MAXDATEFIELDS];
	int			ftype[MAXDATEFIELDS];
	char		workbuf[256];
	char	   *copy;
	int			nf;
	int			dtype = 0;
	int			dterr;

	if (str == NULL || str[0] == '\0')
	{
		GUC_check_errdetail("%s must be a positive interval such as '30 days'.", name);
		return false;
	}

	memset(&itm, 0, sizeof(itm));
	dterr = ParseDateTime(str, workbuf, sizeof(workbuf), field, ftype,
						  MAXDATEFIELDS, &nf);
	if (dterr == 0)
		dterr = DecodeInterval(field, ftype, nf, INTERVAL_FULL_RANGE,
							   &dtype, &itm);
	if (dterr == DTERR_BAD_FORMAT)
	{
		/* ISO 8601 ("P30D"); DecodeISO8601Interval wants a writable string */
		copy = pstrdup(str);
		memset(&itm, 0, sizeof(itm));
		dterr = DecodeISO8601Interval(copy, &dtype, &itm);
		pfree(copy);
	}

	if (dterr != 0 || dtype != DTK_DELTA)
	{
		if (dterr == DTERR_FIELD_OVERFLOW || dterr == DTERR_INTERVAL_OVERFLOW)
			GUC_check_errdetail("\"%s\" is out of range for an interval.", str);
		else
			GUC_check_errdetail("\"%s\" is not a valid interval; %s must be a positive interval such as '30 days'.",
								str, name);
		return false;
	}
	if (itmin2interval(&itm, result) != 0)
	{
		GUC_check_errdetail("\"%s\" is out of range for an interval.", str);
		return false;
	}

	/*
	 * Positive: compare with zero the way interval comparison does (months
	 * as 30 days, days as 24 hours), in 128-bit-safe steps.
	 */
	{
		double		total;

		total = (double) result->month * 30.0 * USECS_PER_DAY +
			(double) result->day * USECS_PER_DAY + (double) result->time;
		if (!(total > 0.0))
		{
			GUC_check_errdetail("%s must be positive, not \"%s\".", name, str);
			return false;
		}
	}
	return true;
}

static bool
check_interval_guc(char **newval, void **extra, const char *name)
{
	Interval	value;
	Interval   *copy;

	if (!parse_positive_interval(*newval, name, &value))
	{
		GUC_check_errcode(ERRCODE_INVALID_PARAMETER_VALUE);
		return false;
	}
	copy = (Interval *) malloc(sizeof(Interval));
	if (copy == NULL)
		return false;
	*copy = value;
	*extra = copy;
	return true;
}

static bool
check_window_length_guc(char **newval, void **extra, GucSource source)
{
	return check_interval_guc(newval, extra, "nps.window_length");
}

static bool
check_followup_sla_guc(char **newval, void **extra, GucSource source)
{
	return check_interval_guc(newval, extra, "nps.followup_sla");
}

static void
assign_window_length(const char *newval, void *extra)
{
	if (extra != NULL)
		nps_window_length_value = *(Interval *) extra;
}

static void
assign_followup_sla(const char *newval, void *extra)
{
	if (extra != NULL)
		nps_followup_sla_value = *(Interval *) extra;
}

static bool
check_change_fdr_guc(double *newval, void **extra, GucSource source)
{
	if (!(*newval > 0.0))
	{
		GUC_check_errcode(ERRCODE_INVALID_PARAMETER_VALUE);
		GUC_check_errdetail("nps.change_fdr must be above 0 and at most 0.5, such as 0.01.");
		return false;
	}
	return true;
}

void
_PG_init(void)
{
	DefineCustomStringVariable("nps.window_length",
							   "Length of the current window of the nps journey views.",
							   "The views cover (now() - nps.window_length, now()]; the previous window, "
							   "for change tests, is the same length just before it. A positive interval.",
							   &nps_window_length_string,
							   "30 days",
							   PGC_USERSET,
							   0,
							   check_window_length_guc, assign_window_length, NULL);

	DefineCustomStringVariable("nps.followup_sla",
							   "How long a detractor may wait for a follow-up before it is overdue.",
							   "Used by nps.detractor_queue. A positive interval.",
							   &nps_followup_sla_string,
							   "48 hours",
							   PGC_USERSET,
							   0,
							   check_followup_sla_guc, assign_followup_sla, NULL);

	DefineCustomIntVariable("nps.min_responses",
							"Minimum responses (or cases) before a metric status is judged.",
							"Below it nps.metric_status reports 'insufficient'.",
							&nps_min_responses,
							30, 1, INT_MAX,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);

	DefineCustomBoolVariable("nps.notify",
							 "Announce new detractors on the notification channel nps_detractor.",
							 "Read by the trigger nps.response_notify_detractors; turn off for bulk loads.",
							 &nps_notify,
							 true,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomEnumVariable("nps.notify_payload",
							 "What a notification on nps_detractor carries: full or id.",
							 "Any role that can connect may LISTEN; with id the payload is only "
							 "the response id, and listeners read the rest with their own rights.",
							 &nps_notify_payload,
							 NOTIFY_PAYLOAD_FULL,
							 notify_payload_options,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	/*
	 * Bounds: the GUC machinery checks [0, 0.5] and rejects a value out of
	 * them with 22023; the check hook rejects 0 itself (a change is
	 * significant when q < rate, so 0 would silently switch all change
	 * alarms off).
	 */
	DefineCustomRealVariable("nps.change_fdr",
							 "False discovery rate of the change alarms of nps.metric_status.",
							 "A change is significant when its Benjamini-Hochberg q-value across the "
							 "metrics judged together (change_q_value) is below this rate. Above 0, at most 0.5.",
							 &nps_change_fdr,
							 0.01, 0.0, 0.5,
							 PGC_USERSET,
							 0,
							 check_change_fdr_guc, NULL, NULL);

	MarkGUCPrefixReserved("nps");
}

static Datum
interval_datum(const Interval *value)
{
	Interval   *result = (Interval *) palloc(sizeof(Interval));

	*result = *value;
	return IntervalPGetDatum(result);
}

PG_FUNCTION_INFO_V1(nps_setting_window_length);
Datum
nps_setting_window_length(PG_FUNCTION_ARGS)
{
	return interval_datum(&nps_window_length_value);
}

PG_FUNCTION_INFO_V1(nps_setting_followup_sla);
Datum
nps_setting_followup_sla(PG_FUNCTION_ARGS)
{
	return interval_datum(&nps_followup_sla_value);
}

PG_FUNCTION_INFO_V1(nps_setting_min_responses);
Datum
nps_setting_min_responses(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(nps_min_responses);
}

PG_FUNCTION_INFO_V1(nps_setting_notify);
Datum
nps_setting_notify(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(nps_notify);
}

PG_FUNCTION_INFO_V1(nps_setting_change_fdr);
Datum
nps_setting_change_fdr(PG_FUNCTION_ARGS)
{
	Assert(nps_change_fdr > 0.0 && nps_change_fdr <= 0.5);
	PG_RETURN_FLOAT8(nps_change_fdr);
}

PG_FUNCTION_INFO_V1(nps_setting_notify_payload);
Datum
nps_setting_notify_payload(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(nps_notify_payload == NOTIFY_PAYLOAD_ID ? "id" : "full"));
}

/*
 * A positive interval argument, or 22023 naming the argument: what
 * parse_positive_interval() requires of the settings, for the values the
 * *_at functions take as arguments.
 */
static Interval *
positive_interval_arg(FunctionCallInfo fcinfo, const char *name)
{
	Interval   *span = PG_GETARG_INTERVAL_P(0);
	double		total;

	total = (double) span->month * 30.0 * USECS_PER_DAY +
		(double) span->day * USECS_PER_DAY + (double) span->time;
	if (!(total > 0.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a positive interval", name),
				 errdetail("Got %s.",
						   DatumGetCString(DirectFunctionCall1(interval_out,
															   IntervalPGetDatum(span))))));
	return span;
}

/*
 * nps.check_window_length(interval): returns its argument when it is a
 * positive interval, raises 22023 ("window_length must be ...") otherwise.
 */
PG_FUNCTION_INFO_V1(nps_check_window_length);
Datum
nps_check_window_length(PG_FUNCTION_ARGS)
{
	PG_RETURN_INTERVAL_P(positive_interval_arg(fcinfo, "window_length"));
}

/*
 * nps.check_followup_sla(interval): the same for the follow-up SLA of
 * detractor_queue_at ("followup_sla must be ...").
 */
PG_FUNCTION_INFO_V1(nps_check_followup_sla);
Datum
nps_check_followup_sla(PG_FUNCTION_ARGS)
{
	PG_RETURN_INTERVAL_P(positive_interval_arg(fcinfo, "followup_sla"));
}

/*
 * nps.check_min_responses(integer): returns its argument when >= 1, raises
 * 22023 otherwise.
 */
PG_FUNCTION_INFO_V1(nps_check_min_responses);
Datum
nps_check_min_responses(PG_FUNCTION_ARGS)
{
	int32		n = PG_GETARG_INT32(0);

	if (n < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("minimum responses must be at least 1, not %d", n)));
	PG_RETURN_INT32(n);
}

/*
 * nps.check_buckets(integer): returns its argument when it is 1..1000 (the
 * number of points of a trend, nps.metric_trend_at), raises 22023 otherwise.
 */
#define NPS_MAX_BUCKETS 1000

PG_FUNCTION_INFO_V1(nps_check_buckets);
Datum
nps_check_buckets(PG_FUNCTION_ARGS)
{
	int32		n = PG_GETARG_INT32(0);

	if (n < 1 || n > NPS_MAX_BUCKETS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("buckets must be between 1 and %d, not %d", NPS_MAX_BUCKETS, n)));
	PG_RETURN_INT32(n);
}
