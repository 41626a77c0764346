-- The nps.* settings (GUCs): defaults, validation with SQLSTATE, per-role
-- and per-database values, and the loading rule.
\set VERBOSITY sqlstate

-- A fresh session has not loaded nps.so yet: SET of an nps.* parameter only
-- creates a placeholder, checked when the library loads (then a bad value
-- is reported as a WARNING and the default is used).
SET nps.followup_sla = 'soon';
SELECT nps.setting_followup_sla();     -- loads the library: WARNING, default
SHOW nps.followup_sla;

-- Every nps function that reads a setting is C (or calls one), so the
-- library is loaded before a setting is read.  Now values are checked.
SELECT nps.setting_window_length(), nps.setting_followup_sla(), nps.setting_min_responses();
SHOW nps.min_responses;
SHOW nps.notify;

-- nps.window_length needs no quoting (a setting named "window" would: WINDOW
-- is a reserved word)
SET nps.window_length = 'nonsense';
SET "nps.window_length" = '-3 days';
SET nps.window_length = '0';
SET nps.window_length = '1 month -31 days';
SET nps.window_length = '300000000 years';
SET nps.window_length = '';
SET nps.followup_sla = 'P2D';            -- ISO 8601 works
SELECT nps.setting_followup_sla();
SET nps.followup_sla = '-1 hour';
SELECT set_config('nps.window_length', 'bad', false);
SELECT set_config('nps.window_length', '2 weeks', false), nps.setting_window_length();
SET nps.min_responses = 0;
SET nps.min_responses = 'many';
SET nps.min_responses = 100;
SELECT nps.setting_min_responses();
SET nps.notify = maybe;
-- nps.change_fdr: the false discovery rate of metric_status's change alarms,
-- a real in (0, 0.5], default 0.01
SHOW nps.change_fdr;
SELECT nps.setting_change_fdr();
SET nps.change_fdr = 0;                   -- 0 would switch change alarms off
SET nps.change_fdr = -0.01;
SET nps.change_fdr = 0.51;
SET nps.change_fdr = 'often';
SET nps.change_fdr = 0.5;
SELECT nps.setting_change_fdr();
SET nps.change_fdr = 1e-6;
SELECT nps.setting_change_fdr();
RESET nps.change_fdr;
SELECT nps.setting_change_fdr();
SET nps.unknown = 1;                      -- the nps prefix is reserved
SET nps."window" = '7 days';              -- the old name is gone (no alias before 1.0)
SELECT nps.setting_window_length(), nps.setting_followup_sla(), nps.setting_min_responses();

-- the message a client sees
\set VERBOSITY default
SET nps.window_length = 'nonsense';
SET nps.followup_sla = '-1 hour';
SET nps.change_fdr = 0;
\set VERBOSITY sqlstate

-- SET LOCAL and RESET
BEGIN;
SET LOCAL nps.window_length = '7 days';
SELECT nps.setting_window_length();
COMMIT;
SELECT nps.setting_window_length();
RESET ALL;
SELECT nps.setting_window_length(), nps.setting_followup_sla(), nps.setting_min_responses();

-- per role and per database (a DBA's ALTER ... SET); bad values are refused
CREATE ROLE regress_nps_settings;
ALTER ROLE regress_nps_settings SET nps.window_length = '90 days';
ALTER ROLE regress_nps_settings SET nps.window_length = 'ninety days';
ALTER ROLE regress_nps_settings SET nps.min_responses = 0;
SELECT unnest(setconfig) FROM pg_db_role_setting
 WHERE setrole = 'regress_nps_settings'::regrole;
ALTER ROLE regress_nps_settings RESET ALL;
DROP ROLE regress_nps_settings;
SELECT current_database() AS db \gset
ALTER DATABASE :"db" SET nps.min_responses = 50;
ALTER DATABASE :"db" SET nps.followup_sla = 'tomorrow';
\c
SELECT nps.setting_min_responses();
ALTER DATABASE :"db" RESET nps.min_responses;

-- the *_at functions check their own window, SLA and minimum arguments
SELECT nps.check_window_length('1 day'), nps.check_followup_sla('2 days'), nps.check_min_responses(1);
\set VERBOSITY default
SELECT nps.check_window_length('-1 day');
SELECT nps.check_followup_sla('0');
SELECT nps.check_min_responses(0);
SELECT * FROM nps.detractor_queue_at(now(), '-1 hour');
SELECT * FROM nps.touchpoint_nps_at(now(), '0');
