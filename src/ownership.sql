-- src/ownership.sql
-- Who owns what, as the views and the closed loop read it: the touchpoints
-- each metric assignment covers, which way a metric is better, and the one
-- rule for the owners of a detractor.  Small SQL functions bound at creation
-- over the ownership tables of journey.sql, used by views.sql (metric status,
-- detractor queue) and closed_loop.sql (the notification payload).  They are
-- apart from views.sql because they have not changed since 1.0: the upgrade
-- re-creates every object of views.sql (src/upgrade--1.1.sql drops them, and
-- the upgrade script runs views.sql again), and these stay as they are.

CREATE FUNCTION nps.metric_owner_touchpoints()
  RETURNS TABLE (metric_owner_id integer, touchpoint_id integer)
  LANGUAGE sql STABLE PARALLEL SAFE ROWS 100
  SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT mo.id, t.id
    FROM nps.metric_owner mo
    JOIN nps.touchpoint t ON t.journey_id = mo.journey_id
                         AND (mo.touchpoint_id IS NULL OR t.id = mo.touchpoint_id);
END;
COMMENT ON FUNCTION nps.metric_owner_touchpoints() IS
  'internal: the touchpoints each nps.metric_owner row covers (its touchpoint, or every touchpoint of its journey when touchpoint_id is NULL)';

CREATE FUNCTION nps.direction_sign(direction text) RETURNS integer
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT CASE direction WHEN 'higher' THEN 1 WHEN 'lower' THEN -1 END;
END;
COMMENT ON FUNCTION nps.direction_sign(text) IS
  'internal: 1 when higher values are better (nps.metric.direction higher), -1 when lower are; sign * (a - b) > 0 means a is better than b';

-- ============================================================ owners of a detractor
-- One rule, for the queue (detractor_queue.owners) and for the notification
-- payload (closed_loop.sql): the owners of the NPS metrics covering the
-- response.

CREATE FUNCTION nps.detractor_owners(touchpoint_id integer, segment text, channel text)
  RETURNS TABLE (owner_id integer, owner_name text, owner_role name,
                 whole_journey boolean, owner_rank bigint)
  LANGUAGE sql STABLE PARALLEL SAFE ROWS 5
  SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  -- Each owner once: owners of the NPS metrics at the touchpoint first, then
  -- those owning an NPS metric for its whole journey, each group by owner id.
  -- A metric restricted to a segment or channel counts only when the
  -- response's segment and channel match it (a NULL segment or channel
  -- matches only unrestricted metrics).  Other metric kinds do not count.
  SELECT x.id, x.name, x.role_name, x.whole_journey,
         row_number() OVER (ORDER BY x.whole_journey, x.id)
    FROM (SELECT o.id, o.name, o.role_name, bool_and(mo.touchpoint_id IS NULL) AS whole_journey
            FROM nps.touchpoint t
            JOIN nps.metric_owner mo ON mo.journey_id = t.journey_id
                                    AND (mo.touchpoint_id IS NULL OR mo.touchpoint_id = t.id)
            JOIN nps.metric m ON m.code = mo.metric
            JOIN nps.owner o ON o.id = mo.owner_id
           WHERE t.id = $1
             AND m.metric_kind = 'nps'
             AND (m.segment IS NULL OR m.segment = $2)
             AND (m.channel IS NULL OR m.channel = $3)
           GROUP BY o.id, o.name, o.role_name) x
   ORDER BY 5;
END;
COMMENT ON FUNCTION nps.detractor_owners(integer, text, text) IS
  'the owners of a detractor at a touchpoint with a segment and channel: owners of the NPS metrics at the touchpoint, then of NPS metrics of its whole journey (whole_journey), each owner once, owner_rank in that order (by owner id within each group); a metric restricted to a segment or channel counts only for a matching response; used by detractor_queue_at and the notification payload';
