#!/usr/bin/env bash
# test/bench/run.sh: the benchmark (not a test: nothing here passes or fails).
#
# Builds and installs nps, starts a throwaway cluster (test/lib.sh), builds its
# own data (10M rows by default, BENCH_ROWS to change), then times each query
# best-of-BENCH_RUNS side by side in one run and prints the ratios: ours vs the
# scan floor (count(col)) and vs the plain SQL formulation people write today.
# Area fragments test/bench/<area>.sh (sourced below) add their own cases with
# bench_case / bench_ratio.
#
#   bash test/bench/run.sh            # full run, about 10 minutes on 2 cores
#   BENCH_ROWS=1000000 bash test/bench/run.sh   # quick look
#   BENCH_ONLY="net_promoter_score csat" bash test/bench/run.sh
#                                     # only those fragments, not the nps_agg cases
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

BENCH_ROWS=${BENCH_ROWS:-10000000}
BENCH_WINDOW_ROWS=${BENCH_WINDOW_ROWS:-1000000}
BENCH_RUNS=${BENCH_RUNS:-5}
BENCH_ONLY=${BENCH_ONLY:-}

trap nps_cleanup EXIT
nps_ensure_deps
nps_build >/dev/null
nps_start_cluster
# Room for the whole table in shared buffers, so we time the aggregates and the
# executor, not the kernel's page cache.  JIT off: compile time would swamp
# small queries and make runs noisy.
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "ALTER SYSTEM SET shared_buffers = '4GB'" \
     -c "ALTER SYSTEM SET jit = off" -c "ALTER SYSTEM SET max_parallel_workers_per_gather = 0" \
     -c "ALTER SYSTEM SET work_mem = '256MB'"
nps_as_owner "$("$PG_CONFIG" --bindir)/pg_ctl" -D "$NPS_TMP/data" -l "$NPS_TMP/postgres.log" -w restart >/dev/null

export PGDATABASE=nps_bench
createdb nps_bench
psql() { command psql -X -q -v ON_ERROR_STOP=1 "$@"; }

echo "==> building $BENCH_ROWS rows (score smallint is the last column)"
psql <<SQL
CREATE EXTENSION nps;
CREATE EXTENSION pg_prewarm;
SELECT setseed(0.42);
CREATE TABLE bench AS
SELECT g AS id,
       (random() * 200000)::int AS customer,
       (ARRAY['presale','order','payment','delivery','aftersales'])[1 + floor(random() * 5)::int] AS touchpoint,
       (ARRAY['VIP','regular','churned'])[1 + floor(random() * 3)::int] AS segment,
       timestamptz '2026-01-01' + g * interval '1 second' AS at,
       random() < 0.8 AS hit,
       (1 + floor(random() * 5))::smallint AS csat,
       floor(random() * 11)::smallint AS score
FROM generate_series(1, $BENCH_ROWS) g;
CREATE TABLE bench_window AS SELECT * FROM bench ORDER BY at LIMIT $BENCH_WINDOW_ROWS;
CREATE INDEX ON bench_window (at);
VACUUM ANALYZE bench;
VACUUM ANALYZE bench_window;
SELECT pg_prewarm('bench'), pg_prewarm('bench_window');
SQL

declare -A BENCH_MS=() BENCH_CPU=()

# bench_case LABEL SQL: runs SQL BENCH_RUNS times, keeps the best wall time and,
# separately, the best CPU time of the backend (user + system, from
# log_statement_stats: the whole query string, planning included; the
# leader's only in parallel plans).  On a shared machine the wall time also counts the time the
# backend waits for a core; its CPU time does not, so ratios of CPU times move
# much less with the load of other processes.
bench_case() {
    local label=$1 sql=$2 best="" cpu="" t c i
    for ((i = 0; i < BENCH_RUNS; i++)); do
        read -r t c < <(psql -c 'SET log_statement_stats = on' -c 'SET client_min_messages = log' \
                            -c '\timing on' -c "$sql" 2>&1 |
            awk '/^Time:/ {t = $2} /s user, .* s elapsed$/ {gsub(/!/, ""); c += ($1 + $4) * 1000}
                 END {print t, c}')
        if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN {exit !(a < b)}'; then best=$t; fi
        if [ -z "$cpu" ] || awk -v a="$c" -v b="$cpu" 'BEGIN {exit !(a < b)}'; then cpu=$c; fi
    done
    BENCH_MS[$label]=$best
    BENCH_CPU[$label]=$cpu
    printf '  %-58s %10.1f ms  (CPU %8.1f ms)\n' "$label" "$best" "$cpu"
}

# bench_ratio A B [TARGET]: prints time(A) / time(B), wall and CPU, and the target if given.
bench_ratio() {
    local a=$1 b=$2 target=${3:-}
    awk -v a="${BENCH_MS[$a]}" -v b="${BENCH_MS[$b]}" -v ca="${BENCH_CPU[$a]}" -v cb="${BENCH_CPU[$b]}" \
        -v la="$a" -v lb="$b" -v t="$target" \
        'BEGIN { printf "  %-40s / %-30s %6.3fx  (CPU %6.3fx)%s\n", la, lb, a / b, (cb > 0 ? ca / cb : 0),
                 (t == "" ? "" : "   (target " t ")") }'
}

bench_section() { echo; echo "== $*"; }

echo
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "PostgreSQL: $(psql -Atc 'SHOW server_version'), rows: $BENCH_ROWS (window: $BENCH_WINDOW_ROWS), best of $BENCH_RUNS runs, serial plans unless said"

# The rolling frame of every window case, here and in the fragments.
W="OVER (ORDER BY at ROWS BETWEEN 999 PRECEDING AND CURRENT ROW)"

# The cases of nps_agg; skipped when BENCH_ONLY names fragments.
bench_core() {
    bench_section "nps_agg, whole table"
    bench_case "count(score)" "SELECT count(score) FROM bench"
    bench_case "nps_agg(score)" "SELECT nps.nps_agg(score) FROM bench"
    bench_case "SQL idiom (FILTER)" "SELECT 100.0 * (count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= 6)) / count(score) FROM bench"
    bench_ratio "nps_agg(score)" "count(score)" "<= 1.10x"
    bench_ratio "SQL idiom (FILTER)" "count(score)"
    bench_ratio "nps_agg(score)" "SQL idiom (FILTER)" "< 1x"

    bench_section "nps_agg, GROUP BY touchpoint, segment"
    bench_case "count(score) GROUP BY" "SELECT touchpoint, segment, count(score) FROM bench GROUP BY 1, 2"
    bench_case "nps_agg(score) GROUP BY" "SELECT touchpoint, segment, nps.nps_agg(score) FROM bench GROUP BY 1, 2"
    bench_case "SQL idiom GROUP BY" "SELECT touchpoint, segment, 100.0 * (count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= 6)) / count(score) FROM bench GROUP BY 1, 2"
    bench_ratio "nps_agg(score) GROUP BY" "count(score) GROUP BY" "<= 1.10x"
    bench_ratio "SQL idiom GROUP BY" "count(score) GROUP BY"
    bench_ratio "nps_agg(score) GROUP BY" "SQL idiom GROUP BY" "< 1x"

    bench_section "rolling window, ROWS BETWEEN 999 PRECEDING AND CURRENT ROW ($BENCH_WINDOW_ROWS rows)"
    bench_case "count(score) OVER w" "SELECT count(x) FROM (SELECT count(score) $W AS x FROM bench_window) s"
    bench_case "nps_agg(score) OVER w" "SELECT count(x) FROM (SELECT nps.nps_agg(score) $W AS x FROM bench_window) s"
    bench_case "SQL idiom OVER w (3 window aggregates)" "SELECT count(x) FROM (SELECT 100.0 * (count(*) FILTER (WHERE score >= 9) $W - count(*) FILTER (WHERE score <= 6) $W) / count(score) $W AS x FROM bench_window) s"
    bench_ratio "nps_agg(score) OVER w" "count(score) OVER w" "<= 1.15x"
    bench_ratio "SQL idiom OVER w (3 window aggregates)" "count(score) OVER w"
    bench_ratio "nps_agg(score) OVER w" "SQL idiom OVER w (3 window aggregates)" "< 1x"

    bench_section "parallel plan (2 workers) vs serial plan"
    P="SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;"
    bench_case "nps_agg(score) parallel" "$P SELECT nps.nps_agg(score) FROM bench"
    bench_case "nps_agg(score) GROUP BY parallel" "$P SELECT touchpoint, segment, nps.nps_agg(score) FROM bench GROUP BY 1, 2"
    bench_ratio "nps_agg(score) parallel" "nps_agg(score)"
    bench_ratio "nps_agg(score) GROUP BY parallel" "nps_agg(score) GROUP BY"
}

if [ -z "$BENCH_ONLY" ]; then
    bench_core
fi

# Area fragments (CSAT/CES/rates, closed loop, ...) add their cases here.
for fragment in "$(dirname "${BASH_SOURCE[0]}")"/*.sh; do
    case "$(basename "$fragment")" in run.sh | model.sh) continue ;; esac   # model.sh runs on its own
    if [ -n "$BENCH_ONLY" ] && [[ " $BENCH_ONLY " != *" $(basename "$fragment" .sh) "* ]]; then
        continue
    fi
    # shellcheck source=/dev/null
    source "$fragment"
done
echo
echo "done."
