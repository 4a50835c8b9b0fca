-- The reason shown with the state each event left the agent in (the
-- break's reason, why it went offline): timeline intervals merge only when
-- state and reason are equal. Earlier rows get the reason of the events
-- that entered a state for one, which is what the timeline showed for them.
-- Lockstep twin: migrations/postgres/0007_state_reason.sql.
ALTER TABLE agent_events ADD COLUMN state_reason TEXT;
UPDATE agent_events SET state_reason = reason
WHERE kind IN ('break_start', 'break_overrun', 'offline', 'logout');
