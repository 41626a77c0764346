-- src/schema_check.sql
-- Never trust a schema the installer could have prepared.  CREATE EXTENSION
-- nps reuses a schema named nps when one exists, and whoever made it (the
-- installing database owner, say) may have put functions, operators or types
-- there that match this script's calls better than pg_catalog's do; whatever
-- bound to them would later run as whoever uses the extension.
--
-- The Makefile puts this check both first and last in the install script.
-- First: the schema must be new or empty.  Last: it must hold nothing but
-- the extension's own objects (its members, and what PostgreSQL derives
-- from them: indexes, identity sequences, row and array types), which also
-- catches objects someone created concurrently while the script ran.  Either
-- way the whole CREATE EXTENSION is rolled back.
--
-- It runs as the bootstrap superuser: it pins its own search_path and calls
-- only pg_catalog functions with exactly typed arguments.
--
-- The schema then belongs to the extension owner, whoever made it: a schema
-- made by someone else (by pg_restore of another database's dump, say, with
-- the old owner's name) would let that role rename it and put look-alikes in
-- its place, which code resolving nps.* at run time would then call.
DO $check$
DECLARE
  saved_path text := pg_catalog.current_setting('search_path');
  foreign_objects text;
BEGIN
  PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
  WITH RECURSIVE schema_oid AS (
    SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = 'nps'::name
  ), in_schema (classid, objid) AS (
              SELECT 'pg_catalog.pg_class'::regclass, x.oid FROM pg_catalog.pg_class x, schema_oid s WHERE x.relnamespace = s.oid
    UNION ALL SELECT 'pg_catalog.pg_proc'::regclass, x.oid FROM pg_catalog.pg_proc x, schema_oid s WHERE x.pronamespace = s.oid
    UNION ALL SELECT 'pg_catalog.pg_type'::regclass, x.oid FROM pg_catalog.pg_type x, schema_oid s WHERE x.typnamespace = s.oid
    UNION ALL SELECT 'pg_catalog.pg_operator'::regclass, x.oid FROM pg_catalog.pg_operator x, schema_oid s WHERE x.oprnamespace = s.oid
    UNION ALL SELECT 'pg_catalog.pg_collation'::regclass, x.oid FROM pg_catalog.pg_collation x, schema_oid s WHERE x.collnamespace = s.oid
    UNION ALL SELECT 'pg_catalog.pg_conversion'::regclass, x.oid FROM pg_catalog.pg_conversion x, schema_oid s WHERE x.connamespace = s.oid
    UNION ALL SELECT 'pg_catalog.pg_opclass'::regclass, x.oid FROM pg_catalog.pg_opclass x, schema_oid s WHERE x.opcnamespace = s.oid
    UNION ALL SELECT 'pg_catalog.pg_opfamily'::regclass, x.oid FROM pg_catalog.pg_opfamily x, schema_oid s WHERE x.opfnamespace = s.oid
    UNION ALL SELECT 'pg_catalog.pg_statistic_ext'::regclass, x.oid FROM pg_catalog.pg_statistic_ext x, schema_oid s WHERE x.stxnamespace = s.oid
    UNION ALL SELECT 'pg_catalog.pg_ts_config'::regclass, x.oid FROM pg_catalog.pg_ts_config x, schema_oid s WHERE x.cfgnamespace = s.oid
    UNION ALL SELECT 'pg_catalog.pg_ts_dict'::regclass, x.oid FROM pg_catalog.pg_ts_dict x, schema_oid s WHERE x.dictnamespace = s.oid
    UNION ALL SELECT 'pg_catalog.pg_ts_parser'::regclass, x.oid FROM pg_catalog.pg_ts_parser x, schema_oid s WHERE x.prsnamespace = s.oid
    UNION ALL SELECT 'pg_catalog.pg_ts_template'::regclass, x.oid FROM pg_catalog.pg_ts_template x, schema_oid s WHERE x.tmplnamespace = s.oid
    UNION ALL SELECT 'pg_catalog.pg_extension'::regclass, x.oid FROM pg_catalog.pg_extension x, schema_oid s
               WHERE x.extnamespace = s.oid AND x.extname <> 'nps'::name
  ), belongs (classid, objid) AS (
    -- members of the extension ...
    SELECT d.classid, d.objid
      FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid
     WHERE d.refclassid = 'pg_catalog.pg_extension'::regclass AND e.extname = 'nps'::name
       AND d.deptype = 'e'::"char"
    UNION
    -- ... and what PostgreSQL made for them (internal and automatic dependencies)
    SELECT d.classid, d.objid
      FROM pg_catalog.pg_depend d JOIN belongs b ON b.classid = d.refclassid AND b.objid = d.refobjid
     WHERE d.deptype IN ('i'::"char", 'a'::"char")
  )
  SELECT pg_catalog.string_agg(pg_catalog.pg_describe_object(o.classid, o.objid, 0), ', ')
    INTO foreign_objects
    FROM in_schema o
   WHERE NOT EXISTS (SELECT FROM belongs b WHERE b.classid = o.classid AND b.objid = o.objid);
  IF foreign_objects IS NOT NULL THEN
    RAISE EXCEPTION 'schema "nps" holds objects that do not belong to extension nps'
      USING ERRCODE = 'duplicate_schema',
            DETAIL = pg_catalog.format('Found: %s.', foreign_objects),
            HINT = 'Extension nps installs only into a new or empty schema "nps": drop or rename that schema, then create the extension again.';
  END IF;
  PERFORM pg_catalog.set_config('search_path', saved_path, true);
END
$check$;
ALTER SCHEMA nps OWNER TO @extowner@;
