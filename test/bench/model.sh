#!/usr/bin/env bash
# test/bench/model.sh: the journey model at scale (a measurement, not a test:
# nothing here passes or fails).
#
# Builds and installs nps, starts a throwaway cluster (test/lib.sh), loads the
# demo data (test/demo/demo.sql, up to its dashboards) and multiplies it
# NPS_MODEL_SCALE times (default 50: about 5.0M responses, 4.8M journey events
# and 0.5M service cases over 60 days) by copying every fact row with the
# customer key suffixed by the copy number, all in set-based INSERT ... SELECT.
# Then VACUUM ANALYZE, and each *_at function at the demo's as_of and window
# (30 days), best of NPS_MODEL_RUNS (3), parallel plans allowed, beside the
# scan floor of its window: count(*) of the rows it must read, timed the same
# way.  NPS_MODEL_EXPLAIN=1 also prints the plan of each function's body
# (auto_explain of nested statements); NPS_MODEL_ONLY=regex times only the
# functions whose name matches.  After the load, nps.refresh_response_summary
# summarizes the complete days before as_of's (timed; NPS_MODEL_SUMMARY=off
# skips it): metric_status_at and owner_scorecard_at read them.
#
#   bash test/bench/model.sh                       # 5M responses: ~10 minutes on 2 cores
#   NPS_MODEL_SCALE=5 bash test/bench/model.sh     # 0.5M responses: a quick look
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

SCALE=${NPS_MODEL_SCALE:-50}
RUNS=${NPS_MODEL_RUNS:-3}
AS_OF='2026-11-20 12:00+08'

trap nps_cleanup EXIT
nps_ensure_deps
nps_build >/dev/null
nps_start_cluster
# Room for the facts in shared buffers (we time the executor, not the page
# cache); JIT off (its compile time swamps sub-second queries); a dashboard
# role's work_mem; parallel plans with up to 2 workers (the machine's cores).
psql -X -q -v ON_ERROR_STOP=1 -d postgres \
     -c "ALTER SYSTEM SET shared_buffers = '${NPS_MODEL_SHARED_BUFFERS:-2GB}'" \
     -c "ALTER SYSTEM SET jit = off" \
     -c "ALTER SYSTEM SET work_mem = '${NPS_MODEL_WORK_MEM:-64MB}'" \
     -c "ALTER SYSTEM SET maintenance_work_mem = '512MB'" \
     -c "ALTER SYSTEM SET max_parallel_workers_per_gather = 2" \
     -c "ALTER SYSTEM SET max_wal_size = '8GB'"
nps_as_owner "$("$PG_CONFIG" --bindir)/pg_ctl" -D "$NPS_TMP/data" -l "$NPS_TMP/postgres.log" -w restart >/dev/null

export PGDATABASE=nps_model
createdb nps_model
psql() { command psql -X -q -v ON_ERROR_STOP=1 "$@"; }
psql -c 'CREATE EXTENSION nps' -c 'CREATE EXTENSION pg_prewarm'

start=$(date +%s)
echo "==> loading the demo data (test/demo/demo.sql up to its dashboards)"
sed '/^-- =* dashboards/,$d' "$REPO/test/demo/demo.sql" | psql >/dev/null

echo "==> multiplying it by $SCALE"
# Copies 2..SCALE of every fact row, customer 'C000123' becoming 'C000123-k'.
# Triggers off (session_replication_role = replica: no per-row notify trigger,
# no foreign-key checks: every copied row references what the original does).
psql <<SQL
SET session_replication_role = replica;
SET max_parallel_workers_per_gather = 0;
INSERT INTO nps.journey_event (customer, touchpoint_id, occurred_at)
SELECT e.customer || '-' || k, e.touchpoint_id, e.occurred_at
  FROM nps.journey_event e, generate_series(2, $SCALE) AS k
 ORDER BY e.occurred_at;
INSERT INTO nps.response (customer, touchpoint_id, answered_at, segment, channel, score,
                          csat, ces, comment, reasons, followed_up_at)
SELECT r.customer || '-' || k, r.touchpoint_id, r.answered_at, r.segment, r.channel, r.score,
       r.csat, r.ces, r.comment, r.reasons, r.followed_up_at
  FROM nps.response r, generate_series(2, $SCALE) AS k
 ORDER BY r.answered_at;
INSERT INTO nps.service_case (customer, touchpoint_id, opened_at, first_response_at, resolved_at,
                              contacts, complaint, reopened)
SELECT c.customer || '-' || k, c.touchpoint_id, c.opened_at, c.first_response_at, c.resolved_at,
       c.contacts, c.complaint, c.reopened
  FROM nps.service_case c, generate_series(2, $SCALE) AS k
 ORDER BY c.opened_at;
SQL
psql -c 'VACUUM ANALYZE nps.response' -c 'VACUUM ANALYZE nps.journey_event' -c 'VACUUM ANALYZE nps.service_case'
psql -At -c "SELECT pg_prewarm(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = 'nps' AND c.relkind IN ('r', 'i')" >/dev/null
echo "    built in $(( $(date +%s) - start )) s"
# The daily summaries (src/summary.sql): every complete UTC day before the
# day of as_of, as the nightly job would leave them (NPS_MODEL_SUMMARY=off:
# none, every function reads the rows as before 1.1's summaries).
if [ "${NPS_MODEL_SUMMARY:-on}" != off ]; then
    t0=$(date +%s%N)
    days=$(psql -At -c "SELECT nps.refresh_response_summary((timestamptz '$AS_OF' AT TIME ZONE 'UTC')::date)")
    echo "    nps.refresh_response_summary: $days days summarized in $(( ($(date +%s%N) - t0) / 1000000 )) ms ($(psql -At -c 'SELECT count(*) FROM nps.response_day') rows in nps.response_day)"
    psql -c 'VACUUM ANALYZE nps.response_day' -c 'VACUUM ANALYZE nps.response_summarized_day'
else
    echo "    no daily summaries (NPS_MODEL_SUMMARY=off)"
fi

echo
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "PostgreSQL: $(psql -Atc 'SHOW server_version'); work_mem $(psql -Atc 'SHOW work_mem'), shared_buffers $(psql -Atc 'SHOW shared_buffers'), jit off, parallel plans allowed (2 workers)"
psql -At -F' ' <<SQL | awk '{printf "data: %s responses, %s journey events, %s service cases (scale %s); as_of %s, window 30 days\n", $1, $2, $3, $4, $5 " " $6}'
SELECT (SELECT count(*) FROM nps.response), (SELECT count(*) FROM nps.journey_event),
       (SELECT count(*) FROM nps.service_case), $SCALE, '$AS_OF';
SQL

if [ -n "${NPS_MODEL_EXPLAIN:-}" ]; then
    EXPLAIN_SETUP="LOAD 'auto_explain'; SET auto_explain.log_min_duration = 0; SET auto_explain.log_nested_statements = on; SET auto_explain.log_analyze = on; SET auto_explain.log_timing = off; SET client_min_messages = log; SET auto_explain.log_level = notice;"
else
    EXPLAIN_SETUP=""
fi

# best_ms SQL: the best of RUNS runs of SQL, in ms (output discarded)
best_ms() {
    local sql=$1 best="" t i
    for ((i = 0; i < RUNS; i++)); do
        t=$(psql -c '\timing on' -c "$sql" | awk '/^Time:/ {print $2}' | tail -n1)
        if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN {exit !(a < b)}'; then best=$t; fi
    done
    echo "$best"
}

W="timestamptz '$AS_OF', interval '30 days'"
LO="timestamptz '$AS_OF' - interval '30 days'"
LO2="timestamptz '$AS_OF' - interval '60 days'"
HI="timestamptz '$AS_OF'"
# 20 customers of the window, for the lookup by customer (customer_health_at's
# customers), picked once into a table so the timings do not include picking them
psql -c "CREATE TABLE public.bench_pick AS SELECT customer FROM nps.response
          WHERE answered_at > $LO AND answered_at <= $HI GROUP BY customer ORDER BY customer LIMIT 20"
PICK="ARRAY(SELECT customer FROM public.bench_pick)"
# function | call | what it must read | the scan floor: count(*) of those rows
CASES=(
  "touchpoint_nps_at|SELECT * FROM nps.touchpoint_nps_at($W)|responses in the window|SELECT count(*) FROM nps.response WHERE answered_at > $LO AND answered_at <= $HI"
  "segment_nps_at|SELECT * FROM nps.segment_nps_at($W)|responses in the window|SELECT count(*) FROM nps.response WHERE answered_at > $LO AND answered_at <= $HI"
  "journey_funnel_at|SELECT * FROM nps.journey_funnel_at($W)|journey events in the window|SELECT count(*) FROM nps.journey_event WHERE occurred_at > $LO AND occurred_at <= $HI"
  "metric_status_at|SELECT * FROM nps.metric_status_at($W, 30)|responses and cases in both windows|SELECT (SELECT count(*) FROM nps.response WHERE answered_at > $LO2 AND answered_at <= $HI) + (SELECT count(*) FROM nps.service_case WHERE opened_at > $LO2 AND opened_at <= $HI)"
  "owner_scorecard_at|SELECT * FROM nps.owner_scorecard_at($W, 30)|responses and cases in both windows|SELECT (SELECT count(*) FROM nps.response WHERE answered_at > $LO2 AND answered_at <= $HI) + (SELECT count(*) FROM nps.service_case WHERE opened_at > $LO2 AND opened_at <= $HI)"
  "detractor_reasons_at|SELECT * FROM nps.detractor_reasons_at($W)|responses in the window|SELECT count(*) FROM nps.response WHERE answered_at > $LO AND answered_at <= $HI"
  "detractor_queue_at|SELECT * FROM nps.detractor_queue_at($HI, interval '48 hours')|open detractors at as_of|SELECT count(*) FROM nps.response WHERE score <= 6 AND answered_at <= $HI AND (followed_up_at IS NULL OR followed_up_at > $HI)"
  "nps_change_at|SELECT * FROM nps.nps_change_at($W)|responses in both windows|SELECT count(*) FROM nps.response WHERE answered_at > $LO2 AND answered_at <= $HI"
  "nps_drivers_at|SELECT * FROM nps.nps_drivers_at($W, 30)|responses in the window|SELECT count(*) FROM nps.response WHERE answered_at > $LO AND answered_at <= $HI"
  "metric_trend_at|SELECT * FROM nps.metric_trend_at($HI, interval '7 days', 12, 30)|responses and cases of the 12 weeks|SELECT (SELECT count(*) FROM nps.response WHERE answered_at > $HI - interval '84 days' AND answered_at <= $HI) + (SELECT count(*) FROM nps.service_case WHERE opened_at > $HI - interval '84 days' AND opened_at <= $HI)"
  "action_effect_at|SELECT * FROM nps.action_effect_at($W, 30)|responses and cases in both windows|SELECT (SELECT count(*) FROM nps.response WHERE answered_at > $LO2 AND answered_at <= $HI) + (SELECT count(*) FROM nps.service_case WHERE opened_at > $LO2 AND opened_at <= $HI)"
  "customer_health_at|SELECT * FROM nps.customer_health_at($W)|answers and events in the window, cases by as_of|SELECT (SELECT count(*) FROM nps.response WHERE answered_at > $LO AND answered_at <= $HI) + (SELECT count(*) FROM nps.journey_event WHERE occurred_at > $LO AND occurred_at <= $HI) + (SELECT count(*) FROM nps.service_case WHERE opened_at <= $HI)"
  "customer_health_at(20)|SELECT * FROM nps.customer_health_at($W, customers => $PICK)|the 20 customers' rows|SELECT (SELECT count(*) FROM nps.response WHERE customer = ANY ($PICK)) + (SELECT count(*) FROM nps.journey_event WHERE customer = ANY ($PICK)) + (SELECT count(*) FROM nps.service_case WHERE customer = ANY ($PICK))"
)

echo
printf '%-22s %10s %12s %10s %8s  %s\n' "function" "time ms" "floor rows" "floor ms" "ratio" "floor: count(*) of"
for c in "${CASES[@]}"; do
    IFS='|' read -r name call what floor <<<"$c"
    [[ "$name" =~ ${NPS_MODEL_ONLY:-.} ]] || continue
    if [ -n "$EXPLAIN_SETUP" ]; then
        echo "---- plan of $name"
        psql -c "$EXPLAIN_SETUP" -c "$call" 2>&1 >/dev/null | sed -n '/Query Text/,$p'
    fi
    t=$(best_ms "$call")
    f=$(best_ms "$floor")
    rows=$(psql -At -c "$floor")
    awk -v n="$name" -v t="$t" -v f="$f" -v r="$rows" -v w="$what" \
        'BEGIN { printf "%-22s %10.0f %12d %10.0f %7.1fx  %s\n", n, t, r, f, t / f, w }'
done
echo
echo "done."
