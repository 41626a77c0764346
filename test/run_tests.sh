#!/usr/bin/env bash
# test/run_tests.sh: build + install nps, start a throwaway PostgreSQL 15 cluster,
# run the pg_regress suite (sql/*.sql vs expected/*.out, one test per file), the
# isolation suite (test/isolation/specs/*.spec vs test/isolation/expected/*.out, run by
# pg_isolation_regress, one test per spec) and then every test/t/*.sh script (one test
# each; pass = exit 0; they get PGHOST, PGPORT, PGUSER, REPO and PG_CONFIG in the
# environment). The last line printed is always "N passed, N failed"; exit status 0
# only if nothing failed and at least one test ran. Outputs are kept under results/
# (regress/ and isolation/: output and regression.diffs, t/: one log per script).
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PASSED=0
FAILED=0
SUMMARY_DONE=""

# On any exit (normal end, error, Ctrl-C): stop the cluster first (silently), then make
# sure the closing "N passed, N failed" line is the last thing printed.
on_exit() {
    local rc=$?
    nps_cleanup
    if [ -z "$SUMMARY_DONE" ]; then
        echo "run_tests.sh: aborted (exit $rc) before the end (build/setup failure or interrupt)"
        echo "$PASSED passed, $((FAILED + 1)) failed"
        rc=1
    fi
    exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# count_results DIR TOOL RC TEST...: counts each test as passed or failed from
# TOOL's result lines in DIR/TOOL.log, like (PostgreSQL 15)
#   "test nps_agg                      ... ok           45 ms"
#   "test nps_agg                      ... FAILED       45 ms"
# (pg_regress and pg_isolation_regress print the same); a test without a result
# line (the tool could not run it) counts as failed.  On failure the tool leaves
# DIR/regression.diffs, which is printed.
count_results() {
    local dir=$1 tool=$2 rc=$3 t status
    shift 3
    for t in "$@"; do
        status=$(awk -v t="$t" '$1 == "test" && $2 == t && $3 == "..." { print $4; exit }' "$dir/$tool.log")
        if [ "$status" = ok ]; then
            PASSED=$((PASSED + 1))
        else
            FAILED=$((FAILED + 1))
            [ -n "$status" ] || echo "test $t: no result from $tool (exit $rc)"
        fi
    done
    if [ -s "$dir/regression.diffs" ]; then
        echo "---- $dir/regression.diffs ----"
        cat "$dir/regression.diffs"
        echo "---- end of regression.diffs ----"
    fi
}

nps_ensure_deps
NPS_TEST_BUILD=1 nps_build   # with Assert()s and -Werror
nps_start_cluster
cd "$REPO"

# ---- pg_regress: tests = basenames of sql/*.sql, byte-sorted like the Makefile -------
TESTS=()
for f in sql/*.sql; do
    [ -e "$f" ] || continue
    TESTS+=("$(basename "$f" .sql)")
done
if [ "${#TESTS[@]}" -gt 0 ]; then
    mapfile -t TESTS < <(printf '%s\n' "${TESTS[@]}" | LC_ALL=C sort)
fi

OUTDIR="$REPO/results/regress"
ISODIR="$REPO/results/isolation"
rm -rf "$OUTDIR" "$ISODIR" "$REPO/results/t"
mkdir -p "$OUTDIR" "$ISODIR" "$REPO/results/t"

if [ "${#TESTS[@]}" -gt 0 ]; then
    nps_log "pg_regress: ${TESTS[*]}"
    regress_rc=0
    "$("$PG_CONFIG" --pkglibdir)/pgxs/src/test/regress/pg_regress" \
        --bindir="$("$PG_CONFIG" --bindir)" \
        --inputdir=. --outputdir="$OUTDIR" --load-extension=nps \
        --host="$PGHOST" --port="$PGPORT" --user=postgres --dbname=contrib_regression \
        "${TESTS[@]}" 2>&1 | tee "$OUTDIR/pg_regress.log" || regress_rc=$?

    count_results "$OUTDIR" pg_regress "$regress_rc" "${TESTS[@]}"
else
    nps_log "pg_regress: no sql/*.sql files"
fi

# ---- pg_isolation_regress: tests = basenames of test/isolation/specs/*.spec ----------
# Concurrency tests (isolationtester sessions and permutations, e.g. owner security
# against open writer transactions). Debian ships pg_isolation_regress (and the
# isolationtester it runs, from the same directory) next to pg_regress under pgxs.
ISO_TESTS=()
for f in test/isolation/specs/*.spec; do
    [ -e "$f" ] || continue
    ISO_TESTS+=("$(basename "$f" .spec)")
done
if [ "${#ISO_TESTS[@]}" -gt 0 ]; then
    mapfile -t ISO_TESTS < <(printf '%s\n' "${ISO_TESTS[@]}" | LC_ALL=C sort)
    iso_regress="$("$PG_CONFIG" --pkglibdir)/pgxs/src/test/isolation/pg_isolation_regress"
    [ -x "$iso_regress" ] || iso_regress="$("$PG_CONFIG" --bindir)/pg_isolation_regress"
    if [ ! -x "$iso_regress" ]; then
        echo "pg_isolation_regress not found (pgxs/src/test/isolation or bindir of $PG_CONFIG):" \
             "${#ISO_TESTS[@]} isolation test(s) failed"
        FAILED=$((FAILED + ${#ISO_TESTS[@]}))
    else
        nps_log "pg_isolation_regress: ${ISO_TESTS[*]}"
        iso_rc=0
        timeout --foreground "${NPS_TEST_TIMEOUT:-900}" "$iso_regress" \
            --bindir="$("$PG_CONFIG" --bindir)" \
            --inputdir=test/isolation --outputdir="$ISODIR" \
            --host="$PGHOST" --port="$PGPORT" --user=postgres --dbname=isolation_regression \
            "${ISO_TESTS[@]}" </dev/null 2>&1 | tee "$ISODIR/pg_isolation_regress.log" || iso_rc=$?
        count_results "$ISODIR" pg_isolation_regress "$iso_rc" "${ISO_TESTS[@]}"
    fi
else
    nps_log "pg_isolation_regress: no test/isolation/specs/*.spec files"
fi

# ---- test/t/*.sh: each script is one test ------------------------------------------
for f in test/t/*.sh; do
    [ -e "$f" ] || continue
    name=${f#test/}
    log="$REPO/results/t/$(basename "$f" .sh).log"
    start=$SECONDS
    rc=0
    (cd "$REPO" && timeout --foreground "${NPS_TEST_TIMEOUT:-900}" bash "$f") </dev/null >"$log" 2>&1 || rc=$?
    if [ "$rc" -eq 0 ]; then
        printf 'test %-28s ... ok       %4d s\n' "$name" $((SECONDS - start))
        PASSED=$((PASSED + 1))
    else
        printf 'test %-28s ... FAILED   %4d s (exit %d)\n' "$name" $((SECONDS - start)) "$rc"
        echo "---- output of $name ----"
        cat "$log"
        echo "---- end of $name ----"
        FAILED=$((FAILED + 1))
    fi
done

# ---- summary: stop the cluster now so nothing is printed after the closing line ------
nps_cleanup
SUMMARY_DONE=1
echo "$PASSED passed, $FAILED failed"
if [ "$FAILED" -ne 0 ] || [ $((PASSED + FAILED)) -eq 0 ]; then
    exit 1
fi
exit 0
