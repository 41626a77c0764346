-- src/upgrade--1.1.sql
-- Changes to objects of nps 1.0 that the upgrade to 1.1 makes: ALTER, CREATE
-- OR REPLACE and DROP of what 1.0 installed, in the words of the new
-- sources (which hold the objects as they are in 1.1).  New areas are not
-- written here: their sources follow this file in the upgrade script (the
-- Makefile's UPGRADE_SOURCES), and so does views.sql, every object of which
-- changed: they are dropped below and views.sql creates them again.  The script runs as the bootstrap superuser
-- on behalf of the extension owner, like the install script: qualify
-- everything, bind SQL bodies at creation, give code-running objects to
-- @extowner@.

-- ---------- owner scorecard: counts improvement actions (action.sql) ----------
-- owner_scorecard_at and its view gain open_actions, last_checked_action_id
-- and last_checked_verdict; they read nps.action_effect_at, so since 1.1
-- they are defined in action.sql (after the actions), which follows this file
-- and creates them again.
DROP VIEW nps.owner_scorecard;
DROP FUNCTION nps.owner_scorecard_at(timestamptz, interval, integer);

-- ---------- setting nps.change_fdr (journey.sql, settings.c) ----------
-- The false discovery rate of metric_status's change alarms; its reader is
-- bound into metric_status_at (views.sql, after this file).
CREATE FUNCTION nps.setting_change_fdr() RETURNS double precision
  AS 'MODULE_PATHNAME', 'nps_setting_change_fdr' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION nps.setting_change_fdr() IS
  'current value of the nps.change_fdr setting (default 0.01): false discovery rate below which a change of metric_status is significant (change_q_value < nps.change_fdr)';

-- ============================================================ the views of views.sql (issues 8, 9, 11)
-- Every function and view of views.sql changed in 1.1: each *_at function
-- reads the fact tables of the caller's choosing (response_table,
-- journey_event_table, service_case_table: fact_tables.sql, issue 8; new
-- arguments, and PL/pgSQL where the query is planned for each call with the
-- actual window); metric_status gains change_q_value (issue 11) and
-- detractor_reasons nps_without and points_if_fixed (issue 9), new result
-- columns; the funnel and detractor reasons are faster (the same rows).  A
-- function's arguments and result columns can not change in place, so the
-- views, then the functions are dropped here, and the upgrade script runs
-- views.sql again after this file (Makefile, UPGRADE_SOURCES): one text of
-- each object, the same comments, owner and privileges as a fresh install.
-- The helpers that did not change (metric_owner_touchpoints, direction_sign,
-- detractor_owners) are in ownership.sql and stay.  What depends on these
-- functions is created after views.sql (owner_scorecard_at in action.sql,
-- dropped above; metric_trend_at in trend.sql; record_metric_status in
-- status_record.sql).
DROP VIEW nps.touchpoint_nps;
DROP VIEW nps.segment_nps;
DROP VIEW nps.journey_funnel;
DROP VIEW nps.metric_status;
DROP VIEW nps.detractor_queue;
DROP VIEW nps.detractor_reasons;
DROP FUNCTION nps.touchpoint_nps_at(timestamptz, interval);
DROP FUNCTION nps.segment_nps_at(timestamptz, interval);
DROP FUNCTION nps.stage_nps_at(timestamptz, interval, boolean);
DROP FUNCTION nps.journey_funnel_at(timestamptz, interval);
DROP FUNCTION nps.metric_status_at(timestamptz, interval, integer);
DROP FUNCTION nps.metric_response_results_at(timestamptz, interval);
DROP FUNCTION nps.metric_case_results_at(timestamptz, interval);
DROP FUNCTION nps.detractor_queue_at(timestamptz, interval);
DROP FUNCTION nps.detractor_reasons_at(timestamptz, interval);

-- ============================================================ owner security (closed_loop.sql)
-- Two more tables under owner security: nps.metric_status_log
-- (status_log.sql, which comes before this file in the upgrade script: the
-- list of tables binds to it) and nps.improvement_action (action.sql, after
-- this file: looked up by name when the list is read; action.sql re-applies
-- the policies when owner security is on).  The list, the check that counts
-- them and the policies, as closed_loop.sql now defines them.

CREATE OR REPLACE FUNCTION nps.owner_security_tables() RETURNS regclass[]
  LANGUAGE sql STABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT ARRAY['nps.response'::regclass, 'nps.journey_event'::regclass, 'nps.service_case'::regclass,
               'nps.metric_owner'::regclass, 'nps.owner'::regclass, 'nps.metric_status_log'::regclass,
               pg_catalog.to_regclass('nps.improvement_action')];
END;
COMMENT ON FUNCTION nps.owner_security_tables() IS
  'internal: the tables owner security puts policies on (response, journey_event, service_case, metric_owner, owner, metric_status_log, improvement_action), in the order they are locked';

CREATE OR REPLACE FUNCTION nps.owner_security_applied() RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT pg_catalog.count(*) FILTER (WHERE c.relrowsecurity) = pg_catalog.cardinality(nps.owner_security_tables())
         AND (SELECT pg_catalog.count(*) FROM pg_catalog.pg_policy p
               WHERE p.polname = 'nps_owner_touchpoints'
                 AND p.polrelid = ANY (nps.owner_security_tables())) = pg_catalog.cardinality(nps.owner_security_tables())
    FROM pg_catalog.pg_class c
   WHERE c.oid = ANY (nps.owner_security_tables());
END;
COMMENT ON FUNCTION nps.owner_security_applied() IS
  'internal: true when every table of nps.owner_security_tables() has row-level security on and its nps_owner_touchpoints policy';

CREATE OR REPLACE FUNCTION nps.set_owner_security(enabled boolean) RETURNS void
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
  SET lock_timeout = '5s'
AS $fn$
-- Puts the policies and the row security flags in the wanted state.  Runs as
-- the extension owner, who owns the tables.  Callers skip it when nothing
-- would change.
--
-- Locking: ACCESS EXCLUSIVE on the tables, which conflicts with every
-- writer, and writers take these tables in many orders (a trigger reads
-- metric_owner after an INSERT locked response; an admin inserts an owner,
-- then a metric_owner row).  So this never waits while it holds any of them:
-- it tries all of them in the fixed order without waiting, and when one is busy
-- it lets go of everything, waits for that one alone, and tries again.  It
-- gives up after 5 s (55P03, like lock_timeout): retry later.
DECLARE
  tbl      regclass;
  busy     regclass;
  waiting  boolean;
  fact     text;
  deadline timestamptz := pg_catalog.clock_timestamp() + interval '5 s';
BEGIN
  LOOP
    BEGIN
      waiting := busy IS NOT NULL;
      IF waiting THEN     -- holding nothing: wait for the busy table (lock_timeout 5 s)
        EXECUTE pg_catalog.format('LOCK TABLE %s IN ACCESS EXCLUSIVE MODE', busy);
        waiting := false;
      END IF;
      FOREACH tbl IN ARRAY nps.owner_security_tables() LOOP
        busy := tbl;
        EXECUTE pg_catalog.format('LOCK TABLE %s IN ACCESS EXCLUSIVE MODE NOWAIT', tbl);
      END LOOP;
      EXIT;               -- all held (the block's subtransaction keeps them)
    EXCEPTION WHEN lock_not_available THEN
      -- the block is rolled back: every lock it took is released
      IF waiting OR pg_catalog.clock_timestamp() > deadline THEN
        RAISE EXCEPTION 'could not lock table % to switch owner security', busy
          USING ERRCODE = 'lock_not_available',
                DETAIL = 'Writers kept it busy for 5 seconds.',
                HINT = 'Try again when fewer transactions write to it.';
      END IF;
    END;
  END LOOP;

  FOR tbl IN SELECT p.polrelid::regclass FROM pg_catalog.pg_policy p
              WHERE p.polname = 'nps_owner_touchpoints'
                AND p.polrelid = ANY (nps.owner_security_tables())
  LOOP
    EXECUTE pg_catalog.format('DROP POLICY nps_owner_touchpoints ON %s', tbl);
  END LOOP;
  IF NOT enabled THEN
    FOREACH tbl IN ARRAY nps.owner_security_tables() LOOP
      EXECUTE pg_catalog.format('ALTER TABLE %s DISABLE ROW LEVEL SECURITY', tbl);
    END LOOP;
    RETURN;
  END IF;

  -- Facts: rows of owned touchpoints.
  FOREACH fact IN ARRAY ARRAY['response', 'journey_event', 'service_case'] LOOP
    EXECUTE pg_catalog.format(
      'CREATE POLICY nps_owner_touchpoints ON nps.%1$I'
      ' USING ((SELECT nps.sees_all_rows())'
      '        OR touchpoint_id IN (SELECT c.touchpoint_id FROM nps.current_role_touchpoints c))'
      ' WITH CHECK ((SELECT nps.sees_all_rows())'
      '        OR touchpoint_id IN (SELECT c.touchpoint_id FROM nps.current_role_touchpoints c))', fact);
    EXECUTE pg_catalog.format(
      'COMMENT ON POLICY nps_owner_touchpoints ON nps.%1$I IS %2$L', fact,
      'nps owner security: a role sees the rows of the touchpoints it owns (nps.current_role_touchpoints); '
      'the extension owner and the roles in nps.unrestricted_role see all');
  END LOOP;

  -- Assignments: those of owned touchpoints and journey-wide ones of owned
  -- journeys (and through them metric_status and owner_scorecard).
  CREATE POLICY nps_owner_touchpoints ON nps.metric_owner
    USING ((SELECT nps.sees_all_rows())
           OR touchpoint_id IN (SELECT c.touchpoint_id FROM nps.current_role_touchpoints c)
           OR (touchpoint_id IS NULL
               AND journey_id IN (SELECT c.journey_id FROM nps.current_role_touchpoints c WHERE c.whole_journey)))
    WITH CHECK ((SELECT nps.sees_all_rows()));
  COMMENT ON POLICY nps_owner_touchpoints ON nps.metric_owner IS
    'nps owner security: a role sees the metric assignments (and so the metric status) of the touchpoints it owns and journey-wide ones of journeys it owns; only the extension owner and the roles in nps.unrestricted_role change them';

  -- Owners (names, e-mails): its own rows and those of the assignments it sees.
  CREATE POLICY nps_owner_touchpoints ON nps.owner
    USING ((SELECT nps.sees_all_rows())
           OR id IN (SELECT mo.owner_id FROM nps.metric_owner mo)
           OR role_name IN (SELECT c.role_name FROM nps.current_role_touchpoints c))
    WITH CHECK ((SELECT nps.sees_all_rows()));
  COMMENT ON POLICY nps_owner_touchpoints ON nps.owner IS
    'nps owner security: a role sees its own owner rows and the owners of the metric assignments it sees; only the extension owner and the roles in nps.unrestricted_role change them';

  -- Status history: the rows of the assignments it sees (the metric_owner
  -- policy above decides which, as the querying role).
  CREATE POLICY nps_owner_touchpoints ON nps.metric_status_log
    USING ((SELECT nps.sees_all_rows())
           OR metric_owner_id IN (SELECT mo.id FROM nps.metric_owner mo))
    WITH CHECK ((SELECT nps.sees_all_rows()));
  COMMENT ON POLICY nps_owner_touchpoints ON nps.metric_status_log IS
    'nps owner security: a role sees the status history of the metric assignments it sees; only the extension owner and the roles in nps.unrestricted_role change it';

  -- Improvement actions: those of the assignments it sees; an owner may
  -- plan and update actions on them.
  CREATE POLICY nps_owner_touchpoints ON nps.improvement_action
    USING ((SELECT nps.sees_all_rows())
           OR metric_owner_id IN (SELECT mo.id FROM nps.metric_owner mo))
    WITH CHECK ((SELECT nps.sees_all_rows())
           OR metric_owner_id IN (SELECT mo.id FROM nps.metric_owner mo));
  COMMENT ON POLICY nps_owner_touchpoints ON nps.improvement_action IS
    'nps owner security: a role sees, plans and updates the improvement actions of the metric assignments it sees';

  FOREACH tbl IN ARRAY nps.owner_security_tables() LOOP
    EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
  END LOOP;
END
$fn$;
ALTER FUNCTION nps.set_owner_security(boolean) OWNER TO @extowner@;
REVOKE EXECUTE ON FUNCTION nps.set_owner_security(boolean) FROM PUBLIC;
COMMENT ON FUNCTION nps.set_owner_security(boolean) IS
  'internal (used by enable/disable_owner_security and after a restore): creates (true) or drops (false) the nps_owner_touchpoints policies and switches row-level security on or off; locks the tables of nps.owner_security_tables() without ever waiting while it holds one of them, giving up after 5 s (55P03)';


-- the status history is user data, listed after the tables of 1.0 (as at the end of closed_loop.sql)
SELECT pg_catalog.pg_extension_config_dump('nps.metric_status_log', '');
SELECT pg_catalog.pg_extension_config_dump('nps.metric_status_log_id_seq', '');

-- ---------- the 1.0 trigger functions refuse to run after a schema rename ----------
-- (as closed_loop.sql now defines them; owner, grants and comments unchanged)
CREATE OR REPLACE FUNCTION nps.notify_detractors() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
AS $fn$
-- Statement-level AFTER INSERT trigger on nps.response (covers INSERT and
-- COPY).  One pg_notify per new detractor (score 0-6) not yet followed up,
-- set-based: the JSON tail of each touchpoint (touchpoint, journey, owners)
-- is built once per statement into a jsonb map, then a single scan of the
-- transition table sends the notifications in insertion order.
--
-- SECURITY DEFINER, owned by the extension owner: the owners can be looked
-- up whatever the inserting role may read (owner and metric_owner may be
-- hidden from it by privileges or row-level security), and whoever inserts
-- (a superuser's ETL job too) never runs this code with its own rights.  It
-- reads only the new rows and the ownership tables, and only calls
-- pg_notify.  With nps.notify_payload = id a notification carries only the
-- response id: any role that can connect may LISTEN.
DECLARE
  by_segment boolean;
  tails      jsonb;
BEGIN
  -- The extension's objects are named as nps. below: if the extension's
  -- schema no longer has that name (its owner renamed it), a schema nps that
  -- another role created could hold look-alikes, which this function, running
  -- as the extension owner, must not call (test/t/security.sh c11.6).
  IF (SELECT n.nspname FROM pg_catalog.pg_extension e
        JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
       WHERE e.extname OPERATOR(pg_catalog.=) 'nps') OPERATOR(pg_catalog.<>) 'nps' THEN
    RAISE EXCEPTION 'the schema of extension nps has been renamed'
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Rename it back to nps: the extension''s trigger functions name their objects as nps.';
  END IF;
  -- nps.setting_notify() is C: calling it loads nps.so, which defines (and
  -- validates) nps.notify and nps.notify_payload.
  IF NOT nps.setting_notify() THEN
    RETURN NULL;
  END IF;
  IF nps.setting_notify_payload() = 'id' THEN
    PERFORM pg_catalog.pg_notify('nps_detractor', '{"response_id":' || n.id || '}')
       FROM new_rows n
      WHERE n.score <= 6 AND n.followed_up_at IS NULL;
    RETURN NULL;
  END IF;

  -- NPS metrics restricted to a segment or channel make the owners of a
  -- detractor depend on its segment and channel, not only on its touchpoint;
  -- without such metrics, NULL segment and channel give the same owners, once
  -- per touchpoint.
  by_segment := EXISTS (
    SELECT FROM nps.metric_owner mo JOIN nps.metric m ON m.code = mo.metric
     WHERE m.metric_kind = 'nps' AND (m.segment IS NOT NULL OR m.channel IS NOT NULL));

  IF NOT by_segment THEN
    SELECT pg_catalog.jsonb_object_agg(t.id::text,
             '"touchpoint_id":' || t.id
             || ',"touchpoint":' || pg_catalog.to_json(t.code)::text
             || ',"journey":' || pg_catalog.to_json(j.code)::text
             || ',"owners":' || nps.detractor_owners_json(t.id, NULL, NULL)
             || '}')
      INTO tails
      FROM nps.touchpoint t JOIN nps.journey j ON j.id = t.journey_id
     WHERE t.id IN (SELECT n.touchpoint_id FROM new_rows n
                     WHERE n.score <= 6 AND n.followed_up_at IS NULL);
    IF tails IS NULL THEN
      RETURN NULL;          -- no detractor in this statement
    END IF;
    PERFORM pg_catalog.pg_notify('nps_detractor',
              '{"response_id":' || n.id || ',"score":' || n.score || ','
              || (tails ->> n.touchpoint_id::text))
       FROM new_rows n
      WHERE n.score <= 6 AND n.followed_up_at IS NULL;
  ELSE
    SELECT pg_catalog.jsonb_object_agg(pg_catalog.json_build_array(k.touchpoint_id, k.segment, k.channel)::text,
             '"touchpoint_id":' || t.id
             || ',"touchpoint":' || pg_catalog.to_json(t.code)::text
             || ',"journey":' || pg_catalog.to_json(j.code)::text
             || ',"owners":' || nps.detractor_owners_json(t.id, k.segment, k.channel)
             || '}')
      INTO tails
      FROM (SELECT DISTINCT n.touchpoint_id, n.segment, n.channel FROM new_rows n
             WHERE n.score <= 6 AND n.followed_up_at IS NULL) k
      JOIN nps.touchpoint t ON t.id = k.touchpoint_id
      JOIN nps.journey j ON j.id = t.journey_id;
    IF tails IS NULL THEN
      RETURN NULL;
    END IF;
    PERFORM pg_catalog.pg_notify('nps_detractor',
              '{"response_id":' || n.id || ',"score":' || n.score || ','
              || (tails ->> pg_catalog.json_build_array(n.touchpoint_id, n.segment, n.channel)::text))
       FROM new_rows n
      WHERE n.score <= 6 AND n.followed_up_at IS NULL;
  END IF;
  RETURN NULL;
END
$fn$;
CREATE OR REPLACE FUNCTION nps.owner_security_inserted() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
  -- The extension's objects are named as nps. below: if the extension's
  -- schema no longer has that name (its owner renamed it), a schema nps that
  -- another role created could hold look-alikes, which this function, running
  -- as the extension owner, must not call (test/t/security.sh c11.6).
  IF (SELECT n.nspname FROM pg_catalog.pg_extension e
        JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
       WHERE e.extname OPERATOR(pg_catalog.=) 'nps') OPERATOR(pg_catalog.<>) 'nps' THEN
    RAISE EXCEPTION 'the schema of extension nps has been renamed'
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Rename it back to nps: the extension''s trigger functions name their objects as nps.';
  END IF;
  IF NOT nps.owner_security_applied() THEN
    PERFORM nps.set_owner_security(true);
  END IF;
  RETURN NULL;
END
$fn$;

-- ---------- response_customer_idx: dropped ----------
-- response_customer_answered_at_idx (health.sql, created later in this
-- script) leads with customer, so it serves every lookup by customer; the
-- narrower index only cost writes.
DROP INDEX nps.response_customer_idx;
