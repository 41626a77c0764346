# shellcheck shell=bash
# test/bench/closed_loop.sh: benchmark fragment, sourced by test/bench/run.sh
# (uses its psql wrapper, bench_section, bench_case, bench_ratio; database
# nps_bench with the extension).
#
# The cost of the closed loop: loading responses into nps.response with the
# detractor notifications on (statement trigger + one pg_notify per detractor)
# vs off (SET nps.notify = off: the trigger returns at once).  Target: <= 1.3x.
# Rows: BENCH_CLOSED_LOOP_ROWS, default min(BENCH_ROWS, 1000000); runs: at
# most 3 (each run loads all rows).  Nobody LISTENs: the cost is the trigger
# and queueing the notifications at commit, which LISTENers do not change.
#
# Two score mixes: "typical" (~25% detractors, as in real surveys) and
# "uniform" 0-10 (64% detractors, a bad week: the worst case for the trigger).

CL_ROWS=${BENCH_CLOSED_LOOP_ROWS:-$(( BENCH_ROWS < 1000000 ? BENCH_ROWS : 1000000 ))}
CL_RUNS=$(( BENCH_RUNS < 3 ? BENCH_RUNS : 3 ))

bench_section "closed loop: load $CL_ROWS responses into nps.response, NOTIFY per detractor on vs off (best of $CL_RUNS)"

# A journey with five stages, owners per stage and a journey-wide owner, and
# the rows to load, staged once so the cases time only the load.
psql >/dev/null <<SQL
SET client_min_messages = warning;
SET nps.notify = off;
TRUNCATE nps.response, nps.metric_owner, nps.owner, nps.touchpoint, nps.journey RESTART IDENTITY CASCADE;
INSERT INTO nps.journey (code, name) VALUES ('retail', 'retail purchase');
INSERT INTO nps.touchpoint (journey_id, stage_order, code, name)
SELECT 1, o, c, c FROM unnest(ARRAY['presale','order','payment','delivery','aftersales']) WITH ORDINALITY AS u(c, o);
INSERT INTO nps.owner (name, owner_kind, role_name)
SELECT 'team ' || c, 'department', 'team_' || c FROM unnest(ARRAY['presale','order','payment','delivery','aftersales']) AS u(c);
INSERT INTO nps.owner (name, owner_kind) VALUES ('CX office', 'department');
INSERT INTO nps.metric_owner (metric, journey_id, touchpoint_id, owner_id, target, alert_line)
SELECT 'nps', 1, t.id, t.id, 30, 10 FROM nps.touchpoint t;
INSERT INTO nps.metric_owner (metric, journey_id, touchpoint_id, owner_id, target, alert_line) VALUES ('nps', 1, NULL, 6, 30, 10);
DROP TABLE IF EXISTS cl_src;
CREATE TABLE cl_src AS
SELECT b.id, 'c' || b.customer AS customer, t.id AS touchpoint_id, b.at AS answered_at, b.segment,
       'app'::text AS channel, b.score AS uniform_score,
       -- typical mix: 25% detractors, 30% passives, 45% promoters
       (CASE WHEN u < 0.25 THEN floor(u / 0.25 * 7) WHEN u < 0.55 THEN 7 + floor((u - 0.25) / 0.30 * 2)
             ELSE 9 + floor((u - 0.55) / 0.45 * 2) END)::smallint AS typical_score
FROM (SELECT *, random() AS u FROM bench ORDER BY id LIMIT $CL_ROWS) b
JOIN nps.touchpoint t ON t.code = b.touchpoint;
VACUUM ANALYZE cl_src;
SELECT pg_prewarm('cl_src');
COPY (SELECT customer, touchpoint_id, answered_at, segment, channel, typical_score FROM cl_src ORDER BY id)
  TO '$NPS_TMP/closed_loop_typical.copy';
SQL

CL_COLS="customer, touchpoint_id, answered_at, segment, channel, score"
CL_TRUNC="TRUNCATE nps.response RESTART IDENTITY;"
CL_INS_T="INSERT INTO nps.response ($CL_COLS) SELECT customer, touchpoint_id, answered_at, segment, channel, typical_score FROM cl_src ORDER BY id;"
CL_INS_U="INSERT INTO nps.response ($CL_COLS) SELECT customer, touchpoint_id, answered_at, segment, channel, uniform_score FROM cl_src ORDER BY id;"
CL_COPY="COPY nps.response ($CL_COLS) FROM '$NPS_TMP/closed_loop_typical.copy';"

BENCH_RUNS=$CL_RUNS bench_case "INSERT typical, notify off" "$CL_TRUNC SET nps.notify = off; $CL_INS_T"
BENCH_RUNS=$CL_RUNS bench_case "INSERT typical, notify on" "$CL_TRUNC SET nps.notify = on; $CL_INS_T"
BENCH_RUNS=$CL_RUNS bench_case "COPY typical, notify off" "$CL_TRUNC SET nps.notify = off; $CL_COPY"
BENCH_RUNS=$CL_RUNS bench_case "COPY typical, notify on" "$CL_TRUNC SET nps.notify = on; $CL_COPY"
BENCH_RUNS=$CL_RUNS bench_case "INSERT uniform 0-10, notify off" "$CL_TRUNC SET nps.notify = off; $CL_INS_U"
BENCH_RUNS=$CL_RUNS bench_case "INSERT uniform 0-10, notify on" "$CL_TRUNC SET nps.notify = on; $CL_INS_U"
bench_ratio "INSERT typical, notify on" "INSERT typical, notify off" "<= 1.3x"
bench_ratio "COPY typical, notify on" "COPY typical, notify off" "<= 1.3x"
bench_ratio "INSERT uniform 0-10, notify on" "INSERT uniform 0-10, notify off" "<= 1.3x"

psql -c "SET client_min_messages = warning" -c "SET nps.notify = off" -c "TRUNCATE nps.response, nps.metric_owner, nps.owner, nps.touchpoint, nps.journey RESTART IDENTITY CASCADE" \
     -c "DROP TABLE cl_src"
rm -f "$NPS_TMP/closed_loop_typical.copy" 2>/dev/null || true
