-- src/upgrade--1.1.sql
-- Changes to objects of nps 1.0 that the upgrade to 1.1 makes: ALTER, CREATE
-- OR REPLACE and DROP of what 1.0 installed, in the words of the new
-- sources (which hold the objects as they are in 1.1).  New areas are not
-- written here: their sources follow this file in the upgrade script (the
-- Makefile's UPGRADE_SOURCES).  The script runs as the bootstrap superuser
-- on behalf of the extension owner, like the install script: qualify
-- everything, bind SQL bodies at creation, give code-running objects to
-- @extowner@.

-- ---------- owner scorecard: counts improvement actions (action.sql) ----------
-- owner_scorecard_at and its view gain open_actions, last_checked_action_id
-- and last_checked_verdict; they read nps.action_effect_at, so since 1.1
-- they are defined in action.sql (after the actions), which follows this file
-- and creates them again.
DROP VIEW nps.owner_scorecard;
DROP FUNCTION nps.owner_scorecard_at(timestamptz, interval, integer);
