#!/usr/bin/env bash
# test/t/status_notify.sh: the status alerts as a service listening on
# nps_metric_status sees them (README's journey data, test/readme/journey.sql).
#  - the first nps.record_metric_status call notifies once per owned metric (11)
#  - a month later: one notification per changed status (7; complaint_rate stays
#    green in the log: its interval still reaches the target), with the exact JSON
#    payload, in metric_owner_id order; the same as_of again sends nothing
#  - a rolled-back call sends nothing
# psql prints "... from server process with PID N": the PID is replaced by N.
# Runs against the throwaway cluster of test/run_tests.sh (PGHOST/PGPORT/PGUSER).
set -euo pipefail
db=nps_status_notify_t
. "$REPO/test/lib.sh"   # q, fail
dropdb --if-exists "$db"
createdb "$db"
trap 'dropdb --if-exists "$db" >/dev/null 2>&1 || true' EXIT
q -d "$db" -c "CREATE EXTENSION nps" >/dev/null
q -d "$db" -f "$REPO/test/readme/journey.sql" >/dev/null

got=$(psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" 2>&1 <<'SQL' | sed -E 's/server process with PID [0-9]+/server process with PID N/; s/^Asynchronous notification "nps_metric_status" with payload "(.*)" received from server process with PID N\.$/\1/'
SET TimeZone = 'UTC';
SET nps.window_length = '30 days';
LISTEN nps_metric_status;
SELECT 'first: ' || count(*) FROM nps.record_metric_status('2024-05-31 12:00+00');
SELECT 'again: ' || count(*) FROM nps.record_metric_status('2024-05-31 12:00+00');
BEGIN;
SELECT 'rolled back: ' || count(*) FROM nps.record_metric_status('2024-06-30 12:00+00');
ROLLBACK;
SELECT 'month later: ' || count(*) FROM nps.record_metric_status('2024-06-30 12:00+00');
SELECT 'again: ' || count(*) FROM nps.record_metric_status('2024-06-30 12:00+00');
SQL
)
[ "$(echo "$got" | grep -c '"old_status" : null')" = 11 ] || fail "first call: not 11 notifications with old_status null: $got"
want='first: 11
{"metric_owner_id" : 1, "metric" : "nps", "journey" : "buy", "touchpoint" : "presales", "owner_id" : 1, "owner_name" : "Ann", "old_status" : null, "status" : "amber", "value" : -25, "as_of" : "2024-05-31T12:00:00+00:00"}'
[ "$(echo "$got" | sed -n '1,2p')" = "$want" ] || fail "first call: got $(echo "$got" | sed -n '1,2p')"
rest=$(echo "$got" | sed -n '13,$p')
want='again: 0
rolled back: 7
month later: 7
{"metric_owner_id" : 1, "metric" : "nps", "journey" : "buy", "touchpoint" : "presales", "owner_id" : 1, "owner_name" : "Ann", "old_status" : "amber", "status" : "green", "value" : 25, "as_of" : "2024-06-30T12:00:00+00:00"}
{"metric_owner_id" : 5, "metric" : "nps_vip", "journey" : "buy", "touchpoint" : null, "owner_id" : 4, "owner_name" : "Cora", "old_status" : "insufficient", "status" : "amber", "value" : 50, "as_of" : "2024-06-30T12:00:00+00:00"}
{"metric_owner_id" : 6, "metric" : "csat", "journey" : "support", "touchpoint" : null, "owner_id" : 5, "owner_name" : "Dan", "old_status" : "insufficient", "status" : "amber", "value" : 75, "as_of" : "2024-06-30T12:00:00+00:00"}
{"metric_owner_id" : 7, "metric" : "ces", "journey" : "support", "touchpoint" : "hotline", "owner_id" : 5, "owner_name" : "Dan", "old_status" : "insufficient", "status" : "green", "value" : 5, "as_of" : "2024-06-30T12:00:00+00:00"}
{"metric_owner_id" : 9, "metric" : "first_contact_resolution", "journey" : "support", "touchpoint" : "hotline", "owner_id" : 5, "owner_name" : "Dan", "old_status" : "green", "status" : "amber", "value" : 80, "as_of" : "2024-06-30T12:00:00+00:00"}
{"metric_owner_id" : 10, "metric" : "reopen_rate", "journey" : "support", "touchpoint" : "hotline", "owner_id" : 5, "owner_name" : "Dan", "old_status" : "green", "status" : "red", "value" : 5, "as_of" : "2024-06-30T12:00:00+00:00"}
{"metric_owner_id" : 11, "metric" : "first_response_sla", "journey" : "buy", "touchpoint" : "checkout", "owner_id" : 6, "owner_name" : "Eve", "old_status" : "insufficient", "status" : "amber", "value" : 33.333333333333336, "as_of" : "2024-06-30T12:00:00+00:00"}
again: 0'
if [ "$rest" != "$want" ]; then diff <(echo "$want") <(echo "$rest") || true; fail "notifications after the first call differ"; fi
echo "ok: first call 11 notifications (old_status null), a month later the 7 changes with exact payloads, none again, none when rolled back"
