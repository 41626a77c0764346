#!/usr/bin/env bash
# test/bench/summary_load.sh: what the daily summaries' invalidation triggers
# (src/summary.sql) cost writers (a measurement, not a test: nothing here
# passes or fails).
#
# Builds and installs nps, starts a throwaway cluster (test/lib.sh) and loads
# NPS_LOAD_ROWS (default 1,000,000) responses over 60 days into nps.response
# with one INSERT ... SELECT, with the trigger response_summary_insert
# enabled and disabled (ALTER TABLE ... DISABLE TRIGGER, that trigger only),
# alternately, best of NPS_LOAD_RUNS (3), in two set-ups:
#   as installed      the notify trigger is there too (nps.notify = off), so
#                     the transition table of the inserted rows is kept
#                     either way
#   replica           session_replication_role = replica (bulk copies, as
#                     test/bench/model.sh loads): the notify trigger does not
#                     fire, the summary trigger (ENABLE ALWAYS) does: the
#                     worst case
# Half of the days are summarized before each load (the load then
# invalidates them, as a backfill would).  Then a trickle: NPS_TRICKLE_ROWS
# (10,000) single-row INSERT statements from psql, autocommit, on vs off.
#
#   bash test/bench/summary_load.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

ROWS=${NPS_LOAD_ROWS:-1000000}
RUNS=${NPS_LOAD_RUNS:-3}
TRICKLE=${NPS_TRICKLE_ROWS:-10000}

trap nps_cleanup EXIT
nps_ensure_deps
nps_build >/dev/null
nps_start_cluster
psql -X -q -v ON_ERROR_STOP=1 -d postgres \
     -c "ALTER SYSTEM SET shared_buffers = '1GB'" -c "ALTER SYSTEM SET max_wal_size = '8GB'" \
     -c "ALTER SYSTEM SET synchronous_commit = off" -c "ALTER SYSTEM SET jit = off"
nps_as_owner "$("$PG_CONFIG" --bindir)/pg_ctl" -D "$NPS_TMP/data" -l "$NPS_TMP/postgres.log" -w restart >/dev/null

export PGDATABASE=nps_load
createdb nps_load
psql() { command psql -X -q -v ON_ERROR_STOP=1 "$@"; }
psql <<'SQL'
CREATE EXTENSION nps;
INSERT INTO nps.journey (code, name) VALUES ('shop', 'Shop');
INSERT INTO nps.touchpoint (journey_id, stage_order, code, name)
SELECT 1, i, 'tp' || i, 'Touchpoint ' || i FROM generate_series(1, 8) i;
SQL

# ms SQL...: wall time of one psql run, in ms
ms() { local t0; t0=$(date +%s%N); psql "$@" >/dev/null; echo $(( ($(date +%s%N) - t0) / 1000000 )); }
LOAD="INSERT INTO nps.response (customer, touchpoint_id, answered_at, segment, channel, score, csat, ces)
SELECT 'c' || i, 1 + i % 8, timestamptz '2026-11-20 00:00+00' - (i::bigint * 5184000 / $ROWS) * interval '1 second',
       (ARRAY['retail', 'business', NULL])[1 + i % 3], (ARRAY['app', 'web', 'phone'])[1 + i / 3 % 3],
       i % 11, 1 + i % 5, 1 + i % 7
  FROM generate_series(1, $ROWS) i"
# state before each load: empty, then the first 30 of the 60 days loaded by the
# previous run summarized -- simpler and the same for both: every load starts
# from an empty table with 30 summarized (empty) days
prepare() {
    psql -c "TRUNCATE nps.response" -c "VACUUM nps.response" -c "CHECKPOINT" \
         -c "INSERT INTO nps.response_summarized_day SELECT d::date, now() FROM generate_series(date '2026-09-21', date '2026-10-20', interval '1 day') d"
}
switch() { # on|off
    if [ "$1" = on ]; then psql -c "ALTER TABLE nps.response ENABLE ALWAYS TRIGGER response_summary_insert"
    else psql -c "ALTER TABLE nps.response DISABLE TRIGGER response_summary_insert"; fi
}
best() { sort -n | head -n1; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), load average $(cut -d' ' -f1-3 /proc/loadavg)"
for setup in installed replica; do
    opts="SET nps.notify = off;"
    [ "$setup" = replica ] && opts="$opts SET session_replication_role = replica;"
    on=(); off=()
    for ((i = 0; i < RUNS; i++)); do
        for mode in on off; do
            # alternate which goes first
            [ $((i % 2)) = 1 ] && mode=$([ "$mode" = on ] && echo off || echo on)
            switch "$mode"; prepare
            t=$(ms -c "$opts $LOAD") || exit 1
            left=$(psql -At -c "SELECT count(*) FROM nps.response_summarized_day")
            if [ "$mode" = on ]; then on+=("$t"); [ "$left" = 0 ] || echo "    (on: $left summarized days left: not invalidated?)"
            else off+=("$t"); fi
        done
    done
    bon=$(printf '%s\n' "${on[@]}" | best); boff=$(printf '%s\n' "${off[@]}" | best)
    awk -v s="$setup" -v n="$ROWS" -v a="$bon" -v b="$boff" -v ra="${on[*]}" -v rb="${off[*]}" \
        'BEGIN { printf "%-10s %d rows: trigger on %6d ms, off %6d ms, ratio %.2fx  (runs on: %s; off: %s)\n", s, n, a, b, a / b, ra, rb }'
done
switch on

# trickle: single-row INSERT statements, autocommit, into today (not summarized)
# and with 30 summarized days (the probe finds nothing to invalidate)
trickle=$(mktemp)
for ((i = 1; i <= TRICKLE; i++)); do
    echo "INSERT INTO nps.response (customer, touchpoint_id, answered_at, score, csat) VALUES ('t$i', $((1 + i % 8)), '2026-11-20 10:00+00', $((i % 11)), $((1 + i % 5)));"
done >"$trickle"
on=(); off=()
for ((i = 0; i < RUNS; i++)); do
    for mode in on off; do
        switch "$mode"; prepare
        t=$(ms -c "SET nps.notify = off" -f "$trickle")
        if [ "$mode" = on ]; then on+=("$t"); else off+=("$t"); fi
    done
done
rm -f "$trickle"
bon=$(printf '%s\n' "${on[@]}" | best); boff=$(printf '%s\n' "${off[@]}" | best)
awk -v n="$TRICKLE" -v a="$bon" -v b="$boff" -v ra="${on[*]}" -v rb="${off[*]}" \
    'BEGIN { printf "trickle    %d single-row INSERTs: trigger on %6d ms, off %6d ms, ratio %.2fx  (runs on: %s; off: %s)\n", n, a, b, a / b, ra, rb }'
echo "done."
