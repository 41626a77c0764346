-- test/upgrade/data-1.0.sql: rows in every table of nps 1.0, for test/t/upgrade.sh
-- (run by the extension owner after CREATE EXTENSION nps VERSION '1.0').
-- Written against the 1.0 tables, and never changed: later versions reach
-- their tables through the upgrade scripts.
SET nps.notify = off;
INSERT INTO nps.journey (code, name, description) VALUES
  ('retail', '零售购物', 'presale to aftersales'), ('support', 'Support', NULL);
INSERT INTO nps.touchpoint (journey_id, stage_order, code, name)
SELECT 1, o, c, n FROM unnest(ARRAY['presale','order','payment','delivery','aftersales'],
                              ARRAY['售前咨询','下单','支付','配送','售后']) WITH ORDINALITY AS u(c, n, o);
INSERT INTO nps.touchpoint (journey_id, stage_order, code, name) VALUES (2, 1, 'hotline', 'Hotline');
INSERT INTO nps.owner (name, owner_kind, department, email, role_name) VALUES
  ('物流部', 'department', NULL, 'logistics@example.com', NULL),
  ('李强', 'person', '物流部', 'li@example.com', 'li_qiang'),
  ('客户体验中心', 'department', NULL, NULL, 'cx');
INSERT INTO nps.metric (code, name, metric_kind, measure, direction, unit, segment, sla, description)
VALUES ('nps_vip', 'VIP 客户 NPS', 'nps', 'score', 'higher', 'points', 'VIP', NULL, 'user-added metric'),
       ('resolution_24h', 'Resolved within 24 hours', 'rate', 'resolution_within_sla', 'higher', '%', NULL,
        interval '24 hours', NULL);
INSERT INTO nps.metric_owner (metric, journey_id, touchpoint_id, owner_id, target, alert_line, min_responses) VALUES
  ('nps', 1, 4, 2, 30, 10, NULL), ('nps', 1, NULL, 3, 25, 5, 20), ('nps_vip', 1, 4, 1, 50, 30, NULL),
  ('resolution_24h', 2, 6, 3, 90, 80, 10);
INSERT INTO nps.response (customer, touchpoint_id, answered_at, segment, channel, score, csat, ces, comment, reasons, followed_up_at)
SELECT 'C' || (g % 97), 1 + g % 6, timestamptz '2026-11-20 12:00+08' - g * interval '37 minutes',
       (ARRAY['VIP', '普通', '流失', NULL])[1 + g % 4], (ARRAY['app', 'email', NULL])[1 + g % 3],
       (g * 7) % 11, CASE WHEN g % 3 = 0 THEN 1 + g % 5 END, CASE WHEN g % 4 = 0 THEN 1 + g % 7 END,
       CASE WHEN g % 5 = 0 THEN '评论 ' || g END,
       CASE WHEN (g * 7) % 11 <= 6 AND g % 3 = 0 THEN ARRAY['物流慢'] ELSE '{}' END,
       CASE WHEN (g * 7) % 11 <= 6 AND g % 2 = 0
            THEN timestamptz '2026-11-20 12:00+08' - g * interval '37 minutes' + interval '5 hours' END
  FROM generate_series(1, 500) g;
INSERT INTO nps.journey_event (customer, touchpoint_id, occurred_at)
SELECT 'C' || c, t, timestamptz '2026-11-01 00:00+08' + c * interval '3 hours' + t * interval '1 day'
  FROM generate_series(1, 50) c, generate_series(1, 5) t WHERE c % (t + 1) <> 0 OR t = 1;
INSERT INTO nps.service_case (customer, touchpoint_id, opened_at, first_response_at, resolved_at, contacts, complaint, reopened)
SELECT 'C' || g, (ARRAY[1, 4, 5, 6])[1 + g % 4], timestamptz '2026-11-20 12:00+08' - g * interval '5 hours',
       timestamptz '2026-11-20 12:00+08' - g * interval '5 hours' + (g % 9) * interval '1 hour',
       CASE WHEN g % 7 <> 0 THEN timestamptz '2026-11-20 12:00+08' - g * interval '5 hours' + (g % 50) * interval '1 hour' END,
       1 + g % 3, g % 10 = 0, g % 7 <> 0 AND g % 13 = 0
  FROM generate_series(1, 60) g;
INSERT INTO nps.unrestricted_role (role_name, added_at) VALUES ('cx_director', '2026-11-20 09:00+08');
SELECT nps.enable_owner_security();
