-- test/demo/demo.sql: a retail customer journey with about 100,000 survey answers.
-- Run by test/run_demo.sh in database nps_demo (CREATE EXTENSION nps already done):
--   bash test/run_demo.sh
-- Everything is generated with a fixed seed and read with the *_at functions at a
-- fixed as_of, so the output is the same on every run.
--
-- The story: an online shop's journey 售前咨询 -> 下单 -> 支付 -> 配送 -> 售后
-- (presale -> order -> payment -> delivery -> aftersales) over the 60 days before
-- 2026-11-20 12:00 (Beijing time).  About 25 days before as_of the logistics
-- partner changed: deliveries got slower and boxes arrived damaged, so 配送 is
-- clearly the worst stage now and its follow-ups fell behind.
\set ON_ERROR_STOP 1
\set QUIET 1
\set as_of '2026-11-20 12:00+08'
SET TimeZone = 'Asia/Shanghai';
SET nps.notify = off;                    -- bulk load: no NOTIFY per detractor
SET max_parallel_workers_per_gather = 0; -- random() in one process: same data every run
SET client_min_messages = warning;
\pset footer off
\pset null ''

SELECT setseed(0.42) \gset

-- ---------------------------------------------------------------- journey, owners
INSERT INTO nps.journey (code, name, description)
VALUES ('retail', '零售购物', '线上商城: 售前咨询 -> 下单 -> 支付 -> 配送 -> 售后');
INSERT INTO nps.touchpoint (journey_id, stage_order, code, name)
SELECT j.id, s.ord, s.code, s.name
  FROM nps.journey j,
       (VALUES (1, 'presale', '售前咨询'), (2, 'order', '下单'), (3, 'payment', '支付'),
               (4, 'delivery', '配送'), (5, 'aftersales', '售后')) AS s(ord, code, name)
 WHERE j.code = 'retail';

INSERT INTO nps.owner (name, owner_kind, department, email, role_name) VALUES
  ('客户体验中心', 'department', NULL, 'cx@shop.example', 'cx_center'),
  ('陈静', 'person', '客户体验中心', 'chen.jing@shop.example', 'chen_jing'),
  ('客服中心', 'department', NULL, 'service@shop.example', NULL),
  ('王芳', 'person', '客服中心', 'wang.fang@shop.example', 'wang_fang'),
  ('电商运营部', 'department', NULL, 'ecommerce@shop.example', NULL),
  ('赵磊', 'person', '电商运营部', 'zhao.lei@shop.example', 'zhao_lei'),
  ('支付团队', 'department', '技术部', 'payments@shop.example', NULL),
  ('物流部', 'department', NULL, 'logistics@shop.example', 'logistics'),
  ('李强', 'person', '物流部', 'li.qiang@shop.example', 'li_qiang'),
  ('售后服务部', 'department', NULL, 'aftersales@shop.example', NULL),
  ('张伟', 'person', '售后服务部', 'zhang.wei@shop.example', 'zhang_wei');

-- a metric of our own: NPS of VIP customers over the whole journey
INSERT INTO nps.metric (code, name, metric_kind, measure, direction, unit, segment, description)
VALUES ('nps_vip', 'VIP 客户 NPS', 'nps', 'score', 'higher', 'points', 'VIP',
        'NPS of VIP customers only');

INSERT INTO nps.metric_owner (metric, journey_id, touchpoint_id, owner_id, target, alert_line)
SELECT mo.metric, j.id, t.id, o.id, mo.target, mo.alert_line
  FROM (VALUES
          ('nps',  NULL,         '陈静',       30, 15),   -- the whole journey
          ('nps_vip', NULL,      '客户体验中心', 45, 30),
          ('nps',  'presale',    '王芳',       35, 20),
          ('first_contact_resolution', 'presale', '客服中心', 75, 60),
          ('nps',  'order',      '赵磊',       40, 25),
          ('nps',  'payment',    '支付团队',   45, 30),
          ('ces',  'payment',    '支付团队',   5.5, 5),
          ('nps',  'delivery',   '李强',       35, 20),
          ('complaint_rate', 'delivery', '物流部', 5, 10),
          ('nps',  'aftersales', '张伟',       20, 5),
          ('csat', 'aftersales', '张伟',       80, 70),
          ('first_response_sla', 'aftersales', '售后服务部', 90, 80)
       ) AS mo(metric, tp, owner_name, target, alert_line)
  JOIN nps.journey j ON j.code = 'retail'
  LEFT JOIN nps.touchpoint t ON t.journey_id = j.id AND t.code = mo.tp
  JOIN nps.owner o ON o.name = mo.owner_name;

-- ---------------------------------------------------------------- customers and their paths
-- 31,000 customers start at 售前咨询 some time in the 60 days; each stage is
-- reached with a probability (drop-off), later stages some hours or days later.
CREATE TEMP TABLE demo_customer AS
SELECT g AS n,
       'C' || lpad(g::text, 6, '0') AS customer,
       CASE WHEN u1 < 0.15 THEN 'VIP' WHEN u1 < 0.85 THEN '普通' ELSE '流失' END AS segment,
       (ARRAY['app', 'app', 'app', '小程序', '小程序', '短信', '邮件'])[1 + floor(u2 * 7)::int] AS channel,
       timestamptz :'as_of' - interval '60 days' + u3 * interval '59 days' AS start_at
  FROM (SELECT g, random() AS u1, random() AS u2, random() AS u3
          FROM generate_series(1, 31000) AS g) s;

CREATE TEMP TABLE demo_visit AS
WITH path AS (
  SELECT c.*,
         random() < CASE c.segment WHEN '流失' THEN 0.55 WHEN 'VIP' THEN 0.80 ELSE 0.70 END AS to_order,
         random() < 0.93 AS to_payment,
         random() < 0.98 AS to_delivery,
         random() < 0.30 AS to_aftersales,
         random() * interval '36 hours' AS gap_order,
         random() * interval '30 minutes' AS gap_payment,
         -- deliveries got slower after the partner change (25 days before as_of)
         interval '12 hours' + random() * random()
           * CASE WHEN c.start_at > timestamptz :'as_of' - interval '25 days'
                  THEN interval '7 days' ELSE interval '3 days' END AS gap_delivery,
         interval '1 day' + random() * interval '9 days' AS gap_aftersales
    FROM demo_customer c
), stages AS (
  SELECT p.customer, p.segment, p.channel, s.stage, s.at
    FROM path p
    CROSS JOIN LATERAL (VALUES
      (1, p.start_at),
      (2, CASE WHEN p.to_order THEN p.start_at + p.gap_order END),
      (3, CASE WHEN p.to_order AND p.to_payment THEN p.start_at + p.gap_order + p.gap_payment END),
      (4, CASE WHEN p.to_order AND p.to_payment AND p.to_delivery
               THEN p.start_at + p.gap_order + p.gap_payment + p.gap_delivery END),
      (5, CASE WHEN p.to_order AND p.to_payment AND p.to_delivery AND p.to_aftersales
               THEN p.start_at + p.gap_order + p.gap_payment + p.gap_delivery + p.gap_aftersales END)
    ) AS s(stage, at)
)
SELECT s.*, t.id AS touchpoint_id, t.code
  FROM stages s
  JOIN nps.touchpoint t ON t.stage_order = s.stage
 WHERE s.at IS NOT NULL AND s.at <= timestamptz :'as_of';

INSERT INTO nps.journey_event (customer, touchpoint_id, occurred_at)
SELECT customer, touchpoint_id, at FROM demo_visit ORDER BY at;

-- ---------------------------------------------------------------- survey answers
-- About 100,000 answers in the 60 days: most visits get a survey, some customers answer a
-- stage twice (a second purchase).  Category shares depend on the stage, the
-- segment and, for 配送, on the period; the reasons on the stage.
CREATE TEMP TABLE demo_answer AS
WITH v AS (
  SELECT v.*, k.k,
         random() AS u_cat, random() AS u_score, random() AS u_reason, random() AS u_reason2,
         random() AS u_comment, random() AS u_follow, random() AS u_hours, random() AS u_csat,
         v.at + random() * interval '20 hours' AS answered_at
    FROM demo_visit v
    -- (v.at in the argument makes the call per visit, not once for all)
    CROSS JOIN LATERAL generate_series(1, CASE WHEN random() < 0.45 AND v.at IS NOT NULL THEN 2 ELSE 1 END) AS k(k)
   WHERE random() < 0.72
), p AS (
  SELECT v.*,
         -- detractor and promoter shares
         (CASE v.code WHEN 'presale' THEN 0.14 WHEN 'order' THEN 0.11 WHEN 'payment' THEN 0.09
                      WHEN 'delivery' THEN CASE WHEN v.answered_at > timestamptz :'as_of' - interval '25 days'
                                                THEN 0.38 ELSE 0.17 END
                      ELSE 0.24 END
          + CASE v.segment WHEN 'VIP' THEN -0.05 WHEN '流失' THEN 0.14 ELSE 0 END) AS p_d,
         (CASE v.code WHEN 'presale' THEN 0.52 WHEN 'order' THEN 0.58 WHEN 'payment' THEN 0.62
                      WHEN 'delivery' THEN CASE WHEN v.answered_at > timestamptz :'as_of' - interval '25 days'
                                                THEN 0.30 ELSE 0.50 END
                      ELSE 0.42 END
          + CASE v.segment WHEN 'VIP' THEN 0.08 WHEN '流失' THEN -0.15 ELSE 0 END) AS p_p
    FROM v
   WHERE v.answered_at <= timestamptz :'as_of'
)
SELECT p.customer, p.touchpoint_id, p.code, p.segment, p.channel, p.answered_at,
       CASE WHEN p.u_cat < p.p_d THEN (6 - floor(p.u_score * p.u_score * 7))::int      -- 0-6, mostly 4-6
            WHEN p.u_cat < 1 - p.p_p THEN 7 + floor(p.u_score * 2)::int               -- 7-8
            ELSE 9 + floor(p.u_score * 2)::int END AS score,                          -- 9-10
       p.u_reason, p.u_reason2, p.u_comment, p.u_follow, p.u_hours, p.u_csat
  FROM p;

INSERT INTO nps.response (customer, touchpoint_id, answered_at, segment, channel, score,
                          csat, ces, comment, reasons, followed_up_at)
SELECT a.customer, a.touchpoint_id, a.answered_at, a.segment, a.channel, a.score,
       -- CSAT (1-5) after aftersales, CES (1-7) after payment, in line with the score
       CASE WHEN a.code = 'aftersales' THEN greatest(1, least(5, round(a.score / 2.2 + a.u_csat * 1.4 - 0.3)))::smallint END,
       CASE WHEN a.code = 'payment' THEN greatest(1, least(7, round(a.score / 1.6 + a.u_csat * 1.5)))::smallint END,
       CASE WHEN a.score <= 6 AND a.u_comment < 0.35 THEN r.comment END,
       CASE WHEN a.score <= 6 THEN
              CASE WHEN a.u_reason2 < 0.3 AND r.reason2 IS DISTINCT FROM r.reason
                   THEN ARRAY[r.reason, r.reason2] ELSE ARRAY[r.reason] END
            WHEN a.score <= 8 AND a.u_reason2 < 0.15 THEN ARRAY[r.reason]
            ELSE '{}' END,
       -- follow-up: detractors older than two weeks were (nearly) all called back;
       -- since the partner change 物流部 falls behind on 配送, and the last three
       -- days are still being worked on
       CASE WHEN a.score > 6 THEN NULL
            WHEN a.answered_at < timestamptz :'as_of' - interval '14 days'
                 AND a.u_follow < 0.99
              THEN a.answered_at + interval '1 hour' + a.u_hours * interval '40 hours'
            WHEN a.answered_at < timestamptz :'as_of' - interval '3 days'
                 AND a.u_follow < CASE WHEN a.code = 'delivery' THEN 0.75 ELSE 0.95 END
              THEN a.answered_at + interval '1 hour' + a.u_hours * interval '60 hours'
            WHEN a.answered_at >= timestamptz :'as_of' - interval '3 days'
                 AND a.u_follow < CASE WHEN a.code = 'delivery' THEN 0.25 ELSE 0.60 END
                 AND a.answered_at + interval '1 hour' + a.u_hours * interval '30 hours' <= timestamptz :'as_of'
              THEN a.answered_at + interval '1 hour' + a.u_hours * interval '30 hours'
       END
  FROM demo_answer a
  CROSS JOIN LATERAL (
    SELECT (reasons)[1 + floor(a.u_reason * a.u_reason * array_length(reasons, 1))::int] AS reason,
           (reasons)[1 + floor(a.u_reason2 / 0.3 * array_length(reasons, 1))::int % array_length(reasons, 1)] AS reason2,
           (comments)[1 + floor(a.u_reason * a.u_reason * array_length(reasons, 1))::int] AS comment
      FROM (SELECT CASE a.code
                     WHEN 'presale' THEN ARRAY['客服响应慢', '价格不透明', '商品信息不全']
                     WHEN 'order' THEN ARRAY['价格不透明', '页面卡顿', '优惠券无法使用']
                     WHEN 'payment' THEN ARRAY['支付失败', '优惠券无法使用', '价格不透明']
                     WHEN 'delivery' THEN ARRAY['物流慢', '包装破损', '配送员态度差']
                     ELSE ARRAY['客服响应慢', '退款慢', '包装破损'] END AS reasons,
                   CASE a.code
                     WHEN 'presale' THEN ARRAY['咨询半天没人回', '运费和税费一直说不清楚', '详情页没有尺码表']
                     WHEN 'order' THEN ARRAY['结算时多出来一笔服务费', '提交订单转圈很久', '满减券用不了']
                     WHEN 'payment' THEN ARRAY['付款失败扣了两次钱', '券在支付页消失了', '最后价格和页面不一样']
                     WHEN 'delivery' THEN ARRAY['等了一个星期才到', '箱子压坏了, 东西有划痕', '快递员直接放门口不打电话']
                     ELSE ARRAY['客服三天才回复', '退款等了两周', '换货寄来的也是坏的'] END AS comments) x
  ) r
 ORDER BY a.answered_at;

-- ---------------------------------------------------------------- service cases
-- Cases from presale questions, delivery problems and aftersales requests.
INSERT INTO nps.service_case (customer, touchpoint_id, opened_at, first_response_at, resolved_at,
                              contacts, complaint, reopened)
SELECT c.customer, c.touchpoint_id, c.opened_at,
       CASE WHEN c.opened_at + c.first_gap <= timestamptz :'as_of' THEN c.opened_at + c.first_gap END,
       CASE WHEN c.opened_at + c.resolve_gap <= timestamptz :'as_of' THEN c.opened_at + c.resolve_gap END,
       c.contacts,
       c.complaint,
       c.opened_at + c.resolve_gap <= timestamptz :'as_of' AND c.reopen
  FROM (SELECT v.customer, v.touchpoint_id, v.at + interval '10 minutes' AS opened_at,
               random() * random() * CASE WHEN v.code = 'aftersales' THEN interval '9 hours' ELSE interval '3 hours' END AS first_gap,
               interval '1 hour' + random() * interval '70 hours' AS resolve_gap,
               CASE WHEN random() < 0.72 THEN 1 WHEN random() < 0.7 THEN 2 ELSE 3 END AS contacts,
               random() < CASE WHEN v.code = 'delivery' AND v.at > timestamptz :'as_of' - interval '25 days'
                               THEN 0.16 WHEN v.code = 'delivery' THEN 0.05 ELSE 0.04 END AS complaint,
               random() < 0.06 AS reopen
          FROM demo_visit v
         WHERE random() < CASE v.code WHEN 'presale' THEN 0.12 WHEN 'delivery' THEN 0.10
                                      WHEN 'aftersales' THEN 0.85 ELSE 0 END
           AND v.at + interval '10 minutes' <= timestamptz :'as_of') c
 ORDER BY c.opened_at;

ANALYZE nps.response;
ANALYZE nps.journey_event;
ANALYZE nps.service_case;

-- ================================================================= dashboards
\echo
\echo '零售购物 (retail) journey, as of 2026-11-20 12:00 +08, window 30 days'
SELECT (SELECT count(*) FROM nps.response) AS "responses (60 days)",
       (SELECT count(*) FROM nps.response WHERE answered_at > timestamptz :'as_of' - interval '30 days') AS "in window",
       (SELECT count(DISTINCT customer) FROM nps.response) AS customers,
       (SELECT count(*) FROM nps.journey_event) AS "journey events",
       (SELECT count(*) FROM nps.service_case) AS "service cases";

\echo
\echo '== 1. NPS by stage (journey order; margin = 95% Wald margin of error; CI = 95% adjusted Wald; "points lost" = journey NPS points the stage costs)'
SELECT stage_order AS "#", touchpoint_name AS stage, touchpoint AS code,
       responses,
       round(nps::numeric, 1) AS nps,
       '±' || round(margin_95::numeric, 1) AS margin,
       round(ci_low::numeric, 1) || ' .. ' || round(ci_high::numeric, 1) AS "95% CI",
       round(change_from_previous_stage::numeric, 1) AS "vs prev stage",
       round(overall_points_lost::numeric, 1) AS "points lost"
  FROM nps.touchpoint_nps_at(:'as_of', '30 days')
 ORDER BY stage_order;
SELECT journey_name AS journey, journey_responses AS responses, round(journey_nps::numeric, 1) AS "journey NPS"
  FROM nps.touchpoint_nps_at(:'as_of', '30 days') LIMIT 1;

\echo
\echo '== 2. Funnel (customers reaching each stage in the window)'
SELECT stage_order AS "#", touchpoint_name AS stage, customers,
       drop_off AS "lost from prev",
       round(100 * conversion_from_previous_stage::numeric, 1) AS "% of prev",
       round(100 * conversion_from_first_stage::numeric, 1) AS "% of first",
       round(median_hours_from_previous_stage::numeric, 1) AS "median h from prev"
  FROM nps.journey_funnel_at(:'as_of', '30 days')
 ORDER BY stage_order;

\echo
\echo '== 3. Metric status with owners (this 30 days vs the 30 days before; change tested)'
SELECT coalesce(touchpoint_name, '(全旅程)') AS scope, metric_name AS metric, owner_name AS owner,
       coalesce(department, '') AS department,
       responses AS n,
       round(value::numeric, 1) AS value,
       round(ci_low::numeric, 1) || ' .. ' || round(ci_high::numeric, 1) AS "95% CI",
       target, alert_line AS alert,
       status,
       round(change_from_previous_window::numeric, 1) AS change,
       CASE WHEN change_significant THEN 'yes' WHEN change_significant IS NOT NULL THEN 'no' END AS significant
  FROM nps.metric_status_at(:'as_of', '30 days', 30);

\echo
\echo '== 4. Owner scorecard (owners with red metrics first)'
SELECT owner_name AS owner, owner_kind AS kind, coalesce(department, '') AS department,
       metrics_owned AS metrics, red, amber, green, insufficient,
       coalesce(worst_metric_name || ' @ ' || coalesce(worst_touchpoint, 'journey'), '') AS "worst metric",
       worst_status AS "worst status",
       round(worst_value::numeric, 1) AS value, worst_target AS target
  FROM nps.owner_scorecard_at(:'as_of', '30 days', 30)
 WHERE metrics_owned > 0;

\echo
\echo '== 5. Why detractors are unhappy: reasons ranked (Pareto), all stages'
SELECT rank AS "#", reason, detractors,
       round(100 * share::numeric, 1) AS "% of mentions",
       round(100 * cumulative_share::numeric, 1) AS "cumulative %",
       round(100 * detractor_share::numeric, 1) AS "% of detractors",
       round(nps::numeric, 1) AS "NPS of those citing it"
  FROM nps.detractor_reasons_at(:'as_of', '30 days')
 WHERE scope = 'all'
 ORDER BY rank;
\echo '   ... and at 配送 (delivery)'
SELECT rank AS "#", reason, detractors,
       round(100 * share::numeric, 1) AS "% of mentions",
       round(100 * cumulative_share::numeric, 1) AS "cumulative %"
  FROM nps.detractor_reasons_at(:'as_of', '30 days')
 WHERE scope = 'touchpoint' AND touchpoint = 'delivery'
 ORDER BY rank;

\echo
\echo '== 6. Detractor follow-up (SLA 48 hours): open and overdue by stage'
SELECT touchpoint_name AS stage, count(*) AS open, count(*) FILTER (WHERE overdue) AS overdue,
       round(max(hours_waiting)::numeric, 0) AS "oldest (h)"
  FROM nps.detractor_queue_at(:'as_of', '48 hours')
 GROUP BY touchpoint_id, touchpoint_name
 ORDER BY touchpoint_id;
\echo '   overdue detractors, longest waiting first (top 10)'
SELECT response_id AS id, customer, touchpoint_name AS stage, score, segment,
       to_char(answered_at, 'MM-DD HH24:MI') AS answered,
       round(hours_waiting::numeric, 0) AS "waiting h",
       owner_names AS owners, coalesce(comment, '') AS comment, array_to_string(reasons, ', ') AS reasons
  FROM nps.detractor_queue_at(:'as_of', '48 hours')
 WHERE overdue
 ORDER BY hours_waiting DESC, response_id
 LIMIT 10;

\echo
\echo '== 7. Why the journey NPS moved (this 30 days vs the 30 days before): each stage''s part, split into mix (its share of answers changed) and rate (its own NPS changed); the parts add up to the change'
SELECT stage_order AS "#", dimension_value_name AS stage,
       responses, round(nps::numeric, 1) AS nps,
       previous_window_responses AS "responses before", round(previous_window_nps::numeric, 1) AS "nps before",
       round(mix_effect::numeric, 2) AS mix, round(rate_effect::numeric, 2) AS rate, round(effect::numeric, 2) AS effect
  FROM nps.nps_change_at(:'as_of', '30 days')
 ORDER BY stage_order;
SELECT round(previous_window_journey_nps::numeric, 1) AS "journey NPS before", round(journey_nps::numeric, 1) AS "journey NPS",
       round(journey_change_from_previous_window::numeric, 1) AS change,
       round(sum(effect)::numeric, 1) AS "sum of effects",
       btrim(to_char(journey_change_p_value, '9.9EEEE')) AS "p-value"
  FROM nps.nps_change_at(:'as_of', '30 days')
 GROUP BY 1, 2, 3, 5;
\echo '   ... by segment'
SELECT coalesce(dimension_value, '(none)') AS segment, responses, round(nps::numeric, 1) AS nps,
       previous_window_responses AS "responses before", round(previous_window_nps::numeric, 1) AS "nps before",
       round(mix_effect::numeric, 2) AS mix, round(rate_effect::numeric, 2) AS rate, round(effect::numeric, 2) AS effect
  FROM nps.nps_change_at(:'as_of', '30 days', 'segment')
 ORDER BY effect;

-- ================================================================= PDCA
-- 配送 turned red after the logistics change; 12 days before as_of 李强 put a
-- new packaging standard in place.  Its check: the 12 days after it against
-- the 12 days before it (both after the logistics change).
INSERT INTO nps.improvement_action (metric_owner_id, title, description, planned_at, started_at, check_after, state)
SELECT mo.id, '新包装标准', '物流商更换后: 加固纸箱, 易碎品双层包装, 出库前拍照',
       timestamptz :'as_of' - interval '15 days', timestamptz :'as_of' - interval '12 days', interval '12 days', 'check'
  FROM nps.metric_owner mo
  JOIN nps.touchpoint t ON t.id = mo.touchpoint_id
 WHERE mo.metric = 'nps' AND t.code = 'delivery';

\echo
\echo '== 8. Improvement actions (PDCA): the metric before and after each action, tested'
SELECT title AS action, coalesce(touchpoint, 'journey') || ' ' || metric AS metric, owner_name AS owner, state,
       to_char(started_at, 'MM-DD') AS started, window_length AS "check after",
       round(previous_window_value::numeric, 1) || ' (' || round(previous_window_ci_low::numeric, 1) || ' .. '
         || round(previous_window_ci_high::numeric, 1) || ', n ' || previous_window_responses || ')' AS before,
       round(value::numeric, 1) || ' (' || round(ci_low::numeric, 1) || ' .. '
         || round(ci_high::numeric, 1) || ', n ' || responses || ')' AS after,
       round(change_from_previous_window::numeric, 1) AS change,
       round(change_p_value::numeric, 3) AS p, verdict
  FROM nps.action_effect_at(:'as_of', '30 days', 30);
SELECT owner_name AS owner, open_actions AS "open actions", last_checked_verdict AS "last verdict"
  FROM nps.owner_scorecard_at(:'as_of', '30 days', 30)
 WHERE open_actions > 0 OR last_checked_action_id IS NOT NULL;

\echo
\echo '== 9. What drives NPS (this 30 days): the drivers with the most journey NPS points at stake, fix the first first'
SELECT rank AS "#", touchpoint_name AS stage, driver_kind AS kind, driver,
       responses_with AS "with", round(nps_with::numeric, 1) AS "nps with",
       round(nps_without::numeric, 1) AS "nps without", round(points_at_stake::numeric, 2) AS "points at stake",
       CASE WHEN p_value < 1e-15 THEN '< 1e-15' ELSE btrim(to_char(p_value, '9.9EEEE')) END AS "p-value"
  FROM nps.nps_drivers_at(:'as_of', '30 days')
 WHERE rank <= 8
 ORDER BY rank;
