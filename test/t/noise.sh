#!/usr/bin/env bash
# test/t/noise.sh: alarms do not fire on noise (issue 11; README "Status history
# and alerts", "Alarms and noise").  A simulation with a fixed seed:
#  - one journey of 5 stages; 20 owned metrics: per stage NPS, NPS of app
#    answers (a metric with channel = 'app'), CSAT and CES
#  - 201 weekly windows of synthetic answers; per window 2000 answers at the
#    配送 (delivery) stage and 800 at each other stage (half of them app); true
#    values never change: NPS 50 (60% promoters, 10% detractors), CSAT 80%,
#    CES 5.1; targets and alert lines at least 3.8 standard errors from them
#  - no change: 200 refreshes (as_of at the end of windows 1..200, window_length
#    7 days, so each compares two fresh windows): fewer than 5% of them have any
#    change_significant; nps.record_metric_status at the same as_of values (after
#    one first call that logs every metric) sends a notification (LISTEN) in
#    fewer than 5% of them, one per logged row
#  - a metric on its target (delivery's NPS target moved to 50): metric_status
#    flips amber/green in more than 50 of 199 refreshes, the log (hysteresis at
#    the target) records a change in fewer than 10% of 200
#  - a real drop of 10 points at delivery (NPS 50 -> 40: 1 in 12 promoters
#    becomes a detractor in every odd window): of the 100 refreshes comparing an
#    odd window with the even one before it, more than 50% flag delivery's NPS
# Prints the rates with their Wilson 95% intervals (nps.rate_agg).  The data is
# generated with setseed, so every count is the same on every run; pass/fail
# depends on the counts, never on timing.
set -euo pipefail
db=nps_noise_t
. "$REPO/test/lib.sh"   # q, fail
dropdb --if-exists "$db" 2>/dev/null
createdb "$db"
trap 'dropdb --if-exists "$db" >/dev/null 2>&1 || true' EXIT
q -d "$db" -c "CREATE EXTENSION nps" >/dev/null

# ---- data: 201 windows of 7 days from 2020-01-01 (window w = (T0 + 7w days, T0 + 7(w+1) days])
q -d "$db" >/dev/null <<'SQL'
SET nps.notify = off;
SELECT setseed(0.11);
INSERT INTO nps.journey (code, name) VALUES ('order', '订单旅程');
INSERT INTO nps.touchpoint (journey_id, stage_order, code, name)
SELECT 1, s, (ARRAY['browse', 'checkout', 'delivery', 'return', 'support'])[s],
       (ARRAY['浏览', '下单支付', '配送', '退换货', '客服'])[s]
  FROM generate_series(1, 5) s;
INSERT INTO nps.owner (name) SELECT 'owner ' || o FROM generate_series(1, 5) o;
INSERT INTO nps.metric (code, name, metric_kind, measure, unit, channel)
VALUES ('nps_app', 'NPS of app answers', 'nps', 'score', 'points', 'app');
-- lines: NPS 50 +- 2.4 (800 answers), app 50 +- 3.4; CSAT 80 +- 1.4; CES 5.1 +- 0.053
INSERT INTO nps.metric_owner (metric, journey_id, touchpoint_id, owner_id, target, alert_line)
SELECT m.metric, 1, t.id, t.id, m.target, m.alert_line
  FROM nps.touchpoint t,
       (VALUES (1, 'nps', 40, 30), (2, 'nps_app', 35, 25), (3, 'csat', 74, 68), (4, 'ces', 4.9, 4.6))
         AS m(k, metric, target, alert_line)
 ORDER BY t.id, m.k;
-- Bulk load without the per-row foreign key checks (the touchpoints exist).
-- One uniform u per answer: its category picks the score (< 0.1 detractor,
-- < 0.4 passive, else promoter); the fractional parts of 97 u and 9973 u, close
-- to independent uniforms, pick CSAT (80% satisfied) and CES (2/4/5/7 with
-- 10/20/40/30%).
SET session_replication_role = replica;
INSERT INTO nps.response (customer, touchpoint_id, answered_at, channel, score, csat, ces)
SELECT 'sim', x.touchpoint_id,
       timestamptz '2020-01-01 00:00+00' + x.w * interval '7 days' + (x.i - 0.5) * interval '7 days' / x.n,
       CASE WHEN x.i % 2 = 0 THEN 'app' ELSE 'web' END,
       CASE WHEN x.u < 0.10 THEN 3 WHEN x.u < 0.40 THEN 8 ELSE 10 END,
       CASE WHEN x.u * 97 - floor(x.u * 97) < 0.80 THEN 5 ELSE 2 END,
       CASE WHEN x.u * 9973 - floor(x.u * 9973) < 0.10 THEN 2
            WHEN x.u * 9973 - floor(x.u * 9973) < 0.30 THEN 4
            WHEN x.u * 9973 - floor(x.u * 9973) < 0.70 THEN 5 ELSE 7 END
  FROM (SELECT w, t.id AS touchpoint_id, t.n, i, random() AS u
          FROM generate_series(0, 200) w,
               (SELECT id, CASE code WHEN 'delivery' THEN 2000 ELSE 800 END AS n
                  FROM nps.touchpoint ORDER BY id) t,
               LATERAL generate_series(1, t.n) i) x;
RESET session_replication_role;
ANALYZE nps.response;
SQL

asof="timestamptz '2020-01-01 00:00+00' + (k + 1) * interval '7 days'"

# ---- no change: change alarms of metric_status_at over 200 refreshes
got=$(q -d "$db" <<SQL
SET nps.window_length = '7 days';
WITH r AS (
  SELECT k, pg_catalog.count(*) FILTER (WHERE s.change_significant) AS alarms,
         pg_catalog.count(*) AS metrics, pg_catalog.min(s.change_p_value) AS min_p,
         pg_catalog.min(s.change_q_value) AS min_q
    FROM generate_series(1, 200) k,
         LATERAL nps.metric_status_at($asof, interval '7 days', 30) s
   GROUP BY k
)
SELECT pg_catalog.count(*), pg_catalog.min(metrics), pg_catalog.max(metrics),
       pg_catalog.count(*) FILTER (WHERE alarms > 0), pg_catalog.sum(alarms),
       pg_catalog.count(*) FILTER (WHERE min_p < 0.05), pg_catalog.count(*) FILTER (WHERE min_q < 0.05),
       pg_catalog.round(((nps.rate_agg(alarms > 0)).ci_low)::numeric, 1),
       pg_catalog.round(((nps.rate_agg(alarms > 0)).ci_high)::numeric, 1)
  FROM r;
SQL
)
IFS='|' read -r refreshes min_m max_m alarm_refreshes alarms raw05 bh05 lo hi <<<"$got"
[ "$refreshes" = 200 ] && [ "$min_m" = 20 ] && [ "$max_m" = 20 ] || fail "not 200 refreshes of 20 metrics: $got"
echo "no change: $alarm_refreshes of 200 refreshes with a change alarm ($alarms alarms; Wilson 95% $lo..$hi %); with each metric tested at 5% on its own: $raw05 of 200, with q < 0.05: $bh05 of 200"
[ "$alarm_refreshes" -lt 10 ] || fail "change alarms in $alarm_refreshes of 200 refreshes (5% = 10)"

# ---- no change: status notifications of record_metric_status over the same 200 refreshes
script=$(
    echo "SET nps.window_length = '7 days';"
    echo "SELECT 'first ' || pg_catalog.count(*) FROM nps.record_metric_status(timestamptz '2020-01-08 00:00+00');"
    echo "LISTEN nps_metric_status;"
    for k in $(seq 1 200); do
        echo "SELECT 'refresh $k ' || pg_catalog.count(*) FROM nps.record_metric_status(timestamptz '2020-01-01 00:00+00' + $((k + 1)) * interval '7 days');"
    done
)
got=$(echo "$script" | q -d "$db" 2>&1)
first=$(echo "$got" | sed -n 's/^first //p')
[ "$first" = 20 ] || fail "first record_metric_status did not log the 20 metrics: $(echo "$got" | head -3)"
logged=$(echo "$got" | sed -n 's/^refresh [0-9]* //p' | awk '{ s += $1 } END { print s + 0 }')
status_refreshes=$(echo "$got" | sed -n 's/^refresh [0-9]* //p' | awk '$1 > 0 { c++ } END { print c + 0 }')
notified=$(echo "$got" | grep -c '^Asynchronous notification "nps_metric_status"' || true)
[ "$(echo "$got" | grep -c '^refresh ')" = 200 ] || fail "not 200 refreshes recorded: $(echo "$got" | head -5)"
[ "$notified" = "$logged" ] || fail "$notified notifications for $logged logged rows"
lohi=$(q -d "$db" -c "SELECT pg_catalog.round((r).ci_low::numeric, 1) || '..' || pg_catalog.round((r).ci_high::numeric, 1)
                        FROM (SELECT nps.rate_agg(g <= $status_refreshes) AS r FROM generate_series(1, 200) g) x")
echo "no change: $status_refreshes of 200 refreshes with a status notification ($notified notifications; Wilson 95% $lohi %)"
[ "$status_refreshes" -lt 10 ] || fail "status notifications in $status_refreshes of 200 refreshes (5% = 10)"

# ---- a metric sitting on its target: delivery's NPS target moved to its true value (50)
# metric_status's amber compares the value with the target, so its status flips
# between amber and green in about every second refresh; the log's hysteresis
# (green to amber only when the whole interval is below the target) keeps the
# logged changes rare.
got=$(q -d "$db" <<SQL
UPDATE nps.metric_owner mo SET target = 50
  FROM nps.touchpoint t WHERE t.id = mo.touchpoint_id AND t.code = 'delivery' AND mo.metric = 'nps';
DELETE FROM nps.metric_status_log;
SET nps.window_length = '7 days';
WITH s AS (
  SELECT k, s.status FROM generate_series(1, 200) k,
         LATERAL nps.metric_status_at($asof, interval '7 days', 30) s
   WHERE s.touchpoint = 'delivery' AND s.metric = 'nps'
)
SELECT pg_catalog.count(*) FILTER (WHERE status IS DISTINCT FROM previous)
  FROM (SELECT status, lag(status) OVER (ORDER BY k) AS previous FROM s) x
 WHERE previous IS NOT NULL;
SQL
)
flips=$got
script=$(
    echo "SET nps.window_length = '7 days';"
    echo "SELECT 'first ' || pg_catalog.count(*) FROM nps.record_metric_status(timestamptz '2020-01-08 00:00+00');"
    for k in $(seq 1 200); do
        echo "SELECT 'refresh $k ' || pg_catalog.count(*) FROM nps.record_metric_status(timestamptz '2020-01-01 00:00+00' + $((k + 1)) * interval '7 days');"
    done
)
got=$(echo "$script" | q -d "$db" 2>&1)
[ "$(echo "$got" | grep -c '^refresh ')" = 200 ] || fail "not 200 refreshes recorded: $(echo "$got" | head -5)"
on_target=$(echo "$got" | sed -n 's/^refresh [0-9]* //p' | awk '$1 > 0 { c++ } END { print c + 0 }')
echo "a metric on its target: metric_status flips in $flips of 199 refreshes; the log records a change in $on_target of 200"
[ "$flips" -gt 50 ] || fail "metric_status flipped only $flips times for a metric on its target (the scenario is not what it says)"
[ "$on_target" -lt 20 ] || fail "the log records a change in $on_target of 200 refreshes for a metric on its target (10% = 20)"
q -d "$db" -c "UPDATE nps.metric_owner mo SET target = 40 FROM nps.touchpoint t
                WHERE t.id = mo.touchpoint_id AND t.code = 'delivery' AND mo.metric = 'nps'" >/dev/null

# ---- a real drop of 10 points at delivery in every odd window
got=$(q -d "$db" <<SQL
SET nps.notify = off;
SELECT setseed(0.23);
UPDATE nps.response r SET score = 3
  FROM nps.touchpoint t
 WHERE t.id = r.touchpoint_id AND t.code = 'delivery' AND r.score = 10
   AND pg_catalog.floor(extract(epoch FROM r.answered_at - timestamptz '2020-01-01 00:00+00') / (7 * 86400))::integer % 2 = 1
   AND random() < 1.0 / 12;
SET nps.window_length = '7 days';
WITH r AS (
  SELECT k, s.*
    FROM generate_series(1, 199, 2) k,
         LATERAL nps.metric_status_at($asof, interval '7 days', 30) s
)
SELECT pg_catalog.count(*) FILTER (WHERE touchpoint = 'delivery' AND metric = 'nps'),
       pg_catalog.count(*) FILTER (WHERE touchpoint = 'delivery' AND metric = 'nps' AND change_significant),
       pg_catalog.round(pg_catalog.avg(change_from_previous_window) FILTER (WHERE touchpoint = 'delivery' AND metric = 'nps')::numeric, 1),
       pg_catalog.round(((nps.rate_agg(change_significant) FILTER (WHERE touchpoint = 'delivery' AND metric = 'nps')).ci_low)::numeric, 1),
       pg_catalog.round(((nps.rate_agg(change_significant) FILTER (WHERE touchpoint = 'delivery' AND metric = 'nps')).ci_high)::numeric, 1),
       pg_catalog.count(DISTINCT k) FILTER (WHERE change_significant AND NOT (touchpoint = 'delivery' AND metric IN ('nps', 'nps_app')))
  FROM r;
SQL
)
got=$(echo "$got" | tail -n 1)   # after setseed's empty row
IFS='|' read -r drops flagged mean_change lo hi others <<<"$got"
[ "$drops" = 100 ] || fail "not 100 refreshes with the drop: $got"
echo "drop of 10 points at delivery: flagged in $flagged of 100 refreshes (Wilson 95% $lo..$hi %; mean change $mean_change points); other metrics flagged in $others of them"
[ "$flagged" -gt 50 ] || fail "the 10-point drop flagged in only $flagged of 100 refreshes"
echo "ok: no change: change alarms in $alarm_refreshes/200 and status notifications in $status_refreshes/200 refreshes (< 5%); on its target: $on_target/200 logged changes (metric_status flips $flips); a 10-point drop flagged in $flagged/100"
