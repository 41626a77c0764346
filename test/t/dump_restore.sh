#!/usr/bin/env bash
# test/t/dump_restore.sh: pg_dump -Fc / pg_restore round trip of a database using nps.
#  - a small data set in every user table of the extension (journey, touchpoint,
#    response, journey_event, service_case, owner, a user-added metric row,
#    metric_owner, metric_status_log, improvement_action, user rows of health_weight, owner_security, unrestricted_role), with NULLs, arrays and non-ASCII text; owner
#    security enabled
#  - pg_dump -Fc, pg_restore --exit-on-error into a fresh database
#  - every table: same row count and same md5 of all rows in key order (built-in
#    metric rows come back from CREATE EXTENSION, user rows from the dump)
#  - identity sequences continue where they were (next ids equal)
#  - the outputs of every *_at function with a fixed as_of are identical
#  - row-level security (policies, enabled tables) survives
#  - restoring with PGOPTIONS='-c nps.notify=off' sends no notification
#  - the source is installed and filled by a non-superuser extension owner, who
#    grants SELECT on the schema to a BI reader and to the owner roles (README's
#    recipe); the dump is restored twice: as the superuser, and as the extension
#    owner (pg_restore -U owner into a database it owns).  Both times: same rows,
#    same policies, the same grants to the other roles, and each owner role sees
#    exactly the rows it saw before
# Runs against the throwaway cluster of test/run_tests.sh (PGHOST/PGPORT/PGUSER).
set -euo pipefail
src=nps_dump_src
dst=nps_dump_dst
owner=nps_dump_owner
ROLES="$owner li_qiang cx cx_director nps_dump_reader"
bindir=$("$PG_CONFIG" --bindir)
dump=$(mktemp /tmp/nps_dump.XXXXXX)
. "$REPO/test/lib.sh"   # q, fail
cleanup() {
    rm -f "$dump"
    dropdb --if-exists "$src" >/dev/null 2>&1 || true
    dropdb --if-exists "$dst" >/dev/null 2>&1 || true
    for r in $ROLES; do psql -X -q -d postgres -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1 || true; done
}
cleanup
trap cleanup EXIT
for r in $ROLES; do q -d postgres -c "CREATE ROLE $r"; done
q -d postgres -c "ALTER ROLE $owner LOGIN"
createdb -O "$owner" "$src"

q -d "$src" -U "$owner" <<'SQL'
CREATE EXTENSION nps;
SET nps.notify = off;
SELECT setseed(0.5);
INSERT INTO nps.journey (code, name, description) VALUES
  ('retail', '零售购物', 'presale to aftersales'), ('support', 'Support', NULL);
INSERT INTO nps.touchpoint (journey_id, stage_order, code, name, description)
SELECT 1, o, c, n, NULL FROM unnest(ARRAY['presale','order','payment','delivery','aftersales'],
                                    ARRAY['售前咨询','下单','支付','配送','售后']) WITH ORDINALITY AS u(c, n, o);
INSERT INTO nps.touchpoint (journey_id, stage_order, code, name, description) VALUES (2, 1, 'hotline', 'Hotline', 'phone');
INSERT INTO nps.owner (name, owner_kind, department, email, role_name) VALUES
  ('物流部', 'department', NULL, 'logistics@example.com', NULL),
  ('李强', 'person', '物流部', 'li@example.com', 'li_qiang'),
  ('客户体验中心', 'department', NULL, NULL, 'cx'),
  ('Anna O''Neil', 'person', 'Support', NULL, NULL);
INSERT INTO nps.metric (code, name, metric_kind, measure, direction, unit, segment, channel, sla, description)
VALUES ('nps_vip', 'VIP 客户 NPS', 'nps', 'score', 'higher', 'points', 'VIP', NULL, NULL, 'user-added metric'),
       ('resolution_24h', 'Resolved within 24 hours', 'rate', 'resolution_within_sla', 'higher', '%', NULL, NULL, interval '24 hours', NULL);
INSERT INTO nps.metric_owner (metric, journey_id, touchpoint_id, owner_id, target, alert_line, min_responses) VALUES
  ('nps', 1, 4, 2, 30, 10, NULL), ('nps', 1, NULL, 3, 25, 5, 20), ('nps_vip', 1, 4, 1, 50, 30, NULL),
  ('csat', 1, 5, 3, 80, 70, NULL), ('resolution_24h', 2, 6, 4, 90, 80, 10);
INSERT INTO nps.response (customer, touchpoint_id, answered_at, segment, channel, score, csat, ces, comment, reasons, followed_up_at)
SELECT 'C' || (g % 97), 1 + g % 6, timestamptz '2026-11-20 12:00+08' - g * interval '37 minutes',
       (ARRAY['VIP', '普通', '流失', NULL])[1 + g % 4], (ARRAY['app', 'email', NULL])[1 + g % 3],
       (g * 7) % 11, CASE WHEN g % 3 = 0 THEN 1 + g % 5 END, CASE WHEN g % 4 = 0 THEN 1 + g % 7 END,
       CASE WHEN g % 5 = 0 THEN '评论 "' || g || E'"\ttab' END,
       CASE WHEN (g * 7) % 11 > 6 THEN '{}' WHEN g % 3 = 0 THEN ARRAY['物流慢']
            WHEN g % 3 = 1 THEN ARRAY['包装破损', '物流慢'] ELSE '{}' END,
       CASE WHEN (g * 7) % 11 <= 6 AND g % 2 = 0 THEN timestamptz '2026-11-20 12:00+08' - g * interval '37 minutes' + interval '5 hours' END
  FROM generate_series(1, 3000) g;
INSERT INTO nps.journey_event (customer, touchpoint_id, occurred_at)
SELECT 'C' || c, t, timestamptz '2026-11-01 00:00+08' + c * interval '3 hours' + t * interval '1 day'
  FROM generate_series(1, 400) c, generate_series(1, 5) t WHERE c % (t + 1) <> 0 OR t = 1;
INSERT INTO nps.service_case (customer, touchpoint_id, opened_at, first_response_at, resolved_at, contacts, complaint, reopened)
SELECT 'C' || g, (ARRAY[1, 4, 5, 6])[1 + g % 4], timestamptz '2026-11-20 12:00+08' - g * interval '5 hours',
       timestamptz '2026-11-20 12:00+08' - g * interval '5 hours' + (g % 9) * interval '1 hour',
       CASE WHEN g % 7 <> 0 THEN timestamptz '2026-11-20 12:00+08' - g * interval '5 hours' + (g % 50) * interval '1 hour' END,
       1 + g % 3, g % 10 = 0, g % 7 <> 0 AND g % 13 = 0
  FROM generate_series(1, 300) g;
INSERT INTO nps.improvement_action (metric_owner_id, title, description, owner_id, planned_at, started_at, check_after, state, notes) VALUES
  (1, '新包装标准', '配送: 加固纸箱 "A\tB"', NULL, '2026-10-20 09:00+08', '2026-10-25 00:00+08', '14 days', 'check', NULL),
  (2, 'Journey call-backs', NULL, 4, '2026-11-01 09:00+08', NULL, NULL, 'plan', 'waiting for budget'),
  (4, 'CSAT training', NULL, NULL, '2026-09-01 09:00+08', '2026-09-10 00:00+08', NULL, 'abandoned', NULL);
-- own health weights (the built-in rows come back from CREATE EXTENSION)
INSERT INTO nps.health_weight (term, weight, cap, description) VALUES
  ('complaints', 25, 4, '投诉 weigh more here'), ('latest_score', 30, NULL, NULL);
-- some gaps in the identity sequences: the next ids must still match
DELETE FROM nps.response WHERE id % 500 = 0;
DELETE FROM nps.improvement_action WHERE id = 2;
INSERT INTO nps.unrestricted_role (role_name, added_at) VALUES ('cx_director', '2026-11-20 09:00+08');
-- status history: every assignment at one time, the changes at a later one
SELECT count(*) FROM nps.record_metric_status('2026-11-10 12:00+08');
SELECT count(*) FROM nps.record_metric_status('2026-11-20 12:00+08');
SELECT nps.enable_owner_security();
-- README's BI recipe, by the (non-superuser) extension owner
GRANT USAGE ON SCHEMA nps TO nps_dump_reader, li_qiang, cx, cx_director;
GRANT SELECT ON ALL TABLES IN SCHEMA nps TO nps_dump_reader, li_qiang, cx, cx_director;
GRANT UPDATE (followed_up_at) ON nps.response TO li_qiang;
SQL

# per table: rows, md5 of all rows in key order
# the daily summaries (nps.response_day, nps.response_summarized_day) are
# derived data, deliberately not registered with pg_extension_config_dump: a
# restore leaves them empty (every day is read raw until the next
# nps.refresh_response_summary), and the *_at outputs compared below are the
# same with them (source, refreshed) and without (restored)
DERIVED="response_day response_summarized_day"
TABLES="journey:id touchpoint:id response:id journey_event:id service_case:id owner:id metric:code metric_owner:id metric_status_log:id improvement_action:id health_weight:text owner_security:singleton unrestricted_role:role_name"
table_sums() {
    local db=$1 t key
    for tk in $TABLES; do
        t=${tk%%:*}; key=${tk#*:}
        echo "$t $(q -d "$db" -c "SELECT count(*) || ' ' || coalesce(md5(string_agg(x::text, E'\n' ORDER BY x.$key)), '-') FROM nps.$t x")"
    done
}
# every *_at function with a fixed as_of and window: md5 of the rows in function order
AS_OF="timestamptz '2026-11-20 12:00+08'"
view_sums() {
    local db=$1 f
    for f in "touchpoint_nps_at($AS_OF, '30 days')" "segment_nps_at($AS_OF, '30 days')" \
             "journey_funnel_at($AS_OF, '30 days')" "metric_status_at($AS_OF, '30 days', 30)" \
             "owner_scorecard_at($AS_OF, '30 days', 30)" "detractor_queue_at($AS_OF, '48 hours')" \
             "detractor_reasons_at($AS_OF, '30 days')" "action_effect_at($AS_OF, '30 days', 30)" \
             "customer_health_at($AS_OF, '30 days')"; do
        echo "$f $(q -d "$db" -c "SELECT count(*) || ' ' || coalesce(md5(string_agg(x::text, E'\n' ORDER BY x.ordinality)), '-') FROM nps.$f WITH ORDINALITY AS x" 2>&1)"
    done
}
# privileges granted to roles other than the table's owner
grants() {
    q -d "$1" -c "SELECT string_agg(g, ',' ORDER BY g) FROM (
                    SELECT c.relname || ':' || CASE a.grantee WHEN 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END
                           || ':' || a.privilege_type AS g
                      FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a
                     WHERE c.relnamespace = 'nps'::regnamespace AND a.grantee <> c.relowner) x"
}
# what each role sees: rows of every table under owner security, and its views
role_rows() {
    local db=$1 r
    for r in li_qiang cx cx_director nps_dump_reader; do
        echo "$r $(q -d "$db" -c "SET ROLE $r" -c "SELECT (SELECT count(*) FROM nps.response) || ' ' || (SELECT count(*) FROM nps.service_case)
                 || ' ' || (SELECT count(*) FROM nps.journey_event) || ' ' || (SELECT count(*) FROM nps.owner)
                 || ' ' || (SELECT count(*) FROM nps.metric_owner) || ' ' || (SELECT count(*) FROM nps.touchpoint_nps_at($AS_OF, '30 days'))")"
    done
}
rls_state() {
    q -d "$1" -c "SELECT (SELECT string_agg(tablename || '.' || policyname, ',' ORDER BY tablename) FROM pg_policies WHERE schemaname = 'nps') || ' ' ||
                         (SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class WHERE relnamespace = 'nps'::regnamespace AND relrowsecurity)"
}

# every table and sequence of the extension is registered for pg_dump, and
# every table is compared below
unregistered=$(q -d "$src" -c "SELECT string_agg(c.oid::regclass::text, ' ' ORDER BY c.relname)
  FROM pg_depend d JOIN pg_class c ON c.oid = d.objid AND d.classid = 'pg_class'::regclass
  JOIN pg_extension e ON e.oid = d.refobjid AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
 WHERE e.extname = 'nps' AND c.relkind IN ('r', 'S') AND c.oid <> ALL (e.extconfig)
   AND c.relname <> ALL (string_to_array('$DERIVED', ' '))")
[ -z "$unregistered" ] || fail "not registered with pg_extension_config_dump (lost by pg_dump): $unregistered"
tables=$(q -d "$src" -c "SELECT string_agg(c.relname, ' ' ORDER BY c.relname)
  FROM pg_depend d JOIN pg_class c ON c.oid = d.objid AND d.classid = 'pg_class'::regclass
  JOIN pg_extension e ON e.oid = d.refobjid AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
 WHERE e.extname = 'nps' AND c.relkind = 'r' AND c.relname <> ALL (string_to_array('$DERIVED', ' '))")
listed=$(for tk in $TABLES; do echo "${tk%%:*}"; done | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')
[ "$tables" = "$listed" ] || fail "tables of the extension '$tables', compared here '$listed'"
echo "ok: every table and sequence of nps is registered with pg_extension_config_dump"

summarized=$(q -d "$src" -c "SELECT nps.refresh_response_summary('2026-11-21')")
[ "$summarized" -gt 0 ] || fail "nothing summarized in the source ($summarized days)"
before_tables=$(table_sums "$src")
before_views=$(view_sums "$src")
before_rls=$(rls_state "$src")
before_grants=$(grants "$src")
before_roles=$(role_rows "$src")
echo "$before_roles"
# the roles see different slices: owner security is really on
[ "$(echo "$before_roles" | awk '{print $2}' | sort -u | wc -l)" -ge 3 ] || fail "owner roles do not see different rows: $before_roles"
# sanity: the data set is not empty anywhere, the views have rows
if echo "$before_tables" | grep ' 0 -$' >/dev/null; then fail "empty table in the source: $before_tables"; fi
echo "$before_tables"

next_ids() {
    q -d "$1" -c "SET nps.notify = off" -c "BEGIN" \
      -c "INSERT INTO nps.journey (code, name) VALUES ('x', 'x') RETURNING id" \
      -c "INSERT INTO nps.touchpoint (journey_id, stage_order, code, name) VALUES (1, 99, 'x', 'x') RETURNING id" \
      -c "INSERT INTO nps.response (customer, touchpoint_id, answered_at, score) VALUES ('x', 1, now(), 5) RETURNING id" \
      -c "INSERT INTO nps.journey_event (customer, touchpoint_id, occurred_at) VALUES ('x', 1, now()) RETURNING id" \
      -c "INSERT INTO nps.service_case (customer, touchpoint_id, opened_at) VALUES ('x', 1, now()) RETURNING id" \
      -c "INSERT INTO nps.owner (name) VALUES ('x') RETURNING id" \
      -c "INSERT INTO nps.metric_owner (metric, journey_id, touchpoint_id, owner_id, target) VALUES ('ces', 1, 1, 1, 5) RETURNING id" \
      -c "ROLLBACK" | tr '\n' ' '
}
"$bindir/pg_dump" -Fc -f "$dump" "$src"

# restore_and_compare LABEL PG_RESTORE_ARGS...: a fresh $dst, restored and compared
restore_and_compare() {
    local label=$1; shift
    dropdb --if-exists "$dst"
    case "$label" in
        superuser) createdb "$dst" ;;
        owner) createdb -O "$owner" "$dst" ;;
    esac
    listener_out=$(mktemp)
    # a listener on the destination during the restore: with nps.notify=off nothing is sent
    psql -X -q -d "$dst" -c "LISTEN nps_detractor" -c "SELECT pg_sleep(3)" >"$listener_out" 2>&1 &
    listener=$!
    sleep 1
    PGOPTIONS='-c nps.notify=off' "$bindir/pg_restore" --exit-on-error "$@" -d "$dst" "$dump" || { wait "$listener" || true; fail "pg_restore failed"; }
    wait "$listener" || true
    if grep -q '^Asynchronous' "$listener_out"; then rm -f "$listener_out"; fail "notifications sent during a restore with nps.notify=off"; fi
    rm -f "$listener_out"
    echo "ok ($label): pg_dump -Fc and pg_restore --exit-on-error (nps.notify=off: no notifications)"

    after_tables=$(table_sums "$dst")
    if [ "$before_tables" != "$after_tables" ]; then
        diff <(echo "$before_tables") <(echo "$after_tables") || true
        fail "table contents differ after restore"
    fi
    echo "ok ($label): every table has the same rows (count and md5) after restore"

    after_views=$(view_sums "$dst")
    if [ "$before_views" != "$after_views" ]; then
        diff <(echo "$before_views") <(echo "$after_views") || true
        fail "view outputs differ after restore"
    fi
    if echo "$before_views" | grep -v ' [1-9][0-9]* [0-9a-f]\{32\}$' >/dev/null; then
        echo "$before_views"; fail "a view function gave no rows or an error"
    fi
    echo "$after_views"
    echo "ok ($label): every *_at function gives the same rows after restore"
    derived=$(q -d "$dst" -c "SELECT (SELECT count(*) FROM nps.response_day) + (SELECT count(*) FROM nps.response_summarized_day)")
    [ "$derived" = 0 ] || fail "daily summaries restored ($derived rows): they are derived data, never dumped"
    echo "ok ($label): the daily summaries ($summarized days in the source) are not dumped: empty after restore, same *_at rows without them"

    after_rls=$(rls_state "$dst")
    [ "$before_rls" = "$after_rls" ] || fail "row-level security before '$before_rls', after '$after_rls'"
    echo "ok ($label): row-level security kept: $after_rls"

    after_grants=$(grants "$dst")
    [ "$before_grants" = "$after_grants" ] || fail "grants before '$before_grants', after '$after_grants'"
    echo "ok ($label): the same grants to the other roles"
    after_roles=$(role_rows "$dst")
    if [ "$before_roles" != "$after_roles" ]; then
        diff <(echo "$before_roles") <(echo "$after_roles") || true
        fail "what the roles see differs after restore"
    fi
    echo "ok ($label): each role sees exactly the rows it saw before"
    b=$(next_ids "$dst")
    [ "$src_ids" = "$b" ] || fail "next identity values differ: source '$src_ids', restored '$b'"
    echo "ok ($label): identity sequences continue alike: $b"
}

# the next ids the source would hand out (nextval is not rolled back: ask once)
src_ids=$(next_ids "$src")
restore_and_compare superuser
[ "$(q -d "$dst" -c "SELECT extowner::regrole FROM pg_extension WHERE extname = 'nps'")" = postgres ] ||
    fail "after a superuser restore the extension should belong to the superuser"
restore_and_compare owner -U "$owner"
[ "$(q -d "$dst" -c "SELECT extowner::regrole FROM pg_extension WHERE extname = 'nps'")" = "$owner" ] ||
    fail "after a restore by the extension owner the extension should be its"
echo "ok: restored as the extension owner, the extension and its tables are the owner's again"
