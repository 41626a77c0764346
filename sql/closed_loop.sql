-- closed_loop: the detractor notification trigger and opt-in owner row-level
-- security, as far as it is deterministic in one session (the notifications
-- themselves, with LISTEN, are checked by test/t/notify.sh; RLS with real
-- login roles by test/t/rls.sh).
\pset null '(null)'

-- ---------- the setting nps.notify ----------
SELECT nps.setting_min_responses() > 0 AS library_loaded;
SHOW nps.notify;
SET nps.notify = off;
SHOW nps.notify;
SET nps.notify = 'maybe';
RESET nps.notify;
SHOW nps.notify;
SELECT name, vartype, context, boot_val FROM pg_settings WHERE name = 'nps.notify';
SELECT nps.setting_notify() AS notify_on;
-- what a notification carries: full (default) or only the response id
SHOW nps.notify_payload;
SET nps.notify_payload = id;
SELECT nps.setting_notify_payload();
SET nps.notify_payload = 'everything';
RESET nps.notify_payload;
SELECT name, vartype, enumvals, boot_val FROM pg_settings WHERE name = 'nps.notify_payload';

-- ---------- the trigger: statement level, after insert, transition table ----------
SELECT tgname,
       (tgtype & 1) <> 0 AS for_each_row,
       (tgtype & 2) <> 0 AS before,
       (tgtype & 4) <> 0 AS on_insert,
       (tgtype & 8) <> 0 AS on_delete,
       (tgtype & 16) <> 0 AS on_update,
       tgnewtable, tgoldtable, tgenabled, tgfoid::regprocedure
  FROM pg_trigger WHERE tgrelid = 'nps.response'::regclass AND NOT tgisinternal;

-- every function of this area: language, volatility, security, pinned search_path;
-- those that run as someone else (SECURITY DEFINER, trigger functions) or change
-- the schema belong to the extension owner (test/t/install.sh checks that after a
-- trusted install; here the extension owner is the superuser)
SELECT p.oid::regprocedure AS function, l.lanname, p.provolatile, p.prosecdef, p.proconfig,
       p.prosqlbody IS NOT NULL AS bound_at_creation,
       p.proowner = (SELECT extowner FROM pg_extension WHERE extname = 'nps') AS extension_owner_owns
  FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
 WHERE p.oid IN ('nps.notify_detractors()'::regprocedure,
                 'nps.detractor_owners_json(integer, text, text)'::regprocedure,
                 'nps.owned_touchpoints(name)'::regprocedure,
                 'nps.owned_journeys(name)'::regprocedure,
                 'nps.sees_all_rows()'::regprocedure,
                 'nps.enable_owner_security()'::regprocedure,
                 'nps.disable_owner_security()'::regprocedure,
                 'nps.owner_security_tables()'::regprocedure,
                 'nps.owner_security_applied()'::regprocedure,
                 'nps.set_owner_security(boolean)'::regprocedure,
                 'nps.owner_security_inserted()'::regprocedure)
 ORDER BY 1::text;

-- ... and each has a COMMENT, as does the trigger
SELECT count(*) AS without_comment
  FROM (VALUES ('nps.notify_detractors()'::regprocedure),
               ('nps.detractor_owners_json(integer, text, text)'),
               ('nps.owned_touchpoints(name)'), ('nps.owned_journeys(name)'),
               ('nps.sees_all_rows()'), ('nps.enable_owner_security()'),
               ('nps.disable_owner_security()'), ('nps.owner_security_tables()'),
               ('nps.owner_security_applied()'), ('nps.set_owner_security(boolean)'),
               ('nps.owner_security_inserted()')) f(p)
 WHERE obj_description(p, 'pg_proc') IS NULL;
SELECT obj_description(oid, 'pg_trigger') IS NOT NULL AS trigger_has_comment
  FROM pg_trigger WHERE tgname = 'response_notify_detractors';

-- switching owner security on/off is not for everyone (PUBLIC may not execute)
CREATE ROLE regress_nps_cl_someone;
SELECT has_function_privilege('regress_nps_cl_someone', 'nps.enable_owner_security()', 'EXECUTE') AS can_enable,
       has_function_privilege('regress_nps_cl_someone', 'nps.set_owner_security(boolean)', 'EXECUTE') AS can_apply,
       has_table_privilege('regress_nps_cl_someone', 'nps.owner_security', 'INSERT') AS can_insert_state,
       has_function_privilege('regress_nps_cl_someone', 'nps.disable_owner_security()', 'EXECUTE') AS can_disable,
       has_function_privilege('regress_nps_cl_someone', 'nps.owned_touchpoints(name)', 'EXECUTE') AS can_ask_owned;

-- ---------- owners named in the payload ----------
SET nps.notify = off;
INSERT INTO nps.journey (id, code, name) VALUES (1, 'retail', '零售'), (2, 'support', 'Support');
INSERT INTO nps.touchpoint (id, journey_id, stage_order, code, name) VALUES
  (1, 1, 1, 'presale', '售前咨询'), (2, 1, 2, 'delivery', '配送'), (3, 2, 1, 'hotline', 'Hotline');
INSERT INTO nps.owner (id, name, owner_kind, role_name) VALUES
  (1, '物流部', 'department', 'regress_nps_cl_logistics'), (2, 'Bo "Li"', 'person', NULL),
  (3, 'CX', 'department', 'regress_nps_cl_cx'), (4, 'CSAT owner', 'person', 'regress_nps_cl_someone'),
  (5, 'VIP desk', 'person', NULL);
INSERT INTO nps.metric (code, name, metric_kind, measure, unit, segment)
  VALUES ('nps_vip', 'NPS of VIP customers', 'nps', 'score', 'points', 'VIP');
INSERT INTO nps.metric_owner (metric, journey_id, touchpoint_id, owner_id, target) VALUES
  ('nps', 1, 2, 1, 30), ('nps', 1, 1, 2, 30), ('nps', 1, NULL, 3, 20), ('csat', 1, 2, 4, 80),
  ('nps_vip', 1, 2, 5, 50), ('nps_vip', 1, NULL, 3, 40);
-- touchpoint owners first, then journey-wide ones; each owner once; CSAT owners
-- never; segment-restricted NPS metrics only for a matching segment
SELECT t.code, m.seg, nps.detractor_owners_json(t.id, m.seg, NULL) AS owners
  FROM nps.touchpoint t CROSS JOIN (VALUES (NULL), ('VIP'), ('普通')) m(seg)
 ORDER BY t.id, m.seg NULLS FIRST;

-- inserting with the notifications on works for INSERT and COPY (nobody
-- listens here; test/t/notify.sh checks what is sent)
SET nps.notify = on;
INSERT INTO nps.response (customer, touchpoint_id, answered_at, score, segment)
SELECT 'c' || g, 1 + g % 3, '2026-11-01 12:00+08', g % 11, CASE WHEN g % 2 = 0 THEN 'VIP' END
  FROM generate_series(1, 50) g;
COPY nps.response (customer, touchpoint_id, answered_at, score) FROM STDIN WITH (FORMAT csv);
d1,2,2026-11-01 12:00+08,0
d2,2,2026-11-01 12:00+08,10
\.
SELECT count(*) AS responses, count(*) FILTER (WHERE score <= 6) AS detractors FROM nps.response;

-- ---------- ownership for row-level security ----------
-- roles that do not exist are ignored; a journey-wide owner owns every touchpoint
CREATE ROLE regress_nps_cl_logistics;
CREATE ROLE regress_nps_cl_cx;
CREATE ROLE regress_nps_cl_cx_member IN ROLE regress_nps_cl_cx;
SELECT r AS member,
       (SELECT array_agg(t ORDER BY t) FROM nps.owned_touchpoints(r) t) AS touchpoints,
       (SELECT array_agg(j ORDER BY j) FROM nps.owned_journeys(r) j) AS journeys
  FROM unnest(ARRAY['regress_nps_cl_logistics', 'regress_nps_cl_cx', 'regress_nps_cl_cx_member',
                    'regress_nps_cl_someone']::name[]) r;
SELECT nps.sees_all_rows() AS superuser_sees_all;

-- enable twice, disable twice: same state each time
SELECT nps.enable_owner_security();
SELECT nps.enable_owner_security();
SELECT tablename, policyname, permissive, roles, cmd,
       obj_description((SELECT oid FROM pg_policy WHERE polname = policyname AND polrelid = ('nps.' || tablename)::regclass), 'pg_policy') IS NOT NULL AS has_comment
  FROM pg_policies WHERE schemaname = 'nps' ORDER BY tablename;
SELECT relname, relrowsecurity, relforcerowsecurity
  FROM pg_class WHERE relnamespace = 'nps'::regnamespace AND relkind = 'r' ORDER BY relname;
-- no role is created (roles are cluster-wide); who sees all is per database
SELECT count(*) AS roles_created FROM pg_roles WHERE rolname LIKE 'nps%';
SELECT count(*) AS owner_security_rows FROM nps.owner_security;
-- every view of the extension runs with the caller's rights, but the one that
-- tells the caller what it owns (it reads the ownership tables as their owner)
SELECT c.relname FROM pg_class c
 WHERE c.relnamespace = 'nps'::regnamespace AND c.relkind = 'v'
   AND NOT coalesce('security_invoker=true' = ANY (c.reloptions), false);

-- as a role: the logistics role sees delivery only; CX (journey-wide) the journey
GRANT USAGE ON SCHEMA nps TO regress_nps_cl_logistics, regress_nps_cl_cx, regress_nps_cl_someone;
GRANT SELECT ON ALL TABLES IN SCHEMA nps TO regress_nps_cl_logistics, regress_nps_cl_cx, regress_nps_cl_someone;
GRANT USAGE ON SCHEMA nps TO regress_nps_cl_cx_member;
-- owned_* answer only for roles the caller is a member of (a superuser is a member of all):
-- for another role, nothing; for a role that does not exist, 42704
SET ROLE regress_nps_cl_cx_member;
SELECT array_agg(t ORDER BY t) AS own_touchpoints FROM nps.owned_touchpoints() t;
SELECT array_agg(t ORDER BY t) AS touchpoints_of_a_role_it_is_member_of
  FROM nps.owned_touchpoints('regress_nps_cl_cx') t;
\set VERBOSITY sqlstate
SELECT nps.owned_touchpoints('regress_nps_cl_logistics');
SELECT nps.owned_journeys('regress_nps_cl_logistics');
SELECT nps.owned_touchpoints('no_such_role');
\set VERBOSITY default
RESET ROLE;
SET ROLE regress_nps_cl_logistics;
SELECT touchpoint_id, count(*) FROM nps.response GROUP BY 1 ORDER BY 1;
SELECT metric, touchpoint_id FROM nps.metric_owner ORDER BY id;
-- owner rows: its own and those of the assignments it sees
SELECT id, name FROM nps.owner ORDER BY id;
SET ROLE regress_nps_cl_cx;
SELECT touchpoint_id, count(*) FROM nps.response GROUP BY 1 ORDER BY 1;
SELECT metric, touchpoint_id FROM nps.metric_owner ORDER BY id;
-- owns only a CSAT metric at delivery: that is ownership of the touchpoint too
SET ROLE regress_nps_cl_someone;
SELECT touchpoint_id, count(*) FROM nps.response GROUP BY 1 ORDER BY 1;
-- a role listed in nps.unrestricted_role sees every row
RESET ROLE;
INSERT INTO nps.unrestricted_role (role_name) VALUES ('regress_nps_cl_someone');
SET ROLE regress_nps_cl_someone;
SELECT touchpoint_id, count(*) FROM nps.response GROUP BY 1 ORDER BY 1;
SELECT count(*) AS owners FROM nps.owner;
RESET ROLE;
DELETE FROM nps.unrestricted_role;

SELECT nps.disable_owner_security();
SELECT nps.disable_owner_security();
SELECT count(*) AS policies FROM pg_policies WHERE schemaname = 'nps';
SELECT count(*) AS tables_with_rls FROM pg_class WHERE relnamespace = 'nps'::regnamespace AND relrowsecurity;
SELECT count(*) AS owner_security_rows FROM nps.owner_security;
-- inserting the row (as pg_restore does) switches it on again
INSERT INTO nps.owner_security VALUES (true, '2026-11-20 12:00+08');
SELECT count(*) AS policies FROM pg_policies WHERE schemaname = 'nps';
SELECT nps.disable_owner_security();
SELECT count(*) AS policies FROM pg_policies WHERE schemaname = 'nps';

-- clean up
REVOKE ALL ON ALL TABLES IN SCHEMA nps FROM regress_nps_cl_logistics, regress_nps_cl_cx, regress_nps_cl_someone;
REVOKE ALL ON SCHEMA nps FROM regress_nps_cl_logistics, regress_nps_cl_cx, regress_nps_cl_someone, regress_nps_cl_cx_member;
DROP ROLE regress_nps_cl_cx_member;
DROP ROLE regress_nps_cl_cx;
DROP ROLE regress_nps_cl_logistics;
DROP ROLE regress_nps_cl_someone;
SET nps.notify = off;
TRUNCATE nps.response, nps.metric_owner, nps.owner, nps.touchpoint, nps.journey CASCADE;
DELETE FROM nps.metric WHERE NOT builtin;
RESET nps.notify;
