/*
 * nps.c
 *		Module entry of the nps extension: the magic block every loadable
 *		PostgreSQL module carries.  The rest of the code lives by area:
 *		nps_agg.c (NPS aggregates), nps_infer.c (intervals and tests),
 *		stats.c (normal distribution), common.c (shared helpers).
 */
#include "postgres.h"
#include "fmgr.h"

PG_MODULE_MAGIC;
