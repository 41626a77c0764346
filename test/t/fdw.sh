#!/usr/bin/env bash
# test/t/fdw.sh: nps over postgres_fdw shards (README, "Scaling out" → "postgres_fdw").
#  - starts its OWN three throwaway clusters (test/lib.sh: temp dirs, Unix socket
#    only, never TCP, so no system cluster is touched; all removed on exit): shards
#    s1 and s2 and a coordinator; installs nps on all three and postgres_fdw (contrib,
#    in the postgresql-15 package) on the coordinator, whose servers carry
#    `extensions 'nps'` so nps functions, operators and types are shippable, and
#    `async_capable 'true'` so both shards work at once (Async Foreign Scan)
#  - 6,000 responses in a local table `response_all` on the coordinator (the one-node
#    reference), and the same rows in two partitioned tables whose partitions are
#    foreign tables on the shards: `response`, LIST by touchpoint (web and app on s1,
#    store on s2), and `response_by_customer`, HASH by customer (modulus 2); the
#    README's examples (plan and rows) are checked as printed there
#  - pattern A, LIST by touchpoint and GROUP BY touchpoint with
#    enable_partitionwise_aggregate: EXPLAIN VERBOSE shows each shard's Remote SQL
#    computing the whole aggregate (nps_agg, weighted nps_agg, csat_agg, ces_agg,
#    rate_agg, net_promoter_score), also with a time window (WHERE answered_at > ...
#    in the Remote SQL); results equal one node's, compared as text, and the NPS
#    row of app equals hand counts; with the setting off, rows are pulled
#  - pattern B, HASH by customer with GROUP BY touchpoint, and no GROUP BY: rows
#    are pulled (Remote SQL without nps_agg; the partial aggregate runs on the
#    coordinator); the exact alternatives push nps_agg and roll up with
#    nps_rollup / csat_rollup / rate_rollup on the coordinator: one subquery per
#    partition (UNION ALL; its scans async), or GROUP BY customer, touchpoint
#    (a full partitionwise aggregate: one row per customer and touchpoint comes back);
#    all equal one node's, with and without the time window
#  - DISTINCT and ORDER BY inside the aggregate: pushed whole in pattern A; in
#    pattern B no partial aggregate, rows pulled; results still equal
#  - a window aggregate: rows pulled, sorted by the shards; the same 6,000 rows
#  - a server without `extensions 'nps'`: nothing of nps is shipped (rows pulled),
#    and a user's own function in WHERE is evaluated on the coordinator; same results
#  - nps.touchpoint_nps_at over a full-column fact table LIST-partitioned into foreign
#    shards (response_table => ...): the rows of one node, and each shard's Remote SQL
#    (auto_explain of the function's nested query) carries the window filter and,
#    LIST by touchpoint_id with enable_partitionwise_aggregate, the whole nps_agg
#  - an error raised by nps_agg on a shard (score 11) reaches the client with its
#    SQLSTATE (22003)
# No timing: pass/fail depends on plans' Remote SQL and on values.
set -euo pipefail
. "$REPO/test/lib.sh"   # q, fail, nps_start_cluster, nps_cleanup

# The suite's cluster (if any) is left alone: this script has its own three.
unset PGHOST PGPORT PGUSER PGDATABASE

[ -f "$("$PG_CONFIG" --sharedir)/extension/postgres_fdw.control" ] ||
    fail "postgres_fdw is missing in $("$PG_CONFIG" --sharedir)/extension (postgresql-15 ships it)"

# ---- three clusters: nps_start_cluster handles one at a time (NPS_TMP), so start
# each, remember its socket dir and port, and clean each up on exit.
dirs=()
cleanup_all() {
    local d
    for d in "${dirs[@]}"; do
        NPS_TMP=$d NPS_STARTED=1 nps_cleanup
    done
}
trap cleanup_all EXIT
declare -A host port
for n in s1 s2 co; do
    nps_start_cluster >/dev/null
    dirs+=("$NPS_TMP")
    host[$n]=$NPS_TMP
    port[$n]=$PGPORT
    NPS_TMP="" NPS_STARTED=""
done
export PGUSER=postgres PGTZ=UTC   # README's plans print the window bound in UTC
db=nps_fdw
on() { local n=$1; shift; q -h "${host[$n]}" -p "${port[$n]}" -d "$db" "$@"; }
for n in s1 s2 co; do
    q -h "${host[$n]}" -p "${port[$n]}" -d postgres -c "CREATE DATABASE $db"
done

# ---- shards: nps and the tables the coordinator's partitions point at
for n in s1 s2; do
    on "$n" <<'SQL'
CREATE EXTENSION nps;
CREATE TABLE response (customer text NOT NULL, touchpoint text NOT NULL,
  answered_at timestamptz NOT NULL, score smallint, csat smallint, hit boolean, weight double precision);
CREATE TABLE response_by_customer (LIKE response);
SQL
done

# ---- coordinator: the recipe of README "Scaling out" → "postgres_fdw"
on co <<SQL
CREATE EXTENSION nps;
CREATE EXTENSION postgres_fdw;
ALTER DATABASE $db SET enable_partitionwise_aggregate = on;
CREATE SERVER shard1 FOREIGN DATA WRAPPER postgres_fdw
  OPTIONS (host '${host[s1]}', port '${port[s1]}', dbname '$db', extensions 'nps', async_capable 'true', batch_size '1000', fetch_size '10000');
CREATE SERVER shard2 FOREIGN DATA WRAPPER postgres_fdw
  OPTIONS (host '${host[s2]}', port '${port[s2]}', dbname '$db', extensions 'nps', async_capable 'true', batch_size '1000', fetch_size '10000');
CREATE USER MAPPING FOR CURRENT_USER SERVER shard1 OPTIONS (user 'postgres');
CREATE USER MAPPING FOR CURRENT_USER SERVER shard2 OPTIONS (user 'postgres');
-- a server without extensions 'nps': nothing of nps is shippable there
CREATE SERVER shard1_plain FOREIGN DATA WRAPPER postgres_fdw
  OPTIONS (host '${host[s1]}', port '${port[s1]}', dbname '$db');
CREATE USER MAPPING FOR CURRENT_USER SERVER shard1_plain OPTIONS (user 'postgres');

-- the one-node reference: every row in one local table
CREATE TABLE response_all (customer text NOT NULL, touchpoint text NOT NULL,
  answered_at timestamptz NOT NULL, score smallint, csat smallint, hit boolean, weight double precision);
INSERT INTO response_all
SELECT 'c-' || (i % 700), (ARRAY['web', 'app', 'store'])[1 + i % 3],
       timestamptz '2026-10-01 00:00+00' + i * interval '7 minutes',
       ((i * 7 + i / 13) % 11)::smallint, (1 + (i * 3 + i / 7) % 5)::smallint,
       i % 3 = 0 OR i % 7 = 0, 0.5 * (1 + i % 4)
FROM generate_series(1, 6000) i;

CREATE TABLE response (LIKE response_all) PARTITION BY LIST (touchpoint);
CREATE FOREIGN TABLE response_1 PARTITION OF response
  FOR VALUES IN ('web', 'app') SERVER shard1 OPTIONS (table_name 'response');
CREATE FOREIGN TABLE response_2 PARTITION OF response
  FOR VALUES IN ('store') SERVER shard2 OPTIONS (table_name 'response');
CREATE TABLE response_by_customer (LIKE response_all) PARTITION BY HASH (customer);
CREATE FOREIGN TABLE response_by_customer_1 PARTITION OF response_by_customer
  FOR VALUES WITH (MODULUS 2, REMAINDER 0) SERVER shard1 OPTIONS (table_name 'response_by_customer');
CREATE FOREIGN TABLE response_by_customer_2 PARTITION OF response_by_customer
  FOR VALUES WITH (MODULUS 2, REMAINDER 1) SERVER shard2 OPTIONS (table_name 'response_by_customer');
CREATE FOREIGN TABLE response_plain (customer text, touchpoint text, answered_at timestamptz,
  score smallint, csat smallint, hit boolean, weight double precision)
  SERVER shard1_plain OPTIONS (table_name 'response');

-- rows are routed to the shards through the coordinator
INSERT INTO response SELECT * FROM response_all;
INSERT INTO response_by_customer SELECT * FROM response_all;
ANALYZE response_all, response, response_by_customer, response_plain;
SQL

# Each shard holds its part: LIST 4000 (web, app) and 2000 (store); HASH splits
# the 700 customers (both non-empty, 6000 in all).
got=$(on s1 -c "SELECT string_agg(DISTINCT touchpoint, ',') || ' ' || count(*) FROM response")
[ "$got" = "app,web 4000" ] || fail "shard s1 LIST partition: $got"
got=$(on s2 -c "SELECT string_agg(DISTINCT touchpoint, ',') || ' ' || count(*) FROM response")
[ "$got" = "store 2000" ] || fail "shard s2 LIST partition: $got"
h1=$(on s1 -c "SELECT count(*) FROM response_by_customer")
h2=$(on s2 -c "SELECT count(*) FROM response_by_customer")
{ [ "$h1" -gt 0 ] && [ "$h2" -gt 0 ] && [ $((h1 + h2)) -eq 6000 ]; } ||
    fail "HASH partitions: s1 $h1 rows, s2 $h2 rows"
echo "ok: shards hold LIST 4000 + 2000 rows, HASH $h1 + $h2 rows"

# remote_sql QUERY: the Remote SQL lines of EXPLAIN VERBOSE (one per foreign scan).
# $PRE (default empty) runs before it in the same session, e.g. a SET.
remote_sql() {
    on co -c "${PRE:-} EXPLAIN (VERBOSE, COSTS OFF) $1" | sed -n 's/^ *Remote SQL: //p'
}
# plan QUERY: the whole EXPLAIN VERBOSE.
plan() { on co -c "${PRE:-} EXPLAIN (VERBOSE, COSTS OFF) $1"; }

# pushed LABEL QUERY N PATTERN: exactly N Remote SQL lines, every one matching PATTERN
# (an extended regexp), and no aggregation of nps on the coordinator.
pushed() {
    local label=$1 query=$2 n=$3 pattern=$4 rs
    rs=$(remote_sql "$query")
    if [ "$(printf '%s\n' "$rs" | grep -c .)" -ne "$n" ] ||
       [ "$(printf '%s\n' "$rs" | grep -Ec -- "$pattern")" -ne "$n" ]; then
        plan "$query"
        fail "$label: expected $n Remote SQL lines matching /$pattern/"
    fi
    echo "ok: $label: pushed"
    printf '    Remote SQL: %s\n' "$rs" | sed -n 1p
}
# pulled LABEL QUERY: no Remote SQL line computes an nps aggregate, and the plan
# aggregates on the coordinator (rows come back one by one).
pulled() {
    local label=$1 query=$2 rs
    rs=$(remote_sql "$query")
    [ -n "$rs" ] || fail "$label: no foreign scan in the plan"
    if printf '%s\n' "$rs" | grep -E 'nps\.|count\(' >/dev/null; then
        plan "$query"
        fail "$label: expected the rows to be pulled, but the Remote SQL aggregates"
    fi
    echo "ok: $label: rows pulled"
    printf '    Remote SQL: %s\n' "$rs" | sed -n 1p
}
# async LABEL QUERY: both shards' foreign scans run concurrently (async_capable).
async() {
    if [ "$(plan "$2" | grep -c 'Async Foreign Scan')" -ne 2 ]; then
        plan "$2"; fail "$1: expected 2 Async Foreign Scans"
    fi
}
# same LABEL QUERY_ON_SHARDS QUERY_ON_ONE_NODE: identical text output (non-empty).
same() {
    local label=$1 a b
    a=$(on co -c "$2")
    b=$(on co -c "$3")
    [ -n "$a" ] || fail "$label: no rows"
    if [ "$a" != "$b" ]; then
        echo "shards:"; echo "$a"; echo "one node:"; echo "$b"
        fail "$label: the shards' result differs from one node's"
    fi
    echo "ok: $label: equals one node ($(printf '%s\n' "$a" | wc -l) rows)"
}

# ---- pattern A: LIST by touchpoint, GROUP BY touchpoint: the whole aggregate per shard
aggs='nps.nps_agg(score), nps.nps_agg(score, weight), nps.csat_agg(csat), nps.ces_agg(csat),
      nps.rate_agg(hit), nps.net_promoter_score(score)'
qa="SELECT touchpoint, $aggs FROM response GROUP BY touchpoint"
pushed "A: GROUP BY touchpoint, six aggregates" "$qa" 2 \
    '^SELECT touchpoint, nps\.nps_agg\(score\), nps\.nps_agg\(score, weight\), nps\.csat_agg\(csat\), nps\.ces_agg\(csat\), nps\.rate_agg\(hit\), nps\.net_promoter_score\(score\) FROM public\.response GROUP BY 1$'
if plan "$qa" | grep -E 'Aggregate$|Partial' >/dev/null; then
    plan "$qa"; fail "A: an aggregate node on the coordinator"
fi
async "A: GROUP BY touchpoint" "$qa"
same "A: GROUP BY touchpoint, six aggregates" "$qa ORDER BY 1" \
    "SELECT touchpoint, $aggs FROM response_all GROUP BY touchpoint ORDER BY 1"

# Hand counts of app (i % 3 = 1): 2000 responses, 364 promoters, 362 passives,
# 1274 detractors: NPS = (364 - 1274) / 2000 = -45.5.
got=$(on co -c "SELECT (r).responses || ' ' || (r).promoters || ' ' || (r).passives || ' ' || (r).detractors || ' ' || (r).nps
                FROM (SELECT nps.nps_agg(score) AS r FROM response WHERE touchpoint = 'app') s")
hand=$(on co -c "SELECT count(*) || ' ' || count(*) FILTER (WHERE score >= 9) || ' ' || count(*) FILTER (WHERE score IN (7, 8))
                 || ' ' || count(*) FILTER (WHERE score <= 6) FROM response_all WHERE touchpoint = 'app'")
if [ "$got" != "2000 364 362 1274 -45.5" ] || [ "$hand" != "2000 364 362 1274" ]; then
    fail "A: app: nps_agg '$got', hand counts '$hand'"
fi
echo "ok: A: app = 2000 responses, 364 promoters, 362 passives, 1274 detractors, NPS -45.5"

# The time window is shipped as a WHERE clause, the aggregate still whole.
win="answered_at > timestamptz '2026-10-20 00:00+00'"
qw="SELECT touchpoint, $aggs FROM response WHERE $win GROUP BY touchpoint"
pushed "A: time window" "$qw" 2 '^SELECT touchpoint, nps\.nps_agg\(score\), .* FROM public\.response WHERE \(\(answered_at > .*\)\) GROUP BY 1$'
same "A: time window" "$qw ORDER BY 1" \
    "SELECT touchpoint, $aggs FROM response_all WHERE $win GROUP BY touchpoint ORDER BY 1"

# README's example, as printed there: one nps_agg, the window in the Remote SQL.
want="SELECT touchpoint, nps.nps_agg(score) FROM public.response WHERE ((answered_at > '2026-10-20 00:00:00+00')) GROUP BY 1"
got=$(remote_sql "SELECT touchpoint, nps.nps_agg(score) FROM response
                  WHERE answered_at > '2026-10-20 00:00+00' GROUP BY touchpoint")
[ "$got" = "$want"$'\n'"$want" ] || fail "README's pattern A plan: got '$got'"
echo "ok: README's plan of pattern A (Remote SQL as printed there)"

# Without enable_partitionwise_aggregate the aggregate runs above the Append: pulled.
PRE="SET enable_partitionwise_aggregate = off;" pulled "A: enable_partitionwise_aggregate = off" \
    "SELECT touchpoint, nps.nps_agg(score) FROM response GROUP BY touchpoint"

# ---- pattern B: what PostgreSQL 15 does not push (no partial aggregate through fdw)
qb="SELECT touchpoint, nps.nps_agg(score) FROM response_by_customer GROUP BY touchpoint"
pulled "B: HASH by customer, GROUP BY touchpoint" "$qb"
plan "$qb" | grep 'PARTIAL nps.nps_agg' >/dev/null || { plan "$qb"; fail "B: no partial aggregate on the coordinator"; }
same "B: HASH by customer, GROUP BY touchpoint (pulled)" "$qb ORDER BY 1" \
    "SELECT touchpoint, nps.nps_agg(score) FROM response_all GROUP BY touchpoint ORDER BY 1"
pulled "B: LIST by touchpoint, no GROUP BY" "SELECT nps.nps_agg(score) FROM response"
pulled "B: LIST by touchpoint, GROUP BY segment-like column (hit)" \
    "SELECT hit, nps.nps_agg(score) FROM response GROUP BY hit"

# The exact alternative 1: one subquery per partition (each a foreign table, so each
# pushes its whole aggregate), rolled up on the coordinator.
per_part() {   # per_part TABLE WHERE: per-partition GROUP BY touchpoint, UNION ALL
    echo "SELECT touchpoint, nps.nps_agg(score) AS n, nps.nps_agg(score, weight) AS w,
                 nps.csat_agg(csat) AS c, nps.rate_agg(hit) AS r FROM ${1}_1 $2 GROUP BY touchpoint
          UNION ALL
          SELECT touchpoint, nps.nps_agg(score), nps.nps_agg(score, weight),
                 nps.csat_agg(csat), nps.rate_agg(hit) FROM ${1}_2 $2 GROUP BY touchpoint"
}
rollups='nps.nps_rollup(n), nps.nps_rollup(w), nps.csat_rollup(c), nps.rate_rollup(r)'
direct='nps.nps_agg(score), nps.nps_agg(score, weight), nps.csat_agg(csat), nps.rate_agg(hit)'
for w in "" "WHERE $win"; do
    label="B exact, UNION ALL of partitions${w:+, time window}"
    qu="SELECT touchpoint, $rollups FROM ($(per_part response_by_customer "$w")) s GROUP BY touchpoint"
    pushed "$label" "$qu" 2 "^SELECT touchpoint, nps\.nps_agg\(score\), nps\.nps_agg\(score, weight\), nps\.csat_agg\(csat\), nps\.rate_agg\(hit\) FROM public\.response_by_customer ${w:+WHERE \(\(answered_at > .*\)\) }GROUP BY 1\$"
    same "$label" "$qu ORDER BY 1" "SELECT touchpoint, $direct FROM response_all $w GROUP BY touchpoint ORDER BY 1"
    async "$label" "$qu"
    # the whole table (no GROUP BY): one whole aggregate per partition
    qt="SELECT $rollups FROM (
          SELECT nps.nps_agg(score) AS n, nps.nps_agg(score, weight) AS w, nps.csat_agg(csat) AS c,
                 nps.rate_agg(hit) AS r FROM response_by_customer_1 $w
          UNION ALL
          SELECT nps.nps_agg(score), nps.nps_agg(score, weight), nps.csat_agg(csat), nps.rate_agg(hit)
          FROM response_by_customer_2 $w) s"
    pushed "$label, whole table" "$qt" 2 "^SELECT nps\\.nps_agg\\(score\\), .* FROM public\\.response_by_customer${w:+ WHERE \\(\\(answered_at > .*\\)\\)}\$"
    async "$label, whole table" "$qt"
    same "$label, whole table" "$qt" "SELECT $direct FROM response_all $w"
done

# README's example, as printed there (the query and its three rows).
got=$(on co -c "SELECT touchpoint, nps.nps_rollup(n) AS nps_agg FROM (
  SELECT touchpoint, nps.nps_agg(score) AS n FROM response_by_customer_1 GROUP BY touchpoint
  UNION ALL
  SELECT touchpoint, nps.nps_agg(score) FROM response_by_customer_2 GROUP BY touchpoint
) s GROUP BY touchpoint ORDER BY touchpoint")
want='app|(2000,364,362,1274,-45.5,1.7492498392167999,3.428466684827408,2000,2000)
store|(2000,364,364,1272,-45.4,1.7491197786315262,3.4282117707644635,2000,2000)
web|(2000,364,364,1272,-45.4,1.7491197786315262,3.4282117707644635,2000,2000)'
[ "$got" = "$want" ] || fail "README's UNION ALL example: got '$got'"
echo "ok: README's UNION ALL + nps_rollup example (its three rows)"

# The exact alternative 2: GROUP BY the partition key too (a full partitionwise
# aggregate, pushed), then roll up per touchpoint: one row per customer and
# touchpoint crosses the network instead of one per response.
for w in "" "WHERE $win"; do
    label="B exact, GROUP BY customer, touchpoint${w:+, time window}"
    qc="SELECT touchpoint, nps.nps_rollup(n), nps.csat_rollup(c) FROM (
          SELECT customer, touchpoint, nps.nps_agg(score) AS n, nps.csat_agg(csat) AS c
          FROM response_by_customer $w GROUP BY customer, touchpoint) s GROUP BY touchpoint"
    pushed "$label" "$qc" 2 "^SELECT customer, touchpoint, nps\.nps_agg\(score\), nps\.csat_agg\(csat\) FROM public\.response_by_customer ${w:+WHERE \(\(answered_at > .*\)\) }GROUP BY 1, 2\$"
    same "$label" "$qc ORDER BY 1" \
        "SELECT touchpoint, nps.nps_agg(score), nps.csat_agg(csat) FROM response_all $w GROUP BY touchpoint ORDER BY 1"
done

# ---- DISTINCT and ORDER BY inside the aggregate
qd="SELECT touchpoint, nps.nps_agg(DISTINCT score), nps.nps_agg(score ORDER BY answered_at) FROM response GROUP BY touchpoint"
pushed "A: DISTINCT / ORDER BY inside the aggregate" "$qd" 2 \
    '^SELECT touchpoint, nps\.nps_agg\(DISTINCT score\), nps\.nps_agg\(score ORDER BY answered_at ASC NULLS LAST\) FROM public\.response GROUP BY 1$'
same "A: DISTINCT / ORDER BY inside the aggregate" "$qd ORDER BY 1" \
    "SELECT touchpoint, nps.nps_agg(DISTINCT score), nps.nps_agg(score ORDER BY answered_at) FROM response_all GROUP BY touchpoint ORDER BY 1"
qdb="SELECT touchpoint, nps.nps_agg(DISTINCT score) FROM response_by_customer GROUP BY touchpoint"
pulled "B: DISTINCT inside the aggregate" "$qdb"
if plan "$qdb" | grep PARTIAL >/dev/null; then plan "$qdb"; fail "B: DISTINCT: a partial aggregate"; fi
same "B: DISTINCT inside the aggregate" "$qdb ORDER BY 1" \
    "SELECT touchpoint, nps.nps_agg(DISTINCT score) FROM response_all GROUP BY touchpoint ORDER BY 1"

# ---- a window aggregate: never pushed; the shards sort, the window runs here
qo="SELECT touchpoint, answered_at, nps.nps_agg(score) OVER (PARTITION BY touchpoint ORDER BY answered_at ROWS 99 PRECEDING) FROM response"
pulled "window aggregate" "$qo"
rs=$(remote_sql "$qo")
[ "$(printf '%s\n' "$rs" | grep -c 'ORDER BY touchpoint ASC NULLS LAST, answered_at ASC NULLS LAST$')" -eq 2 ] ||
    fail "window aggregate: the shards do not sort: $rs"
same "window aggregate" "SELECT md5(string_agg(w::text, ';' ORDER BY touchpoint, answered_at)) FROM ($qo) w" \
    "SELECT md5(string_agg(w::text, ';' ORDER BY touchpoint, answered_at)) FROM (${qo/FROM response/FROM response_all}) w"

# ---- not shippable: a server without extensions 'nps', a user's function
qp="SELECT touchpoint, nps.nps_agg(score) FROM response_plain GROUP BY touchpoint"
pulled "server without extensions 'nps'" "$qp"
same "server without extensions 'nps'" "$qp ORDER BY 1" \
    "SELECT touchpoint, nps.nps_agg(score) FROM response_all WHERE touchpoint IN ('web', 'app') GROUP BY touchpoint ORDER BY 1"
qn="SELECT touchpoint, count(*) FROM response WHERE nps.nps_category(score) = 'promoter' GROUP BY touchpoint"
pushed "nps_category in WHERE (shippable)" "$qn" 2 "WHERE \(\(nps\.nps_category\(score\) = 'promoter'::nps\.nps_category\)\) GROUP BY 1\$"
# (plpgsql, so the planner can not inline it into a shippable expression)
on co -c "CREATE FUNCTION public.is_promoter(s smallint) RETURNS boolean IMMUTABLE LANGUAGE plpgsql AS 'BEGIN RETURN s >= 9; END'"
qf="SELECT touchpoint, nps.nps_agg(score) FROM response WHERE is_promoter(score) GROUP BY touchpoint"
pulled "a user's function in WHERE" "$qf"
plan "$qf" | grep 'Filter: is_promoter(' >/dev/null || { plan "$qf"; fail "a user's function: no local Filter"; }
same "a user's function in WHERE" "$qf ORDER BY 1" \
    "SELECT touchpoint, nps.nps_agg(score) FROM response_all WHERE score >= 9 GROUP BY touchpoint ORDER BY 1"

# ---- an *_at function over a partitioned table of foreign shards
# nps.touchpoint_nps_at(..., response_table => 'fact_response'): a table with the
# columns of nps.fact_table_columns() LIST-partitioned by touchpoint_id (touchpoints 1
# and 2 on s1, 3 on s2). The function computes the window's bounds before its query
# and passes them as parameters, so each shard's Remote SQL has the window filter
# (answered_at > '...' AND answered_at <= '...'), not every row of the shard; and the
# rows equal those over a local table holding the same answers.
for n in s1 s2; do
    on "$n" -c "CREATE TABLE fact_response (LIKE nps.response)"
done
on co <<'SQL'
SET nps.notify = off;
INSERT INTO nps.journey (id, code, name) VALUES (1, 'buy', 'Buy');
INSERT INTO nps.touchpoint (id, journey_id, stage_order, code, name)
VALUES (1, 1, 1, 'visit', 'Visit'), (2, 1, 2, 'cart', 'Cart'), (3, 1, 3, 'pay', 'Pay');
CREATE TABLE fact_response_all (LIKE nps.response INCLUDING DEFAULTS);
INSERT INTO fact_response_all (id, customer, touchpoint_id, answered_at, segment, channel, score)
SELECT i, 'c-' || (i % 700), 1 + i % 3, timestamptz '2026-10-01 00:00+00' + i * interval '20 minutes',
       (ARRAY['vip', 'new'])[1 + i % 2], 'app', ((i * 7 + i / 13) % 11)::smallint
  FROM generate_series(1, 4000) i;
CREATE TABLE fact_response (LIKE fact_response_all) PARTITION BY LIST (touchpoint_id);
CREATE FOREIGN TABLE fact_response_1 PARTITION OF fact_response
  FOR VALUES IN (1, 2) SERVER shard1 OPTIONS (table_name 'fact_response');
CREATE FOREIGN TABLE fact_response_2 PARTITION OF fact_response
  FOR VALUES IN (3) SERVER shard2 OPTIONS (table_name 'fact_response');
INSERT INTO fact_response SELECT * FROM fact_response_all;
ANALYZE fact_response_all, fact_response;
SQL
tq="nps.touchpoint_nps_at('2026-11-20 00:00+00', '30 days', response_table => 'fact_response')"
lq="nps.touchpoint_nps_at('2026-11-20 00:00+00', '30 days', response_table => 'fact_response_all')"
got=$(on co -c "SELECT (SELECT count(*) FROM $tq), (SELECT sum(responses) FROM $tq),
                       (SELECT count(*) FROM (SELECT * FROM $tq EXCEPT ALL SELECT * FROM $lq) x),
                       (SELECT count(*) FROM (SELECT * FROM $lq EXCEPT ALL SELECT * FROM $tq) x)")
want=$(on co -c "SELECT count(*) FROM fact_response_all
                  WHERE answered_at > timestamptz '2026-11-20 00:00+00' - interval '30 days' AND answered_at <= '2026-11-20 00:00+00'")
[ "$got" = "3|$want|0|0" ] || fail "touchpoint_nps_at over the foreign partitions: $got (want 3 rows, $want responses, 0 and 0 rows differing)"
plan=$(on co -c "LOAD 'auto_explain'" -c "SET auto_explain.log_min_duration = 0" \
            -c "SET auto_explain.log_nested_statements = on" -c "SET auto_explain.log_level = notice" \
            -c "SET auto_explain.log_verbose = on" -c "SELECT count(*) FROM $tq" 2>&1 >/dev/null)
remote=$(grep 'Remote SQL: .* FROM public.fact_response' <<<"$plan" || true)
[ "$(wc -l <<<"$remote")" = 2 ] || { echo "$plan"; fail "touchpoint_nps_at: expected 2 shard scans of fact_response"; }
k=$(grep -c "WHERE ((answered_at > '2026-10-21 00:00:00+00')) AND ((answered_at <= '2026-11-20 00:00:00+00'))" <<<"$remote" || true)
[ "$k" = 2 ] || { echo "$remote"; fail "touchpoint_nps_at: the window filter is not in each shard's Remote SQL"; }
grep -q 'nps.nps_agg(score)' <<<"$remote" || { echo "$remote"; fail "touchpoint_nps_at: nps_agg not pushed to the shards"; }
echo "ok: touchpoint_nps_at over LIST-partitioned foreign shards = the local table ($want responses); each shard's Remote SQL has the window filter (and nps_agg, partitionwise)"

# ---- an error on a shard keeps its SQLSTATE (a score of 11 is out of range: 22003)
got=$(on co -v ON_ERROR_STOP=0 2>&1 <<'SQL' || true
\set VERBOSITY sqlstate
BEGIN;
INSERT INTO response VALUES ('c-x', 'store', '2026-10-02 00:00+00', 11, 3, true, 1);
SELECT touchpoint, nps.nps_agg(score) FROM response GROUP BY touchpoint;
ROLLBACK;
SQL
)
[ "$got" = "ERROR:  22003" ] || fail "error on a shard: got '$got'"
echo "ok: an nps_agg error on a shard arrives as ERROR 22003"
got=$(on s2 -c "SELECT count(*) FROM response WHERE score > 10")
[ "$got" = 0 ] || fail "the rolled-back row is on shard s2"

echo "fdw.sh: all checks passed"
