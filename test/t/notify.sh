#!/usr/bin/env bash
# test/t/notify.sh: the closed loop, as a service listening on nps_detractor sees it.
#  - a multi-row INSERT sends one notification per detractor (score 0-6), in row
#    order, with the exact JSON payload (response id, score, touchpoint id and
#    code, journey, owners of the NPS metric of the touchpoint, then journey-wide
#    owners; a CSAT owner is not listed; a VIP-only NPS metric's owner only for VIP)
#  - passives and promoters send nothing; detractors inserted already followed up
#    send nothing; a rolled-back INSERT sends nothing
#  - SET nps.notify = off silences it, on brings it back; COPY notifies too
#  - SET nps.notify_payload = id sends only {"response_id":N}
#  - payloads stay under the 8000-byte NOTIFY limit with hundreds of owners
#  - another session that LISTENs receives them (a real service)
#  - a role that may only INSERT (no SELECT on owners) still inserts, with owners
#  - under a hostile search_path the payload is unchanged
# psql prints "Asynchronous notification ... from server process with PID N":
# the PID is replaced by N before comparing.
# Runs against the throwaway cluster of test/run_tests.sh (PGHOST/PGPORT/PGUSER).
set -euo pipefail
db=nps_notify_t
. "$REPO/test/lib.sh"   # q, fail
norm() { sed -E 's/server process with PID [0-9]+/server process with PID N/'; }

dropdb --if-exists "$db"
q -d postgres -c "DROP ROLE IF EXISTS nps_notify_writer"
createdb "$db"
q -d postgres -c "CREATE ROLE nps_notify_writer LOGIN"
trap 'dropdb --if-exists "$db" >/dev/null 2>&1 || true; psql -X -q -d postgres -c "DROP ROLE IF EXISTS nps_notify_writer" >/dev/null 2>&1 || true' EXIT

q -d "$db" <<'SQL'
CREATE EXTENSION nps;
INSERT INTO nps.journey (id, code, name) VALUES (1, 'retail', '零售购物');
INSERT INTO nps.touchpoint (id, journey_id, stage_order, code, name) VALUES
  (1, 1, 1, 'presale', '售前咨询'), (2, 1, 2, 'order', '下单'), (3, 1, 3, 'delivery', '配送');
INSERT INTO nps.owner (id, name, owner_kind, role_name) VALUES
  (1, '物流部', 'department', 'logistics'), (2, 'Alice "A" Wang', 'person', NULL),
  (3, '客户体验中心', 'department', 'cx'), (4, 'CSAT only', 'person', NULL), (5, 'VIP desk', 'person', 'vip');
INSERT INTO nps.metric (code, name, metric_kind, measure, unit, segment)
  VALUES ('nps_vip', 'NPS of VIP customers', 'nps', 'score', 'points', 'VIP');
INSERT INTO nps.metric_owner (metric, journey_id, touchpoint_id, owner_id, target) VALUES
  ('nps', 1, 3, 1, 30), ('nps', 1, 1, 2, 30), ('nps', 1, NULL, 3, 20),
  ('csat', 1, 2, 4, 80), ('nps_vip', 1, 3, 5, 50);
GRANT USAGE ON SCHEMA nps TO nps_notify_writer;
GRANT INSERT ON nps.response TO nps_notify_writer;
SQL

# ---- one session: LISTEN, then the cases; notifications print after each command
out=$(psql -X -q -v ON_ERROR_STOP=1 -d "$db" 2>&1 <<'SQL' | norm
LISTEN nps_detractor;
\echo '-- multi-row INSERT: scores 3, 9, 7, 0, 6 (VIP at delivery), 10'
INSERT INTO nps.response (customer, touchpoint_id, answered_at, score, segment, comment) VALUES
  ('c1', 3, '2026-11-01 10:00+00', 3, NULL, 'late'), ('c2', 3, '2026-11-01 10:00+00', 9, NULL, NULL),
  ('c3', 1, '2026-11-01 10:00+00', 7, NULL, NULL), ('c4', 1, '2026-11-01 10:00+00', 0, NULL, 'rude'),
  ('c5', 3, '2026-11-01 10:00+00', 6, 'VIP', NULL), ('c6', 2, '2026-11-01 10:00+00', 10, NULL, NULL);
\echo '-- passives and promoters only'
INSERT INTO nps.response (customer, touchpoint_id, answered_at, score)
  SELECT 'p' || s, 1 + s % 3, '2026-11-01 10:00+00', s FROM generate_series(7, 10) s;
\echo '-- detractor already followed up'
INSERT INTO nps.response (customer, touchpoint_id, answered_at, score, followed_up_at)
  VALUES ('c7', 3, '2026-11-01 10:00+00', 2, '2026-11-01 11:00+00');
\echo '-- rolled back'
BEGIN;
INSERT INTO nps.response (customer, touchpoint_id, answered_at, score) VALUES ('c8', 3, '2026-11-01 10:00+00', 1);
ROLLBACK;
\echo '-- nps.notify = off'
SET nps.notify = off;
INSERT INTO nps.response (customer, touchpoint_id, answered_at, score) VALUES ('c9', 3, '2026-11-01 10:00+00', 1);
\echo '-- nps.notify = on again, a detractor at order (no NPS owner there but the journey-wide one)'
SET nps.notify = on;
INSERT INTO nps.response (customer, touchpoint_id, answered_at, score) VALUES ('c10', 2, '2026-11-01 10:00+00', 4);
\echo '-- COPY'
COPY nps.response (customer, touchpoint_id, answered_at, score, segment) FROM STDIN WITH (FORMAT csv);
c11,1,2026-11-01 10:00+00,5,
c12,3,2026-11-01 10:00+00,10,
c13,3,2026-11-01 10:00+00,1,VIP
\.
\echo '-- nps.notify_payload = id: only the response id'
SET nps.notify_payload = id;
INSERT INTO nps.response (customer, touchpoint_id, answered_at, score) VALUES ('c14', 3, '2026-11-01 10:00+00', 2), ('c15', 2, '2026-11-01 10:00+00', 9);
RESET nps.notify_payload;
\echo '-- hostile search_path'
CREATE SCHEMA evil;
CREATE FUNCTION evil.to_json(anyelement) RETURNS json LANGUAGE sql AS $$SELECT '"evil"'::json$$;
CREATE FUNCTION evil.pg_notify(text, text) RETURNS void LANGUAGE sql AS $$SELECT$$;
CREATE FUNCTION evil.json_build_array(VARIADIC "any") RETURNS json LANGUAGE internal AS 'json_build_array_noargs';
CREATE FUNCTION evil.coalesce(text, text) RETURNS text LANGUAGE sql AS $$SELECT 'off'$$;
CREATE FUNCTION evil.current_setting(text, boolean) RETURNS text LANGUAGE sql AS $$SELECT 'off'$$;
SET search_path = evil, pg_catalog, public;
INSERT INTO nps.response (customer, touchpoint_id, answered_at, score) VALUES ('c16', 1, '2026-11-01 10:00+00', 2);
RESET search_path;
\echo '-- end'
SQL
)
expected=$(cat <<'EOF'
-- multi-row INSERT: scores 3, 9, 7, 0, 6 (VIP at delivery), 10
Asynchronous notification "nps_detractor" with payload "{"response_id":1,"score":3,"touchpoint_id":3,"touchpoint":"delivery","journey":"retail","owners":[{"id":1,"name":"物流部","role":"logistics"},{"id":3,"name":"客户体验中心","role":"cx"}]}" received from server process with PID N.
Asynchronous notification "nps_detractor" with payload "{"response_id":4,"score":0,"touchpoint_id":1,"touchpoint":"presale","journey":"retail","owners":[{"id":2,"name":"Alice \"A\" Wang","role":null},{"id":3,"name":"客户体验中心","role":"cx"}]}" received from server process with PID N.
Asynchronous notification "nps_detractor" with payload "{"response_id":5,"score":6,"touchpoint_id":3,"touchpoint":"delivery","journey":"retail","owners":[{"id":1,"name":"物流部","role":"logistics"},{"id":5,"name":"VIP desk","role":"vip"},{"id":3,"name":"客户体验中心","role":"cx"}]}" received from server process with PID N.
-- passives and promoters only
-- detractor already followed up
-- rolled back
-- nps.notify = off
-- nps.notify = on again, a detractor at order (no NPS owner there but the journey-wide one)
Asynchronous notification "nps_detractor" with payload "{"response_id":14,"score":4,"touchpoint_id":2,"touchpoint":"order","journey":"retail","owners":[{"id":3,"name":"客户体验中心","role":"cx"}]}" received from server process with PID N.
-- COPY
Asynchronous notification "nps_detractor" with payload "{"response_id":15,"score":5,"touchpoint_id":1,"touchpoint":"presale","journey":"retail","owners":[{"id":2,"name":"Alice \"A\" Wang","role":null},{"id":3,"name":"客户体验中心","role":"cx"}]}" received from server process with PID N.
Asynchronous notification "nps_detractor" with payload "{"response_id":17,"score":1,"touchpoint_id":3,"touchpoint":"delivery","journey":"retail","owners":[{"id":1,"name":"物流部","role":"logistics"},{"id":5,"name":"VIP desk","role":"vip"},{"id":3,"name":"客户体验中心","role":"cx"}]}" received from server process with PID N.
-- nps.notify_payload = id: only the response id
Asynchronous notification "nps_detractor" with payload "{"response_id":18}" received from server process with PID N.
-- hostile search_path
Asynchronous notification "nps_detractor" with payload "{"response_id":20,"score":2,"touchpoint_id":1,"touchpoint":"presale","journey":"retail","owners":[{"id":2,"name":"Alice \"A\" Wang","role":null},{"id":3,"name":"客户体验中心","role":"cx"}]}" received from server process with PID N.
-- end
EOF
)
if [ "$out" != "$expected" ]; then
    echo "---- got ----"; echo "$out"; echo "---- expected ----"; echo "$expected"
    diff <(echo "$expected") <(echo "$out") || true
    fail "notifications in one session differ"
fi
echo "ok: one notification per detractor with the exact payload (INSERT, COPY); none for passives, promoters, followed-up, rolled back, nps.notify = off; hostile search_path"

# ---- the payloads are valid JSON that a service can parse
valid=$(printf '%s\n' "$out" | sed -n 's/^Asynchronous notification "nps_detractor" with payload "\(.*\)" received from.*$/\1/p' |
        while IFS= read -r p; do
            echo "SELECT (:'p'::json ->> 'response_id')::bigint IS NOT NULL" | q -d "$db" -v p="$p"
        done | sort -u)
[ "$valid" = t ] || fail "a payload is not JSON with a response_id ($valid)"
echo "ok: every payload parses as JSON"

# ---- another session listening (the service), the writer a role that may only INSERT
listener_out=$(mktemp)
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "LISTEN nps_detractor" \
     -c "SELECT pg_sleep(4) /* nps_notify_listener */" >"$listener_out" 2>&1 &
listener=$!
for _ in $(seq 1 50); do
    n=$(q -d "$db" -c "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%nps_notify_listener%' AND state = 'active' AND pid <> pg_backend_pid()")
    [ "$n" = 1 ] && break
    sleep 0.1
done
[ "$n" = 1 ] || fail "listener session did not start"
writer_pid=$(q -d "$db" -U nps_notify_writer -c "INSERT INTO nps.response (customer, touchpoint_id, answered_at, score) VALUES ('w1', 3, '2026-11-01 10:00+00', 0)" -c "SELECT pg_backend_pid()")
wait "$listener"
got=$(grep '^Asynchronous' "$listener_out" || true)
rm -f "$listener_out"
want="Asynchronous notification \"nps_detractor\" with payload \"{\"response_id\":21,\"score\":0,\"touchpoint_id\":3,\"touchpoint\":\"delivery\",\"journey\":\"retail\",\"owners\":[{\"id\":1,\"name\":\"物流部\",\"role\":\"logistics\"},{\"id\":3,\"name\":\"客户体验中心\",\"role\":\"cx\"}]}\" received from server process with PID $writer_pid."
[ "$got" = "$want" ] || { echo "got:  $got"; echo "want: $want"; fail "the listening session did not get the writer's notification"; }
echo "ok: a separate LISTEN session receives the notification of an INSERT-only role"

# ---- hundreds of owners with long names: the payload stays under 8000 bytes
len=$(psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" 2>&1 <<'SQL' | sed -n 's/^Asynchronous notification "nps_detractor" with payload "\(.*\)" received from.*$/\1/p' | LC_ALL=C awk '{ print length($0) }'
INSERT INTO nps.owner (id, name, owner_kind)
  SELECT 100 + g, repeat('长名字', 20) || g, 'person' FROM generate_series(1, 300) g;
INSERT INTO nps.touchpoint (id, journey_id, stage_order, code, name) VALUES (4, 1, 4, 'aftersales', '售后');
INSERT INTO nps.metric_owner (metric, journey_id, touchpoint_id, owner_id, target) VALUES ('nps', 1, 4, 101, 30);
INSERT INTO nps.metric (code, name, metric_kind, measure, unit)
  SELECT 'nps_x' || g, 'NPS x' || g, 'nps', 'score', 'points' FROM generate_series(2, 300) g;
INSERT INTO nps.metric_owner (metric, journey_id, touchpoint_id, owner_id, target)
  SELECT 'nps_x' || g, 1, 4, 100 + g, 30 FROM generate_series(2, 300) g;
LISTEN nps_detractor;
INSERT INTO nps.response (customer, touchpoint_id, answered_at, score) VALUES ('big', 4, '2026-11-01 10:00+00', 1);
SQL
)
[ -n "$len" ] && [ "$len" -lt 8000 ] || fail "payload with 300 owners: length '$len'"
echo "ok: payload with 300 owners is $len bytes (< 8000)"

dropdb "$db"
