#!/usr/bin/env bash
# test/t/security.sh: attack suite for the trusted install of nps.
#
# nps is trusted: any database owner may CREATE EXTENSION nps, and the install
# script then runs as the bootstrap superuser.  Here the role "attacker"
# (LOGIN, no superuser) owns its databases, installs nps itself and attacks:
#   c1  triggers the installer adds on nps tables, fired by foreign-key actions
#       (which run as the owner of the table they change), by REFERENCES checks
#       (which run as the owner of the referenced table, with the installer's
#       implicit casts), by TRUNCATE, by extension code paths and by a superuser
#   c2  the installer renames schema nps and plants a look-alike nps (functions,
#       aggregates, views that run its code): every SECURITY DEFINER function,
#       the trigger on nps.response (insert by the installer and by a superuser
#       ETL), row-level security policies, views and *_at functions read by a
#       superuser
#   c3  a schema nps prepared before CREATE EXTENSION (better-matching overloads
#       of functions the script leaves unqualified, a table, types, operators)
#   c4  nothing cluster-wide: the owner of database A reads no owner-secured row
#       of database B by any means (nps_admin if it exists, grants to others)
#   c5  pg_dump of the attacker's database restored by a superuser: nothing runs
#       as the superuser during the restore, nor afterwards (the restored
#       extension belongs to the superuser, the schema may still be the
#       attacker's)
#   c7  leaks under owner security: owned_touchpoints(name)/owned_journeys(name)
#       for roles the caller is not a member of; customer ids (journey_event,
#       ...) and owner e-mails beyond the owned touchpoints
#   c8  overloads the extension owner adds in schema nps must not break (or
#       hijack) the views for other roles
#   c9  own variants: SECURITY DEFINER trigger functions attached to the
#       installer's own table (implicit casts on the transition table),
#       pg_temp shadowing, a superuser with the installer's schema first in
#       search_path
#   c10m fact relations the caller names to the metric functions (regclass
#       arguments, issue 8): names that are SQL text run nothing, for the
#       attacker and for a superuser; a relation the caller may not read is
#       refused (42501)
#   c11 daily summaries (summary.sql): a writer with only INSERT on
#       nps.response loads (the SECURITY DEFINER trigger invalidates); readers
#       without SELECT on the summary tables, and owners under row-level
#       security, get the rows of the raw formulation; the trigger function
#       cannot be called or attached elsewhere
#   c10 fact tables passed to the *_at functions (issue 8): a relation named
#       to inject SQL (quotes, semicolons) is read as that one relation; a
#       column with an implicit cast that runs code is refused before
#       anything is read; a relation the caller may not read fails with 42501
#
# The planted code (att.payload) records current_user in a table the attacker
# owns, counts in a sequence (not rolled back with the transaction) every run
# as a superuser, and tries ALTER ROLE attacker SUPERUSER.  An attack fails
# when that counter moves or attacker became a superuser, or when a reader saw
# a foreign secret.  A step failing with an error is a defence, never a
# failure.  A superuser calling an object the attacker owns (e.g. writing into
# a table the attacker owns, which fires the attacker's triggers) is generic
# PostgreSQL behaviour and is not counted: c1.5 counts only triggers on tables
# the attacker does not own, and the foreign-key attacks plant BEFORE row
# triggers only (they run inside the action, as the owner of the changed table).
# Class numbers follow the issue (it has no class 6); c0 checks the setup.
#
# Prints "ok - <name>" or "not ok - <name>: <why>" per attack; exit status 1
# when any attack succeeded.  psql output of every step goes to
# results/security.detail.log.
# Runs against the throwaway cluster of test/run_tests.sh (PGHOST/PGPORT/PGUSER).
set -euo pipefail

REPO=${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
PG_CONFIG=${PG_CONFIG:-pg_config}
bindir=$("$PG_CONFIG" --bindir)
mkdir -p "$REPO/results"
LOG="$REPO/results/security.detail.log"
: >"$LOG"
DUMP=$(mktemp /tmp/nps_security_dump.XXXXXX)

ATT=attacker
VICTIM=nps_sec_victim
OWN_A=nps_sec_own_a
OWN_B=nps_sec_own_b
OWN_J=nps_sec_own_j
SNOOP=nps_sec_snoop
FRIEND=nps_sec_friend
VIEWER=nps_sec_viewer
ROLES="$ATT $VICTIM $OWN_A $OWN_B $OWN_J $SNOOP $FRIEND $VIEWER"
DBS="nps_sec_c0 nps_sec_c1 nps_sec_c1ref nps_sec_c1any nps_sec_c2 nps_sec_c3fn nps_sec_c3tab
     nps_sec_c3type nps_sec_c3op nps_sec_c4a nps_sec_victim nps_sec_c5 nps_sec_c5r nps_sec_c8
     nps_sec_c9trg nps_sec_c9tmp nps_sec_c10m nps_sec_c10 nps_sec_c11"

FAILED=0
PASSED=0
ok() { echo "ok - $1"; PASSED=$((PASSED + 1)); }
notok() { echo "not ok - $1: $2"; FAILED=$((FAILED + 1)); }

# superuser, must work
. "$REPO/test/lib.sh"   # q, fail
# a role running a script from stdin; errors are expected defences and do not stop it
as_role() { # role db
    local role=$1 db=$2
    { echo "---- $role @ $db"; } >>"$LOG"
    psql -X -q -At -v ON_ERROR_STOP=0 -U "$role" -d "$db" 2>&1 | tee -a "$LOG" || true
}
as_att() { as_role "$ATT" "$1" >/dev/null; }
as_su() { # superuser, errors allowed (the victim's action)
    { echo "---- superuser @ $1"; } >>"$LOG"
    psql -X -q -At -v ON_ERROR_STOP=0 -d "$1" >>"$LOG" 2>&1 || true
}

cleanup() {
    local db r
    rm -f "$DUMP"
    for db in $DBS; do
        dropdb --if-exists "$db" >/dev/null 2>&1 || true
    done
    for r in $ROLES; do
        psql -X -q -d postgres -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1 || true
    done
    if [ "${NPS_ADMIN_BEFORE:-1}" = 0 ]; then   # created during this test: remove it again
        psql -X -q -d postgres -c "DROP ROLE IF EXISTS nps_admin" >/dev/null 2>&1 || true
    fi
}
NPS_ADMIN_BEFORE=1
cleanup
NPS_ADMIN_BEFORE=$(q -d postgres -c "SELECT count(*) FROM pg_roles WHERE rolname = 'nps_admin'")
trap cleanup EXIT

for r in $ROLES; do q -d postgres -c "CREATE ROLE $r LOGIN NOSUPERUSER"; done
q -d postgres -c "ALTER ROLE $ATT CREATEDB"

# cluster-wide state before any install: role names and memberships
cluster_state() {
    q -d postgres -c "SELECT (SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles) || ' | ' ||
                             coalesce((SELECT string_agg(m.roleid::regrole || '>' || m.member::regrole || ':' || m.admin_option, ',' ORDER BY 1)
                                         FROM pg_auth_members m), '')"
}
CLUSTER_BEFORE=$(cluster_state)

# ---------------------------------------------------------------- helpers

newdb() { # db owner
    dropdb --if-exists "$1" >/dev/null 2>&1 || true
    q -d postgres -c "CREATE DATABASE $1 OWNER $2"
}

# CREATE EXTENSION nps as a role; prints the error (empty on success)
install_as() { # role db
    local out
    out=$(psql -X -q -At -v ON_ERROR_STOP=1 -U "$1" -d "$2" -c "CREATE EXTENSION nps" 2>&1) || { echo "${out:-failed}"; return 0; }
    echo ""
}
installed() { [ "$(q -d "$1" -c "SELECT count(*) FROM pg_extension WHERE extname = 'nps'")" = 1 ]; }

# the attacker's payload: att.payload(tag) records current_user, counts superuser
# runs in att.su_hits (nextval is not rolled back) and tries to escalate
plant_payload() { # db
    as_att "$1" <<'SQL'
CREATE SCHEMA att;
GRANT USAGE ON SCHEMA att TO PUBLIC;
CREATE TABLE att.marker (id bigserial, tag text, who name, su boolean, db name, at timestamptz DEFAULT clock_timestamp());
GRANT SELECT, INSERT ON att.marker TO PUBLIC;
GRANT USAGE ON SEQUENCE att.marker_id_seq TO PUBLIC;
CREATE SEQUENCE att.su_hits;
GRANT USAGE, SELECT, UPDATE ON SEQUENCE att.su_hits TO PUBLIC;
CREATE FUNCTION att.payload(tag text) RETURNS boolean
  LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog
AS $$
DECLARE
  su boolean;
BEGIN
  su := coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = current_user), false);
  IF su THEN
    BEGIN PERFORM pg_catalog.nextval('att.su_hits'); EXCEPTION WHEN others THEN NULL; END;
  END IF;
  BEGIN
    INSERT INTO att.marker (tag, who, su, db) VALUES (tag, current_user, su, current_database());
  EXCEPTION WHEN others THEN NULL;
  END;
  IF su THEN
    BEGIN EXECUTE 'ALTER ROLE attacker SUPERUSER'; EXCEPTION WHEN others THEN NULL; END;
  END IF;
  RETURN true;
END
$$;
CREATE FUNCTION att.trg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM att.payload('trigger on ' || TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME || ' ' || TG_WHEN || ' ' || TG_OP);
  IF TG_LEVEL = 'STATEMENT' THEN RETURN NULL; END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END
$$;
-- composite types with an IMPLICIT cast that runs the payload, one per key type
DO $do$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['integer', 'bigint', 'text', 'boolean', 'smallint'] LOOP
    EXECUTE format('CREATE TYPE att.%I AS (v %s)', 'ev_' || t, t);
    EXECUTE format('CREATE FUNCTION att.%I(att.%I) RETURNS %s LANGUAGE plpgsql AS %L',
                   'ev_to_' || t, 'ev_' || t, t,
                   format('BEGIN PERFORM att.payload(%L); RETURN ($1).v; END', 'implicit cast att.ev_' || t || ' -> ' || t));
    EXECUTE format('CREATE CAST (att.%I AS %s) WITH FUNCTION att.%I(att.%I) AS IMPLICIT',
                   'ev_' || t, t, 'ev_to_' || t, 'ev_' || t);
  END LOOP;
END
$do$;
SQL
}

hits() { q -d "$1" -c "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM att.su_hits" 2>/dev/null || echo 0; }
last_marker() { q -d "$1" -c "SELECT coalesce(max(id), 0) FROM att.marker" 2>/dev/null || echo 0; }
su_tags() { # db since_id
    # runs as someone else than the attacker first (once the attacker is a superuser,
    # its own steps count too)
    q -d "$1" -c "SELECT coalesce(string_agg(x, '; ' ORDER BY own, x), '') FROM (
                    SELECT DISTINCT tag || ' (as ' || who || ')' AS x, who = '$ATT' AS own FROM att.marker
                     WHERE su AND id > $2 ORDER BY own, x LIMIT 6) s" 2>/dev/null || true
}
attacker_super() { q -d postgres -c "SELECT rolsuper FROM pg_roles WHERE rolname = '$ATT'"; }
reset_attacker() { q -d postgres -c "ALTER ROLE $ATT NOSUPERUSER" >/dev/null; }

# attack NAME DB FUNCTION [ARGS]: run the attack steps (a shell function; errors are
# defences), then judge: no planted code ran as a superuser, attacker is no superuser
attack() {
    local name=$1 db=$2 h0 m0 h1 su tags
    shift 2
    h0=$(hits "$db"); m0=$(last_marker "$db")
    "$@" >>"$LOG" 2>&1 || true
    h1=$(hits "$db"); su=$(attacker_super)
    if [ "$h1" -gt "$h0" ] || [ "$su" = t ]; then
        tags=$(su_tags "$db" "$m0")
        notok "$name" "planted code ran as a superuser $((h1 - h0)) time(s), attacker rolsuper=$su: ${tags:-marker rows rolled back with the statement}"
    else
        ok "$name"
    fi
    reset_attacker
}

# the blocked-install outcome: CREATE EXTENSION refused counts as defended
install_or_ok() { # name db role -> 0 if installed, 1 if refused (ok printed)
    local err
    err=$(install_as "$3" "$2")
    if [ -n "$err" ]; then
        ok "$1 (CREATE EXTENSION refused: $(echo "$err" | head -n1 | cut -c1-120))"
        return 1
    fi
    return 0
}

# a small data set (as the extension owner: it has full use of the data)
seed() { # role db
    as_role "$1" "$2" >/dev/null <<'SQL'
SET nps.notify = off;
INSERT INTO nps.journey (id, code, name) VALUES (1, 'retail', 'Retail'), (2, 'support', 'Support'), (3, 'spare', 'Spare');
INSERT INTO nps.touchpoint (id, journey_id, stage_order, code, name) VALUES
  (1, 1, 1, 'presale', 'Presale'), (2, 1, 2, 'delivery', 'Delivery'), (3, 2, 1, 'hotline', 'Hotline'), (4, 3, 1, 'spare', 'Spare');
INSERT INTO nps.owner (id, name, owner_kind, email, role_name) VALUES
  (1, 'A', 'person', 'a@example.com', 'nps_sec_own_a'), (2, 'B', 'person', 'b@example.com', 'nps_sec_own_b'),
  (3, 'Installer', 'person', 'i@example.com', 'attacker');
INSERT INTO nps.metric (code, name, metric_kind, measure, unit) VALUES ('nps_x', 'NPS x', 'nps', 'score', 'points');
INSERT INTO nps.metric_owner (metric, journey_id, touchpoint_id, owner_id, target) VALUES
  ('nps', 1, 1, 1, 30), ('nps', 1, 2, 2, 30), ('nps_x', 1, NULL, 2, 30), ('nps_x', 3, 4, 1, 30), ('csat', 2, 3, 1, 80),
  -- the installer owns something itself: owned_touchpoints()/owned_journeys() of it
  -- then read every table they join (whatever the plan)
  ('csat', 1, 1, 3, 80), ('csat', 1, NULL, 3, 80);
INSERT INTO nps.response (customer, touchpoint_id, answered_at, score, csat, ces, reasons)
SELECT 'c' || g, 1 + g % 3, now() - g * interval '5 hours', g % 11, 1 + g % 5, 1 + g % 7,
       CASE WHEN g % 2 = 0 THEN ARRAY['slow'] ELSE '{}' END
  FROM generate_series(1, 24) g;
INSERT INTO nps.journey_event (customer, touchpoint_id, occurred_at)
SELECT 'c' || g, 1 + g % 3, now() - g * interval '3 hours' FROM generate_series(1, 12) g;
INSERT INTO nps.service_case (customer, touchpoint_id, opened_at, resolved_at)
SELECT 'c' || g, 1 + g % 3, now() - g * interval '1 day', now() - g * interval '1 day' + interval '2 hours'
  FROM generate_series(1, 6) g;
SQL
}

# SQL reading every relation of the extension and calling every function of it whose
# arguments all have defaults (not void, not trigger), in the schema it lives in now
reader_sql() { # db
    q -d "$1" <<'SQL'
SELECT format('SELECT * FROM %I.%I;', n.nspname, c.relname)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'nps'
 WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f')
UNION ALL
SELECT DISTINCT format('SELECT * FROM %I.%I();', n.nspname, p.proname)
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'nps'
 WHERE p.prokind = 'f' AND p.pronargs = p.pronargdefaults
   AND p.prorettype NOT IN ('void'::regtype, 'trigger'::regtype);
SQL
}
views_sql() { # db: read every view of the extension (where it lives now)
    q -d "$1" <<'SQL'
SELECT format('SELECT count(*) FROM %I.%I;', n.nspname, c.relname)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'nps'
 WHERE c.relkind IN ('v', 'm') ORDER BY c.relname;
SQL
}
# the *_at functions and every other set-returning / valued function with all-default
# arguments that is not SECURITY DEFINER (what a superuser's dashboard calls)
functions_sql() { # db
    q -d "$1" <<'SQL'
SELECT DISTINCT format('SELECT count(*) FROM %I.%I();', n.nspname, p.proname)
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'nps'
 WHERE p.prokind = 'f' AND p.pronargs = p.pronargdefaults AND NOT p.prosecdef
   AND p.prorettype NOT IN ('void'::regtype, 'trigger'::regtype);
SQL
}

# Objects of the extension (and the constraints, defaults, rules, triggers,
# policies and indexes of its tables and views) that depend on a function,
# operator, type, collation or relation that is neither part of the extension
# nor of pg_catalog: bound to something planted.
foreign_bindings() { # db
    q -d "$1" <<'SQL'
WITH members AS (
  SELECT d.classid, d.objid FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
   WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e' AND e.extname = 'nps'
), rels AS (
  SELECT objid AS relid FROM members WHERE classid = 'pg_class'::regclass
), objs AS (
  SELECT classid, objid FROM members
  UNION SELECT 'pg_constraint'::regclass, c.oid FROM pg_constraint c
         WHERE c.conrelid IN (SELECT relid FROM rels)
            OR c.contypid IN (SELECT objid FROM members WHERE classid = 'pg_type'::regclass)
  UNION SELECT 'pg_attrdef'::regclass, a.oid FROM pg_attrdef a WHERE a.adrelid IN (SELECT relid FROM rels)
  UNION SELECT 'pg_rewrite'::regclass, r.oid FROM pg_rewrite r WHERE r.ev_class IN (SELECT relid FROM rels)
  UNION SELECT 'pg_trigger'::regclass, t.oid FROM pg_trigger t WHERE t.tgrelid IN (SELECT relid FROM rels)
  UNION SELECT 'pg_policy'::regclass, p.oid FROM pg_policy p WHERE p.polrelid IN (SELECT relid FROM rels)
  UNION SELECT 'pg_class'::regclass, i.indexrelid FROM pg_index i WHERE i.indrelid IN (SELECT relid FROM rels)
), refs AS (
  SELECT DISTINCT d.refclassid, d.refobjid,
         CASE d.refclassid
           WHEN 'pg_proc'::regclass THEN (SELECT pronamespace FROM pg_proc WHERE oid = d.refobjid)
           WHEN 'pg_operator'::regclass THEN (SELECT oprnamespace FROM pg_operator WHERE oid = d.refobjid)
           WHEN 'pg_type'::regclass THEN (SELECT typnamespace FROM pg_type WHERE oid = d.refobjid)
           WHEN 'pg_collation'::regclass THEN (SELECT collnamespace FROM pg_collation WHERE oid = d.refobjid)
           WHEN 'pg_class'::regclass THEN (SELECT relnamespace FROM pg_class WHERE oid = d.refobjid)
         END AS nsp
    FROM pg_depend d JOIN objs o ON o.classid = d.classid AND o.objid = d.objid
   WHERE d.refclassid IN ('pg_proc'::regclass, 'pg_operator'::regclass, 'pg_type'::regclass,
                          'pg_collation'::regclass, 'pg_class'::regclass)
)
SELECT coalesce(string_agg(pg_describe_object(r.refclassid, r.refobjid, 0), ', ' ORDER BY 1), '')
  FROM refs r
 WHERE r.nsp IS DISTINCT FROM 'pg_catalog'::regnamespace
   AND NOT EXISTS (SELECT FROM objs o WHERE o.classid = r.refclassid AND o.objid = r.refobjid)
   -- array types and row types of the extension's own objects
   AND NOT EXISTS (SELECT FROM pg_type t JOIN objs o ON (o.classid = 'pg_type'::regclass AND o.objid = t.typelem)
                                                  OR (o.classid = 'pg_class'::regclass AND o.objid = t.typrelid)
                    WHERE r.refclassid = 'pg_type'::regclass AND t.oid = r.refobjid)
   -- the relation behind a composite type of the extension (column references
   -- such as (r).nps in SQL bodies bound at creation depend on it)
   AND NOT EXISTS (SELECT FROM pg_class c JOIN objs o ON o.classid = 'pg_type'::regclass AND o.objid = c.reltype
                    WHERE r.refclassid = 'pg_class'::regclass AND c.oid = r.refobjid);
SQL
}

# the look-alike schema: rename nps, create a new nps with a wrapper of every
# function and aggregate (same signature, runs the payload, then the real one)
# and a view per table/view that runs the payload for every row
plant_lookalikes() { # db
    as_att "$1" <<'SQL'
ALTER SCHEMA nps RENAME TO nps_real;
CREATE SCHEMA nps;
GRANT USAGE ON SCHEMA nps TO PUBLIC;
DO $plant$
DECLARE
  f record;
  callargs text;
  ag pg_aggregate;
  wname text;
BEGIN
  SET LOCAL search_path = pg_catalog;
  FOR f IN
    SELECT p.oid, p.proname, p.pronargs, p.prokind
      FROM pg_proc p
      JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
      JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'nps'
     WHERE p.prokind IN ('f', 'a')
       AND p.prorettype NOT IN ('trigger'::regtype, 'cstring'::regtype, 'internal'::regtype)
       AND NOT p.proargtypes::oid[] && ARRAY['internal'::regtype, 'cstring'::regtype]::oid[]
     ORDER BY p.oid
  LOOP
    BEGIN
      IF f.prokind = 'f' THEN
        callargs := coalesce((SELECT string_agg('$' || i, ', ') FROM generate_series(1, f.pronargs) i), '');
        EXECUTE format('CREATE FUNCTION nps.%I(%s) RETURNS %s LANGUAGE sql AS %L',
          f.proname, pg_get_function_arguments(f.oid), pg_get_function_result(f.oid),
          format('SELECT att.payload(%L); SELECT * FROM nps_real.%I(%s)',
                 'look-alike nps.' || f.proname || '()', f.proname, callargs));
      ELSE
        -- the real transition function, a final function that runs the payload
        SELECT * INTO ag FROM pg_aggregate WHERE aggfnoid = f.oid;
        wname := 'lookalike_final_' || f.oid;
        EXECUTE format('CREATE FUNCTION att.%I(%s) RETURNS %s LANGUAGE sql AS %L',
          wname, ag.aggtranstype::regtype, (SELECT prorettype FROM pg_proc WHERE oid = ag.aggfinalfn)::regtype,
          format('SELECT att.payload(%L); SELECT * FROM %s($1)', 'look-alike aggregate nps.' || f.proname,
                 ag.aggfinalfn::regproc));
        EXECUTE format('CREATE AGGREGATE nps.%I(%s) (SFUNC = %s, STYPE = %s, FINALFUNC = att.%I%s)',
          f.proname, pg_get_function_identity_arguments(f.oid), ag.aggtransfn::regproc, ag.aggtranstype::regtype,
          wname, CASE WHEN ag.agginitval IS NOT NULL THEN ', INITCOND = ' || quote_literal(ag.agginitval) ELSE '' END);
      END IF;
    EXCEPTION WHEN others THEN
      RAISE NOTICE 'look-alike of % not planted: %', f.oid::regprocedure, SQLERRM;
    END;
  END LOOP;
  FOR f IN
    SELECT c.relname
      FROM pg_class c
      JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
      JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'nps'
     WHERE c.relkind IN ('r', 'v', 'p', 'm', 'f')
  LOOP
    BEGIN
      EXECUTE format('CREATE VIEW nps.%I WITH (security_invoker = true) AS SELECT x.* FROM nps_real.%I x WHERE att.payload(%L)',
                     f.relname, f.relname, 'look-alike relation nps.' || f.relname);
      EXECUTE format('GRANT ALL ON nps.%I TO PUBLIC', f.relname);
    EXCEPTION WHEN others THEN
      RAISE NOTICE 'look-alike of relation % not planted: %', f.relname, SQLERRM;
    END;
  END LOOP;
END
$plant$;
SQL
}
# schema of the extension now (nps, or nps_real after a rename)
ext_schema() { q -d "$1" -c "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'nps'"; }

# ================================================================ c0: baseline
# the suite is only meaningful if the trusted install by a database owner works
newdb nps_sec_c0 "$ATT"
err=$(install_as "$ATT" nps_sec_c0)
if [ -n "$err" ]; then
    notok "c0 setup: trusted CREATE EXTENSION nps by a non-superuser database owner" "$err"
else
    ok "c0 setup: trusted CREATE EXTENSION nps by a non-superuser database owner"
    fb=$(foreign_bindings nps_sec_c0)
    if [ -n "$fb" ]; then
        notok "c0 a clean install binds nothing outside the extension and pg_catalog" "$fb"
    else
        ok "c0 a clean install binds nothing outside the extension and pg_catalog"
    fi
fi
dropdb nps_sec_c0

# ================================================================ c1: triggers
# c1.1/c1.2: triggers the installer puts on the tables foreign-key actions change
newdb nps_sec_c1 "$ATT"
if install_or_ok "c1 foreign-key actions" nps_sec_c1 "$ATT"; then
    plant_payload nps_sec_c1
    seed "$ATT" nps_sec_c1
    # BEFORE row triggers: they run inside the foreign-key action, as the owner of the
    # table it changes.  (AFTER triggers queued by the action fire later as the user
    # of the outer statement: for a superuser writing into tables the attacker owns,
    # that is generic PostgreSQL behaviour, so they are not planted here.)
    as_att nps_sec_c1 <<'SQL'
CREATE TRIGGER evil_upd BEFORE UPDATE ON nps.metric_owner FOR EACH ROW EXECUTE FUNCTION att.trg();
CREATE TRIGGER evil_del BEFORE DELETE ON nps.metric_owner FOR EACH ROW EXECUTE FUNCTION att.trg();
CREATE TRIGGER evil_del BEFORE DELETE ON nps.touchpoint FOR EACH ROW EXECUTE FUNCTION att.trg();
SQL
    c1_upd_att() { as_att nps_sec_c1 <<<"UPDATE nps.metric SET code = 'nps_y' WHERE code = 'nps_x';"; }
    c1_upd_su() { as_su nps_sec_c1 <<<"UPDATE nps.metric SET code = 'nps_z' WHERE code IN ('nps_x', 'nps_y');"; }
    c1_del_att() { as_att nps_sec_c1 <<<"SET nps.notify = off; DELETE FROM nps.response WHERE touchpoint_id = 3; DELETE FROM nps.journey_event WHERE touchpoint_id = 3; DELETE FROM nps.service_case WHERE touchpoint_id = 3; DELETE FROM nps.journey WHERE id = 2;"; }
    c1_del_su() { as_su nps_sec_c1 <<<"DELETE FROM nps.journey WHERE id = 3;"; }
    attack "c1.1 ON UPDATE CASCADE nps.metric -> metric_owner (installer's UPDATE) fires no installer trigger as superuser" nps_sec_c1 c1_upd_att
    attack "c1.1b ON UPDATE CASCADE nps.metric -> metric_owner (superuser's UPDATE) fires no installer trigger as superuser" nps_sec_c1 c1_upd_su
    attack "c1.2 ON DELETE CASCADE nps.journey -> touchpoint/metric_owner (installer's DELETE) fires no installer trigger as superuser" nps_sec_c1 c1_del_att
    attack "c1.2b ON DELETE CASCADE nps.journey -> touchpoint/metric_owner (superuser's DELETE) fires no installer trigger as superuser" nps_sec_c1 c1_del_su
fi

# c1.3: REFERENCES: the installer's table references every single-column key of
# every nps table through a type with an implicit cast (the foreign-key check
# runs as the owner of the referenced table and applies the cast)
newdb nps_sec_c1ref "$ATT"
if install_or_ok "c1.3 REFERENCES" nps_sec_c1ref "$ATT"; then
    plant_payload nps_sec_c1ref
    seed "$ATT" nps_sec_c1ref
    as_att nps_sec_c1ref <<<"SELECT nps.enable_owner_security();"
    c1_ref() {
        as_att nps_sec_c1ref <<'SQL'
DO $do$
DECLARE
  r record;
BEGIN
  FOR r IN
    SELECT k.conname, c.oid::regclass AS tbl, a.attname, format_type(a.atttypid, NULL) AS typ
      FROM pg_constraint k
      JOIN pg_class c ON c.oid = k.conrelid
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.conkey[1]
      JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
      JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'nps'
     WHERE k.contype IN ('p', 'u') AND cardinality(k.conkey) = 1
  LOOP
    BEGIN
      EXECUTE format('CREATE TABLE att.%I (k att.%I REFERENCES %s (%I))', 'ref_' || r.conname, 'ev_' || r.typ, r.tbl, r.attname);
      EXECUTE format('INSERT INTO att.%I SELECT ROW(x.%I)::att.%I FROM %s x LIMIT 1', 'ref_' || r.conname, r.attname, 'ev_' || r.typ, r.tbl);
      RAISE NOTICE 'references %.%: done', r.tbl, r.attname;
    EXCEPTION WHEN others THEN
      RAISE NOTICE 'references %.%: %', r.tbl, r.attname, SQLERRM;
    END;
  END LOOP;
END
$do$;
SQL
    }
    attack "c1.3 REFERENCES to every nps key via an implicit cast runs no installer code as superuser" nps_sec_c1ref c1_ref
fi

# c1.4/c1.5: a trigger on every nps table (every event)
newdb nps_sec_c1any "$ATT"
if install_or_ok "c1.4 triggers on every nps table" nps_sec_c1any "$ATT"; then
    plant_payload nps_sec_c1any
    seed "$ATT" nps_sec_c1any
    as_att nps_sec_c1any <<'SQL'
DO $do$
DECLARE
  t regclass;
BEGIN
  FOR t IN
    SELECT c.oid FROM pg_class c
      JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
      JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'nps'
     WHERE c.relkind IN ('r', 'p')
  LOOP
    BEGIN
      EXECUTE format('CREATE TRIGGER evil_row BEFORE INSERT OR UPDATE OR DELETE ON %s FOR EACH ROW EXECUTE FUNCTION att.trg()', t);
      EXECUTE format('CREATE TRIGGER evil_stmt AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION att.trg()', t);
      RAISE NOTICE 'triggers on %', t;
    EXCEPTION WHEN others THEN
      RAISE NOTICE 'no trigger on %: %', t, SQLERRM;
    END;
  END LOOP;
END
$do$;
SQL
    # c1.5: a superuser's DML on each table (ETL insert into response, no-op updates):
    # a trigger firing as the superuser counts only on a table the attacker does not own
    c15_fail=""
    for tbl in $(q -d nps_sec_c1any -c "SELECT c.oid::regclass FROM pg_class c
                   JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
                   JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'nps' WHERE c.relkind IN ('r', 'p') ORDER BY 1"); do
        h0=$(hits nps_sec_c1any)
        if [ "$tbl" = nps.response ]; then
            as_su nps_sec_c1any <<<"INSERT INTO nps.response (customer, touchpoint_id, answered_at, score) VALUES ('etl1', 1, now(), 2), ('etl2', 2, now(), 10);"
        fi
        col=$(q -d nps_sec_c1any -c "SELECT quote_ident(attname) FROM pg_attribute WHERE attrelid = '$tbl'::regclass AND attnum = 1")
        as_su nps_sec_c1any <<<"SET nps.notify = off; UPDATE $tbl SET $col = $col;"
        h1=$(hits nps_sec_c1any)
        reset_attacker
        if [ "$h1" -gt "$h0" ]; then
            # counted unless the attacker owns the table (or is a member of its owner)
            owned=$(q -d nps_sec_c1any -c "SELECT pg_has_role('$ATT', c.relowner, 'MEMBER') FROM pg_class c WHERE c.oid = '$tbl'::regclass")
            [ "$owned" = t ] || c15_fail="$c15_fail $tbl"
        fi
    done
    if [ -n "$c15_fail" ]; then
        notok "c1.5 triggers added on superuser-owned nps tables do not fire as the superuser writing to them" "installer's triggers ran as superuser on:$c15_fail"
    else
        ok "c1.5 triggers added on superuser-owned nps tables do not fire as the superuser writing to them"
    fi
    # c1.4: extension code paths the installer can start itself
    c14() {
        as_att nps_sec_c1any <<'SQL'
SELECT nps.enable_owner_security();
INSERT INTO nps.response (customer, touchpoint_id, answered_at, score) VALUES ('att1', 1, now(), 1);
UPDATE nps.metric SET code = 'nps_q' WHERE code = 'nps_x';
SELECT nps.disable_owner_security();
SELECT nps.enable_owner_security();
SET nps.notify = off;
DELETE FROM nps.response WHERE touchpoint_id = 3;
DELETE FROM nps.journey_event WHERE touchpoint_id = 3;
DELETE FROM nps.service_case WHERE touchpoint_id = 3;
DELETE FROM nps.journey WHERE id = 2;
TRUNCATE nps.journey CASCADE;
TRUNCATE nps.response, nps.journey_event, nps.service_case, nps.metric_owner, nps.touchpoint, nps.journey, nps.owner;
SQL
    }
    attack "c1.4 cascades, TRUNCATE and the extension's functions fire no installer trigger (on any nps table) as superuser" nps_sec_c1any c14
fi

# ================================================================ c2: look-alike schema
newdb nps_sec_c2 "$ATT"
if install_or_ok "c2 schema rename + look-alike nps" nps_sec_c2 "$ATT"; then
    plant_payload nps_sec_c2
    seed "$ATT" nps_sec_c2
    # owner security on, with a mapped owner role that may read (for the policy variant)
    as_att nps_sec_c2 <<SQL
SELECT nps.enable_owner_security();
GRANT USAGE ON SCHEMA nps TO $OWN_A;
GRANT SELECT ON nps.response, nps.service_case, nps.metric_owner, nps.touchpoint, nps.owner, nps.metric, nps.journey TO $OWN_A;
SQL
    q -d nps_sec_c2 -c "GRANT USAGE ON SCHEMA nps TO $OWN_A" -c "GRANT SELECT ON ALL TABLES IN SCHEMA nps TO $OWN_A"
    if ! plant_lookalikes nps_sec_c2 || [ "$(ext_schema nps_sec_c2)" = nps ]; then
        ok "c2 schema rename refused (schema nps can not be renamed by the installer)"
    else
        S=$(ext_schema nps_sec_c2)
        c2_ins_att() { as_att nps_sec_c2 <<<"SET nps.notify = on; INSERT INTO $S.response (customer, touchpoint_id, answered_at, score) VALUES ('x1', 1, now(), 1), ('x2', 2, now(), 4);"; }
        c2_ins_su() { as_su nps_sec_c2 <<<"SET nps.notify = on; INSERT INTO $S.response (customer, touchpoint_id, answered_at, score) VALUES ('etl1', 1, now(), 1), ('etl2', 3, now(), 5);"; }
        c2_policy() { as_role "$OWN_A" nps_sec_c2 >/dev/null <<<"SELECT count(*) FROM $S.response; SELECT count(*) FROM $S.metric_owner; SELECT count(*) FROM $S.service_case;"; }
        attack "c2.1 installer's INSERT into the renamed response: its trigger runs no look-alike as superuser" nps_sec_c2 c2_ins_att
        attack "c2.2 superuser ETL INSERT into the renamed response runs no look-alike as superuser" nps_sec_c2 c2_ins_su
        attack "c2.3 row-level security policies read by an owner role run no look-alike as superuser" nps_sec_c2 c2_policy
        # every SECURITY DEFINER function of the extension, found in pg_proc
        mapfile -t secdefs < <(q -d nps_sec_c2 -c "SELECT p.oid || '|' || p.oid::regprocedure || '|' || (p.prorettype = 'trigger'::regtype) || '|' || (p.pronargs = p.pronargdefaults)
              FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
              JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'nps' WHERE p.prosecdef ORDER BY p.proname")
        for line in "${secdefs[@]}"; do
            IFS='|' read -r oid sig is_trigger all_defaults <<<"$line"
            if [ "$is_trigger" = true ]; then
                # attached to tables of the installer (statement level with the transition
                # table the function reads, and row level), one table each
                c2_secdef() {
                    as_att nps_sec_c2 <<SQL
CREATE TABLE att.hosts_$oid (LIKE $S.response INCLUDING DEFAULTS);
CREATE TABLE att.hostr_$oid (LIKE $S.response INCLUDING DEFAULTS);
CREATE TRIGGER s AFTER INSERT ON att.hosts_$oid REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION $sig;
CREATE TRIGGER r AFTER INSERT ON att.hostr_$oid FOR EACH ROW EXECUTE FUNCTION $sig;
SET nps.notify = on;
INSERT INTO att.hosts_$oid (id, customer, touchpoint_id, answered_at, score) VALUES (1, 'h', 1, now(), 2);
INSERT INTO att.hostr_$oid (id, customer, touchpoint_id, answered_at, score) VALUES (1, 'h', 1, now(), 2);
SQL
                }
            elif [ "$all_defaults" = true ]; then
                c2_secdef() { as_att nps_sec_c2 <<<"SELECT * FROM ${sig%%(*}();"; }
            else
                c2_secdef() { :; }
            fi
            attack "c2.4 SECURITY DEFINER ${sig/nps_real./nps.} called by the installer after the rename runs no look-alike as superuser" nps_sec_c2 c2_secdef
        done
        # what a superuser's dashboard reads: every view and *_at function, in the renamed schema
        c2_views() { views_sql nps_sec_c2 | as_su nps_sec_c2; }
        c2_funcs() { functions_sql nps_sec_c2 | as_su nps_sec_c2; }
        attack "c2.5 views of the renamed schema read by a superuser run no look-alike" nps_sec_c2 c2_views
        attack "c2.6 *_at and other functions of the renamed schema called by a superuser run no look-alike" nps_sec_c2 c2_funcs
    fi
fi

# ================================================================ c3: prepared schema
# each variant: the installer prepares schema nps, then CREATE EXTENSION; refused = ok;
# otherwise the victim actions must run nothing planted as superuser and no object of
# the extension may be bound to a planted one
c3_victims() { # db
    local db=$1
    as_su "$db" <<'SQL'
SET nps.notify = on;
INSERT INTO nps.journey (code, name) VALUES ('etl', 'ETL');
INSERT INTO nps.touchpoint (journey_id, stage_order, code, name)
  SELECT id, 1, 'etl', 'ETL' FROM nps.journey WHERE code = 'etl';
INSERT INTO nps.owner (name, owner_kind, department, email, role_name) VALUES ('etl', 'person', 'dept', 'e@example.com', 'nps_sec_own_a');
INSERT INTO nps.metric_owner (metric, journey_id, touchpoint_id, owner_id, target, alert_line, min_responses)
  SELECT 'nps', j.id, t.id, o.id, 30, 10, 5 FROM nps.journey j JOIN nps.touchpoint t ON t.journey_id = j.id, nps.owner o
   WHERE j.code = 'etl' AND o.name = 'etl' LIMIT 1;
INSERT INTO nps.response (customer, touchpoint_id, answered_at, segment, channel, score, csat, ces, comment, reasons, followed_up_at)
  SELECT 'etl-c', t.id, now() - interval '1 hour', 'VIP', 'app', 3, 4, 5, 'bad', ARRAY['slow', 'rude'], now()
    FROM nps.touchpoint t WHERE t.code = 'etl';
INSERT INTO nps.response (customer, touchpoint_id, answered_at, score, reasons)
  SELECT 'etl-d', t.id, now() - interval '2 hours', 2, '{}' FROM nps.touchpoint t WHERE t.code = 'etl';
UPDATE nps.response SET reasons = ARRAY['late'], followed_up_at = now() WHERE customer = 'etl-d';
INSERT INTO nps.journey_event (customer, touchpoint_id, occurred_at) SELECT 'etl-c', t.id, now() FROM nps.touchpoint t WHERE t.code = 'etl';
INSERT INTO nps.service_case (customer, touchpoint_id, opened_at, first_response_at, resolved_at, contacts, complaint, reopened)
  SELECT 'etl-c', t.id, now() - interval '3 hours', now() - interval '2 hours', now(), 2, true, true FROM nps.touchpoint t WHERE t.code = 'etl';
INSERT INTO nps.metric (code, name, metric_kind, measure, unit, sla) VALUES ('etl_sla', 'SLA', 'rate', 'resolution_within_sla', '%', interval '1 day');
SELECT (nps.nps_agg(s)).nps, (nps.csat_agg(s)).csat FROM unnest(ARRAY[1, 2, 5]::smallint[]) s;
SQL
    views_sql "$db" | as_su "$db"
    functions_sql "$db" | as_su "$db"
    as_att "$db" <<<"SELECT nps.enable_owner_security(); SELECT * FROM nps.owned_touchpoints(); SELECT * FROM nps.owned_journeys(); SELECT nps.disable_owner_security();"
}
c3_variant() { # name db planting-sql(stdin)
    local name=$1 db=$2 fb
    newdb "$db" "$ATT"
    plant_payload "$db"
    as_att "$db"        # plants schema nps from stdin
    if install_or_ok "$name" "$db" "$ATT"; then
        attack "$name: victim actions (superuser ETL, views, *_at, security functions) run nothing planted as superuser" "$db" c3_victims "$db"
        fb=$(foreign_bindings "$db")
        if [ -n "$fb" ]; then
            notok "$name: no extension object bound to a planted one" "$fb"
        else
            ok "$name: no extension object bound to a planted one"
        fi
    fi
}
c3_variant "c3.1 schema nps prepared with better-matching functions (array_ndims, array_position, ...)" nps_sec_c3fn <<'SQL'
CREATE SCHEMA nps;
DO $do$
DECLARE
  s text;
BEGIN
  -- every signature: a more specific overload of a pg_catalog function
  FOREACH s IN ARRAY ARRAY[
      'array_ndims(text[]) RETURNS integer|pg_catalog.array_ndims($1)',
      'array_position(text[], text) RETURNS integer|pg_catalog.array_position($1, $2)',
      'array_length(text[], integer) RETURNS integer|pg_catalog.array_length($1, $2)',
      'cardinality(text[]) RETURNS integer|pg_catalog.cardinality($1)',
      'btrim(name) RETURNS text|pg_catalog.btrim($1::text)',
      'btrim(character varying) RETURNS text|pg_catalog.btrim($1::text)',
      'now() RETURNS timestamptz|pg_catalog.now()',
      'to_json(text) RETURNS json|pg_catalog.to_json($1)',
      'to_json(name) RETURNS json|pg_catalog.to_json($1)',
      'format(text, name) RETURNS text|pg_catalog.format($1, $2)',
      'format(text, text) RETURNS text|pg_catalog.format($1, $2)',
      'pg_has_role(name, oid, text) RETURNS boolean|pg_catalog.pg_has_role($1, $2, $3)',
      'current_setting(text, boolean) RETURNS text|pg_catalog.current_setting($1, $2)',
      'pg_notify(text, text) RETURNS void|pg_catalog.pg_notify($1, $2)',
      'lower(text) RETURNS text|pg_catalog.lower($1)',
      'abs(double precision) RETURNS double precision|pg_catalog.abs($1)',
      'sqrt(double precision) RETURNS double precision|pg_catalog.sqrt($1)',
      'octet_length(text) RETURNS integer|pg_catalog.octet_length($1)',
      'pg_extension_config_dump(text, text) RETURNS void|pg_catalog.pg_extension_config_dump($1::regclass, $2)'] LOOP
    BEGIN
      EXECUTE format('CREATE FUNCTION nps.%s LANGUAGE plpgsql AS %L', split_part(s, '|', 1),
                     format('BEGIN PERFORM att.payload(%L); %s %s; END', 'planted nps.' || split_part(s, '|', 1),
                            CASE WHEN s LIKE '%RETURNS void%' THEN 'PERFORM' ELSE 'RETURN' END, split_part(s, '|', 2)));
    EXCEPTION WHEN others THEN
      RAISE NOTICE 'not planted: %: %', s, SQLERRM;
    END;
  END LOOP;
END
$do$;
SQL
c3_variant "c3.2 schema nps prepared with tables (one the script creates, one it does not)" nps_sec_c3tab <<'SQL'
CREATE SCHEMA nps;
CREATE TABLE nps.owner_security (singleton boolean PRIMARY KEY DEFAULT true, enabled_at timestamptz NOT NULL DEFAULT now());
CREATE TRIGGER evil BEFORE INSERT OR UPDATE OR DELETE ON nps.owner_security FOR EACH ROW EXECUTE FUNCTION att.trg();
CREATE TABLE nps.audit (x integer);
CREATE TRIGGER evil BEFORE INSERT OR UPDATE OR DELETE ON nps.audit FOR EACH ROW EXECUTE FUNCTION att.trg();
CREATE VIEW nps.metric_owner_v AS SELECT att.payload('planted view nps.metric_owner_v') AS p;
SQL
c3_variant "c3.3 schema nps prepared with types and domains (text, name, timestamptz, ...)" nps_sec_c3type <<'SQL'
CREATE SCHEMA nps;
CREATE FUNCTION att.check_text(pg_catalog.text) RETURNS boolean LANGUAGE sql AS $$SELECT att.payload('planted domain check')$$;
CREATE DOMAIN nps.text AS pg_catalog.text CHECK (att.check_text(VALUE));
CREATE DOMAIN nps.name AS pg_catalog.name CHECK (att.check_text(VALUE::pg_catalog.text));
CREATE DOMAIN nps.timestamptz AS pg_catalog.timestamptz CHECK (att.check_text(VALUE::pg_catalog.text));
CREATE DOMAIN nps.regclass AS pg_catalog.regclass CHECK (att.check_text(VALUE::pg_catalog.text));
CREATE DOMAIN nps.json AS pg_catalog.json CHECK (att.check_text(VALUE::pg_catalog.text));
CREATE DOMAIN nps.jsonb AS pg_catalog.jsonb CHECK (att.check_text(VALUE::pg_catalog.text));
CREATE TYPE nps.interval AS (x integer);
CREATE TYPE nps.nps_label AS ENUM ('a');
SQL
c3_variant "c3.4 schema nps prepared with operators (~, <>, =, <=, >=, >, <, ||, IN on the script's types)" nps_sec_c3op <<'SQL'
CREATE SCHEMA nps;
DO $do$
DECLARE
  o text;
  i integer := 0;
BEGIN
  FOREACH o IN ARRAY ARRAY[
      '~|text|text', '~|text|unknown', '<>|text|text', '=|text|text', '=|text|unknown', '=|integer|integer',
      '=|bigint|bigint', '<=|smallint|integer', '>=|smallint|integer', '>=|timestamp with time zone|timestamp with time zone',
      '>|double precision|double precision', '<|double precision|double precision', '>|interval|interval',
      '|||text|text', '=|name|name', '<>|name|text', '>=|integer|integer', '=|boolean|boolean'] LOOP
    i := i + 1;
    BEGIN
      EXECUTE format('CREATE FUNCTION att.%I(%s, %s) RETURNS boolean LANGUAGE plpgsql AS %L', 'op_' || i,
                     split_part(o, '|', 2), split_part(o, '|', 3),
                     format('BEGIN RETURN att.payload(%L); END', 'planted operator nps.' || split_part(o, '|', 1)));
      EXECUTE format('CREATE OPERATOR nps.%s (LEFTARG = %s, RIGHTARG = %s, FUNCTION = att.%I)',
                     split_part(o, '|', 1), split_part(o, '|', 2), split_part(o, '|', 3), 'op_' || i);
    EXCEPTION WHEN others THEN
      RAISE NOTICE 'operator % not planted: %', o, SQLERRM;
    END;
  END LOOP;
END
$do$;
SQL

# ================================================================ c7: leaks under owner security
# The victim's database: owner roles A (presale), B (delivery), J (the whole support
# journey), SNOOP (mapped to nothing); every role may read every table.  What A must
# not see: customers of B's and J's touchpoints (SECRETCUST), e-mails of B and J
# (SECRETMAIL); what SNOOP must not see: any customer or e-mail.
VDB=nps_sec_victim
newdb "$VDB" "$VICTIM"
verr=$(install_as "$VICTIM" "$VDB")
if [ -n "$verr" ]; then
    notok "c7 setup: the victim's trusted install" "$verr"
else
    as_role "$VICTIM" "$VDB" >/dev/null <<SQL
SET nps.notify = off;
INSERT INTO nps.journey (id, code, name) VALUES (1, 'retail', 'Retail'), (2, 'support', 'Support');
INSERT INTO nps.touchpoint (id, journey_id, stage_order, code, name) VALUES
  (1, 1, 1, 'presale', 'Presale'), (2, 1, 2, 'delivery', 'Delivery'), (3, 2, 1, 'hotline', 'Hotline');
INSERT INTO nps.owner (id, name, owner_kind, email, role_name) VALUES
  (1, 'Owner A', 'person', 'visible-mail-a@example.com', '$OWN_A'),
  (2, 'Owner B', 'person', 'SECRETMAIL-b@example.com', '$OWN_B'),
  (3, 'Owner J', 'department', 'SECRETMAIL-j@example.com', '$OWN_J');
INSERT INTO nps.metric_owner (metric, journey_id, touchpoint_id, owner_id, target) VALUES
  ('nps', 1, 1, 1, 30), ('nps', 1, 2, 2, 30), ('nps', 2, NULL, 3, 30), ('csat', 1, 2, 2, 80);
INSERT INTO nps.response (customer, touchpoint_id, answered_at, score, comment, reasons)
SELECT CASE tp WHEN 1 THEN 'visible-cust-' ELSE 'SECRETCUST-' || tp || '-' END || g, tp,
       now() - g * interval '4 hours', (g * 3) % 11, 'comment ' || g, ARRAY['reason' || (g % 3)]
  FROM generate_series(1, 3) tp, generate_series(1, 8) g;
INSERT INTO nps.journey_event (customer, touchpoint_id, occurred_at)
SELECT CASE tp WHEN 1 THEN 'visible-cust-' ELSE 'SECRETCUST-' || tp || '-' END || g, tp, now() - g * interval '2 hours'
  FROM generate_series(1, 3) tp, generate_series(1, 6) g;
INSERT INTO nps.service_case (customer, touchpoint_id, opened_at)
SELECT CASE tp WHEN 1 THEN 'visible-cust-' ELSE 'SECRETCUST-' || tp || '-' END || g, tp, now() - g * interval '1 day'
  FROM generate_series(1, 3) tp, generate_series(1, 3) g;
SELECT nps.enable_owner_security();
SQL
    for r in $OWN_A $OWN_B $OWN_J $SNOOP; do
        q -d "$VDB" -c "GRANT USAGE ON SCHEMA nps TO $r" -c "GRANT SELECT ON ALL TABLES IN SCHEMA nps TO $r"
    done
    rls_on=$(q -d "$VDB" -c "SELECT count(*) FROM pg_class WHERE relnamespace = 'nps'::regnamespace AND relrowsecurity")
    [ "$rls_on" -gt 0 ] || notok "c7 setup: owner security switched on by the victim" "no table has row-level security"

    # c7.1/c7.2: answering for roles the caller is not a member of
    own_tp=$(as_role "$OWN_A" "$VDB" <<<"SELECT string_agg(t::text, ',' ORDER BY t) FROM nps.owned_touchpoints() t;")
    for target in $OWN_B $OWN_J; do
        got=$(as_role "$OWN_A" "$VDB" <<<"SELECT t FROM nps.owned_touchpoints('$target') t ORDER BY t;" | grep -E '^[0-9]+$' || true)
        bad=""
        for t in $got; do
            case ",$own_tp," in *",$t,"*) ;; *) bad="$bad $t" ;; esac
        done
        if [ -n "$bad" ]; then
            notok "c7.1 owned_touchpoints('$target') called by $OWN_A reveals nothing beyond its own touchpoints" "answered touchpoints$bad"
        else
            ok "c7.1 owned_touchpoints('$target') called by $OWN_A reveals nothing beyond its own touchpoints"
        fi
    done
    own_j=$(as_role "$OWN_A" "$VDB" <<<"SELECT coalesce(string_agg(j::text, ',' ORDER BY j), '') FROM nps.owned_journeys() j;")
    got=$(as_role "$OWN_A" "$VDB" <<<"SELECT j FROM nps.owned_journeys('$OWN_J') j ORDER BY j;" | grep -E '^[0-9]+$' || true)
    bad=""
    for j in $got; do
        case ",$own_j," in *",$j,"*) ;; *) bad="$bad $j" ;; esac
    done
    if [ -n "$bad" ]; then
        notok "c7.2 owned_journeys('$OWN_J') called by $OWN_A reveals nothing beyond its own journeys" "answered journeys$bad"
    else
        ok "c7.2 owned_journeys('$OWN_J') called by $OWN_A reveals nothing beyond its own journeys"
    fi

    # c7.3-c7.5: everything a reader can select
    READER_SQL=$(reader_sql "$VDB")
    out_a=$(as_role "$OWN_A" "$VDB" <<<"$READER_SQL")
    ev_a=$(as_role "$OWN_A" "$VDB" <<<"SELECT customer FROM nps.journey_event;")
    if grep -q SECRETCUST <<<"$ev_a"; then
        notok "c7.3 journey_event under owner security: $OWN_A reads no customer id beyond its touchpoints" \
              "$(echo "$ev_a" | grep -c SECRETCUST) foreign customer ids, e.g. $(echo "$ev_a" | grep -m1 SECRETCUST)"
    else
        ok "c7.3 journey_event under owner security: $OWN_A reads no customer id beyond its touchpoints"
    fi
    if grep -q SECRETMAIL <<<"$out_a"; then
        notok "c7.4 owner e-mails under owner security: $OWN_A reads none beyond its touchpoints" \
              "read $(echo "$out_a" | grep -o 'SECRETMAIL[^|,]*' | sort -u | tr '\n' ' ')"
    else
        ok "c7.4 owner e-mails under owner security: $OWN_A reads none beyond its touchpoints"
    fi
    if grep -q SECRETCUST <<<"$out_a"; then
        notok "c7.5 no table, view or function shows $OWN_A a customer beyond its touchpoints" \
              "$(echo "$out_a" | grep -o 'SECRETCUST[-0-9]*' | sort -u | wc -l) foreign customer ids"
    else
        ok "c7.5 no table, view or function shows $OWN_A a customer beyond its touchpoints"
    fi
    out_s=$(as_role "$SNOOP" "$VDB" <<<"$READER_SQL
SELECT * FROM nps.owned_touchpoints('$OWN_A'); SELECT * FROM nps.owned_touchpoints('$OWN_B'); SELECT * FROM nps.owned_journeys('$OWN_J');")
    if grep -qE 'SECRETCUST|SECRETMAIL|visible-' <<<"$out_s"; then
        notok "c7.6 a role owning nothing ($SNOOP, SELECT on every table) reads no customer or e-mail" \
              "read $(echo "$out_s" | grep -oE 'SECRETCUST[-0-9]*|SECRETMAIL[^|,]*|visible-[a-z]*-[-a-z0-9@.]*' | sort -u | head -5 | tr '\n' ' ')..."
    else
        ok "c7.6 a role owning nothing ($SNOOP, SELECT on every table) reads no customer or e-mail"
    fi
fi

# ================================================================ c4: nothing cluster-wide
# the attacker owns database A with nps and owner security; the victim's database B
# (above) has owner security on.  The attacker, and whoever it grants anything to,
# must not read any of B's rows.
newdb nps_sec_c4a "$ATT"
if install_or_ok "c4 cluster-wide" nps_sec_c4a "$ATT"; then
    seed "$ATT" nps_sec_c4a
    as_att nps_sec_c4a <<<"SELECT nps.enable_owner_security();"
fi
if installed "$VDB"; then
    READER_SQL=$(reader_sql "$VDB")
    probe="$READER_SQL
SELECT * FROM nps.owned_touchpoints('$OWN_A'); SELECT * FROM nps.owned_touchpoints('$OWN_B'); SELECT * FROM nps.owned_journeys('$OWN_J');"
    leak=""
    # directly, through every role it may become, and through nps_admin if it exists
    for how in "" "SET ROLE nps_admin;"; do
        out=$(as_role "$ATT" "$VDB" <<<"$how
$probe")
        grep -qE 'SECRETCUST|SECRETMAIL|visible-' <<<"$out" && leak="$leak [attacker ${how:-directly}]"
    done
    for r in $(q -d postgres -c "SELECT b.rolname FROM pg_roles a JOIN pg_roles b ON pg_has_role(a.oid, b.oid, 'MEMBER') WHERE a.rolname = '$ATT' AND b.rolname <> '$ATT'"); do
        out=$(as_role "$ATT" "$VDB" <<<"SET ROLE $r;
$probe")
        grep -qE 'SECRETCUST|SECRETMAIL|visible-' <<<"$out" && leak="$leak [attacker as $r]"
    done
    # hand whatever it holds with admin option to a friend, who reads
    for r in $(q -d postgres -c "SELECT m.roleid::regrole FROM pg_auth_members m JOIN pg_roles a ON a.oid = m.member WHERE a.rolname = '$ATT' AND m.admin_option"); do
        as_att nps_sec_c4a <<<"GRANT $r TO $FRIEND;"
    done
    as_att nps_sec_c4a <<<"GRANT nps_admin TO $FRIEND;"
    out=$(as_role "$FRIEND" "$VDB" <<<"SET ROLE nps_admin;
$probe")
    out2=$(as_role "$FRIEND" "$VDB" <<<"$probe")
    grep -qE 'SECRETCUST|SECRETMAIL|visible-' <<<"$out$out2" && leak="$leak [$FRIEND after the attacker's grants]"
    if [ -n "$leak" ]; then
        notok "c4.1 the owner of database A reads no owner-secured row of database B, by any means" "leaked:$leak"
    else
        ok "c4.1 the owner of database A reads no owner-secured row of database B, by any means"
    fi
fi
CLUSTER_AFTER=$(cluster_state)
if [ "$CLUSTER_BEFORE" != "$CLUSTER_AFTER" ]; then
    notok "c4.2 CREATE EXTENSION and enable_owner_security change nothing cluster-wide (roles, memberships)" \
          "$(diff <(echo "$CLUSTER_BEFORE" | tr ',|' '\n\n') <(echo "$CLUSTER_AFTER" | tr ',|' '\n\n') | grep '^[<>]' | tr '\n' ' ')"
else
    ok "c4.2 CREATE EXTENSION and enable_owner_security change nothing cluster-wide (roles, memberships)"
fi

# ================================================================ c5: dump and restore
# the attacker's database with data, owner security and its own objects (no generic
# traps such as CHECK constraints on its own tables: only what involves nps); a
# superuser dumps it and restores it into a new database owned by the attacker
newdb nps_sec_c5 "$ATT"
if install_or_ok "c5 pg_dump/pg_restore" nps_sec_c5 "$ATT"; then
    plant_payload nps_sec_c5
    seed "$ATT" nps_sec_c5
    as_att nps_sec_c5 <<'SQL'
SELECT nps.enable_owner_security();
CREATE TRIGGER evil BEFORE UPDATE OR DELETE ON nps.metric_owner FOR EACH ROW EXECUTE FUNCTION att.trg();
CREATE TRIGGER evil BEFORE INSERT ON nps.owner_security FOR EACH ROW EXECUTE FUNCTION att.trg();
CREATE TRIGGER evil BEFORE INSERT ON nps.response FOR EACH ROW EXECUTE FUNCTION att.trg();
CREATE FUNCTION nps.detractor_owners_json(integer, name, name) RETURNS text LANGUAGE sql
  AS $$SELECT att.payload('planted overload nps.detractor_owners_json'); SELECT '[]'::text$$;
SQL
    before_restore=$(q -d postgres -c "SELECT now()")
    "$bindir/pg_dump" -Fc -f "$DUMP" nps_sec_c5 >>"$LOG" 2>&1 || true
    newdb nps_sec_c5r "$ATT"
    "$bindir/pg_restore" -d nps_sec_c5r "$DUMP" >>"$LOG" 2>&1 || true
    reset_attacker_needed=$(attacker_super)
    during=$(q -d nps_sec_c5r -c "SELECT coalesce(string_agg(DISTINCT tag || ' (as ' || who || ')', '; '), '') FROM att.marker
                                   WHERE su AND db = current_database() AND at >= '$before_restore'" 2>/dev/null || true)
    if [ -n "$during" ] || [ "$reset_attacker_needed" = t ]; then
        notok "c5.1 restoring the installer's dump as superuser runs nothing planted as superuser" "rolsuper=$reset_attacker_needed ${during}"
    else
        ok "c5.1 restoring the installer's dump as superuser runs nothing planted as superuser"
    fi
    reset_attacker
    if installed nps_sec_c5r; then
        # afterwards, in the restored database: the same attacks again
        c5_cascade() {
            as_att nps_sec_c5r <<'SQL'
CREATE TRIGGER evil2 BEFORE UPDATE OR DELETE ON nps.metric_owner FOR EACH ROW EXECUTE FUNCTION att.trg();
CREATE TRIGGER evil2 BEFORE DELETE ON nps.touchpoint FOR EACH ROW EXECUTE FUNCTION att.trg();
-- (BEFORE row triggers only: see c1)
UPDATE nps.metric SET code = 'nps_r' WHERE code = 'nps_x';
SET nps.notify = off;
DELETE FROM nps.journey WHERE id = 3;
SQL
            as_su nps_sec_c5r <<<"UPDATE nps.metric SET code = 'nps_s' WHERE code IN ('nps_x', 'nps_r'); DELETE FROM nps.journey WHERE id = 3;"
        }
        c5_trgfn() {
            as_att nps_sec_c5r <<'SQL'
CREATE TABLE att.host5 (id bigint, customer text, touchpoint_id att.ev_integer, answered_at timestamptz,
                        segment text, channel text, score att.ev_integer, followed_up_at timestamptz);
DO $do$
DECLARE
  f regprocedure;
BEGIN
  FOR f IN SELECT p.oid FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
             JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'nps'
            WHERE p.prorettype = 'trigger'::regtype AND p.prosecdef LOOP
    BEGIN
      EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON att.host5 REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION %s',
                     's' || f::oid, f);
    EXCEPTION WHEN others THEN RAISE NOTICE '%', SQLERRM;
    END;
  END LOOP;
END
$do$;
SET nps.notify = on;
INSERT INTO att.host5 VALUES (1, 'h', ROW(1), now(), NULL, NULL, ROW(3), NULL);
SQL
        }
        c5_rename() {
            plant_lookalikes nps_sec_c5r
            local S
            S=$(ext_schema nps_sec_c5r)
            as_att nps_sec_c5r <<<"SET nps.notify = on; INSERT INTO $S.response (customer, touchpoint_id, answered_at, score) VALUES ('r1', 1, now(), 1); SELECT * FROM $S.owned_touchpoints(); SELECT $S.enable_owner_security();"
            as_su nps_sec_c5r <<<"SET nps.notify = on; INSERT INTO $S.response (customer, touchpoint_id, answered_at, score) VALUES ('r2', 1, now(), 1);"
            views_sql nps_sec_c5r | as_su nps_sec_c5r
        }
        attack "c5.2 restored database: FK cascades fire no installer trigger as superuser" nps_sec_c5r c5_cascade
        attack "c5.3 restored database: the extension's SECURITY DEFINER trigger functions on the installer's table run nothing as superuser" nps_sec_c5r c5_trgfn
        attack "c5.4 restored database: schema rename + look-alike runs nothing as superuser" nps_sec_c5r c5_rename
    else
        ok "c5.2-c5.4 restored database has no nps (restore refused), nothing to attack"
    fi
fi

# ================================================================ c8: overloads
# the extension owner adds overloads in schema nps: for every function with
# default arguments one without them (nps.nps_ci(nps.nps_result), ...), each
# running the payload; the views must keep working for another role (and for a
# superuser) and no overload may run as the superuser
newdb nps_sec_c8 "$ATT"
if install_or_ok "c8 overloads" nps_sec_c8 "$ATT"; then
    plant_payload nps_sec_c8
    seed "$ATT" nps_sec_c8
    q -d nps_sec_c8 -c "GRANT USAGE ON SCHEMA nps TO $VIEWER" -c "GRANT SELECT ON ALL TABLES IN SCHEMA nps TO $VIEWER"
    VSQL=$(views_sql nps_sec_c8)
    working=()
    while IFS= read -r stmt; do
        if psql -X -q -At -v ON_ERROR_STOP=1 -U "$VIEWER" -d nps_sec_c8 -c "$stmt" >/dev/null 2>>"$LOG"; then
            working+=("$stmt")
        fi
    done <<<"$VSQL"
    [ "${#working[@]}" -gt 0 ] || notok "c8 setup: the views work for $VIEWER before the overloads" "none worked"
    as_att nps_sec_c8 <<'SQL'
DO $do$
DECLARE
  f record;
  args text;
BEGIN
  FOR f IN
    SELECT p.oid, p.proname, p.pronargs, p.pronargdefaults, p.proargtypes, p.prorettype
      FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
      JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'nps'
     WHERE p.prokind = 'f' AND p.pronargdefaults > 0
  LOOP
    SELECT coalesce(string_agg(format_type(t, NULL), ', ' ORDER BY i), '') INTO args
      FROM unnest(f.proargtypes::oid[]) WITH ORDINALITY AS u(t, i) WHERE i <= f.pronargs - f.pronargdefaults;
    BEGIN
      EXECUTE format('CREATE FUNCTION nps.%I(%s) RETURNS SETOF record LANGUAGE plpgsql AS %L',
                     f.proname, args, format('BEGIN PERFORM att.payload(%L); RETURN; END', 'overload nps.' || f.proname || '(' || args || ')'));
    EXCEPTION WHEN others THEN RAISE NOTICE 'overload of %: %', f.oid::regprocedure, SQLERRM;
    END;
  END LOOP;
END
$do$;
CREATE FUNCTION nps.nps_ci(nps.nps_result) RETURNS record LANGUAGE sql AS $$SELECT att.payload('overload nps.nps_ci'); SELECT 0::float8, 0::float8$$;
SQL
    broken=""
    for stmt in "${working[@]}"; do
        if ! err=$(psql -X -q -At -v ON_ERROR_STOP=1 -U "$VIEWER" -d nps_sec_c8 -c "$stmt" 2>&1 >/dev/null); then
            broken="$broken [${stmt#SELECT count(*) FROM }: $(printf '%.90s' "${err%%$'\n'*}")]"
        fi
    done
    if [ -n "$broken" ]; then
        notok "c8.1 overloads the extension owner adds in schema nps do not break the views for another role" "$broken"
    else
        ok "c8.1 overloads the extension owner adds in schema nps do not break the views for another role"
    fi
    c8_su() { views_sql nps_sec_c8 | as_su nps_sec_c8; functions_sql nps_sec_c8 | as_su nps_sec_c8; }
    attack "c8.2 no overload the extension owner adds runs as a superuser reading the views" nps_sec_c8 c8_su
fi

# ================================================================ c9: own variants
# c9.1: SECURITY DEFINER trigger functions of the extension attached to the
# installer's own table, whose transition table has columns of its own types with
# implicit casts (n.score <= 6 and the like then run its cast function)
newdb nps_sec_c9trg "$ATT"
if install_or_ok "c9.1 SECURITY DEFINER trigger functions on the installer's table" nps_sec_c9trg "$ATT"; then
    plant_payload nps_sec_c9trg
    seed "$ATT" nps_sec_c9trg
    c91() {
        as_att nps_sec_c9trg <<'SQL'
DO $do$
DECLARE
  f regprocedure;
  cols text := 'id bigint, customer text, touchpoint_id att.ev_integer, answered_at timestamptz, segment text, '
               'channel text, score att.ev_integer, csat att.ev_smallint, ces att.ev_smallint, comment text, '
               'reasons text[], followed_up_at timestamptz, singleton att.ev_boolean';
BEGIN
  FOR f IN SELECT p.oid FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
             JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'nps'
            WHERE p.prorettype = 'trigger'::regtype LOOP
    BEGIN
      EXECUTE format('CREATE TABLE att.%I (%s)', 'hosts_' || f::oid, cols);
      EXECUTE format('CREATE TABLE att.%I (%s)', 'hostr_' || f::oid, cols);
      EXECUTE format('CREATE TRIGGER t AFTER INSERT ON att.%I REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION %s', 'hosts_' || f::oid, f);
      EXECUTE format('CREATE TRIGGER t AFTER INSERT OR UPDATE ON att.%I FOR EACH ROW EXECUTE FUNCTION %s', 'hostr_' || f::oid, f);
    EXCEPTION WHEN others THEN RAISE NOTICE '%: %', f, SQLERRM;
    END;
  END LOOP;
END
$do$;
SET nps.notify = on;
DO $do$
DECLARE
  t regclass;
BEGIN
  FOR t IN SELECT c.oid FROM pg_class c WHERE c.relnamespace = 'att'::regnamespace AND c.relname LIKE 'host%' AND c.relkind = 'r' LOOP
    BEGIN
      EXECUTE format($i$INSERT INTO %s (id, customer, touchpoint_id, answered_at, score, singleton)
                        VALUES (1, 'h', ROW(1), now(), ROW(3), ROW(true)), (2, 'h', ROW(2), now(), ROW(1), ROW(true))$i$, t);
    EXCEPTION WHEN others THEN RAISE NOTICE '%: %', t, SQLERRM;
    END;
  END LOOP;
END
$do$;
SQL
    }
    attack "c9.1 the extension's trigger functions attached to the installer's own table run none of its code as superuser" nps_sec_c9trg c91
fi

# c9.2/c9.3: pg_temp shadowing in the installer's session; a superuser whose
# search_path starts with schemas the installer owns
newdb nps_sec_c9tmp "$ATT"
if install_or_ok "c9.2 pg_temp shadowing" nps_sec_c9tmp "$ATT"; then
    plant_payload nps_sec_c9tmp
    seed "$ATT" nps_sec_c9tmp
    c92() {
        as_att nps_sec_c9tmp <<'SQL'
DO $do$
DECLARE
  n text;
BEGIN
  FOREACH n IN ARRAY ARRAY['pg_roles', 'pg_extension', 'pg_policy', 'pg_class', 'pg_depend', 'pg_namespace',
                           'metric_owner', 'metric', 'owner', 'touchpoint', 'journey', 'response', 'owner_security', 'new_rows'] LOOP
    EXECUTE format('CREATE TEMP VIEW %I AS SELECT * FROM %s WHERE att.payload(%L)', n,
                   CASE WHEN n LIKE 'pg_%' THEN 'pg_catalog.' || n WHEN n = 'new_rows' THEN 'nps.response' ELSE 'nps.' || n END,
                   'pg_temp.' || n);
  END LOOP;
END
$do$;
CREATE FUNCTION pg_temp.pg_has_role(name, oid, text) RETURNS boolean LANGUAGE sql AS $$SELECT att.payload('pg_temp.pg_has_role')$$;
SET search_path = pg_temp, att, public;
SELECT * FROM nps.owned_touchpoints();
SELECT * FROM nps.owned_touchpoints('postgres');
SELECT * FROM nps.owned_journeys();
SELECT nps.enable_owner_security();
SET nps.notify = on;
INSERT INTO nps.response (customer, touchpoint_id, answered_at, score) VALUES ('t1', 1, now(), 2);
SELECT nps.disable_owner_security();
SQL
    }
    attack "c9.2 pg_temp objects shadowing what the SECURITY DEFINER functions read run nothing as superuser" nps_sec_c9tmp c92
    c93() {
        as_att nps_sec_c9tmp <<'SQL'
CREATE SCHEMA evil;
GRANT USAGE ON SCHEMA evil TO PUBLIC;
CREATE FUNCTION evil.now() RETURNS timestamptz LANGUAGE plpgsql AS $$BEGIN PERFORM att.payload('evil.now'); RETURN pg_catalog.now(); END$$;
CREATE FUNCTION evil.array_ndims(text[]) RETURNS integer LANGUAGE plpgsql AS $$BEGIN PERFORM att.payload('evil.array_ndims'); RETURN pg_catalog.array_ndims($1); END$$;
CREATE FUNCTION evil.btrim(text) RETURNS text LANGUAGE plpgsql AS $$BEGIN PERFORM att.payload('evil.btrim'); RETURN pg_catalog.btrim($1); END$$;
CREATE FUNCTION evil.to_json(text) RETURNS json LANGUAGE plpgsql AS $$BEGIN PERFORM att.payload('evil.to_json'); RETURN pg_catalog.to_json($1); END$$;
CREATE FUNCTION evil.count(anyelement) RETURNS bigint LANGUAGE plpgsql AS $$BEGIN PERFORM att.payload('evil.count'); RETURN 1; END$$;
CREATE FUNCTION evil.eq(integer, integer) RETURNS boolean LANGUAGE plpgsql AS $$BEGIN PERFORM att.payload('evil.='); RETURN $1 OPERATOR(pg_catalog.=) $2; END$$;
CREATE OPERATOR evil.= (LEFTARG = integer, RIGHTARG = integer, FUNCTION = evil.eq);
SQL
        as_su nps_sec_c9tmp <<'SQL'
SET search_path = evil, public, pg_catalog;
SET nps.notify = on;
INSERT INTO nps.response (customer, touchpoint_id, answered_at, score, reasons) VALUES ('su1', 1, pg_catalog.now(), 2, ARRAY['x']);
SELECT count(*) FROM nps.touchpoint_nps; SELECT count(*) FROM nps.segment_nps; SELECT count(*) FROM nps.journey_funnel;
SELECT count(*) FROM nps.metric_status; SELECT count(*) FROM nps.owner_scorecard; SELECT count(*) FROM nps.detractor_queue;
SELECT count(*) FROM nps.detractor_reasons;
SELECT count(*) FROM nps.touchpoint_nps_at(pg_catalog.now(), interval '30 days');
SELECT nps.enable_owner_security(); SELECT * FROM nps.owned_touchpoints(); SELECT nps.disable_owner_security();
SQL
    }
    attack "c9.3 a superuser with the installer's schema first in search_path runs nothing planted" nps_sec_c9tmp c93
fi

# c10m: the metric functions read fact tables named by the caller (regclass
# arguments, issue 8).  A relation whose name is SQL text (quotes, semicolons,
# a comment) is read as that relation: format's %s of a regclass quotes it, so
# nothing of the name runs, also for a superuser calling with the attacker's
# table; a relation the caller may not read is refused (42501), the functions
# lending no rights (they are not SECURITY DEFINER).
newdb nps_sec_c10m "$ATT"
if install_or_ok "c10m fact tables by name" nps_sec_c10m "$ATT"; then
    plant_payload nps_sec_c10m
    seed "$ATT" nps_sec_c10m
    as_att nps_sec_c10m <<'SQL'
-- an action (action_effect_at reads the facts of started actions only)
INSERT INTO nps.improvement_action (metric_owner_id, title, planned_at, started_at, check_after, state)
SELECT min(id), 'x', now() - interval '20 days', now() - interval '1 day', '12 hours', 'check' FROM nps.metric_owner;
CREATE TABLE att."r"";DROP TABLE nps.metric_owner CASCADE;SELECT att.payload('name')--" AS SELECT * FROM nps.response;
CREATE TABLE att."c');SELECT att.payload('name');--" AS SELECT * FROM nps.service_case;
SQL
    c10m_funcs=(
      "nps.metric_response_results_at(now(), '30 days', %R)"
      "nps.metric_case_results_at(now(), '30 days', %C)"
      "nps.metric_status_at(now(), '30 days', 1, %R, %C)"
      "nps.metric_trend_at(now(), '7 days', 4, 1, %R, %C)"
      "nps.action_effect_at(now(), '30 days', 1, %R, %C)"
      "nps.owner_scorecard_at(now(), '30 days', 1, %R, %C)"
    )
    R_ATT=$(q -d nps_sec_c10m -c "SELECT quote_literal(c.oid::regclass::text) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'att' AND c.relname LIKE 'r\"%'")
    C_ATT=$(q -d nps_sec_c10m -c "SELECT quote_literal(c.oid::regclass::text) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'att' AND c.relname LIKE 'c''%'")
    c10m_same=0
    c10m_calls() { # reader: the attacker and a superuser read through the hostile names
        local f call got want
        for f in "${c10m_funcs[@]}"; do
            call=${f//%R/$R_ATT}; call=${call//%C/$C_ATT}
            want=${f//%R/\'nps.response\'}; want=${want//%C/\'nps.service_case\'}
            # one statement: the same now() on both sides
            got=$(echo "SELECT (SELECT md5(string_agg(x::text, '|')) FROM $call x)
                               IS NOT DISTINCT FROM (SELECT md5(string_agg(x::text, '|')) FROM $want x);" |
                  as_role "$ATT" nps_sec_c10m)
            [ "$got" = t ] && c10m_same=$((c10m_same + 1))
            echo "SELECT count(*) FROM $call x;" | as_su nps_sec_c10m
        done
    }
    attack "c10m.1 fact relations named like SQL run nothing (attacker and superuser read them)" nps_sec_c10m c10m_calls
    if [ "$c10m_same" = "${#c10m_funcs[@]}" ] &&
       [ "$(q -d nps_sec_c10m -c "SELECT count(*) FROM nps.metric_owner")" -gt 0 ]; then
        ok "c10m.2 each function over the hostile names returns the rows of the default call; nps.metric_owner is intact"
    else
        notok "c10m.2 hostile names" "$c10m_same of ${#c10m_funcs[@]} functions returned the default rows, or nps.metric_owner is gone"
    fi
    # a relation the caller may not read: a superuser's copy without grants
    q -d nps_sec_c10m -c "CREATE TABLE public.private_response AS SELECT * FROM nps.response;
                          CREATE TABLE public.private_case AS SELECT * FROM nps.service_case;
                          REVOKE ALL ON public.private_response, public.private_case FROM PUBLIC"
    c10m_denied=0
    for f in "${c10m_funcs[@]}"; do
        call=${f//%R/\'public.private_response\'}; call=${call//%C/\'public.private_case\'}
        got=$(printf '%s\n' '\set VERBOSITY sqlstate' "SELECT count(*) FROM $call x;" | as_role "$ATT" nps_sec_c10m)
        if [ "$got" = "ERROR:  42501" ]; then c10m_denied=$((c10m_denied + 1)); else echo "c10m.3 $call: $got" >>"$LOG"; fi
    done
    if [ "$c10m_denied" = "${#c10m_funcs[@]}" ]; then
        ok "c10m.3 a fact relation the caller may not read is refused (42501) by every metric function"
    else
        notok "c10m.3 unreadable fact relation" "only $c10m_denied of ${#c10m_funcs[@]} functions refused it with 42501"
    fi
fi

# ================================================================ c10: fact table arguments
# The *_at functions read the relations they are given (response_table,
# journey_event_table) with EXECUTE: the name is put in with format('%s',
# regclass), qualified and quoted, so a name made to inject SQL reads that one
# relation; check_fact_table wants the exact column types, so a column whose
# type has an implicit cast that runs the installer's code never reaches the
# query; and the relation is read with the caller's privileges.
newdb nps_sec_c10 "$ATT"
if install_or_ok "c10 fact tables" nps_sec_c10 "$ATT"; then
    plant_payload nps_sec_c10
    seed "$ATT" nps_sec_c10
    as_att nps_sec_c10 <<'SQL'
CREATE TABLE att.canary (id integer);
GRANT SELECT ON att.canary TO PUBLIC;
CREATE TABLE att."x""; DROP TABLE att.canary; SELECT att.payload('injected'); --" AS SELECT * FROM nps.response;
CREATE TABLE att."it's" AS SELECT * FROM nps.journey_event;
GRANT SELECT ON att."x""; DROP TABLE att.canary; SELECT att.payload('injected'); --", att."it's" TO PUBLIC;
-- score of a type with an implicit cast to smallint that runs the payload
CREATE TABLE att.cast_score AS
  SELECT id, customer, touchpoint_id, answered_at, segment, channel, ROW(score)::att.ev_smallint AS score,
         csat, ces, comment, reasons, followed_up_at FROM nps.response;
GRANT SELECT ON att.cast_score TO PUBLIC;
CREATE TABLE att.secret AS SELECT * FROM nps.response;   -- no grant
SQL
    q -d nps_sec_c10 -c "GRANT USAGE ON SCHEMA nps TO $VIEWER" -c "GRANT SELECT ON ALL TABLES IN SCHEMA nps TO $VIEWER"
    c10_inject() {
        as_su nps_sec_c10 <<'SQL'
SELECT count(*) FROM nps.touchpoint_nps_at(now(), '30 days', 'att."x""; DROP TABLE att.canary; SELECT att.payload(''injected''); --"');
SELECT count(*) FROM nps.segment_nps_at(now(), '30 days', 'att."x""; DROP TABLE att.canary; SELECT att.payload(''injected''); --"');
SELECT count(*) FROM nps.detractor_queue_at(now(), '48 hours', 'att."x""; DROP TABLE att.canary; SELECT att.payload(''injected''); --"');
SELECT count(*) FROM nps.detractor_reasons_at(now(), '30 days', 'att."x""; DROP TABLE att.canary; SELECT att.payload(''injected''); --"');
SELECT count(*) FROM nps.nps_change_at(now(), '30 days', 'touchpoint', 'att."x""; DROP TABLE att.canary; SELECT att.payload(''injected''); --"');
SELECT count(*) FROM nps.nps_drivers_at(now(), '30 days', 1, 'att."x""; DROP TABLE att.canary; SELECT att.payload(''injected''); --"');
SELECT count(*) FROM nps.journey_funnel_at(now(), '30 days', 'att."it''s"');
SQL
    }
    attack "c10.1 a superuser passing a relation named to inject SQL runs nothing planted" nps_sec_c10 c10_inject
    # ... and the functions read exactly that relation: the rows of the default call
    same=$(q -d nps_sec_c10 <<'SQL'
SELECT (SELECT count(*) FROM att.canary) = 0
   AND (SELECT count(*) FROM nps.touchpoint_nps_at(now(), '30 days')) > 0
   AND NOT EXISTS (SELECT * FROM nps.touchpoint_nps_at(now(), '30 days') EXCEPT ALL
                   SELECT * FROM nps.touchpoint_nps_at(now(), '30 days', 'att."x""; DROP TABLE att.canary; SELECT att.payload(''injected''); --"'))
   AND NOT EXISTS (SELECT * FROM nps.detractor_queue_at(now(), '48 hours') EXCEPT ALL
                   SELECT * FROM nps.detractor_queue_at(now(), '48 hours', 'att."x""; DROP TABLE att.canary; SELECT att.payload(''injected''); --"'))
   AND NOT EXISTS (SELECT * FROM nps.journey_funnel_at(now(), '30 days') EXCEPT ALL
                   SELECT * FROM nps.journey_funnel_at(now(), '30 days', 'att."it''s"'))
   AND (SELECT count(*) FROM att.marker WHERE tag = 'injected') = 0;
SQL
)
    if [ "$same" = t ]; then
        ok "c10.2 a relation named with quotes and semicolons is read as that one relation (same rows, canary kept, nothing injected)"
    else
        notok "c10.2 a relation named with quotes and semicolons is read as that one relation" "got $same"
    fi
    c10_cast() {
        as_su nps_sec_c10 <<'SQL'
SELECT count(*) FROM nps.touchpoint_nps_at(now(), '30 days', 'att.cast_score');
SELECT count(*) FROM nps.detractor_reasons_at(now(), '30 days', 'att.cast_score');
SELECT count(*) FROM nps.nps_drivers_at(now(), '30 days', 1, 'att.cast_score');
SQL
    }
    attack "c10.3 a superuser passing a table whose score has an implicit cast runs nothing planted" nps_sec_c10 c10_cast
    state=$(psql -X -q -At -U "$VIEWER" -d nps_sec_c10 -c "\\set VERBOSITY sqlstate" \
                 -c "SELECT count(*) FROM nps.touchpoint_nps_at(now(), '30 days', 'att.cast_score')" 2>&1 | tail -n1 || true)
    if [ "$state" = "ERROR:  42804" ]; then
        ok "c10.4 a score column of another type (with an implicit cast) is refused with 42804 before the relation is read"
    else
        notok "c10.4 a score column of another type (with an implicit cast) is refused with 42804" "got: $state"
    fi
    denied=""
    for call in "nps.touchpoint_nps_at(now(), '30 days', 'att.secret')" "nps.segment_nps_at(now(), '30 days', 'att.secret')" \
                "nps.detractor_queue_at(now(), '48 hours', 'att.secret')" "nps.detractor_reasons_at(now(), '30 days', 'att.secret')" \
                "nps.nps_change_at(now(), '30 days', 'segment', 'att.secret')" "nps.nps_drivers_at(now(), '30 days', 1, 'att.secret')"; do
        state=$(psql -X -q -At -U "$VIEWER" -d nps_sec_c10 -c "\\set VERBOSITY sqlstate" -c "SELECT count(*) FROM $call" 2>&1 | tail -n1 || true)
        [ "$state" = "ERROR:  42501" ] || denied="$denied [$call: $state]"
    done
    if [ -z "$denied" ]; then
        ok "c10.5 a relation the caller may not read fails with 42501 (the functions run with the caller's privileges)"
    else
        notok "c10.5 a relation the caller may not read fails with 42501" "$denied"
    fi
fi

# ================================================================ c11: daily summaries
# nps.response_day / nps.response_summarized_day (summary.sql) are read by
# metric_response_results_at only for a caller who may read them and
# nps.response whole: a role without SELECT on them, or under owner
# row-level security, reads the rows (its own, for an owner).  The
# invalidation trigger function is SECURITY DEFINER: a writer with only
# INSERT on nps.response needs nothing more, and nobody calls it directly
# or attaches it elsewhere, and after a schema rename it writes to no
# planted look-alike (c11.5), nor do the 1.0 trigger functions run (c11.6).
newdb nps_sec_c11 "$ATT"
if install_or_ok "c11 daily summaries" nps_sec_c11 "$ATT"; then
    seed "$ATT" nps_sec_c11
    as_att nps_sec_c11 <<SQL
-- a whole-journey metric of owner B: owner A sees it (it covers A's
-- touchpoint 1) but only the responses of touchpoint 1
CREATE SCHEMA raw;
GRANT USAGE ON SCHEMA raw TO PUBLIC;
CREATE VIEW raw.response WITH (security_invoker = true) AS SELECT * FROM nps.response;
GRANT SELECT ON raw.response TO PUBLIC;
GRANT USAGE ON SCHEMA nps TO $FRIEND, $VIEWER, $SNOOP, $OWN_A;
GRANT INSERT ON nps.response TO $FRIEND;
GRANT SELECT ON ALL TABLES IN SCHEMA nps TO $VIEWER, $SNOOP, $OWN_A;
REVOKE SELECT ON nps.response_day, nps.response_summarized_day FROM $VIEWER;
SELECT nps.refresh_response_summary();
SQL
    c11_days=$(q -d nps_sec_c11 -c "SELECT count(*) FROM nps.response_summarized_day")
    # 1. a writer with only INSERT on nps.response loads into a summarized day (yesterday, UTC)
    out=$(psql -X -q -At -U "$FRIEND" -d nps_sec_c11 -v ON_ERROR_STOP=1 -c "SET nps.notify = off" \
            -c "INSERT INTO nps.response (customer, touchpoint_id, answered_at, score)
                VALUES ('etl', 1, ((now() AT TIME ZONE 'UTC')::date - 1)::timestamp AT TIME ZONE 'UTC' + interval '1 hour', 9)" 2>&1) || true
    left=$(q -d nps_sec_c11 -c "SELECT (SELECT count(*) FROM nps.response WHERE customer = 'etl') || ' '
                                       || (SELECT count(*) FROM nps.response_summarized_day WHERE day = (now() AT TIME ZONE 'UTC')::date - 1) || ' '
                                       || (SELECT count(*) FROM nps.response_summarized_day)")
    if [ -z "$out" ] && [ "$c11_days" -ge 2 ] && [ "$left" = "1 0 $((c11_days - 1))" ]; then
        ok "c11.1 a role with only INSERT on nps.response loads into a summarized day; the trigger removes that day ($c11_days -> $((c11_days - 1)) summarized days)"
    else
        notok "c11.1 a role with only INSERT on nps.response loads into a summarized day" "insert: ${out:-ok}; rows, day summarized, days left: $left (of $c11_days)"
    fi
    q -d nps_sec_c11 -c "SELECT nps.refresh_response_summary()" >/dev/null
    # 2. readers: with and without SELECT on the summary tables, the same rows as the raw formulation
    c11_same() { # role -> "t <rows>" when all calls equal the calls over raw.response
        psql -X -q -At -U "$1" -d nps_sec_c11 -v ON_ERROR_STOP=1 <<'SQL' 2>&1 || true
SELECT (SELECT md5(string_agg(x::text, '|' ORDER BY x::text)) FROM nps.metric_response_results_at(now(), '30 days') x)
       = (SELECT md5(string_agg(x::text, '|' ORDER BY x::text)) FROM nps.metric_response_results_at(now(), '30 days', 'raw.response') x)
   AND (SELECT md5(string_agg(x::text, '|' ORDER BY x::text)) FROM nps.metric_status_at(now(), '30 days', 1) x)
       = (SELECT md5(string_agg(x::text, '|' ORDER BY x::text)) FROM nps.metric_status_at(now(), '30 days', 1, 'raw.response') x)
   AND (SELECT md5(string_agg(x::text, '|' ORDER BY x::text)) FROM nps.owner_scorecard_at(now(), '30 days', 1) x)
       = (SELECT md5(string_agg(x::text, '|' ORDER BY x::text)) FROM nps.owner_scorecard_at(now(), '30 days', 1, 'raw.response') x),
       (SELECT count(*) FROM nps.metric_response_results_at(now(), '30 days') x WHERE x.current_nps IS NOT NULL OR x.current_csat IS NOT NULL);
SQL
    }
    v=$(c11_same "$VIEWER"); s2=$(c11_same "$SNOOP")
    if [ "${v%%|*}" = t ] && [ "${s2%%|*}" = t ] && [ "${v#*|}" -gt 0 ] && [ "${v#*|}" = "${s2#*|}" ]; then
        ok "c11.2 a reader without SELECT on the summary tables (raw path) and one with it (summaries) get the rows of the raw formulation (${v#*|} assignments with results)"
    else
        notok "c11.2 readers with and without SELECT on the summary tables" "without: $v; with: $s2"
    fi
    # 3. owner row-level security: owner A gets its own rows (the raw formulation
    # under its policies), not the totals of the summaries
    as_att nps_sec_c11 <<<"SELECT nps.enable_owner_security();"
    a=$(c11_same "$OWN_A")
    differ=$(psql -X -q -At -U "$OWN_A" -d nps_sec_c11 -c "SELECT string_agg(x.metric_owner_id || ':' || (x.current_nps).responses, ',' ORDER BY x.metric_owner_id)
                                                          FROM nps.metric_response_results_at(now(), '30 days') x WHERE x.current_nps IS NOT NULL" 2>&1 || true)
    total=$(q -d nps_sec_c11 -c "SELECT string_agg(x.metric_owner_id || ':' || (x.current_nps).responses, ',' ORDER BY x.metric_owner_id)
                                   FROM nps.metric_response_results_at(now(), '30 days') x WHERE x.current_nps IS NOT NULL")
    # doctored summaries of touchpoint 1 (0 promoters) change what a full
    # reader gets (it reads them), and nothing of what owner A gets
    q -d nps_sec_c11 -c "UPDATE nps.response_day SET nps = (SELECT nps.nps_agg(0) FROM generate_series(1, 3)) WHERE touchpoint_id = 1" >/dev/null
    a2=$(c11_same "$OWN_A"); s3=$(c11_same "$ATT")
    q -d nps_sec_c11 -c "DELETE FROM nps.response_day" -c "DELETE FROM nps.response_summarized_day" -c "SELECT nps.refresh_response_summary()" >/dev/null
    if [ "${a%%|*}" = t ] && [ "${a2%%|*}" = t ] && [ "${s3%%|*}" = f ] && [ -n "$differ" ] && [ "$differ" != "$total" ]; then
        ok "c11.3 under owner security owner A gets its own rows (NPS responses $differ; all: $total), never the summaries (doctored ones change a full reader's results only)"
    else
        notok "c11.3 owner security with summaries" "A equal to raw: $a, after doctoring: $a2; full reader after doctoring: $s3; A: $differ; totals: $total"
    fi
    # 4. the SECURITY DEFINER trigger function is not callable, nor attachable elsewhere
    st1=$(psql -X -q -At -U "$VIEWER" -d nps_sec_c11 -c "\\set VERBOSITY sqlstate" -c "SELECT nps.invalidate_response_summary()" 2>&1 | tail -n1 || true)
    st2=$(psql -X -q -At -U "$ATT" -d nps_sec_c11 -c "\\set VERBOSITY sqlstate" -c "SELECT nps.invalidate_response_summary()" 2>&1 | tail -n1 || true)
    st3=$(psql -X -q -At -U "$VIEWER" -d nps_sec_c11 -c "\\set VERBOSITY sqlstate" -c "CREATE TEMP TABLE t (id bigint, answered_at timestamptz)" \
              -c "CREATE TRIGGER t_sum AFTER TRUNCATE ON t FOR EACH STATEMENT EXECUTE FUNCTION nps.invalidate_response_summary()" 2>&1 | tail -n1 || true)
    if [ "$st1" = "ERROR:  42501" ] && [ "$st2" = "ERROR:  0A000" ] && [ "$st3" = "ERROR:  42501" ]; then
        ok "c11.4 nps.invalidate_response_summary() cannot be called (42501; its owner: 0A000, trigger only) nor attached to another table (42501)"
    else
        notok "c11.4 the summary trigger function" "call by a reader: $st1; by its owner: $st2; attach: $st3"
    fi
    # 5. the trigger function names the summary tables through the schema of the
    # table it fired on, never through the name nps: after the installer renamed
    # schema nps, a role with CREATE on the database plants an nps schema whose
    # look-alike summary tables log, by trigger, who writes to them; a write by
    # another role into a summarized day of the real response must run none of
    # that (the function runs as the extension owner) and invalidate the real day.
    # The detractor notification is off here (its trigger disabled), so the
    # summary trigger runs; c11.6 turns it back on.
    S5=nps_renamed_c11
    q -d nps_sec_c11 -c "SELECT nps.refresh_response_summary()" >/dev/null
    days_before=$(q -d nps_sec_c11 -c "SELECT count(*) FROM nps.response_summarized_day")
    as_att nps_sec_c11 <<SQL
SELECT nps.disable_owner_security();
ALTER TABLE nps.response DISABLE TRIGGER response_notify_detractors;
ALTER SCHEMA nps RENAME TO $S5;
GRANT CREATE ON DATABASE nps_sec_c11 TO $SNOOP;
SQL
    as_role "$SNOOP" nps_sec_c11 >/dev/null <<'SQL'
CREATE SCHEMA nps;
GRANT USAGE ON SCHEMA nps TO PUBLIC;
CREATE TABLE nps.ran (who name, what text);
GRANT INSERT ON nps.ran TO PUBLIC;
CREATE FUNCTION nps.setting_notify() RETURNS boolean LANGUAGE plpgsql
  AS $$BEGIN INSERT INTO nps.ran VALUES (current_user, 'setting_notify'); RETURN false; END$$;
CREATE FUNCTION nps.log() RETURNS trigger LANGUAGE plpgsql
  AS $$BEGIN INSERT INTO nps.ran VALUES (current_user, TG_TABLE_NAME || ' ' || TG_OP); RETURN NULL; END$$;
CREATE TABLE nps.response_summarized_day (day date PRIMARY KEY, summarized_at timestamptz);
CREATE TABLE nps.response_day (day date);
GRANT ALL ON nps.response_summarized_day, nps.response_day TO PUBLIC;
INSERT INTO nps.response_summarized_day
  SELECT d::date, now() FROM generate_series(now() - interval '400 days', now(), interval '1 day') AS d;
CREATE TRIGGER log AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON nps.response_summarized_day
  FOR EACH STATEMENT EXECUTE FUNCTION nps.log();
CREATE TRIGGER log AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON nps.response_day
  FOR EACH STATEMENT EXECUTE FUNCTION nps.log();
SQL
    out=$(psql -X -q -At -U "$FRIEND" -d nps_sec_c11 -v ON_ERROR_STOP=1 \
            -c "INSERT INTO $S5.response (customer, touchpoint_id, answered_at, score)
                VALUES ('etl5', 1, ((now() AT TIME ZONE 'UTC')::date - 1)::timestamp AT TIME ZONE 'UTC' + interval '2 hours', 3)" 2>&1) || true
    ran=$(q -d nps_sec_c11 -c "SELECT count(*) || ' ' || coalesce(string_agg(DISTINCT who, ','), '-') FROM nps.ran")
    days_after=$(q -d nps_sec_c11 -c "SELECT count(*) FROM $S5.response_summarized_day")
    if [ -z "$out" ] && [ "$ran" = "0 -" ] && [ "$days_before" -ge 2 ] && [ "$days_after" = $((days_before - 1)) ]; then
        ok "c11.5 after a rename of schema nps, a write into a summarized day touches no planted look-alike summary table (no trigger of the planter ran) and invalidates the real day ($days_before -> $days_after)"
    else
        notok "c11.5 summary trigger after a schema rename" "insert: ${out:-ok}; planted triggers ran: $ran; real summarized days $days_before -> $days_after"
    fi
    # 6. with the notification trigger on, the 1.0 trigger functions (which name
    # their objects as nps.) refuse to run after the rename (55000) and call no
    # planted function: the planted nps.setting_notify() logs who calls it
    as_att nps_sec_c11 <<<"ALTER TABLE $S5.response ENABLE TRIGGER response_notify_detractors;"
    out=$(psql -X -q -At -U "$FRIEND" -d nps_sec_c11 -c "\\set VERBOSITY sqlstate" \
            -c "INSERT INTO $S5.response (customer, touchpoint_id, answered_at, score) VALUES ('etl6', 1, now(), 2)" 2>&1 | tail -n1 || true)
    ran=$(q -d nps_sec_c11 -c "SELECT count(*) || ' ' || coalesce(string_agg(DISTINCT who || ':' || what, ','), '-') FROM nps.ran")
    if [ "$out" = "ERROR:  55000" ] && [ "$ran" = "0 -" ]; then
        ok "c11.6 after a rename of schema nps, another role's INSERT into the renamed response: the detractor notification trigger refuses to run (55000) and calls no planted look-alike"
    else
        notok "c11.6 the notification trigger after a schema rename" "insert: $out; planted code ran: $ran"
    fi
fi

echo "# $PASSED ok, $FAILED not ok (details: $LOG)"
[ "$FAILED" -eq 0 ]
