#!/usr/bin/env bash
# test/t/pg_cron.sh: the status log written by a real scheduler (README, "Status
# history and alerts"): pg_cron runs SELECT nps.record_metric_status() every
# minute and its first run logs the owned metric.
#  - installs Debian's postgresql-15-cron when pg_cron is missing (apt-get update
#    first, only then); when PG_CONFIG points at a private copy of PostgreSQL 15,
#    copies the package's pg_cron.so and extension files into that copy if missing
#  - starts its OWN throwaway cluster (test/lib.sh: temp dir, socket only, free
#    port), not the suite's, then restarts it with shared_preload_libraries =
#    'pg_cron' and cron.database_name = its database (jobs run in background
#    workers: the cluster has no TCP for pg_cron's default libpq connections)
#  - a non-superuser owner installs nps (trusted) and pg_cron's schema is
#    granted to it; it creates one owned metric with data and schedules the job
#  - waits at most 75 s for a run of the job that succeeded
#    (cron.job_run_details) and wrote the metric's row to nps.metric_status_log
# Timing only bounds the wait; pass/fail depends on the rows written.
set -euo pipefail
. "$REPO/test/lib.sh"   # q, fail, nps_start_cluster, nps_as_owner, nps_cleanup

# The suite's cluster (if any) is left alone: this script has its own.
unset PGHOST PGPORT PGUSER PGDATABASE

pkglibdir=$("$PG_CONFIG" --pkglibdir)
sharedir=$("$PG_CONFIG" --sharedir)
bindir=$("$PG_CONFIG" --bindir)
deb_lib=/usr/lib/postgresql/15/lib
deb_share=/usr/share/postgresql/15

if [ ! -f "$pkglibdir/pg_cron.so" ] || [ ! -f "$sharedir/extension/pg_cron.control" ]; then
    if [ ! -f "$deb_lib/pg_cron.so" ]; then
        echo "==> pg_cron missing: installing postgresql-15-cron"
        nps_sudo apt-get update
        nps_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql-15-cron
    fi
    [ -f "$deb_lib/pg_cron.so" ] || fail "postgresql-15-cron did not install $deb_lib/pg_cron.so"
    # A private copy of PostgreSQL 15 (PG_CONFIG elsewhere): same server version,
    # so the Debian build of pg_cron loads there too.
    if [ "$pkglibdir" != "$deb_lib" ]; then
        echo "==> copying pg_cron into $pkglibdir and $sharedir/extension"
        nps_sudo cp "$deb_lib/pg_cron.so" "$pkglibdir/"
        nps_sudo cp "$deb_share"/extension/pg_cron.control "$deb_share"/extension/pg_cron--*.sql \
            "$sharedir/extension/"
    fi
fi

trap nps_cleanup EXIT
nps_start_cluster >/dev/null
db=nps_cron_t
createdb "$db"
cat >>"$NPS_TMP/data/postgresql.conf" <<EOF

# ---- added by test/t/pg_cron.sh ----
shared_preload_libraries = 'pg_cron'
cron.database_name = '$db'
cron.use_background_workers = on
max_worker_processes = 16
EOF
nps_as_owner "$bindir/pg_ctl" -D "$NPS_TMP/data" -l "$NPS_TMP/postgres.log" -w -t 60 restart \
    >/dev/null || { cat "$NPS_TMP/postgres.log"; fail "restart with pg_cron failed"; }

q -d "$db" <<'SQL'
CREATE EXTENSION pg_cron;
CREATE ROLE nps_cron_owner LOGIN;
GRANT CREATE ON DATABASE nps_cron_t TO nps_cron_owner;
GRANT USAGE ON SCHEMA cron TO nps_cron_owner;
SQL

# As the owner (not a superuser): the trusted install, one owned metric with
# 40 answers of the last day (NPS 50 >= target 20: green), the job.
q -d "$db" -U nps_cron_owner <<'SQL'
CREATE EXTENSION nps;
SET nps.notify = off;
INSERT INTO nps.journey (code, name) VALUES ('buy', 'Buy');
INSERT INTO nps.touchpoint (journey_id, stage_order, code, name) VALUES (1, 1, 'delivery', 'Delivery');
INSERT INTO nps.owner (name, owner_kind) VALUES ('Ann', 'person');
INSERT INTO nps.metric_owner (metric, journey_id, touchpoint_id, owner_id, target, alert_line)
VALUES ('nps', 1, 1, 1, 20, 0);
INSERT INTO nps.response (customer, touchpoint_id, answered_at, channel, score)
SELECT 'c-' || i, 1, now() - interval '1 day' + i * interval '1 minute', 'app',
       CASE WHEN i <= 25 THEN 10 WHEN i <= 35 THEN 8 ELSE 3 END
  FROM generate_series(1, 40) AS i;
SELECT cron.schedule('nps-metric-status', '* * * * *', 'SELECT nps.record_metric_status()');
SQL

[ "$(q -d "$db" -U nps_cron_owner -c "SELECT count(*) FROM nps.metric_status_log")" = 0 ] ||
    fail "log not empty before the first scheduled run"

# pg_cron starts jobs on the minute: the first run comes within 60 s.
ok=""
for _ in $(seq 1 75); do
    sleep 1
    n=$(q -d "$db" -c "SELECT count(*) FROM cron.job_run_details d JOIN cron.job j USING (jobid)
                        WHERE j.jobname = 'nps-metric-status' AND d.status = 'succeeded'")
    if [ "$n" -gt 0 ]; then ok=1; break; fi
done
if [ -z "$ok" ]; then
    q -d "$db" -c "SELECT status, return_message FROM cron.job_run_details" || true
    tail -n 20 "$NPS_TMP/postgres.log" || true
    fail "no succeeded run of the job within 75 s"
fi

got=$(q -d "$db" -c "SELECT d.username || ' ' || d.command || ' ' || d.return_message
                       FROM cron.job_run_details d JOIN cron.job j USING (jobid)
                      WHERE j.jobname = 'nps-metric-status' AND d.status = 'succeeded'
                      ORDER BY d.runid LIMIT 1")
[ "$got" = "nps_cron_owner SELECT nps.record_metric_status() SELECT 1" ] ||
    fail "job run details: $got"
got=$(q -d "$db" -U nps_cron_owner -c "SELECT metric_owner_id, metric, coalesce(old_status, '-'), status, responses, value
                                         FROM nps.metric_status_log ORDER BY id" | tr '\n' ';')
[ "$got" = "1|nps|-|green|40|50;" ] || fail "metric_status_log after the scheduled run: $got"
q -d "$db" -U nps_cron_owner -c "SELECT cron.unschedule('nps-metric-status')" >/dev/null
echo "ok: pg_cron ran SELECT nps.record_metric_status() as nps_cron_owner and it logged the metric (green, NPS 50 of 40 answers)"
