-- src/closed_loop.sql
-- Closing the loop: a detractor answer arriving in nps.response is announced
-- on the notification channel nps_detractor (LISTEN nps_detractor), and
-- opt-in row-level security lets each owner's database role see only the
-- touchpoints it answers for.
--
-- Everything here is schema-qualified and every function pins its
-- search_path, so nothing depends on the caller's search_path.

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
-- SECURITY DEFINER so that the owners can be looked up whatever the
-- inserting role may read (owner and metric_owner may be hidden from it by
-- privileges or row-level security); it reads only the new rows and the
-- ownership tables, and only calls pg_notify.
DECLARE
  notify_on  boolean;
  by_segment boolean;
  tails      jsonb;
BEGIN
  -- Calling a C function of nps loads nps.so, which defines (and validates)
  -- nps.notify; before that a SET nps.notify would only be a placeholder.
  PERFORM nps.setting_min_responses();
  notify_on := coalesce(pg_catalog.current_setting('nps.notify', true), 'on')::boolean;
  IF NOT notify_on THEN
    RETURN NULL;
  END IF;

  -- NPS metrics restricted to a segment or channel make the owners of a
  -- detractor depend on its segment and channel, not only on its touchpoint.
  by_segment := EXISTS (
    SELECT FROM nps.metric_owner mo JOIN nps.metric m ON m.code = mo.metric
     WHERE m.kind = 'nps' AND (m.segment IS NOT NULL OR m.channel IS NOT NULL));

  IF NOT by_segment THEN
    SELECT pg_catalog.jsonb_object_agg(t.id::text,
             '"touchpoint_id":' || t.id
             || ',"touchpoint":' || pg_catalog.to_json(t.code)::text
             || ',"journey":' || pg_catalog.to_json(j.code)::text
             || ',"owners":' || nps.detractor_owners_json(t.id, NULL, NULL, false)
             || '}')
      INTO tails
      FROM nps.touchpoint t JOIN nps.journey j ON j.id = t.journey
     WHERE t.id IN (SELECT n.touchpoint FROM new_rows n
                     WHERE n.score <= 6 AND n.followed_up_at IS NULL);
    IF tails IS NULL THEN
      RETURN NULL;          -- no detractor in this statement
    END IF;
    PERFORM pg_catalog.pg_notify('nps_detractor',
              '{"response_id":' || n.id || ',"score":' || n.score || ','
              || (tails ->> n.touchpoint::text))
       FROM new_rows n
      WHERE n.score <= 6 AND n.followed_up_at IS NULL;
  ELSE
    SELECT pg_catalog.jsonb_object_agg(pg_catalog.json_build_array(k.touchpoint, k.segment, k.channel)::text,
             '"touchpoint_id":' || t.id
             || ',"touchpoint":' || pg_catalog.to_json(t.code)::text
             || ',"journey":' || pg_catalog.to_json(j.code)::text
             || ',"owners":' || nps.detractor_owners_json(t.id, k.segment, k.channel, true)
             || '}')
      INTO tails
      FROM (SELECT DISTINCT n.touchpoint, n.segment, n.channel FROM new_rows n
             WHERE n.score <= 6 AND n.followed_up_at IS NULL) k
      JOIN nps.touchpoint t ON t.id = k.touchpoint
      JOIN nps.journey j ON j.id = t.journey;
    IF tails IS NULL THEN
      RETURN NULL;
    END IF;
    PERFORM pg_catalog.pg_notify('nps_detractor',
              '{"response_id":' || n.id || ',"score":' || n.score || ','
              || (tails ->> pg_catalog.json_build_array(n.touchpoint, n.segment, n.channel)::text))
       FROM new_rows n
      WHERE n.score <= 6 AND n.followed_up_at IS NULL;
  END IF;
  RETURN NULL;
END
$fn$;
COMMENT ON FUNCTION nps.notify_detractors() IS
  'trigger function of nps.response_notify_detractors: sends one pg_notify(''nps_detractor'', json) per inserted detractor (score 0-6, followed_up_at NULL) unless nps.notify is off; payload {"response_id","score","touchpoint_id","touchpoint","journey","owners":[{"id","name","role"}]}';

CREATE FUNCTION nps.detractor_owners_json(
    touchpoint_id integer, segment text, channel text, match_segment boolean)
  RETURNS text
  LANGUAGE sql STABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
AS $fn$
  -- Owners of the NPS metrics of a touchpoint (touchpoint-level rows first,
  -- then journey-wide rows of its journey), each owner once, as a compact
  -- JSON array [{"id":..,"name":..,"role":..}].  With match_segment, NPS
  -- metrics restricted to a segment/channel count only when they match;
  -- without it only unrestricted NPS metrics count.  Kept under 7000 bytes
  -- (the NOTIFY payload limit is 8000): a longer list is cut to ids only.
  WITH o AS (
    SELECT ow.id, ow.name, ow.role_name,
           min(CASE WHEN mo.touchpoint IS NULL THEN 1 ELSE 0 END) AS scope_rank
      FROM nps.touchpoint t
      JOIN nps.metric_owner mo ON mo.journey = t.journey
                              AND (mo.touchpoint = t.id OR mo.touchpoint IS NULL)
      JOIN nps.metric m ON m.code = mo.metric
      JOIN nps.owner ow ON ow.id = mo.owner
     WHERE t.id = $1
       AND m.kind = 'nps'
       AND CASE WHEN $4 THEN (m.segment IS NULL OR m.segment = $2)
                         AND (m.channel IS NULL OR m.channel = $3)
                ELSE m.segment IS NULL AND m.channel IS NULL END
     GROUP BY ow.id, ow.name, ow.role_name
  ), full_list AS (
    SELECT '[' || coalesce(string_agg(
             '{"id":' || o.id || ',"name":' || to_json(o.name)::text
             || ',"role":' || coalesce(to_json(o.role_name::text)::text, 'null') || '}',
             ',' ORDER BY o.scope_rank, o.id), '') || ']' AS j
      FROM o
  )
  SELECT CASE WHEN octet_length(f.j) <= 7000 THEN f.j
              ELSE (SELECT '[' || string_agg('{"id":' || x.id || '}', ',' ORDER BY x.scope_rank, x.id) || ']'
                      FROM (SELECT o.id, o.scope_rank FROM o ORDER BY o.scope_rank, o.id LIMIT 500) x)
         END
    FROM full_list f
$fn$;
COMMENT ON FUNCTION nps.detractor_owners_json(integer, text, text, boolean) IS
  'internal (used by nps.notify_detractors): owners of the NPS metrics of a touchpoint and of its whole journey as a compact JSON array [{"id","name","role"}], touchpoint owners first';

CREATE TRIGGER response_notify_detractors
  AFTER INSERT ON nps.response
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION nps.notify_detractors();
COMMENT ON TRIGGER response_notify_detractors ON nps.response IS
  'closed loop: after each INSERT or COPY, NOTIFY nps_detractor once per new detractor (score 0-6) not yet followed up; SET nps.notify = off to silence (e.g. for bulk loads and restores)';

-- ============================================================ row-level security

CREATE FUNCTION nps.owned_touchpoints(member name DEFAULT CURRENT_USER)
  RETURNS SETOF integer
  LANGUAGE sql STABLE SECURITY DEFINER PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
AS $fn$
  -- Touchpoints a role answers for: those of nps.metric_owner rows whose
  -- owner's role_name is a role the member has the privileges of (itself,
  -- or a role it inherits), plus every touchpoint of a journey for which it
  -- owns a journey-wide row.  Owner roles that do not exist are ignored.
  -- SECURITY DEFINER: the policies of metric_owner call it, so it must read
  -- metric_owner without its policies (and without the caller's privileges).
  SELECT DISTINCT t.id
    FROM nps.metric_owner mo
    JOIN nps.owner o ON o.id = mo.owner
    JOIN pg_catalog.pg_roles r ON r.rolname = o.role_name
    JOIN nps.touchpoint t ON t.journey = mo.journey
                         AND (mo.touchpoint = t.id OR mo.touchpoint IS NULL)
   WHERE pg_catalog.pg_has_role($1, r.oid, 'USAGE')
$fn$;
COMMENT ON FUNCTION nps.owned_touchpoints(name) IS
  'ids of the touchpoints the role (default: current_user) owns through nps.metric_owner and nps.owner.role_name (membership with pg_has_role USAGE; a journey-wide row owns every touchpoint of the journey); used by the row-level security policies';

CREATE FUNCTION nps.owned_journeys(member name DEFAULT CURRENT_USER)
  RETURNS SETOF integer
  LANGUAGE sql STABLE SECURITY DEFINER PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT DISTINCT mo.journey
    FROM nps.metric_owner mo
    JOIN nps.owner o ON o.id = mo.owner
    JOIN pg_catalog.pg_roles r ON r.rolname = o.role_name
   WHERE mo.touchpoint IS NULL
     AND pg_catalog.pg_has_role($1, r.oid, 'USAGE')
$fn$;
COMMENT ON FUNCTION nps.owned_journeys(name) IS
  'ids of the journeys for which the role (default: current_user) owns a journey-wide metric (nps.metric_owner.touchpoint NULL); used by the row-level security policy of nps.metric_owner';

CREATE FUNCTION nps.sees_all_touchpoints() RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
AS $fn$
  -- The extension owner and members of nps_admin see every row.
  -- (Superusers and roles with BYPASSRLS are not subject to policies at all.)
  SELECT EXISTS (SELECT FROM pg_catalog.pg_extension e
                  WHERE e.extname = 'nps' AND pg_catalog.pg_has_role(CURRENT_USER, e.extowner, 'USAGE'))
      OR EXISTS (SELECT FROM pg_catalog.pg_roles r
                  WHERE r.rolname = 'nps_admin' AND pg_catalog.pg_has_role(CURRENT_USER, r.oid, 'USAGE'))
$fn$;
COMMENT ON FUNCTION nps.sees_all_touchpoints() IS
  'true when current_user is (a member of) the extension owner or of the role nps_admin: the row-level security policies then show every row';

CREATE FUNCTION nps.drop_owner_policies() RETURNS void
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  tbl regclass;
BEGIN
  -- quietly (no "does not exist, skipping" notices)
  FOR tbl IN
    SELECT p.polrelid::regclass FROM pg_catalog.pg_policy p
     WHERE p.polname = 'nps_owner_touchpoints'
       AND p.polrelid IN ('nps.response'::regclass, 'nps.service_case'::regclass, 'nps.metric_owner'::regclass)
  LOOP
    EXECUTE pg_catalog.format('DROP POLICY nps_owner_touchpoints ON %s', tbl);
  END LOOP;
END
$fn$;
COMMENT ON FUNCTION nps.drop_owner_policies() IS
  'internal (used by enable/disable_owner_security): drops the nps_owner_touchpoints policies that exist';
REVOKE EXECUTE ON FUNCTION nps.drop_owner_policies() FROM PUBLIC;

CREATE FUNCTION nps.apply_owner_security() RETURNS void
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
AS $fn$
-- Runs as the extension's superuser: called only from SECURITY DEFINER
-- functions (enable_owner_security and the trigger on nps.owner_security).
DECLARE
  ext_owner oid;
  view_name text;
BEGIN
  -- nps_admin: roles are cluster-wide, so it may exist already (from another
  -- database of the cluster, or an earlier call).
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'nps_admin') THEN
    CREATE ROLE nps_admin NOLOGIN;
    COMMENT ON ROLE nps_admin IS
      'nps: members see every row of the nps tables and views under row-level security (nps.enable_owner_security)';
  END IF;
  GRANT USAGE ON SCHEMA nps TO nps_admin;
  GRANT SELECT ON ALL TABLES IN SCHEMA nps TO nps_admin;
  GRANT UPDATE (followed_up_at) ON nps.response TO nps_admin;

  -- The extension owner may hand out nps_admin (and, through it, reads the
  -- tables even when a trusted install left them owned by the superuser).
  SELECT e.extowner INTO ext_owner FROM pg_catalog.pg_extension e WHERE e.extname = 'nps';
  IF NOT (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.oid = ext_owner) THEN
    EXECUTE pg_catalog.format('GRANT nps_admin TO %I WITH ADMIN OPTION',
                              (SELECT r.rolname FROM pg_catalog.pg_roles r WHERE r.oid = ext_owner));
  END IF;

  -- Responses and service cases: rows of owned touchpoints.  metric_owner
  -- (and through it metric_status, owner_scorecard): rows of owned
  -- touchpoints, and journey-wide rows of journeys owned as a whole.
  -- Policies are (re)created, so calling this again updates them.
  PERFORM nps.drop_owner_policies();
  CREATE POLICY nps_owner_touchpoints ON nps.response
    USING ((SELECT nps.sees_all_touchpoints()) OR touchpoint IN (SELECT nps.owned_touchpoints()))
    WITH CHECK ((SELECT nps.sees_all_touchpoints()) OR touchpoint IN (SELECT nps.owned_touchpoints()));
  COMMENT ON POLICY nps_owner_touchpoints ON nps.response IS
    'nps owner security: a role sees responses of the touchpoints it owns (nps.owned_touchpoints); the extension owner and nps_admin members see all';

  CREATE POLICY nps_owner_touchpoints ON nps.service_case
    USING ((SELECT nps.sees_all_touchpoints()) OR touchpoint IN (SELECT nps.owned_touchpoints()))
    WITH CHECK ((SELECT nps.sees_all_touchpoints()) OR touchpoint IN (SELECT nps.owned_touchpoints()));
  COMMENT ON POLICY nps_owner_touchpoints ON nps.service_case IS
    'nps owner security: a role sees service cases of the touchpoints it owns (nps.owned_touchpoints); the extension owner and nps_admin members see all';

  CREATE POLICY nps_owner_touchpoints ON nps.metric_owner
    USING ((SELECT nps.sees_all_touchpoints())
           OR touchpoint IN (SELECT nps.owned_touchpoints())
           OR (touchpoint IS NULL AND journey IN (SELECT nps.owned_journeys())))
    WITH CHECK ((SELECT nps.sees_all_touchpoints()));
  COMMENT ON POLICY nps_owner_touchpoints ON nps.metric_owner IS
    'nps owner security: a role sees the metric assignments (and so the metric status) of the touchpoints it owns and journey-wide ones of journeys it owns; only the extension owner and nps_admin members may change them';

  ALTER TABLE nps.response ENABLE ROW LEVEL SECURITY;
  ALTER TABLE nps.service_case ENABLE ROW LEVEL SECURITY;
  ALTER TABLE nps.metric_owner ENABLE ROW LEVEL SECURITY;

  -- Views over these tables must run with the querying role's rights, or
  -- they would show the view owner's (all) rows.  The extension's views are
  -- created security_invoker; this only repairs one that is not.
  FOR view_name IN
    SELECT c.oid::regclass::text
      FROM pg_catalog.pg_class c
      JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid
                                 AND d.refclassid = 'pg_catalog.pg_extension'::regclass AND d.deptype = 'e'
      JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid AND e.extname = 'nps'
     WHERE c.relkind = 'v'
       AND NOT EXISTS (SELECT FROM pg_catalog.pg_options_to_table(c.reloptions) ro
                        WHERE ro.option_name = 'security_invoker' AND ro.option_value::boolean)
     ORDER BY 1
  LOOP
    EXECUTE pg_catalog.format('ALTER VIEW %s SET (security_invoker = true)', view_name);
  END LOOP;
END
$fn$;
COMMENT ON FUNCTION nps.apply_owner_security() IS
  'internal (used by enable_owner_security and after a restore): creates nps_admin if missing, grants it read access, (re)creates the nps_owner_touchpoints policies and enables row-level security';
REVOKE EXECUTE ON FUNCTION nps.apply_owner_security() FROM PUBLIC;

-- Whether owner security is on is user data: pg_dump does not dump the
-- policies or the row-level security flag of an extension's tables, so a
-- restore would silently show every row to every owner role.  This one-row
-- table is dumped instead, and restoring its row switches security on again.
CREATE TABLE nps.owner_security (
  singleton  boolean PRIMARY KEY DEFAULT true,
  enabled_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
  CONSTRAINT owner_security_one_row CHECK (singleton)
);
COMMENT ON TABLE nps.owner_security IS
  'one row while owner row-level security is on (nps.enable_owner_security); dumped by pg_dump, and restoring the row re-creates the policies';
COMMENT ON COLUMN nps.owner_security.singleton IS 'always true: at most one row';
COMMENT ON COLUMN nps.owner_security.enabled_at IS 'when owner security was switched on';
SELECT pg_catalog.pg_extension_config_dump('nps.owner_security', '');

CREATE FUNCTION nps.owner_security_inserted() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
  PERFORM nps.apply_owner_security();
  RETURN NULL;
END
$fn$;
COMMENT ON FUNCTION nps.owner_security_inserted() IS
  'trigger function of nps.owner_security_apply: switches owner row-level security on when the row of nps.owner_security is inserted (by enable_owner_security or by pg_restore)';
CREATE TRIGGER owner_security_apply
  AFTER INSERT ON nps.owner_security
  FOR EACH ROW EXECUTE FUNCTION nps.owner_security_inserted();
COMMENT ON TRIGGER owner_security_apply ON nps.owner_security IS
  'owner security survives pg_dump/pg_restore: restoring the row of nps.owner_security re-creates the policies';

CREATE FUNCTION nps.enable_owner_security() RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
  INSERT INTO nps.owner_security DEFAULT VALUES ON CONFLICT (singleton) DO NOTHING;
  IF NOT FOUND THEN
    PERFORM nps.apply_owner_security();   -- already on: refresh (the trigger did not fire)
  END IF;
END
$fn$;
COMMENT ON FUNCTION nps.enable_owner_security() IS
  'opt-in row-level security: roles named in nps.owner.role_name see only responses, service cases and metric assignments (hence views and metric status) of the touchpoints they own; the extension owner and members of nps_admin (created if missing, cluster-wide) see all; idempotent; survives pg_dump/pg_restore';

CREATE FUNCTION nps.disable_owner_security() RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
  DELETE FROM nps.owner_security;
  PERFORM nps.drop_owner_policies();
  ALTER TABLE nps.response DISABLE ROW LEVEL SECURITY;
  ALTER TABLE nps.service_case DISABLE ROW LEVEL SECURITY;
  ALTER TABLE nps.metric_owner DISABLE ROW LEVEL SECURITY;
END
$fn$;
COMMENT ON FUNCTION nps.disable_owner_security() IS
  'turns nps owner row-level security off again (drops the policies, disables RLS, deletes the row of nps.owner_security); leaves the nps_admin role and its grants in place; idempotent';

-- Only the extension owner (and superusers, and whom they grant it to) may
-- switch owner security on or off: both run as the extension's superuser.
REVOKE EXECUTE ON FUNCTION nps.enable_owner_security() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION nps.disable_owner_security() FROM PUBLIC;
DO $do$
DECLARE
  owner_name name;
BEGIN
  SELECT r.rolname INTO owner_name
    FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_roles r ON r.oid = e.extowner
   WHERE e.extname = 'nps' AND NOT r.rolsuper;
  IF owner_name IS NULL THEN
    RETURN;       -- a superuser owner can execute anything anyway
  END IF;
  EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION nps.enable_owner_security() TO %I', owner_name);
  EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION nps.disable_owner_security() TO %I', owner_name);
END
$do$;
