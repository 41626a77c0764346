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
SELECT nps.setting_window(), nps.setting_followup_sla(), nps.setting_min_responses();
SHOW nps.min_responses;
SHOW nps.notify;

-- "window" is a reserved word in SQL: quote it in SET/SHOW, or use set_config
SET nps."window" = 'nonsense';
SET "nps.window" = '-3 days';
SET nps."window" = '0';
SET nps."window" = '1 month -31 days';
SET nps."window" = '300000000 years';
SET nps."window" = '';
SET nps.followup_sla = 'P2D';            -- ISO 8601 works
SELECT nps.setting_followup_sla();
SET nps.followup_sla = '-1 hour';
SELECT set_config('nps.window', 'bad', false);
SELECT set_config('nps.window', '2 weeks', false), nps.setting_window();
SET nps.min_responses = 0;
SET nps.min_responses = 'many';
SET nps.min_responses = 100;
SELECT nps.setting_min_responses();
SET nps.notify = maybe;
SET nps.unknown = 1;                      -- the nps prefix is reserved
SELECT nps.setting_window(), nps.setting_followup_sla(), nps.setting_min_responses();

-- the message a client sees
\set VERBOSITY default
SET nps."window" = 'nonsense';
SET nps.followup_sla = '-1 hour';
\set VERBOSITY sqlstate

-- SET LOCAL and RESET
BEGIN;
SET LOCAL nps."window" = '7 days';
SELECT nps.setting_window();
COMMIT;
SELECT nps.setting_window();
RESET ALL;
SELECT nps.setting_window(), nps.setting_followup_sla(), nps.setting_min_responses();

-- per role and per database (a DBA's ALTER ... SET); bad values are refused
CREATE ROLE regress_nps_settings;
ALTER ROLE regress_nps_settings SET nps."window" = '90 days';
ALTER ROLE regress_nps_settings SET nps."window" = 'ninety days';
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

-- the *_at functions check their own window arguments
SELECT nps.check_window('1 day'), nps.check_min_responses(1);
SELECT nps.check_window('-1 day');
SELECT nps.check_min_responses(0);
