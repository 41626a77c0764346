-- src/summary.sql
-- Daily summaries of the responses (issue 8: metric_status_at and
-- owner_scorecard_at at 5M responses).  The states of nps_agg, csat_agg and
-- ces_agg are exact (counts and integer sums), so the results of a day's
-- responses per (touchpoint, segment, channel), stored once, roll up with
-- nps_rollup / csat_rollup / ces_rollup to exactly what aggregating the rows
-- gives.  nps.metric_response_results_at (views.sql) reads the summarized
-- days lying wholly inside a window from nps.response_day and only the rest
-- (the partial days at the windows' edges, days not summarized) from
-- nps.response: the pattern of continuous aggregates with real-time tails.
--
-- Exact by construction:
--   nps.response_summarized_day  the days whose rows in nps.response_day are
--                                complete and current
--   triggers on nps.response     any INSERT, DELETE, TRUNCATE, and any
--                                UPDATE of a column the summaries read,
--                                remove the days it touches from both tables
--                                (invalidation: that day is read raw again)
--   nps.refresh_response_summary(before)  summarizes the days missing
-- The tables are derived data: not registered with pg_extension_config_dump
-- (empty after a restore, until the next refresh); the functions are exact
-- without them.

CREATE TABLE nps.response_day (
  day           date NOT NULL,
  touchpoint_id integer NOT NULL,
  segment       text,
  channel       text,
  nps           nps.nps_result,
  csat          nps.csat_result,
  ces           nps.ces_result,
  CONSTRAINT response_day_group UNIQUE NULLS NOT DISTINCT (day, touchpoint_id, segment, channel)
);
ALTER TABLE nps.response_day OWNER TO @extowner@;
COMMENT ON TABLE nps.response_day IS
  'derived (daily summaries): per UTC day of answered_at, touchpoint, segment and channel, the nps_agg, csat_agg and ces_agg results of the responses; complete only for the days in nps.response_summarized_day; filled by nps.refresh_response_summary, never dumped';
COMMENT ON COLUMN nps.response_day.day IS 'UTC date of answered_at: (answered_at AT TIME ZONE ''UTC'')::date';
COMMENT ON COLUMN nps.response_day.touchpoint_id IS 'touchpoint id of the responses';
COMMENT ON COLUMN nps.response_day.segment IS 'customer segment of the responses (NULL = responses without a segment)';
COMMENT ON COLUMN nps.response_day.channel IS 'channel of the responses (NULL = responses without a channel)';
COMMENT ON INDEX nps.response_day_group IS 'one row per day and group (NULL segment or channel is a group too)';
COMMENT ON COLUMN nps.response_day.nps IS 'nps_agg(score) of the responses of the day in the group';
COMMENT ON COLUMN nps.response_day.csat IS 'csat_agg(csat, 5, 4) of the responses of the day in the group (NULL when none has a CSAT score)';
COMMENT ON COLUMN nps.response_day.ces IS 'ces_agg(ces, 7, 5) of the responses of the day in the group (NULL when none has a CES score)';

CREATE TABLE nps.response_summarized_day (
  day           date PRIMARY KEY,
  summarized_at timestamptz NOT NULL
);
ALTER TABLE nps.response_summarized_day OWNER TO @extowner@;
COMMENT ON TABLE nps.response_summarized_day IS
  'derived (daily summaries): the UTC days whose rows in nps.response_day are complete and current (a day without responses is listed and has no rows there); a write to nps.response removes the days it touches; never dumped';
COMMENT ON COLUMN nps.response_summarized_day.day IS 'UTC date summarized';
COMMENT ON COLUMN nps.response_summarized_day.summarized_at IS 'when nps.refresh_response_summary summarized it (transaction start)';

-- ============================================================ invalidation

CREATE FUNCTION nps.invalidate_response_summary() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
AS $fn$
-- Statement-level AFTER INSERT / UPDATE / DELETE (transition tables old_rows,
-- new_rows) and AFTER TRUNCATE trigger on nps.response: the UTC days of the
-- rows written leave nps.response_summarized_day, and their rows leave
-- nps.response_day, so the readers read those days raw until the next
-- refresh.  An UPDATE invalidates only the days of rows whose summarized
-- columns (touchpoint_id, answered_at, segment, channel, score, csat, ces)
-- changed, matched by id (an id that appears on one side only invalidates
-- its day): follow-ups (followed_up_at), reasons and comments keep the day.
--
-- SECURITY DEFINER, owned by the extension owner: a writer (an ETL role with
-- only INSERT on nps.response) needs no right on the summary tables.  It
-- reads only the transition tables and deletes only from the two summary
-- tables, by day.  EXECUTE is revoked from PUBLIC: it runs only as the
-- trigger it is for.
--
-- The summary tables are named through TG_TABLE_SCHEMA, the schema of the
-- table the trigger fired on (nps.response, under whatever name its schema
-- has now), never through the name nps: had the extension owner renamed
-- schema nps, a role with CREATE on the database could plant an nps schema
-- whose look-alike tables (with triggers of their own) this function, running
-- as the extension owner, would otherwise write to.
DECLARE
  days date[];
  any_summarized boolean;
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    -- every row, also those a REPEATABLE READ snapshot does not see (TRUNCATE
    -- holds ACCESS EXCLUSIVE on nps.response already: readers wait anyway)
    EXECUTE pg_catalog.format('TRUNCATE %1$I.response_summarized_day, %1$I.response_day', TG_TABLE_SCHEMA);
    RETURN NULL;
  ELSIF TG_OP = 'INSERT' THEN
    SELECT pg_catalog.array_agg(DISTINCT (n.answered_at AT TIME ZONE 'UTC')::date) INTO days FROM new_rows n;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT pg_catalog.array_agg(DISTINCT (o.answered_at AT TIME ZONE 'UTC')::date) INTO days FROM old_rows o;
  ELSE
    SELECT pg_catalog.array_agg(DISTINCT c.day) INTO days
      FROM (SELECT (o.answered_at AT TIME ZONE 'UTC')::date
              FROM old_rows o LEFT JOIN new_rows n ON n.id = o.id
             WHERE n.id IS NULL
                OR (o.touchpoint_id, o.answered_at, o.segment, o.channel, o.score, o.csat, o.ces)
                   IS DISTINCT FROM (n.touchpoint_id, n.answered_at, n.segment, n.channel, n.score, n.csat, n.ces)
            UNION ALL
            SELECT (n.answered_at AT TIME ZONE 'UTC')::date
              FROM new_rows n LEFT JOIN old_rows o ON o.id = n.id
             WHERE o.id IS NULL
                OR (o.touchpoint_id, o.answered_at, o.segment, o.channel, o.score, o.csat, o.ces)
                   IS DISTINCT FROM (n.touchpoint_id, n.answered_at, n.segment, n.channel, n.score, n.csat, n.ces)) AS c(day);
  END IF;
  IF days IS NULL THEN
    RETURN NULL;
  END IF;
  -- A writer whose snapshot is the transaction's (REPEATABLE READ,
  -- SERIALIZABLE) may have taken it before a refresh that summarized one of
  -- these days committed: the refresh's rows are invisible to it, so it
  -- could not remove them.  Probing with INSERT ... ON CONFLICT DO NOTHING
  -- raises 40001 (could not serialize access) on such a row; the writer
  -- retries, as it must for any serialization failure.  The rows it inserts
  -- itself are deleted again just below.
  IF pg_catalog.current_setting('transaction_isolation') <> 'read committed' THEN
    EXECUTE pg_catalog.format('INSERT INTO %I.response_summarized_day (day, summarized_at) '
                              'SELECT d.day, pg_catalog.now() FROM pg_catalog.unnest($1) AS d(day) '
                              'ON CONFLICT (day) DO NOTHING', TG_TABLE_SCHEMA)
      USING days;
  -- most writes go to days not summarized yet (today): one index probe
  ELSE
    EXECUTE pg_catalog.format('SELECT EXISTS (SELECT FROM %I.response_summarized_day s WHERE s.day = ANY ($1))',
                              TG_TABLE_SCHEMA)
      INTO any_summarized USING days;
    IF NOT any_summarized THEN
      RETURN NULL;
    END IF;
  END IF;
  EXECUTE pg_catalog.format('DELETE FROM %I.response_summarized_day s WHERE s.day = ANY ($1)', TG_TABLE_SCHEMA)
    USING days;
  EXECUTE pg_catalog.format('DELETE FROM %I.response_day d WHERE d.day = ANY ($1)', TG_TABLE_SCHEMA)
    USING days;
  RETURN NULL;
END
$fn$;
ALTER FUNCTION nps.invalidate_response_summary() OWNER TO @extowner@;
-- a SECURITY DEFINER trigger function is for its own triggers only: nobody
-- may attach it to another table (CREATE TRIGGER needs EXECUTE; firing does not)
REVOKE EXECUTE ON FUNCTION nps.invalidate_response_summary() FROM PUBLIC;
COMMENT ON FUNCTION nps.invalidate_response_summary() IS
  'trigger function of the response_summary_* triggers on nps.response: removes the UTC days a write touches (any INSERT or DELETE; an UPDATE of touchpoint_id, answered_at, segment, channel, score, csat or ces; TRUNCATE: all) from nps.response_summarized_day and nps.response_day, so those days are read raw until the next refresh';

-- one trigger per event: transition tables are refused on multi-event triggers
CREATE TRIGGER response_summary_insert
  AFTER INSERT ON nps.response
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION nps.invalidate_response_summary();
CREATE TRIGGER response_summary_update
  AFTER UPDATE ON nps.response
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION nps.invalidate_response_summary();
CREATE TRIGGER response_summary_delete
  AFTER DELETE ON nps.response
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION nps.invalidate_response_summary();
CREATE TRIGGER response_summary_truncate
  AFTER TRUNCATE ON nps.response
  FOR EACH STATEMENT EXECUTE FUNCTION nps.invalidate_response_summary();
-- loads with session_replication_role = replica (logical replication, bulk
-- copies) invalidate too
ALTER TABLE nps.response ENABLE ALWAYS TRIGGER response_summary_insert;
ALTER TABLE nps.response ENABLE ALWAYS TRIGGER response_summary_update;
ALTER TABLE nps.response ENABLE ALWAYS TRIGGER response_summary_delete;
ALTER TABLE nps.response ENABLE ALWAYS TRIGGER response_summary_truncate;
COMMENT ON TRIGGER response_summary_insert ON nps.response IS
  'daily summaries: the days of inserted rows are read raw until the next nps.refresh_response_summary';
COMMENT ON TRIGGER response_summary_update ON nps.response IS
  'daily summaries: the days of rows whose touchpoint_id, answered_at, segment, channel, score, csat or ces changed (before and after) are read raw until the next nps.refresh_response_summary';
COMMENT ON TRIGGER response_summary_delete ON nps.response IS
  'daily summaries: the days of deleted rows are read raw until the next nps.refresh_response_summary';
COMMENT ON TRIGGER response_summary_truncate ON nps.response IS
  'daily summaries: TRUNCATE empties nps.response_day and nps.response_summarized_day';

-- ============================================================ refresh

CREATE FUNCTION nps.refresh_response_summary(
    before date DEFAULT (pg_catalog.now() AT TIME ZONE 'UTC')::date)
  RETURNS integer
  LANGUAGE plpgsql VOLATILE STRICT
  SET search_path = pg_catalog, pg_temp
AS $fn$
-- Invoker's rights: the caller needs INSERT on the summary tables (the
-- extension owner, or whom the DBA grants) and a lock on nps.response.
--
-- Race with writers: SHARE ROW EXCLUSIVE on nps.response makes writers wait
-- for the refresh (and a second refresh too; readers never wait), and the
-- statements after the lock take new snapshots (READ COMMITTED), so they see
-- every row committed before it.  A snapshot taken before the lock
-- (REPEATABLE READ, SERIALIZABLE) could miss rows: refused.
--
-- Invoker's rights, so (like metric_response_results_at) it names the
-- extension's objects through the schema recorded in pg_extension, in
-- dynamic statements, never by the name nps (renamed, a look-alike nps could
-- have taken that name, and a superuser may call this), and calls each
-- aggregate with arguments of exactly its parameter types.
DECLARE
  ext text := (SELECT pg_catalog.quote_ident(n.nspname)
                 FROM pg_catalog.pg_extension e
                 JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
                WHERE e.extname OPERATOR(pg_catalog.=) 'nps');
  first_day date;
  last_day  date;
  missing   date[];
  n         integer;
BEGIN
  IF pg_catalog.current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'nps.refresh_response_summary cannot run in a % transaction',
                    pg_catalog.upper(pg_catalog.current_setting('transaction_isolation'))
      USING ERRCODE = 'active_sql_transaction',
            DETAIL = 'Its snapshot predates the lock on nps.response: rows committed in between would be missing from the summaries.',
            HINT = 'Run it in a READ COMMITTED transaction (the default), e.g. on its own.';
  END IF;
  EXECUTE pg_catalog.format('LOCK TABLE %s.response IN SHARE ROW EXCLUSIVE MODE', ext);

  EXECUTE pg_catalog.format($q$
    SELECT (pg_catalog.min(r.answered_at) AT TIME ZONE 'UTC')::date,
           (pg_catalog.max(r.answered_at) AT TIME ZONE 'UTC')::date
      FROM %s.response r$q$, ext)
    INTO first_day, last_day;
  IF first_day IS NULL THEN
    RETURN 0;
  END IF;
  EXECUTE pg_catalog.format($q$
    SELECT pg_catalog.array_agg($1 + g.i ORDER BY g.i)
      FROM pg_catalog.generate_series(0, $2 - $1) AS g(i)
     WHERE NOT EXISTS (SELECT FROM %s.response_summarized_day s WHERE s.day = $1 + g.i)$q$, ext)
    INTO missing
    USING first_day, LEAST(last_day, before - 1);
  n := COALESCE(pg_catalog.cardinality(missing), 0);
  IF n = 0 THEN
    RETURN 0;
  END IF;

  -- the span of the missing days by the index on answered_at, then exactly
  -- those days (the groups of metric_response_results_at, per day)
  EXECUTE pg_catalog.format($q$
    INSERT INTO %1$s.response_day (day, touchpoint_id, segment, channel, nps, csat, ces)
    SELECT (r.answered_at AT TIME ZONE 'UTC')::date, r.touchpoint_id, r.segment, r.channel,
           %1$s.nps_agg(r.score), %1$s.csat_agg(r.csat, 5, 4), %1$s.ces_agg(r.ces, 7, 5)
      FROM %1$s.response r
     WHERE r.answered_at >= ($1[1]::timestamp AT TIME ZONE 'UTC')
       AND r.answered_at < (($1[$2] + 1)::timestamp AT TIME ZONE 'UTC')
       AND (r.answered_at AT TIME ZONE 'UTC')::date = ANY ($1)
     GROUP BY 1, 2, 3, 4$q$, ext)
    USING missing, n;
  EXECUTE pg_catalog.format($q$
    INSERT INTO %s.response_summarized_day (day, summarized_at)
    SELECT m.day, pg_catalog.now() FROM pg_catalog.unnest($1) AS m(day)$q$, ext)
    USING missing;
  RETURN n;
END
$fn$;
ALTER FUNCTION nps.refresh_response_summary(date) OWNER TO @extowner@;
COMMENT ON FUNCTION nps.refresh_response_summary(date) IS
  'daily summaries: summarizes into nps.response_day every UTC day before before (default: today, UTC) from the first to the last response day that is not in nps.response_summarized_day yet, and returns how many days it summarized; locks nps.response against writers meanwhile (SHARE ROW EXCLUSIVE; readers do not wait); READ COMMITTED only (25001); invoker''s rights';
