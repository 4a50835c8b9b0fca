-- A group's service level threshold (issue 26, the queue): the share of
-- its calls answered within this many seconds of arriving is its service
-- level. NULL: the default, 20 s (app_queue's `servicelevel` is set per
-- queue the same way).
-- Lockstep twin: migrations/postgres/0015_service_level.sql.
ALTER TABLE call_groups ADD COLUMN service_level INTEGER;
