-- src/fact_tables.sql
-- The fact tables the *_at functions read.  By default they read the
-- extension's own nps.response, nps.journey_event and nps.service_case; each
-- also takes the relations to read as regclass arguments (response_table,
-- journey_event_table, service_case_table), so the same functions run over
-- tables of the caller's choosing: a distributed table on Citus, a
-- partitioned table whose partitions are postgres_fdw shards, a view over a
-- warehouse table.  Such a relation needs the columns listed here with these
-- types (extra columns are ignored); nps.check_fact_table says exactly what
-- is missing or mistyped before anything is read.
--
-- The functions read the relation with the caller's privileges (SECURITY
-- INVOKER), so naming a relation gives no access the caller does not have.

CREATE FUNCTION nps.fact_table_columns()
  RETURNS TABLE (fact text, column_name name, column_type regtype)
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT c.fact, c.column_name, c.column_type
    FROM (VALUES
      ('response'::text, 'id'::name, 'bigint'::regtype, 1),
      ('response', 'customer', 'text', 2),
      ('response', 'touchpoint_id', 'integer', 3),
      ('response', 'answered_at', 'timestamp with time zone', 4),
      ('response', 'segment', 'text', 5),
      ('response', 'channel', 'text', 6),
      ('response', 'score', 'smallint', 7),
      ('response', 'csat', 'smallint', 8),
      ('response', 'ces', 'smallint', 9),
      ('response', 'comment', 'text', 10),
      ('response', 'reasons', 'text[]', 11),
      ('response', 'followed_up_at', 'timestamp with time zone', 12),
      ('journey_event', 'customer', 'text', 1),
      ('journey_event', 'touchpoint_id', 'integer', 2),
      ('journey_event', 'occurred_at', 'timestamp with time zone', 3),
      ('service_case', 'customer', 'text', 1),
      ('service_case', 'touchpoint_id', 'integer', 2),
      ('service_case', 'opened_at', 'timestamp with time zone', 3),
      ('service_case', 'first_response_at', 'timestamp with time zone', 4),
      ('service_case', 'resolved_at', 'timestamp with time zone', 5),
      ('service_case', 'contacts', 'integer', 6),
      ('service_case', 'complaint', 'boolean', 7),
      ('service_case', 'reopened', 'boolean', 8)
    ) AS c (fact, column_name, column_type, position)
   ORDER BY c.fact, c.position;
END;
COMMENT ON FUNCTION nps.fact_table_columns() IS
  'the columns (name and type) a relation needs to be read as facts by the *_at functions: response (survey answers), journey_event (stages reached), service_case (tickets); extra columns are ignored';

CREATE FUNCTION nps.check_fact_table(relation regclass, fact text) RETURNS regclass
  LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
AS $fn$
-- Returns relation when it has every column nps.fact_table_columns() lists
-- for fact, with that type; raises otherwise, naming the first column that is
-- missing (42703) or has another type (42804).  A relation that holds no rows
-- (an index, a sequence, a composite type) is refused with 42809.
DECLARE
  want record;
  actual regtype;
  wanted integer;
  -- the extension's schema by OID, never a schema found by the name nps (a
  -- PL/pgSQL body is not bound to its objects; README, Security model)
  nps_schema regnamespace := (SELECT e.extnamespace::pg_catalog.regnamespace
                                FROM pg_catalog.pg_extension e WHERE e.extname = 'nps');
BEGIN
  EXECUTE pg_catalog.format('SELECT pg_catalog.count(*) FROM %s.fact_table_columns() c WHERE c.fact = $1', nps_schema)
    INTO wanted USING fact;
  IF wanted = 0 THEN
    RAISE EXCEPTION 'unknown kind of fact table "%"', fact
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = 'The kind must be response, journey_event or service_case.';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_class r
                  WHERE r.oid = relation AND r.relkind IN ('r', 'p', 'v', 'm', 'f')) THEN
    RAISE EXCEPTION '"%" is not a table, view, materialized view or foreign table', relation
      USING ERRCODE = 'wrong_object_type';
  END IF;
  FOR want IN EXECUTE pg_catalog.format('SELECT c.column_name, c.column_type FROM %s.fact_table_columns() c WHERE c.fact = $1',
                                         nps_schema)
                USING fact LOOP
    SELECT a.atttypid::regtype INTO actual
      FROM pg_catalog.pg_attribute a
     WHERE a.attrelid = relation AND a.attname = want.column_name
       AND a.attnum > 0 AND NOT a.attisdropped;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'relation "%" has no column "%"', relation, want.column_name
        USING ERRCODE = 'undefined_column',
              DETAIL = pg_catalog.format('A %s table needs the columns of nps.fact_table_columns().', fact);
    END IF;
    IF actual OPERATOR(pg_catalog.<>) want.column_type THEN
      RAISE EXCEPTION 'column "%" of relation "%" is of type %, not %', want.column_name, relation, actual, want.column_type
        USING ERRCODE = 'datatype_mismatch',
              DETAIL = pg_catalog.format('A %s table needs the columns of nps.fact_table_columns().', fact);
    END IF;
  END LOOP;
  RETURN relation;
END
$fn$;
ALTER FUNCTION nps.check_fact_table(regclass, text) OWNER TO @extowner@;
COMMENT ON FUNCTION nps.check_fact_table(regclass, text) IS
  'returns relation when it has the columns nps.fact_table_columns() lists for fact (response, journey_event or service_case) with those types; raises 42703 naming a missing column, 42804 naming a mistyped one, 42809 for a relation without rows, 22023 for an unknown fact (used by the *_at functions before they read a relation)';
