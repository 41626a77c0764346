#!/usr/bin/env bash
# test/run_tests.sh: build + install nps, start a throwaway PostgreSQL 15 cluster,
# run the pg_regress suite (sql/*.sql vs expected/*.out, one test per file) and then
# every test/t/*.sh script (one test each; pass = exit 0; they get PGHOST, PGPORT,
# PGUSER, REPO and PG_CONFIG in the environment). The last line printed is always
# "N passed, N failed"; exit status 0 only if nothing failed and at least one test ran.
# Outputs are kept under results/ (regress/: pg_regress output and regression.diffs,
# t/: one log per script).
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

nps_ensure_deps
nps_build
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
rm -rf "$OUTDIR" "$REPO/results/t"
mkdir -p "$OUTDIR" "$REPO/results/t"

if [ "${#TESTS[@]}" -gt 0 ]; then
    nps_log "pg_regress: ${TESTS[*]}"
    regress_rc=0
    "$("$PG_CONFIG" --pkglibdir)/pgxs/src/test/regress/pg_regress" \
        --bindir="$("$PG_CONFIG" --bindir)" \
        --inputdir=. --outputdir="$OUTDIR" --load-extension=nps \
        --host="$PGHOST" --port="$PGPORT" --user=postgres --dbname=contrib_regression \
        "${TESTS[@]}" 2>&1 | tee "$OUTDIR/pg_regress.log" || regress_rc=$?

    # Count per test file from lines like (PostgreSQL 15)
    #   "test nps_agg                      ... ok           45 ms"
    #   "test nps_agg                      ... FAILED       45 ms"
    # A test without a result line (pg_regress could not run it) counts as failed.
    for t in "${TESTS[@]}"; do
        status=$(awk -v t="$t" '$1 == "test" && $2 == t && $3 == "..." { print $4; exit }' \
                 "$OUTDIR/pg_regress.log")
        if [ "$status" = ok ]; then
            PASSED=$((PASSED + 1))
        else
            FAILED=$((FAILED + 1))
            [ -n "$status" ] || echo "test $t: no result from pg_regress (exit $regress_rc)"
        fi
    done
    # On failure show the diffs (pg_regress leaves regression.diffs only then).
    if [ -s "$OUTDIR/regression.diffs" ]; then
        echo "---- $OUTDIR/regression.diffs ----"
        cat "$OUTDIR/regression.diffs"
        echo "---- end of regression.diffs ----"
    fi
else
    nps_log "pg_regress: no sql/*.sql files"
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
