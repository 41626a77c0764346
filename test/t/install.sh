#!/usr/bin/env bash
# test/t/install.sh: the extension as a DBA installs it.
#  - trusted: a non-superuser with CREATE on the database can CREATE EXTENSION nps
#  - DROP and CREATE again (twice) leave nothing behind
#  - every object of the extension (types, functions, aggregates, tables, views)
#    has a COMMENT
#  - the aggregates and statistics work under a hostile search_path that
#    shadows pg_catalog names
#  - after a trusted install, whatever runs code for others belongs to the
#    extension owner: tables, sequences, views, SECURITY DEFINER and trigger
#    functions and every function whose body is looked up at run time (the
#    rest are C or bound at creation, BEGIN ATOMIC); nobody holds TRIGGER or
#    REFERENCES on a table it does not own; no role is created
#  - a schema nps that exists and is not empty is refused (42P06)
# Runs against the throwaway cluster of test/run_tests.sh (PGHOST/PGPORT/PGUSER).
set -euo pipefail
db=nps_install_t
. "$REPO/test/lib.sh"   # q, fail

dropdb --if-exists "$db"
q -d postgres -c "DROP ROLE IF EXISTS nps_t_owner"
createdb "$db"
q -d postgres -c "CREATE ROLE nps_t_owner LOGIN" -c "GRANT CREATE ON DATABASE $db TO nps_t_owner"

for round in 1 2; do
    q -d "$db" -U nps_t_owner -c "CREATE EXTENSION nps"
    owner=$(q -d "$db" -c "SELECT extowner::regrole FROM pg_extension WHERE extname = 'nps'")
    [ "$owner" = nps_t_owner ] || { echo "round $round: extension owned by $owner"; exit 1; }
    r=$(q -d "$db" -U nps_t_owner -c "SELECT (nps.nps_agg(s)).nps FROM unnest(ARRAY[10, 9, 0, 7]) s")
    [ "$r" = 25 ] || { echo "round $round: nps_agg gave $r, expected 25"; exit 1; }
    q -d "$db" -U nps_t_owner -c "DROP EXTENSION nps CASCADE"
    # nothing of the extension is left (the schema itself stays, as for any
    # extension whose control file names its schema)
    left=$(q -d "$db" -c "SELECT (SELECT count(*) FROM pg_proc WHERE pronamespace = 'nps'::regnamespace)
                                + (SELECT count(*) FROM pg_type WHERE typnamespace = 'nps'::regnamespace)
                                + (SELECT count(*) FROM pg_class WHERE relnamespace = 'nps'::regnamespace)")
    [ "$left" = 0 ] || { echo "round $round: $left objects left in schema nps"; exit 1; }
done
echo "ok: trusted install by a non-superuser, twice, and clean drop"

roles_before=$(q -d postgres -c "SELECT count(*) FROM pg_roles")
q -d "$db" -U nps_t_owner -c "CREATE EXTENSION nps"
[ "$(q -d postgres -c "SELECT count(*) FROM pg_roles")" = "$roles_before" ] || { echo "CREATE EXTENSION created a role"; exit 1; }
wrong=$(q -d "$db" <<'SQL'
WITH ext AS (SELECT oid, extowner FROM pg_extension WHERE extname = 'nps'),
members AS (SELECT d.classid, d.objid FROM pg_depend d, ext
             WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e')
SELECT string_agg(what, '; ' ORDER BY what) FROM (
  -- relations: tables, views, sequences (identity sequences are not members)
  SELECT c.oid::regclass || ' is owned by ' || c.relowner::regrole AS what
    FROM pg_class c, ext
   WHERE c.relnamespace = 'nps'::regnamespace AND c.relkind IN ('r', 'v', 'S', 'm', 'p', 'f')
     AND c.relowner <> ext.extowner
  UNION ALL
  -- functions that run as their owner, run for writers (triggers), or whose
  -- body is resolved at run time (not C, not BEGIN ATOMIC)
  SELECT p.oid::regprocedure || ' is owned by ' || p.proowner::regrole
    FROM pg_proc p JOIN members m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid, ext
   WHERE p.proowner <> ext.extowner
     AND (p.prosecdef OR p.prorettype = 'trigger'::regtype
          OR (p.prosqlbody IS NULL AND p.prolang NOT IN (SELECT oid FROM pg_language WHERE lanname IN ('c', 'internal'))))
  UNION ALL
  -- TRIGGER and REFERENCES only for the owner of a table
  SELECT c.oid::regclass || ' grants ' || a.privilege_type || ' to ' || a.grantee::regrole
    FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a
   WHERE c.relnamespace = 'nps'::regnamespace AND a.privilege_type IN ('TRIGGER', 'REFERENCES')
     AND a.grantee <> c.relowner
) x
SQL
)
[ -z "$wrong" ] || { echo "after a trusted install: $wrong"; exit 1; }
echo "ok: after a trusted install the extension owner owns every table, view, sequence and code-running function; no TRIGGER/REFERENCES grants; no role created"
# the BI recipe of README works for a non-superuser extension owner
q -d "$db" -c "CREATE ROLE nps_t_reader"
q -d "$db" -U nps_t_owner -c "GRANT USAGE ON SCHEMA nps TO nps_t_reader" -c "GRANT SELECT ON ALL TABLES IN SCHEMA nps TO nps_t_reader"
[ "$(q -d "$db" -c "SELECT count(*) FROM pg_class WHERE relnamespace = 'nps'::regnamespace AND relkind IN ('r', 'v')
                      AND NOT has_table_privilege('nps_t_reader', oid, 'SELECT')")" = 0 ] || { echo "GRANT SELECT ON ALL TABLES left some out"; exit 1; }
echo "ok: GRANT SELECT ON ALL TABLES IN SCHEMA nps by the extension owner reaches every table and view"
q -d "$db" -U nps_t_owner -c "DROP EXTENSION nps CASCADE"
q -d "$db" -c "DROP OWNED BY nps_t_reader" -c "DROP ROLE nps_t_reader"

# a schema nps that already holds something is never trusted
q -d "$db" -U nps_t_owner -c "CREATE TABLE nps.planted (x int)"
err=$(psql -X -q -At -d "$db" -U nps_t_owner -v VERBOSITY=verbose -c "CREATE EXTENSION nps" 2>&1 || true)
case "$err" in *42P06*'schema "nps" holds objects that do not belong to extension nps'*) ;;
    *) echo "CREATE EXTENSION into a prepared schema: $err"; exit 1 ;; esac
q -d "$db" -U nps_t_owner -c "DROP TABLE nps.planted"
echo "ok: CREATE EXTENSION into a schema nps holding a table fails with 42P06"

q -d "$db" -c "CREATE EXTENSION nps"
missing=$(q -d "$db" <<'SQL'
SELECT string_agg(pg_describe_object(classid, objid, objsubid), ', ' ORDER BY 1)
FROM pg_depend d
WHERE refclassid = 'pg_extension'::regclass
  AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'nps')
  AND deptype = 'e'
  AND classid IN ('pg_proc'::regclass, 'pg_type'::regclass, 'pg_class'::regclass)
  -- array types and the row types of tables/views are described by their owners
  AND NOT (classid = 'pg_type'::regclass AND EXISTS (
        SELECT 1 FROM pg_type t WHERE t.oid = d.objid
          AND (t.typelem <> 0 AND t.typlen = -1 OR t.typrelid <> 0 AND
               (SELECT relkind FROM pg_class WHERE oid = t.typrelid) <> 'c')))
  -- sequences and indexes belong to their tables
  AND NOT (classid = 'pg_class'::regclass AND
           (SELECT relkind FROM pg_class WHERE oid = d.objid) IN ('S', 'i'))
  AND obj_description(objid, (SELECT relname FROM pg_class WHERE oid = classid)) IS NULL
SQL
)
[ -z "$missing" ] || { echo "objects without COMMENT: $missing"; exit 1; }
echo "ok: every type, function, aggregate, table and view has a COMMENT"

# a hostile search_path: a schema first in the path that shadows common names
# (4 answers, P=2 A=1 D=1: NPS 25; adjusted Wald n=7, low = 100 (1/7 - 1.96 sqrt(.6224/7)) = -44.16)
q -d "$db" <<'SQL'
CREATE SCHEMA evil;
CREATE FUNCTION evil.sqrt(double precision) RETURNS double precision LANGUAGE sql AS 'SELECT -1.0::float8';
CREATE FUNCTION evil.round(numeric, integer) RETURNS numeric LANGUAGE sql AS 'SELECT -1.0';
CREATE FUNCTION evil.count(anyelement) RETURNS bigint LANGUAGE sql AS 'SELECT -1::bigint';
CREATE FUNCTION evil.now() RETURNS timestamptz LANGUAGE sql AS $$SELECT 'epoch'::timestamptz$$;
CREATE FUNCTION evil.coalesce_text(text, text) RETURNS text LANGUAGE sql AS 'SELECT $1';
SQL
r=$(q -d "$db" -c "SET search_path = evil, public" -c "SELECT (nps.nps_agg(s)).nps || ' ' || round((nps.nps_ci(nps.nps_agg(s))).ci_low::numeric, 2) FROM unnest(ARRAY[10, 9, 0, 7]) s")
[ "$r" = "25 -44.16" ] || { echo "under a hostile search_path got '$r'"; exit 1; }
echo "ok: aggregates and intervals under a hostile search_path"
dropdb "$db"
q -d postgres -c "DROP ROLE nps_t_owner"
