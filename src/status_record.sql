-- src/status_record.sql
-- nps.record_metric_status(as_of): the writer of nps.metric_status_log
-- (status_log.sql).  Its own file because its body is bound to
-- nps.metric_status_at, which src/upgrade--1.1.sql drops and creates again
-- (change_q_value): in the upgrade script it follows that file.

CREATE FUNCTION nps.record_metric_status(
    as_of timestamptz DEFAULT pg_catalog.now(),
    response_table regclass DEFAULT 'nps.response'::pg_catalog.regclass,
    service_case_table regclass DEFAULT 'nps.service_case'::pg_catalog.regclass)
  RETURNS SETOF nps.metric_status_log
  LANGUAGE sql VOLATILE
  SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  -- SQL with a body bound at creation (it writes and notifies, but needs no
  -- plpgsql: nothing is looked up by name when it runs, so a renamed schema
  -- and a look-alike nps run nothing), not security definer: it runs with
  -- the caller's rights.  Its caller is a scheduler job running as the
  -- extension owner (or the owner by hand), who owns the log and sees every
  -- row; EXECUTE is revoked from PUBLIC and writing the log needs INSERT on
  -- it, so nobody else records, and no one's rights are lent out.
  --
  -- One caller at a time: a transaction advisory lock keyed on the log
  -- table (two concurrent calls would both see the same last status and log
  -- the change twice).  Each statement of a volatile SQL function takes a
  -- new snapshot, so the second caller sees what the first one logged.
  SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.int4('nps.metric_status_log'::regclass::oid), 0);
  -- The status is nps.metric_status_at(as_of, nps.window_length,
  -- nps.min_responses); the last logged status of a metric is its latest log
  -- row with as_of at or before this as_of.  A second call at the same as_of
  -- finds nothing changed (idempotent).  One notification per logged row,
  -- sent at commit.
  --
  -- Statuses near a line do not flap (hysteresis), the same rule at both
  -- lines: into red needs the whole interval past the alert line
  -- (metric_status's red), out of red needs the value back at or past it;
  -- until then a metric last logged red stays red (amber or green by
  -- metric_status, value still on the wrong side of the line).  Likewise a
  -- metric last logged green turns amber only when the whole interval is
  -- on the wrong side of the target (metric_status's amber needs only the
  -- value there), and amber turns green when the value is back at or past
  -- the target.  insufficient always leaves red and green.
  WITH raw AS (
    SELECT s.* FROM nps.metric_status_at($1, nps.setting_window_length(), nps.setting_min_responses(),
                                          response_table => $2, service_case_table => $3) s
  ), last_logged AS (
    SELECT DISTINCT ON (l.metric_owner_id) l.metric_owner_id, l.status
      FROM nps.metric_status_log l
     WHERE l.as_of <= $1
     ORDER BY l.metric_owner_id, l.as_of DESC, l.id DESC
  ), cur AS (
    SELECT r.*, p.status AS last_status,
           CASE WHEN p.status = 'red' AND r.status IN ('amber', 'green')
                     AND nps.direction_sign(r.direction) * r.value
                         < nps.direction_sign(r.direction) * r.alert_line
                THEN 'red'
                WHEN p.status = 'green' AND r.status = 'amber'
                     AND greatest(nps.direction_sign(r.direction) * r.ci_low,
                                  nps.direction_sign(r.direction) * r.ci_high)
                         >= nps.direction_sign(r.direction) * r.target
                THEN 'green'
                ELSE r.status END AS new_status
      FROM raw r LEFT JOIN last_logged p ON p.metric_owner_id = r.metric_owner_id
  ), logged AS (
    INSERT INTO nps.metric_status_log
           (metric_owner_id, as_of, window_length, metric, journey_id, touchpoint_id, owner_id,
            old_status, status, responses, value, ci_low, ci_high)
    SELECT c.metric_owner_id, $1, nps.setting_window_length(), c.metric,
           c.journey_id, c.touchpoint_id, c.owner_id, c.last_status, c.new_status, c.responses,
           c.value, c.ci_low, c.ci_high
      FROM cur c
     WHERE c.last_status IS DISTINCT FROM c.new_status
     ORDER BY c.metric_owner_id
    RETURNING *
  )
  SELECT x.id, x.metric_owner_id, x.as_of, x.window_length, x.metric, x.journey_id, x.touchpoint_id,
         x.owner_id, x.old_status, x.status, x.responses, x.value, x.ci_low, x.ci_high, x.logged_at
    FROM logged x
    JOIN cur c ON c.metric_owner_id = x.metric_owner_id
    CROSS JOIN LATERAL (
      SELECT pg_catalog.pg_notify('nps_metric_status', pg_catalog.json_build_object(
               'metric_owner_id', x.metric_owner_id, 'metric', x.metric,
               'journey', c.journey, 'touchpoint', c.touchpoint,
               'owner_id', x.owner_id, 'owner_name', c.owner_name,
               'old_status', x.old_status, 'status', x.status,
               'value', x.value, 'as_of', x.as_of)::text)) n
   ORDER BY x.metric_owner_id;
END;
-- owned by the extension owner: it may call it (and grant EXECUTE on to a
-- scheduler role), while PUBLIC may not
ALTER FUNCTION nps.record_metric_status(timestamptz, regclass, regclass) OWNER TO @extowner@;
REVOKE EXECUTE ON FUNCTION nps.record_metric_status(timestamptz, regclass, regclass) FROM PUBLIC;
COMMENT ON FUNCTION nps.record_metric_status(timestamptz, regclass, regclass) IS
  'logs in nps.metric_status_log every owned metric whose status at as_of (nps.metric_status_at with nps.window_length and nps.min_responses, over the facts in response_table and service_case_table) differs from its last logged one (the first call logs all); a metric last logged red stays red until its value is back at or past the alert line, and one last logged green turns amber only when its whole interval is past the target (hysteresis); sends NOTIFY nps_metric_status per logged row with {"metric_owner_id","metric","journey","touchpoint","owner_id","owner_name","old_status","status","value","as_of"}, and returns the rows it logged; a second call at the same as_of logs nothing; for the extension owner (a scheduler such as pg_cron)';
