#!/usr/bin/env bash
# test/t/citus.sh: nps on Citus 12.1.12 (README, "Scaling out" → "Citus").
#  - builds Citus from ../shared/vendor/citus-12.1.12.tar.gz if needed and installs it
#    into the PostgreSQL of PG_CONFIG (test/citus/build.sh; the build is cached in
#    /var/cache/nps-citus, so only the first run compiles); nps must be installed there
#    already (test/run_tests.sh does that)
#  - starts its OWN throwaway coordinator + 2 workers (test/citus/lib.sh: one temp dir,
#    127.0.0.1 and a private socket dir, free ports), never the suite's cluster
#  - CREATE EXTENSION nps on the coordinator only: Citus creates it on the workers
#  - every aggregate over a table distributed by customer, GROUP BY touchpoint: EXPLAIN
#    VERBOSE shows worker_partial_agg in the shard queries and coord_combine_agg on
#    the coordinator, and the results equal those over a local copy, as text
#  - DISTINCT and ORDER BY inside an aggregate: the rows are pulled instead
#  - daily states in a distributed table, rolled up to a month with every rollup
#    aggregate (split too) = the aggregates over the raw rows of that month
#  - SQLSTATEs through Citus: a score of 11 (22003), a negative weight (22023), a
#    corrupt state text (22P02), an impossible stored result (22023), and CSAT
#    scales that differ between shards, caught when the coordinator combines (22023)
#  - detractor notification on a user's distributed facts.response: the trigger needs
#    citus.enable_unsafe_triggers, runs on the worker holding the shard, reads that
#    worker's own nps tables, and its NOTIFY reaches a listener on that worker only
#  - pushdown of the model's shapes: stage NPS (GROUP BY touchpoint) splits; DISTINCT ON
#    and a window per customer run on the workers on the bare distribution column only
#    (not on customer COLLATE "C"); a window not partitioned by customer pulls the rows
#  - the model: the demo's facts (test/demo/demo.sql) copied into facts.response,
#    facts.journey_event and facts.service_case (distributed by customer, colocated; the
#    extension's small tables local on the coordinator): every *_at function at the
#    demo's as_of returns exactly its rows over the extension's local tables (EXCEPT ALL
#    both ways empty, same count > 0), and auto_explain of journey_funnel_at's own query
#    shows the per-customer funnel_counts (GROUP BY customer) inside the worker tasks
#  - which of the extension's tables can be reference tables, with the exact errors
# Every check compares real values; nothing depends on timing.
set -euo pipefail
. "$REPO/test/lib.sh"          # q, fail, nps_log, nps_tcp_busy, nps_die
. "$REPO/test/citus/lib.sh"    # citus_start, cq, citus_cleanup

unset PGHOST PGPORT PGUSER PGDATABASE   # the suite's cluster is left alone

[ -f "$("$PG_CONFIG" --sharedir)/extension/nps.control" ] ||
    fail "nps is not installed in $PG_CONFIG (run make install, or test/run_tests.sh)"
bash "$REPO/test/citus/build.sh" >/dev/null

trap citus_cleanup EXIT
citus_start

# ---------------------------------------------------------------- the extension
cq c -c "CREATE EXTENSION nps" 2>&1
for n in w1 w2; do
    v=$(cq "$n" -c "SELECT extversion FROM pg_extension WHERE extname = 'nps'")
    [ -n "$v" ] || fail "CREATE EXTENSION nps was not propagated to worker $n"
done
echo "ok: CREATE EXTENSION nps on the coordinator created it on both workers"

# ---------------------------------------------------------------- data
# 3000 answers of 101 customers at 5 touchpoints over 61 days; weights are binary
# fractions (0.5 .. 2), so sums of weights are exact in any order and the weighted
# results of the split plan must equal the local ones bit for bit.
cq c >/dev/null <<'SQL'
CREATE SCHEMA facts;
CREATE TABLE facts.answer (customer text, touchpoint integer, day date, score smallint,
                           weight float8, csat smallint, ces smallint, hit boolean);
INSERT INTO facts.answer
SELECT 'c-' || (i % 101), i % 5, date '2026-10-01' + (i % 61),
       CASE WHEN i % 37 = 0 THEN NULL ELSE (i * 7) % 11 END,
       ((i % 4) + 1) * 0.5, (i * 3) % 5 + 1, (i * 5) % 7 + 1,
       CASE WHEN i % 13 = 0 THEN NULL ELSE i % 3 = 0 END
  FROM generate_series(1, 3000) i;
CREATE TABLE facts.answer_local AS SELECT * FROM facts.answer;
SELECT create_distributed_table('facts.answer', 'customer');
SELECT truncate_local_data_after_distributing_table('facts.answer');
SQL
n=$(cq c -c "SELECT count(*) FROM facts.answer")
[ "$n" = 3000 ] || fail "distributed facts.answer has $n rows, expected 3000"

# ---------------------------------------------------------------- split plans
# check_split TABLE LOCAL GROUP EXPR: plan split, result = local copy's, as text
check_split() {
    local tbl=$1 loc=$2 grp=$3 expr=$4 where=${5:-true} plan dist local
    plan=$(cq c -c "EXPLAIN (VERBOSE, COSTS OFF) SELECT $grp, $expr FROM $tbl WHERE $where GROUP BY $grp")
    grep -q 'worker_partial_agg' <<<"$plan" || { echo "$plan"; fail "$expr: no worker_partial_agg in the plan"; }
    grep -q 'coord_combine_agg' <<<"$plan" || { echo "$plan"; fail "$expr: no coord_combine_agg in the plan"; }
    dist=$(cq c -c "SELECT $grp, ($expr)::text FROM $tbl WHERE $where GROUP BY $grp ORDER BY 1")
    local=$(cq c -c "SELECT $grp, ($expr)::text FROM $loc WHERE $where GROUP BY $grp ORDER BY 1")
    [ "$(wc -l <<<"$dist")" -ge 5 ] || fail "$expr: only $(wc -l <<<"$dist") groups"
    grep -q '|$' <<<"$dist" && fail "$expr: a NULL result: $dist"
    [ "$dist" = "$local" ] || { diff <(echo "$dist") <(echo "$local") || true; fail "$expr: distributed result differs from the local one"; }
}

aggs=(
    "nps.nps_agg(score)" "nps.nps_agg(score::integer)" "nps.nps_agg(score::bigint)"
    "nps.nps_agg(score::numeric)" "nps.nps_agg(score, weight)" "nps.nps_agg(score::integer, weight)"
    "nps.nps_agg(score::numeric, weight)"
    "nps.net_promoter_score(score)" "nps.net_promoter_score(score, weight)"
    "nps.net_promoter_score(score::numeric, weight)"
    "nps.csat_agg(csat)" "nps.csat_agg(csat, 5)" "nps.csat_agg(csat, 5, 5)" "nps.csat_agg(csat::numeric, 5, 4)"
    "nps.ces_agg(ces)" "nps.ces_agg(ces, 7)" "nps.ces_agg(ces::integer, 7, 6)" "nps.ces_agg(ces::numeric)"
    "nps.rate_agg(hit)" "nps.rate_agg(score >= 9)"
)
for a in "${aggs[@]}"; do
    check_split facts.answer facts.answer_local touchpoint "$a"
done
echo "ok: ${#aggs[@]} aggregate forms split (worker_partial_agg + coord_combine_agg) and equal the local copy"

# the real values of one group, checked by hand against count(*)
got=$(cq c -c "SELECT (r).responses, (r).promoters, (r).passives, (r).detractors
               FROM (SELECT nps.nps_agg(score) AS r FROM facts.answer WHERE touchpoint = 0) s")
want=$(cq c -c "SELECT count(score), count(*) FILTER (WHERE score >= 9), count(*) FILTER (WHERE score IN (7, 8)),
                       count(*) FILTER (WHERE score <= 6) FROM facts.answer_local WHERE touchpoint = 0")
[ "$got" = "$want" ] || fail "nps_agg at touchpoint 0: $got, by count(*): $want"
echo "ok: nps_agg counts at touchpoint 0 = count(*) by category ($got)"

# DISTINCT or ORDER BY inside the aggregate: Citus cannot split it and pulls the
# rows (the shard queries select the bare column, the aggregate runs on the coordinator)
for a in "nps.nps_agg(DISTINCT score)" "nps.nps_agg(score ORDER BY day)"; do
    plan=$(cq c -c "EXPLAIN (VERBOSE, COSTS OFF) SELECT touchpoint, $a FROM facts.answer GROUP BY touchpoint")
    grep -q 'worker_partial_agg' <<<"$plan" && fail "$a: unexpectedly split"
    grep -q 'Query: SELECT touchpoint, score AS nps_agg' <<<"$plan" || { echo "$plan"; fail "$a: rows not pulled as expected"; }
done
# grouped by the distribution column: the whole aggregate runs on the workers
plan=$(cq c -c "EXPLAIN (VERBOSE, COSTS OFF) SELECT customer, nps.nps_agg(score) FROM facts.answer GROUP BY customer")
grep -q 'GROUP BY customer' <<<"$plan" && ! grep -q 'coord_combine_agg' <<<"$plan" ||
    { echo "$plan"; fail "GROUP BY customer: expected the whole aggregate on the workers"; }
echo "ok: DISTINCT / ORDER BY inside an aggregate pull the rows; GROUP BY the distribution column runs wholly on the workers"

# ---------------------------------------------------------------- rollups
# Daily per-touchpoint states in a table distributed by day (INSERT ... SELECT from
# the distributed answers), rolled up to October with GROUP BY touchpoint.
cq c >/dev/null <<'SQL'
CREATE TABLE facts.daily (day date, touchpoint integer, nps nps.nps_result, nps_w nps.nps_result,
                          csat nps.csat_result, ces nps.ces_result, rate nps.rate_result);
SELECT create_distributed_table('facts.daily', 'day');
INSERT INTO facts.daily
SELECT day, touchpoint, nps.nps_agg(score), nps.nps_agg(score, weight), nps.csat_agg(csat),
       nps.ces_agg(ces), nps.rate_agg(hit)
  FROM facts.answer GROUP BY day, touchpoint;
SQL
n=$(cq c -c "SELECT count(*) FROM facts.daily")
[ "$n" = 305 ] || fail "facts.daily has $n rows, expected 61 days x 5 touchpoints = 305"
oct="day >= '2026-10-01' AND day < '2026-11-01'"
for pair in "nps.nps_rollup(nps)|nps.nps_agg(score)" "nps.nps_rollup(nps_w)|nps.nps_agg(score, weight)" \
            "nps.csat_rollup(csat)|nps.csat_agg(csat)" "nps.ces_rollup(ces)|nps.ces_agg(ces)" \
            "nps.rate_rollup(rate)|nps.rate_agg(hit)"; do
    roll=${pair%%|*} agg=${pair#*|}
    check_split facts.daily facts.daily touchpoint "$roll" "$oct"
    rolled=$(cq c -c "SELECT touchpoint, ($roll)::text FROM facts.daily WHERE $oct GROUP BY 1 ORDER BY 1")
    raw=$(cq c -c "SELECT touchpoint, ($agg)::text FROM facts.answer_local WHERE $oct GROUP BY 1 ORDER BY 1")
    [ "$rolled" = "$raw" ] || { diff <(echo "$rolled") <(echo "$raw") || true; fail "$roll over October differs from $agg over the raw rows"; }
done
echo "ok: 5 rollups over the distributed daily table split, and the month equals the aggregates over the raw rows"

# ---------------------------------------------------------------- SQLSTATEs through Citus
# facts.bad has no CHECK constraints: the aggregates' own checks run on the workers
# (or, for a combine, on the coordinator) and the SQLSTATE comes back unchanged.
cq c >/dev/null <<'SQL'
CREATE TABLE facts.bad (customer text, touchpoint integer, score integer, weight float8,
                        csat integer, scale integer, state text, result text);
SELECT create_distributed_table('facts.bad', 'customer');
INSERT INTO facts.bad VALUES
 ('c-1', 1, 11, 1, 4, 5, 'responses=x', '(1,5,0,0,,,,1,1)'),
 ('c-5', 1, 9, -1, 4, 7, 'responses=1 promoters=1 passives=0 detractors=0 weight_sq=1 inexact=f', '(1,1,0,0,,,,1,1)');
SQL
s1=$(cq c -c "SELECT get_shard_id_for_distribution_column('facts.bad', 'c-1')")
s5=$(cq c -c "SELECT get_shard_id_for_distribution_column('facts.bad', 'c-5')")
[ "$s1" != "$s5" ] || fail "c-1 and c-5 should be in different shards"
# expect_state SQLSTATE SQL: the query fails with exactly that SQLSTATE
expect_state() {
    local want=$1 sql=$2 out
    out=$(cq c -v VERBOSITY=sqlstate -c "$sql" 2>&1) && fail "no error from: $sql"
    [ "$out" = "ERROR:  $want" ] || fail "expected ERROR $want from: $sql; got: $out"
}
expect_state 22003 "SELECT touchpoint, nps.nps_agg(score) FROM facts.bad GROUP BY touchpoint"
expect_state 22023 "SELECT touchpoint, nps.nps_agg(score, weight) FROM facts.bad WHERE customer = 'c-5' GROUP BY touchpoint"
expect_state 22P02 "SELECT touchpoint, count(state::nps.nps_state) FROM facts.bad WHERE customer = 'c-1' GROUP BY touchpoint"
expect_state 22023 "SELECT touchpoint, nps.nps_rollup(result::nps.nps_result) FROM facts.bad GROUP BY touchpoint"
# each shard alone is fine; the coordinator's combine meets scale 5 and scale 7
cq c -c "SELECT customer, nps.csat_agg(csat, scale) FROM facts.bad GROUP BY customer" >/dev/null
expect_state 22023 "SELECT touchpoint, nps.csat_agg(csat, scale) FROM facts.bad GROUP BY touchpoint"
msg=$(cq c -c "SELECT touchpoint, nps.csat_agg(csat, scale) FROM facts.bad GROUP BY touchpoint" 2>&1 || true)
grep -q 'CSAT scale changed within one aggregate' <<<"$msg" || fail "combine error: $msg"
grep -q 'while executing command on' <<<"$msg" && fail "the scale error should be raised on the coordinator: $msg"
echo "ok: SQLSTATEs 22003, 22023, 22P02 from the workers and 22023 from the coordinator's combine"

# ---------------------------------------------------------------- detractor notification
# The user's facts.response, distributed by customer, with the extension's trigger
# function attached. One journey with three touchpoints on the coordinator.
cq c >/dev/null <<'SQL'
SET nps.notify = off;
INSERT INTO nps.journey (id, code, name) VALUES (1, 'buy', 'Buy');
INSERT INTO nps.touchpoint (id, journey_id, stage_order, code, name)
VALUES (1, 1, 1, 'visit', 'Visit'), (2, 1, 2, 'cart', 'Cart'), (3, 1, 3, 'pay', 'Pay');
CREATE TABLE facts.response (LIKE nps.response INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
CREATE TABLE facts.journey_event (LIKE nps.journey_event INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
CREATE TABLE facts.service_case (LIKE nps.service_case INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
SELECT create_distributed_table('facts.response', 'customer');
SELECT create_distributed_table('facts.journey_event', 'customer', colocate_with => 'facts.response');
SELECT create_distributed_table('facts.service_case', 'customer', colocate_with => 'facts.response');
SQL
trig="CREATE TRIGGER response_notify_detractors AFTER INSERT ON facts.response
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION nps.notify_detractors()"
out=$(cq c -c "$trig" 2>&1) && fail "a trigger on a distributed table was accepted without citus.enable_unsafe_triggers"
grep -q 'triggers are not supported on distributed tables' <<<"$out" || fail "unexpected: $out"
cq c -c "SET citus.enable_unsafe_triggers = on" -c "$trig" >/dev/null
for n in w1 w2; do
    k=$(cq "$n" -c "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'response_notify_detractors_%'")
    [ "$k" = 2 ] || fail "worker $n has $k shard triggers, expected 2 (4 shards on 2 workers)"
done
wport() { cq c -c "SELECT nodeport FROM pg_dist_placement p JOIN pg_dist_node USING (groupid)
                  WHERE shardid = get_shard_id_for_distribution_column('facts.response', '$1')"; }
[ "$(wport c-1)" = "$CITUS_PORT_W1" ] && [ "$(wport c-5)" = "$CITUS_PORT_W2" ] ||
    fail "placements changed: c-1 on $(wport c-1), c-5 on $(wport c-5)"

# listen ID: a listener on each node for 4 s; then INSERT (on the coordinator)
listen() {
    local node
    for node in c w1 w2; do
        cq "$node" -c "LISTEN nps_detractor" -c "SELECT pg_sleep(4)" -c "SELECT 'done'" \
            >"$CITUS_TMP/listen-$1-$node.out" 2>&1 &
    done
    for _ in $(seq 50); do
        k=0
        for node in c w1 w2; do
            k=$((k + $(cq "$node" -c "SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(4)'")))
        done
        [ "$k" -eq 3 ] && return 0
        sleep 0.1
    done
    fail "listeners did not start"
}
# ins ID: three answers, one INSERT each (each one shard: a one-phase commit on one
# worker); c-1 is on worker 1, c-5 on worker 2
ins() {
    cq c -c "INSERT INTO facts.response (id, customer, touchpoint_id, answered_at, channel, score)
             VALUES ($1, 'c-1', 1, '2026-11-01', 'app', 3)" \
         -c "INSERT INTO facts.response (id, customer, touchpoint_id, answered_at, channel, score)
             VALUES ($(($1 + 1)), 'c-1', 2, '2026-11-01', 'app', 10)" \
         -c "INSERT INTO facts.response (id, customer, touchpoint_id, answered_at, channel, score)
             VALUES ($(($1 + 2)), 'c-5', 3, '2026-11-01', 'app', 0)"
}
notes() { sed -n 's/^Asynchronous notification "nps_detractor" with payload "\(.*\)" received from server process.*/\1/p' \
              "$CITUS_TMP/listen-$1-$2.out" | sort; }

# 1. the default payload: the trigger runs on the worker and looks the touchpoint
#    up in THAT worker's nps.touchpoint, which is empty: no notification anywhere
listen a; ins 1; wait
for node in c w1 w2; do
    [ -z "$(notes a $node)" ] || fail "default payload: unexpected notification on $node: $(notes a $node)"
    grep -q done "$CITUS_TMP/listen-a-$node.out" || fail "listener on $node failed: $(cat "$CITUS_TMP/listen-a-$node.out")"
done
echo "ok: notification, default payload: nothing is sent (the worker's own nps.touchpoint has no row 1..3)"

# 2. nps.notify_payload = id, set on the workers (the trigger runs there): one
#    notification per detractor, on the worker holding its shard, none on the coordinator
for n in w1 w2; do cq "$n" -c "ALTER DATABASE $CITUS_DB SET nps.notify_payload = id"; done
listen b; ins 11; wait
[ -z "$(notes b c)" ] || fail "payload id: a notification reached the coordinator: $(notes b c)"
[ "$(notes b w1)" = '{"response_id":11}' ] || fail "payload id, worker 1: $(notes b w1)"
[ "$(notes b w2)" = '{"response_id":13}' ] || fail "payload id, worker 2: $(notes b w2)"
echo "ok: notification, payload id: response 11 on worker 1, 13 on worker 2, none on the coordinator"
# A statement (or transaction) writing to shards on both workers commits with
# two-phase commit, and PostgreSQL cannot PREPARE a transaction that ran NOTIFY:
# the whole INSERT fails (and nothing is inserted).
out=$(cq c -v VERBOSITY=sqlstate -c "INSERT INTO facts.response (id, customer, touchpoint_id, answered_at, channel, score)
        VALUES (31, 'c-1', 1, '2026-11-01', 'app', 3), (32, 'c-5', 3, '2026-11-01', 'app', 0)" 2>&1) &&
    fail "a two-worker INSERT firing NOTIFY succeeded"
grep -q '^ERROR:  0A000' <<<"$out" || fail "two-worker INSERT with NOTIFY: $out"
n=$(cq c -c "SELECT count(*) FROM facts.response WHERE id IN (31, 32)")
[ "$n" = 0 ] || fail "the failed two-worker INSERT left $n rows"
echo "ok: notification: an INSERT writing to both workers with a detractor fails (0A000: NOTIFY cannot be prepared), nothing inserted"
# A bulk load: nps.notify = off on the workers for one transaction (SET LOCAL, sent to
# the workers with citus.propagate_set_commands = local): no NOTIFY, so it commits.
cq c >/dev/null <<'SQL'
SET citus.propagate_set_commands = 'local';
BEGIN;
SET LOCAL nps.notify = off;
INSERT INTO facts.response (id, customer, touchpoint_id, answered_at, channel, score)
VALUES (31, 'c-1', 1, '2026-11-01', 'app', 3), (32, 'c-5', 3, '2026-11-01', 'app', 0);
COMMIT;
SQL
n=$(cq c -c "SELECT count(*) FROM facts.response WHERE id IN (31, 32)")
[ "$n" = 2 ] || fail "the two-worker INSERT with SET LOCAL nps.notify = off inserted $n rows, expected 2"
echo "ok: notification: the same INSERT with SET LOCAL nps.notify = off propagated to the workers commits"

# 3. the default payload once each worker's own nps.journey/nps.touchpoint hold the
#    same rows as the coordinator's (written on the workers directly)
for n in w1 w2; do
    cq "$n" -c "ALTER DATABASE $CITUS_DB RESET nps.notify_payload"
    cq "$n" >/dev/null <<'SQL'
SET nps.notify = off;
INSERT INTO nps.journey (id, code, name) VALUES (1, 'buy', 'Buy');
INSERT INTO nps.touchpoint (id, journey_id, stage_order, code, name)
VALUES (1, 1, 1, 'visit', 'Visit'), (2, 1, 2, 'cart', 'Cart'), (3, 1, 3, 'pay', 'Pay');
SQL
done
listen d; ins 21; wait
[ -z "$(notes d c)" ] || fail "full payload: a notification reached the coordinator"
[ "$(notes d w1)" = '{"response_id":21,"score":3,"touchpoint_id":1,"touchpoint":"visit","journey":"buy","owners":[]}' ] ||
    fail "full payload, worker 1: $(notes d w1)"
[ "$(notes d w2)" = '{"response_id":23,"score":0,"touchpoint_id":3,"touchpoint":"pay","journey":"buy","owners":[]}' ] ||
    fail "full payload, worker 2: $(notes d w2)"
echo "ok: notification, default payload with the workers' own touchpoints: on the worker holding the shard only"
cq c -c "SET citus.enable_unsafe_triggers = on" -c "DROP TRIGGER response_notify_detractors ON facts.response"

# ---------------------------------------------------------------- pushdown of the model's shapes
# stage NPS: GROUP BY touchpoint over the fact table splits like above
plan=$(cq c -c "EXPLAIN (VERBOSE, COSTS OFF)
  SELECT r.touchpoint_id, nps.nps_agg(r.score) FROM facts.response r
   WHERE r.answered_at > timestamptz '2026-11-10' - interval '30 days' AND r.answered_at <= '2026-11-10'
   GROUP BY r.touchpoint_id")
grep -q worker_partial_agg <<<"$plan" && grep -q coord_combine_agg <<<"$plan" || { echo "$plan"; fail "stage NPS: not split"; }
# per customer: DISTINCT ON and a window PARTITIONed BY the bare distribution column run
# on the workers; the same on `customer COLLATE "C"` is done again on the coordinator
funnel_ev() {
    cat <<SQL
EXPLAIN (VERBOSE, COSTS OFF)
SELECT p.id, count(*) AS customers, count(*) FILTER (WHERE p.before_id IS NOT NULL) AS continued
  FROM (SELECT ev.id, lag(ev.id) OVER (PARTITION BY ev.customer, ev.journey_id ORDER BY ev.stage_order) AS before_id
          FROM (SELECT DISTINCT ON ($1, t.journey_id, t.stage_order)
                       $1 AS customer, t.journey_id, t.stage_order, t.id, e.occurred_at AS at
                  FROM facts.journey_event e JOIN nps.touchpoint t ON t.id = e.touchpoint_id
                 ORDER BY $1, t.journey_id, t.stage_order, e.occurred_at) ev) p
 GROUP BY p.id
SQL
}
plan=$(funnel_ev 'e.customer' | cq c)
grep -q 'WindowAgg' <<<"$(sed -n '/Task Count: 4/,$p' <<<"$plan")" ||
    { echo "$plan"; fail "funnel shape on the bare column: the window function is not on the workers"; }
plan=$(funnel_ev 'e.customer COLLATE "C"' | cq c)
grep -q 'Distributed Subplan' <<<"$plan" && grep -q 'read_intermediate_result' <<<"$plan" ||
    { echo "$plan"; fail "funnel shape with COLLATE \"C\": expected the rows pulled into a subplan"; }
# a window PARTITIONed BY something other than the distribution column: rows pulled
plan=$(cq c -c "EXPLAIN (VERBOSE, COSTS OFF)
  SELECT customer, lag(score) OVER (PARTITION BY touchpoint_id ORDER BY answered_at) FROM facts.response")
[ "$(head -n1 <<<"$plan")" = WindowAgg ] && ! grep -q 'OVER' <<<"$(grep 'Query:' <<<"$plan")" ||
    { echo "$plan"; fail "window by touchpoint: expected the WindowAgg on the coordinator"; }
plan=$(cq c -c "EXPLAIN (VERBOSE, COSTS OFF)
  SELECT customer, lag(score) OVER (PARTITION BY touchpoint_id, customer ORDER BY answered_at) FROM facts.response")
grep 'Query:' <<<"$plan" | grep -q 'OVER (PARTITION BY' || { echo "$plan"; fail "window by touchpoint, customer: not pushed"; }
echo "ok: pushdown: stage NPS splits; per-customer DISTINCT ON + window run on the workers only on the bare distribution column"

# ---------------------------------------------------------------- the model over distributed facts
# The demo's data (test/demo/demo.sql, into the extension's own tables on the
# coordinator), copied into facts.response, facts.journey_event and facts.service_case
# (distributed by customer, colocated, above). The extension's small tables (journeys,
# touchpoints, owners, metrics) stay local on the coordinator: Citus ships what a query
# reads of them to the workers as intermediate results. Every *_at function at the
# demo's as_of returns over the distributed facts exactly the rows it returns over the
# extension's local tables on the same coordinator (EXCEPT ALL both ways empty).
cq c >/dev/null <<'SQL'
SET nps.notify = off;
TRUNCATE facts.response, facts.journey_event, facts.service_case;
DELETE FROM nps.journey;      -- the notification checks' journey, with its touchpoints
SQL
cq c -c "SET nps.notify = off" -f "$REPO/test/demo/demo.sql" >/dev/null
cq c >/dev/null <<'SQL'
INSERT INTO facts.response SELECT * FROM nps.response;
INSERT INTO facts.journey_event SELECT * FROM nps.journey_event;
INSERT INTO facts.service_case SELECT * FROM nps.service_case;
SQL
for t in response journey_event service_case; do
    a=$(cq c -c "SELECT count(*) FROM facts.$t") b=$(cq c -c "SELECT count(*) FROM nps.$t")
    [ "$a" = "$b" ] && [ "$a" -gt 1000 ] || fail "facts.$t has $a rows, nps.$t $b"
done
as_of="timestamptz '2026-11-20 12:00+08'"
R="response_table => 'facts.response'" J="journey_event_table => 'facts.journey_event'"
S="service_case_table => 'facts.service_case'"
# "call on one node|the fact-table arguments"
calls=(
    "touchpoint_nps_at($as_of, '30 days'|$R"
    "segment_nps_at($as_of, '30 days'|$R"
    "journey_funnel_at($as_of, '30 days'|$J"
    "metric_status_at($as_of, '30 days', 30|$R, $S"
    "owner_scorecard_at($as_of, '30 days', 30|$R, $S"
    "detractor_queue_at($as_of, '48 hours'|$R"
    "detractor_reasons_at($as_of, '30 days'|$R"
    "nps_change_at($as_of, '30 days', 'touchpoint'|$R"
    "nps_change_at($as_of, '30 days', 'channel'|$R"
    "nps_drivers_at($as_of, '30 days', 30|$R"
    "metric_trend_at($as_of, '7 days', 8, 30|$R, $S"
    "action_effect_at($as_of, '30 days', 30|$R, $S"
    "customer_health_at($as_of, '30 days'|$R, $J, $S"
    # a lookup of 50 customers (by customer: the shards' indexes)
    "customer_health_at($as_of, '30 days', customers => ARRAY(SELECT DISTINCT customer FROM nps.response ORDER BY 1 LIMIT 50)|$R, $J, $S"
)
for c in "${calls[@]}"; do
    f=${c%%|*} args=${c#*|}
    local_q="SELECT * FROM nps.$f)" dist_q="SELECT * FROM nps.$f, $args)"
    got=$(cq c -c "SELECT (SELECT count(*) FROM ($dist_q) x), (SELECT count(*) FROM ($local_q) x),
                          (SELECT count(*) FROM ($dist_q EXCEPT ALL $local_q) x),
                          (SELECT count(*) FROM ($local_q EXCEPT ALL $dist_q) x)" 2>&1) ||
        fail "nps.$f, $args) on Citus: $got"
    IFS='|' read -r nd nl x1 x2 <<<"$got"
    [ "$nd" -gt 0 ] && [ "$nd" = "$nl" ] && [ "$x1" = 0 ] && [ "$x2" = 0 ] ||
        fail "nps.${f%%(*} over the distributed facts: $nd rows, $nl on one node, $x1 / $x2 rows differ"
done
echo "ok: model: ${#calls[@]} calls of the *_at functions over the distributed facts = over the local tables (demo data, every row)"

# The funnel's per-customer work runs on the workers: in the plan of the function's own
# query (auto_explain of the nested statement), the shard query groups the events by
# customer and runs nps.funnel_counts per group, with the window's bounds as constants,
# and the worker's plan has that aggregate; the coordinator only adds up the stages.
plan=$(cq c -c "LOAD 'auto_explain'" -c "SET auto_explain.log_min_duration = 0" \
            -c "SET auto_explain.log_nested_statements = on" -c "SET auto_explain.log_level = notice" \
            -c "SET auto_explain.log_verbose = on" \
            -c "SELECT count(*) FROM nps.journey_funnel_at($as_of, '30 days', $J)" 2>&1 >/dev/null |
       sed -n '/Custom Scan (Citus Adaptive)/,/^NOTICE/p')
task=$(sed -n '/->  Task/,$p' <<<"$plan")
query=$(grep 'Query: ' <<<"$task")
grep -q 'nps.funnel_counts(e.customer, e.touchpoint_id, e.occurred_at' <<<"$query" &&
grep -q 'GROUP BY e.customer' <<<"$query" &&
grep -q "e.occurred_at OPERATOR(pg_catalog.>) '2026-10-21 04:00:00+00'::timestamp with time zone" <<<"$query" &&
grep -q 'Group Key: e.customer' <<<"$task" ||
    { echo "$plan"; fail "funnel: the per-customer funnel_counts is not in the worker task"; }
grep -q 'Task Count: 4' <<<"$plan" || { echo "$plan"; fail "funnel: expected 4 tasks"; }
echo "ok: model: journey_funnel_at's funnel_counts per customer runs on the workers (4 tasks), window bounds shipped as constants"

# touchpoint_nps_at and nps_change_at: nps_agg split per touchpoint (partial on the
# shards, the window's bounds as constants in the shard query; combine on the coordinator)
for f in "touchpoint_nps_at($as_of, '30 days', $R)|2026-10-21" "nps_change_at($as_of, '30 days', 'touchpoint', $R)|2026-09-21"; do
    call=${f%%|*} lo=${f#*|}
    plan=$(cq c -c "LOAD 'auto_explain'" -c "SET auto_explain.log_min_duration = 0" \
                -c "SET auto_explain.log_nested_statements = on" -c "SET auto_explain.log_level = notice" \
                -c "SET auto_explain.log_verbose = on" -c "SELECT count(*) FROM nps.$call" 2>&1 >/dev/null)
    grep -q "worker_partial_agg('nps.nps_agg(smallint)'::regprocedure" <<<"$plan" && grep -q 'coord_combine_agg(' <<<"$plan" &&
    grep -q "answered_at OPERATOR(pg_catalog.>) '$lo 04:00:00+00'::timestamp with time zone" <<<"$plan" ||
        { echo "$plan"; fail "nps.${call%%(*}: nps_agg not split, or the window not in the shard query"; }
done
echo "ok: model: touchpoint_nps_at and nps_change_at split nps_agg (worker_partial_agg + coord_combine_agg), window bounds in the shard queries"

# ---------------------------------------------------------------- reference tables
# Only the extension's tables without foreign keys and without triggers can be
# reference tables. For the others Citus would convert every local table of the
# foreign-key graph (nps.response included) into a Citus local table, which drops and
# re-creates the sequences that the extension owns; tables with triggers are refused.
ref() { cq c -v VERBOSITY=sqlstate -c "SELECT create_reference_table('nps.$1')" 2>&1 | grep -v '^NOTICE\|^HINT\|^DETAIL' || true; }
for t in health_weight unrestricted_role; do
    out=$(ref "$t")
    [ -z "$out" ] || fail "create_reference_table('nps.$t'): $out"
done
n=$(cq c -c "SELECT count(*) FROM nps.health_weight")
[ "$n" -gt 0 ] || fail "nps.health_weight as a reference table lost its built-in rows"
for t in journey touchpoint owner metric metric_owner metric_status_log improvement_action journey_event service_case; do
    out=$(ref "$t")
    [ "$out" = "ERROR:  2BP01" ] || fail "create_reference_table('nps.$t'): expected 2BP01, got: $out"
done
for t in response owner_security; do
    out=$(ref "$t")
    [ "$out" = "ERROR:  XX000" ] || fail "create_reference_table('nps.$t'): expected XX000, got: $out"
done
msg=$(cq c -c "SELECT create_reference_table('nps.touchpoint')" 2>&1 || true)
grep -q 'cannot drop sequence nps.journey_id_seq because extension nps requires it' <<<"$msg" || fail "touchpoint: $msg"
msg=$(cq c -c "SELECT create_reference_table('nps.response')" 2>&1 || true)
grep -q 'cannot distribute relation "response" because it has triggers' <<<"$msg" || fail "response: $msg"
n=$(cq c -c "SELECT count(*) FROM pg_dist_partition WHERE logicalrelid::text LIKE 'nps.%'")
[ "$n" = 2 ] || fail "$n extension tables in Citus metadata, expected 2"
echo "ok: reference tables: health_weight and unrestricted_role only; 9 tables 2BP01 (FK graph: sequences owned by the extension), response and owner_security XX000 (triggers)"

# With citus.enable_local_reference_table_foreign_keys = off Citus does not convert the
# graph: nps.journey becomes a reference table, but the foreign keys of the local
# tables that point at it are no longer kept: ON DELETE CASCADE does not reach them.
cq c -c "SET citus.enable_local_reference_table_foreign_keys = off" \
     -c "SELECT create_reference_table('nps.journey')" >/dev/null 2>&1 ||
    fail "create_reference_table('nps.journey') with the foreign-key conversion off failed"
j1=$(cq c -c "SELECT min(id) FROM nps.journey")
k=$(cq c -c "SELECT count(*) FROM nps.touchpoint WHERE journey_id = $j1")
[ "$k" -gt 0 ] || fail "journey $j1 has no touchpoints"
cq c -c "DELETE FROM nps.journey WHERE id = $j1"
orphans=$(cq c -c "SELECT count(*) FROM nps.touchpoint t WHERE NOT EXISTS (SELECT FROM nps.journey j WHERE j.id = t.journey_id)")
[ "$orphans" = "$k" ] || fail "expected $k touchpoints left without their journey, got $orphans"
echo "ok: with the conversion off, nps.journey as a reference table breaks ON DELETE CASCADE ($k orphaned touchpoints)"

echo "citus.sh: all checks passed"
