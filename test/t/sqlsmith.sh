#!/usr/bin/env bash
# test/t/sqlsmith.sh: random queries (sqlsmith, Debian package "sqlsmith") against a
# database with the extension, data in every nps table and stored results and states
# in user tables, for about a minute. A backend crash fails the run and prints the
# query that crashed it; SQL errors of the generated queries are normal and ignored.
#
#  - sqlsmith is installed from Debian (apt-get) when it is missing.
#  - Database nps_sqlsmith_t; the extension is installed by the non-superuser
#    nps_sqlsmith (a trusted install, as a database owner would do it), which also
#    runs the queries: it owns the nps tables, may write them and calls every
#    function as an ordinary user would. Data: the journey data of
#    test/readme/journey.sql, a copy of it moved to the last days (so the views,
#    which read the window before now(), have rows), a row in unrestricted_role and
#    owner_security; user tables of raw scores (smallint, integer, bigint, numeric,
#    weights, booleans), stored nps_result / csat_result / ces_result / rate_result
#    (unweighted and weighted, per day and touchpoint) and nps_state / scale_state /
#    rate_state values (from those results, plus empty and edge values).
#  - sqlsmith --seed=$NPS_SQLSMITH_SEED (default 1) --max-queries=$NPS_SQLSMITH_MAX_QUERIES
#    (default 50000) --exclude-catalog, stopped after $NPS_SQLSMITH_SECONDS (default 60)
#    seconds at the latest: the same queries in the same order on every run, as many
#    as fit in the time. sqlsmith sets statement_timeout = 1s itself; the role has
#    temp_file_limit = 1GB, and log_min_messages = fatal so that the errors of the
#    generated queries stay out of the server log.
#  - A crash: the server log (postgres.log in $PGHOST, where test/lib.sh keeps it)
#    gains "terminated by signal", "exited with exit code", "was terminated by
#    exception" or "TRAP:" (a failed Assert) after the start of the run. The test then
#    prints those lines (with "Failed process was running: <query>", cut at 1 kB)
#    and the whole query from sqlsmith's dump (--dump-all-queries), and fails.
#  - Afterwards the cluster must answer again (after a crash the postmaster restarts
#    every backend; the test waits for it) and the database and role are dropped,
#    so later scripts get a working cluster either way.
# Runs against the throwaway cluster of test/run_tests.sh (PGHOST/PGPORT/PGUSER).
set -euo pipefail

REPO=${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
db=nps_sqlsmith_t
role=nps_sqlsmith
SECS=${NPS_SQLSMITH_SECONDS:-60}
MAXQ=${NPS_SQLSMITH_MAX_QUERIES:-50000}
SEED=${NPS_SQLSMITH_SEED:-1}
log="$PGHOST/postgres.log"
work=$(mktemp -d)
chmod 755 "$work"

. "$REPO/test/lib.sh"   # q, fail

wait_for_server() {   # after a crash the postmaster restarts all backends
    local i
    for i in $(seq 1 60); do
        psql -X -q -At -d postgres -c 'SELECT 1' >/dev/null 2>&1 && return 0
        sleep 1
    done
    return 1
}
cleanup() {
    wait_for_server || true
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    psql -X -q -d postgres -c "DROP ROLE IF EXISTS $role" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

# ---- sqlsmith from Debian, only when missing ----------------------------------------
if ! command -v sqlsmith >/dev/null 2>&1; then
    echo "==> sqlsmith missing; installing the Debian package"
    sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y sqlsmith
fi
command -v sqlsmith >/dev/null 2>&1 || fail "sqlsmith is not installed"
[ -r "$log" ] || fail "server log $log not readable (PGHOST must be the directory of test/lib.sh's cluster)"

# ---- database, role, data ---------------------------------------------------------
q -d postgres -c 'SET client_min_messages = warning' \
  -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "DROP ROLE IF EXISTS $role"
q -d postgres <<SQL
CREATE ROLE $role LOGIN;
ALTER ROLE $role SET log_min_messages = fatal;
ALTER ROLE $role SET log_min_error_statement = panic;
ALTER ROLE $role SET temp_file_limit = '1GB';
CREATE DATABASE $db OWNER $role;
SQL
q -U "$role" -d "$db" -c 'CREATE EXTENSION nps'
q -d "$db" -f "$REPO/test/readme/journey.sql" >/dev/null
q -U "$role" -d "$db" >/dev/null <<'SQL'
SET nps.notify = off;
-- the same rows again, moved so that 2024-06-30 12:00 becomes now() - 1 day
INSERT INTO nps.response (customer, touchpoint_id, answered_at, segment, channel, score, csat, ces, comment, reasons, followed_up_at)
SELECT 'now-' || customer, touchpoint_id, answered_at + (now() - interval '1 day' - timestamptz '2024-06-30 12:00+00'),
       segment, channel, score, csat, ces, comment, reasons,
       followed_up_at + (now() - interval '1 day' - timestamptz '2024-06-30 12:00+00')
  FROM nps.response;
INSERT INTO nps.journey_event (customer, touchpoint_id, occurred_at)
SELECT 'now-' || customer, touchpoint_id, occurred_at + (now() - interval '1 day' - timestamptz '2024-06-30 12:00+00')
  FROM nps.journey_event;
INSERT INTO nps.service_case (customer, touchpoint_id, opened_at, first_response_at, resolved_at, contacts, complaint, reopened)
SELECT 'now-' || customer, touchpoint_id, opened_at + (now() - interval '1 day' - timestamptz '2024-06-30 12:00+00'),
       first_response_at + (now() - interval '1 day' - timestamptz '2024-06-30 12:00+00'),
       resolved_at + (now() - interval '1 day' - timestamptz '2024-06-30 12:00+00'), contacts, complaint, reopened
  FROM nps.service_case;
UPDATE nps.response SET csat = 1 + id % 5, ces = 1 + id % 7 WHERE csat IS NULL AND id % 3 = 0;
INSERT INTO nps.unrestricted_role (role_name) VALUES ('nps_sqlsmith_reader');
SELECT nps.enable_owner_security();   -- fills owner_security; the owner still sees all rows

-- raw scores of every type the aggregates take
CREATE TABLE public.raw_scores (id int, grp int, score_s smallint, score_i integer, score_b bigint,
                                score_n numeric, csat smallint, ces integer, weight float8, hit boolean);
INSERT INTO public.raw_scores
SELECT g, g % 4, (g % 11)::smallint, g % 11, g % 11, (g % 11)::numeric, (1 + g % 5)::smallint, 1 + g % 7,
       CASE g % 4 WHEN 0 THEN 1 WHEN 1 THEN 0.5 WHEN 2 THEN 0.1 ELSE 2.25 END,
       CASE WHEN g % 5 = 0 THEN NULL ELSE g % 3 = 0 END
  FROM generate_series(1, 500) g;
INSERT INTO public.raw_scores VALUES (0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);

-- stored results, per day and touchpoint
CREATE TABLE public.stored_results AS
SELECT answered_at::date AS day, touchpoint_id,
       nps.nps_agg(score) AS nps, nps.nps_agg(score, 0.5 + id % 3 * 0.3) AS nps_weighted,
       nps.csat_agg(csat) AS csat, nps.csat_agg(csat, 5, 5) AS csat_top_box,
       nps.ces_agg(ces) AS ces, nps.rate_agg(score >= 9) AS rate
  FROM nps.response GROUP BY 1, 2;
INSERT INTO public.stored_results (day, touchpoint_id) VALUES (NULL, NULL);

-- stored states: from the results, plus empty and edge values
CREATE TABLE public.stored_states (id serial, nps_s nps.nps_state, scale_s nps.scale_state, rate_s nps.rate_state);
INSERT INTO public.stored_states (nps_s, scale_s, rate_s)
SELECT format('responses=%s promoters=%s passives=%s detractors=%s weight_sq=%s inexact=f',
              (nps).responses, (nps).promoters, (nps).passives, (nps).detractors, (nps).weight_sq_sum)::nps.nps_state,
       CASE WHEN csat IS NOT NULL THEN
       format('responses=%s scale_max=%s threshold=%s hits=%s sum=%s sum_sq=%s',
              (csat).responses, (csat).scale_max, (csat).satisfied_min, (csat).satisfied,
              (csat).score_sum, (csat).score_sq_sum)::nps.scale_state END,
       CASE WHEN rate IS NOT NULL THEN format('n=%s hits=%s', (rate).responses, (rate).hits)::nps.rate_state END
  FROM public.stored_results WHERE nps IS NOT NULL;
INSERT INTO public.stored_states (nps_s, scale_s, rate_s) VALUES
  ('responses=0 promoters=0 passives=0 detractors=0 weight_sq=0 inexact=f',
   'responses=0 scale_max=0 threshold=0 hits=0 sum=0 sum_sq=0', 'n=0 hits=0'),
  ('responses=3 promoters=1.5 passives=0.25 detractors=0.1 weight_sq=2.3225 inexact=t',
   'responses=2 scale_max=7 threshold=6 hits=1 sum=9 sum_sq=53', 'n=1 hits=1'),
  (NULL, NULL, NULL);
SQL
q -d "$db" -c ANALYZE
echo "==> data: $(psql -X -At -U "$role" -d "$db" -c "SELECT format('%s responses, %s stored results, %s stored states',
    (SELECT count(*) FROM nps.response), (SELECT count(*) FROM stored_results), (SELECT count(*) FROM stored_states))")"

# ---- run sqlsmith -----------------------------------------------------------------
log_start=$(stat -c %s "$log")
echo "==> sqlsmith --seed=$SEED --max-queries=$MAXQ --exclude-catalog, at most $SECS s"
rc=0
(cd "$work" && timeout -k 10 "$SECS" sqlsmith \
    --target="host=$PGHOST port=$PGPORT user=$role dbname=$db application_name=sqlsmith" \
    --seed="$SEED" --max-queries="$MAXQ" --exclude-catalog --verbose --dump-all-queries \
    >"$work/queries.sql" 2>"$work/sqlsmith.err") </dev/null || rc=$?
case $rc in
    0)   stopped="after --max-queries=$MAXQ" ;;
    124) stopped="after $SECS s" ;;
    *)   stopped="with exit code $rc" ;;
esac

# every query prints one progress character: . ok, e error, t timeout, S syntax, C broken connection
progress=$(grep -E '^[.etSC]+$' "$work/sqlsmith.err" | tr -d '\n' || true)
n_all=${#progress}
count() { local s=${progress//[^$1]/}; echo ${#s}; }
echo "==> sqlsmith stopped $stopped: $n_all queries ($(count .) ok, $(count e) errors," \
     "$(count t) timeouts, $(count S) syntax errors, $(count C) broken connections)"
echo "==> most frequent errors of the generated queries (normal for sqlsmith):"
awk '/^queries: / { buf = "" } { buf = buf $0 "\n" } END { printf "%s", buf }' "$work/sqlsmith.err" |
    grep -E '^[0-9]+'$'\t''ERROR' | head -n 8 || true
echo "==> calls of nps functions and aggregates in the generated queries:" \
     "$(grep -oE 'nps\.[a-z_]+\(' "$work/queries.sql" | wc -l)" \
     "($(grep -oE 'nps\.[a-z_]+\(' "$work/queries.sql" | sort -u | wc -l) different)"

# ---- the verdict: the server log since the start of the run -------------------------
tail -c +"$((log_start + 1))" "$log" >"$work/server.log"
if ! wait_for_server; then
    echo "---- server log since the start of the run (last 50 lines) ----"
    tail -n 50 "$work/server.log"
    fail "the server does not answer after the sqlsmith run"
fi
crash_re='terminated by signal|exited with exit code|was terminated by exception|^TRAP:|TRAP: '
if grep -Eq "$crash_re" "$work/server.log"; then
    echo "FAIL: a backend crashed during the sqlsmith run. From the server log:"
    grep -E -A 3 "$crash_re" "$work/server.log" | head -n 60 || true
    # the server log cuts the query at track_activity_query_size (1 kB); sqlsmith's
    # dump has it whole: query k of the dump is the one that got progress mark k = C
    k=0 shown=0
    while [ "$shown" -lt 3 ]; do
        rest=${progress:$k}
        [[ $rest == *C* ]] || break
        pre=${rest%%C*}
        k=$((k + ${#pre} + 1))
        shown=$((shown + 1))
        echo "---- query $k of the run, which lost its connection (sqlsmith --seed=$SEED) ----"
        awk -v k="$k" 'BEGIN { n = 1 } n == k { print } /;$/ { n++; if (n > k) exit }' "$work/queries.sql"
    done
    exit 1
fi
if [ "$n_all" -lt 100 ]; then
    echo "---- sqlsmith stderr (last 40 lines) ----"
    tail -n 40 "$work/sqlsmith.err"
    fail "sqlsmith ran only $n_all queries"
fi
if [ "$(count C)" -gt 0 ]; then
    # no crash in the server log: a query ended its own session (pg_terminate_backend
    # of its own pid, for example), which is not a crash
    echo "note: $(count C) broken connection(s) without a crash in the server log"
fi
echo "OK: no backend crash in $n_all queries"
