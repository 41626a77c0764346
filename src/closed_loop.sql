-- src/closed_loop.sql
-- Closing the loop: a detractor answer arriving in nps.response is announced
-- on the notification channel nps_detractor (LISTEN nps_detractor), and
-- opt-in row-level security lets each owner's database role see only the
-- touchpoints it answers for.
--
-- Who runs what (see README, "Security model"): functions that run with
-- rights other than the caller's (SECURITY DEFINER, and the trigger
-- functions) and the functions that change the schema (policies) belong to
-- the extension owner, never to the superuser that runs this script.  The
-- rest are SQL functions with BEGIN ATOMIC bodies, bound to their objects
-- when they are created.  Every function pins its search_path.

-- ============================================================ notifications

CREATE FUNCTION nps.notify_detractors() RETURNS trigger
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
ALTER FUNCTION nps.notify_detractors() OWNER TO @extowner@;
-- a SECURITY DEFINER trigger function is for its own trigger only: nobody may
-- attach it to another table (CREATE TRIGGER needs EXECUTE; firing does not)
REVOKE EXECUTE ON FUNCTION nps.notify_detractors() FROM PUBLIC;
COMMENT ON FUNCTION nps.notify_detractors() IS
  'trigger function of nps.response_notify_detractors: sends one pg_notify(''nps_detractor'', json) per inserted detractor (score 0-6, followed_up_at NULL) unless nps.notify is off; payload {"response_id","score","touchpoint_id","touchpoint","journey","owners":[{"id","name","role"}]}, or only {"response_id"} with nps.notify_payload = id';

CREATE FUNCTION nps.detractor_owners_json(touchpoint_id integer, segment text, channel text)
  RETURNS text
  LANGUAGE sql STABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  -- nps.detractor_owners (views.sql: the one rule, shared with the queue) as
  -- a compact JSON array [{"id":..,"name":..,"role":..}] in owner_rank order.
  -- Kept under 7000 bytes (the NOTIFY payload limit is 8000): a longer list
  -- is cut to ids only.
  WITH o AS (
    SELECT * FROM nps.detractor_owners($1, $2, $3)
  ), full_list AS (
    SELECT '[' || coalesce(string_agg(
             '{"id":' || o.owner_id || ',"name":' || to_json(o.owner_name)::text
             || ',"role":' || coalesce(to_json(o.owner_role::text)::text, 'null') || '}',
             ',' ORDER BY o.owner_rank), '') || ']' AS j
      FROM o
  )
  SELECT CASE WHEN octet_length(f.j) <= 7000 THEN f.j
              ELSE (SELECT '[' || string_agg('{"id":' || x.owner_id || '}', ',' ORDER BY x.owner_rank) || ']'
                      FROM (SELECT o.owner_id, o.owner_rank FROM o ORDER BY o.owner_rank LIMIT 500) x)
         END
    FROM full_list f;
END;
COMMENT ON FUNCTION nps.detractor_owners_json(integer, text, text) IS
  'internal (used by nps.notify_detractors): nps.detractor_owners of a touchpoint, segment and channel as a compact JSON array [{"id","name","role"}], touchpoint owners first; cut to [{"id"}] when longer than 7000 bytes';

CREATE TRIGGER response_notify_detractors
  AFTER INSERT ON nps.response
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION nps.notify_detractors();
COMMENT ON TRIGGER response_notify_detractors ON nps.response IS
  'closed loop: after each INSERT or COPY, NOTIFY nps_detractor once per new detractor (score 0-6) not yet followed up; SET nps.notify = off to silence (e.g. for bulk loads and restores)';


-- ============================================================ row-level security
-- Opt-in owner security: nps.enable_owner_security() makes each owner's
-- database role (nps.owner.role_name) see only the responses, journey events,
-- service cases and metric assignments of the touchpoints it owns, the
-- improvement actions of those assignments, and only the owner rows it works
-- with.  Who sees everything is decided per
-- database: the extension owner (and its members), and the roles listed in
-- nps.unrestricted_role.  Superusers and BYPASSRLS roles are not subject to
-- row security at all.  Privileges are separate: the extension owner grants
-- SELECT (or more) like on any table it owns.

CREATE TABLE nps.unrestricted_role (
  role_name name PRIMARY KEY,
  added_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
  CONSTRAINT unrestricted_role_role_name_not_blank CHECK (pg_catalog.btrim(role_name::text) <> '')
);
COMMENT ON TABLE nps.unrestricted_role IS
  'roles (and their members) that see every row of this database''s nps tables when owner security is on; the extension owner always does. Per database, dumped by pg_dump';
COMMENT ON COLUMN nps.unrestricted_role.role_name IS 'database role; a name that is no role (yet) grants nothing';
COMMENT ON COLUMN nps.unrestricted_role.added_at IS 'when the role was added';
ALTER TABLE nps.unrestricted_role OWNER TO @extowner@;
SELECT pg_catalog.pg_extension_config_dump('nps.unrestricted_role', '');
-- read by the policies as the querying role; role names are not secret
GRANT SELECT ON nps.unrestricted_role TO PUBLIC;

-- What the current role owns.  Not security_invoker, and owned by the
-- extension owner: it reads metric_owner and owner with the owner's rights
-- (no row security applies to the table owner, and the reader needs no
-- privilege on them), while current_user inside it is still the reader, so
-- every reader sees only the rows of the roles it is a member of.
CREATE VIEW nps.current_role_touchpoints AS
  SELECT DISTINCT r.rolname AS role_name, t.journey_id, t.id AS touchpoint_id,
         mo.touchpoint_id IS NULL AS whole_journey
    FROM nps.metric_owner mo
    JOIN nps.owner o ON o.id = mo.owner_id
    JOIN pg_catalog.pg_roles r ON r.rolname = o.role_name
    JOIN nps.touchpoint t ON t.journey_id = mo.journey_id
                         AND (mo.touchpoint_id = t.id OR mo.touchpoint_id IS NULL)
   WHERE pg_catalog.pg_has_role(r.oid, 'USAGE');
ALTER VIEW nps.current_role_touchpoints OWNER TO @extowner@;
GRANT SELECT ON nps.current_role_touchpoints TO PUBLIC;
COMMENT ON VIEW nps.current_role_touchpoints IS
  'touchpoints the current role answers for, through nps.metric_owner and nps.owner.role_name of roles it is a member of (pg_has_role USAGE); a journey-wide assignment owns every touchpoint of the journey; used by the row-level security policies';
COMMENT ON COLUMN nps.current_role_touchpoints.role_name IS 'the owner role (the current role or one it is a member of)';
COMMENT ON COLUMN nps.current_role_touchpoints.journey_id IS 'journey of the touchpoint';
COMMENT ON COLUMN nps.current_role_touchpoints.touchpoint_id IS 'touchpoint owned';
COMMENT ON COLUMN nps.current_role_touchpoints.whole_journey IS 'owned through a journey-wide assignment (metric_owner.touchpoint_id NULL)';

CREATE FUNCTION nps.owned_touchpoints(member name DEFAULT CURRENT_USER)
  RETURNS SETOF integer
  LANGUAGE sql STABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  -- only for the current role or a role it is a member of: the view shows
  -- no other role's rows, and pg_has_role(member, ...) raises 42704 for a
  -- role that does not exist
  SELECT DISTINCT c.touchpoint_id FROM nps.current_role_touchpoints c
   WHERE pg_catalog.pg_has_role(member, 'USAGE')
     AND pg_catalog.pg_has_role(member, c.role_name, 'USAGE')
   ORDER BY 1;
END;
COMMENT ON FUNCTION nps.owned_touchpoints(name) IS
  'ids of the touchpoints a role (default: current_user) owns through nps.metric_owner and nps.owner.role_name; answers only for the current role and roles it is a member of (none for any other role)';

CREATE FUNCTION nps.owned_journeys(member name DEFAULT CURRENT_USER)
  RETURNS SETOF integer
  LANGUAGE sql STABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT DISTINCT c.journey_id FROM nps.current_role_touchpoints c
   WHERE c.whole_journey
     AND pg_catalog.pg_has_role(member, 'USAGE')
     AND pg_catalog.pg_has_role(member, c.role_name, 'USAGE')
   ORDER BY 1;
END;
COMMENT ON FUNCTION nps.owned_journeys(name) IS
  'ids of the journeys for which a role (default: current_user) owns a journey-wide metric (nps.metric_owner.touchpoint_id NULL); answers only for the current role and roles it is a member of (none for any other role)';

CREATE FUNCTION nps.sees_all_rows() RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT EXISTS (SELECT FROM pg_catalog.pg_extension e
                  WHERE e.extname = 'nps' AND pg_catalog.pg_has_role(e.extowner, 'USAGE'))
      OR EXISTS (SELECT FROM nps.unrestricted_role u JOIN pg_catalog.pg_roles r ON r.rolname = u.role_name
                  WHERE pg_catalog.pg_has_role(r.oid, 'USAGE'));
END;
COMMENT ON FUNCTION nps.sees_all_rows() IS
  'true when current_user is (a member of) the extension owner or of a role in nps.unrestricted_role: the row-level security policies then show every row';

-- Whether owner security is on is user data: pg_dump does not dump the
-- policies or the row-level security flag of an extension's tables, so a
-- restore would silently show every row to every owner role.  This one-row
-- table is dumped instead, and restoring its row switches security on again.
CREATE TABLE nps.owner_security (
  singleton  boolean PRIMARY KEY DEFAULT true,
  enabled_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
  CONSTRAINT owner_security_one_row CHECK (singleton)
);
ALTER TABLE nps.owner_security OWNER TO @extowner@;
COMMENT ON TABLE nps.owner_security IS
  'one row while owner row-level security is on (nps.enable_owner_security); dumped by pg_dump, and restoring the row re-creates the policies';
COMMENT ON COLUMN nps.owner_security.singleton IS 'always true: at most one row';
COMMENT ON COLUMN nps.owner_security.enabled_at IS 'when owner security was switched on';
SELECT pg_catalog.pg_extension_config_dump('nps.owner_security', '');

-- The tables under owner security, in the order they are locked (see
-- set_owner_security for how that never deadlocks with writers).  Looked up
-- by name when called: nps.improvement_action (action.sql, 1.1) is created
-- after this file.
CREATE FUNCTION nps.owner_security_tables() RETURNS regclass[]
  LANGUAGE sql STABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT ARRAY['nps.response'::regclass, 'nps.journey_event'::regclass, 'nps.service_case'::regclass,
               'nps.metric_owner'::regclass, 'nps.owner'::regclass, 'nps.metric_status_log'::regclass,
               pg_catalog.to_regclass('nps.improvement_action')];
END;
COMMENT ON FUNCTION nps.owner_security_tables() IS
  'internal: the tables owner security puts policies on (response, journey_event, service_case, metric_owner, owner, metric_status_log, improvement_action), in the order they are locked';

CREATE FUNCTION nps.owner_security_applied() RETURNS boolean
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

CREATE FUNCTION nps.set_owner_security(enabled boolean) RETURNS void
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

CREATE FUNCTION nps.owner_security_inserted() RETURNS trigger
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
ALTER FUNCTION nps.owner_security_inserted() OWNER TO @extowner@;
REVOKE EXECUTE ON FUNCTION nps.owner_security_inserted() FROM PUBLIC;
COMMENT ON FUNCTION nps.owner_security_inserted() IS
  'trigger function of nps.owner_security_apply: switches owner row-level security on when the row of nps.owner_security is inserted (by enable_owner_security or by pg_restore); runs as the extension owner whoever inserts';
CREATE TRIGGER owner_security_apply
  AFTER INSERT ON nps.owner_security
  FOR EACH ROW EXECUTE FUNCTION nps.owner_security_inserted();
COMMENT ON TRIGGER owner_security_apply ON nps.owner_security IS
  'owner security survives pg_dump/pg_restore: restoring the row of nps.owner_security re-creates the policies';

CREATE FUNCTION nps.enable_owner_security() RETURNS void
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
  IF NOT EXISTS (SELECT FROM nps.owner_security) THEN
    INSERT INTO nps.owner_security DEFAULT VALUES ON CONFLICT (singleton) DO NOTHING;
  END IF;
  IF NOT nps.owner_security_applied() THEN   -- the row's trigger did not, or it was undone
    PERFORM nps.set_owner_security(true);
  END IF;
END
$fn$;
ALTER FUNCTION nps.enable_owner_security() OWNER TO @extowner@;
REVOKE EXECUTE ON FUNCTION nps.enable_owner_security() FROM PUBLIC;
COMMENT ON FUNCTION nps.enable_owner_security() IS
  'opt-in row-level security: roles named in nps.owner.role_name see only the responses, journey events, service cases and metric assignments (hence views and metric status) of the touchpoints they own, and only the owner rows they work with; the extension owner and the roles in nps.unrestricted_role see all; for the extension owner (who owns the tables); does nothing when on already; survives pg_dump/pg_restore';

CREATE FUNCTION nps.disable_owner_security() RETURNS void
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
  DELETE FROM nps.owner_security;
  IF EXISTS (SELECT FROM pg_catalog.pg_class c
              WHERE c.oid = ANY (nps.owner_security_tables()) AND c.relrowsecurity)
     OR EXISTS (SELECT FROM pg_catalog.pg_policy p
                 WHERE p.polname = 'nps_owner_touchpoints'
                   AND p.polrelid = ANY (nps.owner_security_tables())) THEN
    PERFORM nps.set_owner_security(false);
  END IF;
END
$fn$;
ALTER FUNCTION nps.disable_owner_security() OWNER TO @extowner@;
REVOKE EXECUTE ON FUNCTION nps.disable_owner_security() FROM PUBLIC;
COMMENT ON FUNCTION nps.disable_owner_security() IS
  'turns nps owner row-level security off again (drops the policies, disables row-level security, deletes the row of nps.owner_security); for the extension owner; does nothing when off already';

-- ============================================================ status history for pg_dump
-- nps.metric_status_log (status_log.sql, before this file) is user data.
-- Registered here, after the tables of 1.0, so the list of tables pg_dump
-- keeps (pg_extension.extconfig) has the same order in a fresh install and
-- after the upgrade from 1.0 (src/upgrade--1.1.sql registers it there).
SELECT pg_catalog.pg_extension_config_dump('nps.metric_status_log', '');
SELECT pg_catalog.pg_extension_config_dump('nps.metric_status_log_id_seq', '');
