-- src/health.sql
-- Customer health: per customer, what the data says about the relationship
-- (the latest score, CSAT, complaints, open and reopened cases, an unanswered
-- detractor, time since the last interaction) and a health score 0-100 that
-- is a documented weighted sum of those terms.  The weights live in
-- nps.health_weight: built-in defaults, and the user's own rows for the
-- terms they change (dumped by pg_dump, like nps.metric's user rows).

-- ---------- weights ----------

CREATE TABLE nps.health_weight (
  term        text NOT NULL,
  weight      double precision NOT NULL,
  cap         double precision,
  description text,
  builtin     boolean NOT NULL DEFAULT false,
  PRIMARY KEY (term, builtin),
  CONSTRAINT health_weight_term_known CHECK (term IN (
    'latest_score', 'csat', 'complaints', 'open_cases', 'reopened_cases',
    'unanswered_detractor', 'inactivity')),
  CONSTRAINT health_weight_weight_non_negative_finite CHECK (weight >= 0 AND weight < 'Infinity'),
  CONSTRAINT health_weight_cap_positive_finite CHECK (cap > 0 AND cap < 'Infinity'),
  CONSTRAINT health_weight_cap_only_for_counts CHECK (
    cap IS NULL OR term IN ('complaints', 'open_cases', 'reopened_cases', 'inactivity'))
);
COMMENT ON TABLE nps.health_weight IS
  'weights of the terms of the customer health score (nps.customer_health): the built-in defaults (builtin, recreated by CREATE EXTENSION, not dumped) and a row of the user''s own per term it changes (dumped by pg_dump), which replaces the default';
COMMENT ON COLUMN nps.health_weight.term IS 'the term: latest_score, csat, complaints, open_cases, reopened_cases, unanswered_detractor or inactivity';
COMMENT ON COLUMN nps.health_weight.weight IS 'points of health the term can cost (0 = ignored); the score is 100 minus the weighted penalties, scaled to the weights of the terms known for the customer';
COMMENT ON COLUMN nps.health_weight.cap IS 'for counts (complaints, open_cases, reopened_cases) the count, for inactivity the days, at which the penalty is full; NULL in a user row = the built-in cap; NULL for the other terms';
COMMENT ON COLUMN nps.health_weight.description IS 'what the term measures, in words';
COMMENT ON COLUMN nps.health_weight.builtin IS 'true for the default rows the extension installs (not dumped); false for the user''s rows, which take precedence';

INSERT INTO nps.health_weight (term, weight, cap, description, builtin) VALUES
  ('latest_score', 40, NULL,
   'the latest 0-10 recommendation score by as_of: penalty (10 - score) / 10', true),
  ('csat', 15, NULL,
   'CSAT answers in the window: penalty = share not satisfied (1-3 of 5); unknown without CSAT answers', true),
  ('complaints', 15, 2,
   'complaint cases opened in the window: penalty = complaints / cap, at most 1', true),
  ('open_cases', 10, 3,
   'cases opened by as_of and not resolved by as_of: penalty = open cases / cap, at most 1', true),
  ('reopened_cases', 5, 1,
   'cases opened in the window, resolved by as_of and reopened: penalty = reopened / cap, at most 1', true),
  ('unanswered_detractor', 10, NULL,
   'a detractor answer (0-6) not followed up by as_of: penalty 1, else 0', true),
  ('inactivity', 5, 90,
   'days from the last interaction (answer, journey event or case) to as_of: penalty = days / cap, at most 1', true);

SELECT pg_catalog.pg_extension_config_dump('nps.health_weight', 'WHERE NOT builtin');
ALTER TABLE nps.health_weight OWNER TO @extowner@;

-- a customer's answers, latest first (customer_health_at's lookups); it also
-- serves any lookup by customer alone (1.0's response_customer_idx, dropped)
CREATE INDEX response_customer_answered_at_idx ON nps.response (customer, answered_at) INCLUDE (score);
COMMENT ON INDEX nps.response_customer_answered_at_idx IS
  'a customer''s answers in time order with the score: the latest score of each customer (customer health), and any lookup by customer';

-- ---------- health ----------

CREATE FUNCTION nps.customer_health_at(
    as_of timestamptz DEFAULT pg_catalog.now(),
    window_length interval DEFAULT nps.setting_window_length(),
    response_table regclass DEFAULT 'nps.response'::pg_catalog.regclass,
    journey_event_table regclass DEFAULT 'nps.journey_event'::pg_catalog.regclass,
    service_case_table regclass DEFAULT 'nps.service_case'::pg_catalog.regclass,
    customers text[] DEFAULT NULL)
  RETURNS TABLE (
    customer text,
    latest_answered_at timestamptz, latest_score smallint, latest_category nps.nps_category,
    responses bigint, csat_responses bigint, csat double precision,
    complaints bigint, open_cases bigint, reopened_cases bigint,
    unanswered_detractor boolean,
    last_interaction_at timestamptz, days_since_last_interaction double precision,
    health_score double precision, tier text)
  LANGUAGE plpgsql STABLE CALLED ON NULL INPUT PARALLEL SAFE ROWS 1000
  SET search_path = pg_catalog, pg_temp
  SET jit = off     -- many customers but simple expressions: compiling costs more than it saves
  -- serial: a parallel plan groups nearly every customer in each worker, then
  -- sorts those groups to merge them (1.8-2.3 s against 1.6-1.9 s serial on
  -- the demo data x10, README "nps.customer_health")
  SET max_parallel_workers_per_gather = 0
AS $fn$
-- The fact tables (README "Reading your own fact tables") are checked, then
-- read through format('%s', regclass), which prints the schema-qualified,
-- quoted name; EXECUTE ... USING plans with the actual as_of and window.
-- plpgsql looks names up when it runs, and the extension owner may have
-- renamed schema nps and planted a look-alike nps (test/t/security.sh, c2):
-- the extension's own objects are reached through its schema as
-- pg_extension records it (ext), never through the name nps.
-- customers (NULL = every customer) limits the rows to those customers: each
-- source is then read by customer through its index on (customer, time), so
-- a lookup of a few customers costs milliseconds where the whole list reads
-- the window.  NULL in any other argument returns no rows (as STRICT would;
-- not STRICT because of this NULL default).
DECLARE
  ext name;
  only_r text := '';    -- the customer filter of each source, or nothing
  only_c text := '';
  only_e text := '';
BEGIN
  IF as_of IS NULL OR window_length IS NULL OR response_table IS NULL
     OR journey_event_table IS NULL OR service_case_table IS NULL THEN
    RETURN;
  END IF;
  IF customers IS NOT NULL THEN
    only_r := 'AND r.customer = ANY ($4)';
    only_c := 'AND c.customer = ANY ($4)';
    only_e := 'AND e.customer = ANY ($4)';
  END IF;
  SELECT n.nspname INTO ext
    FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
   WHERE e.extname = 'nps';
  EXECUTE pg_catalog.format('SELECT %1$I.check_window_length($1), %1$I.check_fact_table($2, ''response''), '
                            '%1$I.check_fact_table($3, ''journey_event''), %1$I.check_fact_table($4, ''service_case'')', ext)
    USING window_length, response_table, journey_event_table, service_case_table;
  RETURN QUERY EXECUTE pg_catalog.format($q$
  WITH wt AS (            -- one row: each term's weight and cap (the user's row, else the built-in one)
    SELECT max(x.weight) FILTER (WHERE x.term = 'latest_score') AS w_score,
           max(x.weight) FILTER (WHERE x.term = 'csat') AS w_csat,
           max(x.weight) FILTER (WHERE x.term = 'complaints') AS w_complaints,
           max(x.cap) FILTER (WHERE x.term = 'complaints') AS c_complaints,
           max(x.weight) FILTER (WHERE x.term = 'open_cases') AS w_open,
           max(x.cap) FILTER (WHERE x.term = 'open_cases') AS c_open,
           max(x.weight) FILTER (WHERE x.term = 'reopened_cases') AS w_reopened,
           max(x.cap) FILTER (WHERE x.term = 'reopened_cases') AS c_reopened,
           max(x.weight) FILTER (WHERE x.term = 'unanswered_detractor') AS w_waiting,
           max(x.weight) FILTER (WHERE x.term = 'inactivity') AS w_inactive,
           max(x.cap) FILTER (WHERE x.term = 'inactivity') AS c_inactive
      FROM (SELECT DISTINCT ON (h.term) h.term, h.weight,
                   coalesce(h.cap, (SELECT b.cap FROM %4$I.health_weight b WHERE b.term = h.term AND b.builtin)) AS cap
              FROM %4$I.health_weight h
             ORDER BY h.term, h.builtin) x
  ), rows AS (          -- one scan of each source, in one list grouped once
    SELECT r.customer, r.answered_at AS answer_at, r.score, r.csat,
           NULL::boolean AS complaint, NULL::boolean AS open, NULL::boolean AS reopened,
           NULL::timestamptz AS case_at, NULL::timestamptz AS event_at, false AS waiting, true AS active
      FROM %1$s r
     WHERE r.answered_at > $3 AND r.answered_at <= $1 %5$s
    UNION ALL           -- cases opened by as_of
    SELECT c.customer, NULL, NULL, NULL,
           c.opened_at > $3 AND c.complaint,
           c.resolved_at IS NULL OR c.resolved_at > $1,
           c.opened_at > $3 AND c.reopened AND c.resolved_at <= $1,
           c.opened_at, NULL, false, c.opened_at > $3
      FROM %3$s c
     WHERE c.opened_at <= $1 %6$s
    UNION ALL           -- journey events in the window
    SELECT e.customer, NULL, NULL, NULL, NULL, NULL, NULL, NULL, e.occurred_at, false, true
      FROM %2$s e
     WHERE e.occurred_at > $3 AND e.occurred_at <= $1 %7$s
    UNION ALL           -- detractors not followed up by as_of (as in detractor_queue_at)
    SELECT r.customer, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, true, false
      FROM %1$s r
     WHERE r.score <= 6 AND r.followed_up_at IS NULL AND r.answered_at <= $1 %5$s
    UNION ALL
    SELECT r.customer, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, true, false
      FROM %1$s r
     WHERE r.score <= 6 AND r.followed_up_at > $1 AND r.answered_at <= $1 %5$s
  ), per_customer AS (
    SELECT x.customer,
           count(x.answer_at) AS n,
           -- the latest answer in the window and its score, in one aggregate:
           -- microseconds since 1900 * 16 + score (scores are 0..10)
           max((extract(epoch FROM x.answer_at - timestamptz '1900-01-01 00:00+00') * 1000000)::bigint * 16
               + x.score) AS latest_key,
           %4$I.csat_agg(x.csat, 5, 4) AS csat_res,
           count(*) FILTER (WHERE x.complaint) AS complaints,
           count(*) FILTER (WHERE x.open) AS open,
           count(*) FILTER (WHERE x.reopened) AS reopened,
           max(x.case_at) AS case_at, max(x.event_at) AS event_at,
           bool_or(x.waiting) AS waiting,
           bool_or(x.active) AS active
      FROM rows x
     GROUP BY x.customer
  ), facts AS (         -- active in the window, or with an open case or a waiting detractor
    -- the latest answer: decoded from latest_key, or looked up (lr) when there
    -- is no answer in the window (a lateral join to the fact table alone, not
    -- to a UNION ALL with a branch reading no table, which Citus cannot plan)
    SELECT p.customer,
           coalesce(timestamptz '1900-01-01 00:00+00' + (p.latest_key / 16) * interval '1 microsecond',
                    lr.answered_at) AS latest_at,
           coalesce((p.latest_key %% 16)::smallint, lr.score) AS latest_score,
           p.n, (p.csat_res).responses AS csat_n, (p.csat_res).csat AS csat,
           p.complaints, p.open, p.reopened, p.waiting,
           greatest(coalesce(timestamptz '1900-01-01 00:00+00' + (p.latest_key / 16) * interval '1 microsecond',
                             lr.answered_at),
                    p.case_at,
                    coalesce(p.event_at, (SELECT max(e2.occurred_at) FROM %2$s e2
                                           WHERE e2.customer = p.customer AND e2.occurred_at <= $1))) AS last_at
      FROM per_customer p
      LEFT JOIN LATERAL (
        SELECT r.answered_at, r.score FROM %1$s r
         WHERE p.latest_key IS NULL AND r.customer = p.customer AND r.answered_at <= $1
         ORDER BY r.answered_at DESC LIMIT 1
      ) lr ON true
     WHERE p.active OR p.open > 0 OR p.waiting
  ), scored AS (        -- penalties 0..1 times weights; a term without data (no score, no CSAT) is left out
    SELECT f.*,
           wt.w_score * (10 - f.latest_score)::double precision / 10 AS p_score,
           CASE WHEN f.latest_score IS NOT NULL THEN wt.w_score END AS k_score,
           wt.w_csat * (1 - f.csat / 100) AS p_csat,
           CASE WHEN f.csat IS NOT NULL THEN wt.w_csat END AS k_csat,
           wt.w_complaints * least(f.complaints / wt.c_complaints, 1)
             + wt.w_open * least(f.open / wt.c_open, 1)
             + wt.w_reopened * least(f.reopened / wt.c_reopened, 1)
             + wt.w_waiting * CASE WHEN f.waiting THEN 1 ELSE 0 END
             + wt.w_inactive * least(extract(epoch FROM $1 - f.last_at)::double precision / 86400 / wt.c_inactive, 1)
             AS p_always,
           wt.w_complaints + wt.w_open + wt.w_reopened + wt.w_waiting + wt.w_inactive AS k_always
      FROM facts f CROSS JOIN wt
  ), health AS (
    SELECT s.*,
           100 * (1 - (coalesce(s.p_score, 0) + coalesce(s.p_csat, 0) + s.p_always)
                      / nullif(coalesce(s.k_score, 0) + coalesce(s.k_csat, 0) + s.k_always, 0)) AS score
      FROM scored s
  )
  SELECT h.customer, h.latest_at, h.latest_score, %4$I.nps_category(h.latest_score),
         h.n, coalesce(h.csat_n, 0), h.csat,
         h.complaints, h.open, h.reopened, h.waiting,
         h.last_at, extract(epoch FROM $1 - h.last_at)::double precision / 86400,
         h.score,
         CASE WHEN h.score >= 70 THEN 'healthy' WHEN h.score >= 40 THEN 'watch' WHEN h.score IS NOT NULL THEN 'at risk' END
    FROM health h
   ORDER BY h.score NULLS LAST, h.customer;
$q$, response_table, journey_event_table, service_case_table, ext, only_r, only_c, only_e)
  USING as_of, window_length, as_of - window_length, customers;
END;
$fn$;
-- plpgsql (it reads the relations it is given), so owned by the extension owner
ALTER FUNCTION nps.customer_health_at(timestamptz, interval, regclass, regclass, regclass, text[]) OWNER TO @extowner@;
COMMENT ON FUNCTION nps.customer_health_at(timestamptz, interval, regclass, regclass, regclass, text[]) IS
  'per customer active in (as_of - window_length, as_of] (an answer, journey event or case opened), with a case open at as_of or a detractor answer not followed up by as_of: the latest score, answers and CSAT in the window, complaints, open and reopened cases, an unanswered detractor, time since the last interaction, and a health score 0-100 (weights in nps.health_weight) with its tier; least healthy first; customers (NULL: every customer) limits the rows to those customers, read through the indexes by customer; the function behind nps.customer_health';

CREATE VIEW nps.customer_health WITH (security_invoker = true) AS
  SELECT * FROM nps.customer_health_at(pg_catalog.now(), nps.setting_window_length());
ALTER VIEW nps.customer_health OWNER TO @extowner@;
COMMENT ON VIEW nps.customer_health IS
  'one row per customer active in the last nps.window_length (or with an open case or an unanswered detractor): the facts and a health score 0-100 with its tier, least healthy first; nps.customer_health_at(as_of, window_length) for any time';
COMMENT ON COLUMN nps.customer_health.customer IS 'customer identifier';
COMMENT ON COLUMN nps.customer_health.latest_answered_at IS 'when the customer last answered a survey (by now, any time)';
COMMENT ON COLUMN nps.customer_health.latest_score IS 'the 0-10 score of that answer';
COMMENT ON COLUMN nps.customer_health.latest_category IS 'detractor, passive or promoter (nps_category of latest_score)';
COMMENT ON COLUMN nps.customer_health.responses IS 'answers in the window';
COMMENT ON COLUMN nps.customer_health.csat_responses IS 'answers in the window with a CSAT score';
COMMENT ON COLUMN nps.customer_health.csat IS 'percent of those satisfied (4-5 of 5); NULL without CSAT answers';
COMMENT ON COLUMN nps.customer_health.complaints IS 'complaint cases opened in the window';
COMMENT ON COLUMN nps.customer_health.open_cases IS 'cases opened by now and not resolved by now';
COMMENT ON COLUMN nps.customer_health.reopened_cases IS 'cases opened in the window, resolved by now and reopened';
COMMENT ON COLUMN nps.customer_health.unanswered_detractor IS 'the customer has a detractor answer (0-6) not followed up by now';
COMMENT ON COLUMN nps.customer_health.last_interaction_at IS 'latest answer, journey event or case opened, by now';
COMMENT ON COLUMN nps.customer_health.days_since_last_interaction IS 'days from last_interaction_at to now';
COMMENT ON COLUMN nps.customer_health.health_score IS '100 minus the weighted penalties of the terms known for the customer (nps.health_weight), scaled to their weights: 100 * (1 - sum(weight * penalty) / sum(weight)); 0..100';
COMMENT ON COLUMN nps.customer_health.tier IS 'healthy (health_score 70 or more), watch (40 to 70) or at risk (below 40)';
