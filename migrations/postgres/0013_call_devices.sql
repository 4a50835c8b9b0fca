-- A call may ring several devices of one agent at once (a desk phone and a
-- softphone registered as one extension: the registrar forks), and the
-- telephony may say which device a fact is about: the idempotency key of
-- telephony facts is (call, kind, agent, attempt, device). Existing facts
-- name no device.
ALTER TABLE agent_events ADD COLUMN device TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX agent_events_by_call_device ON agent_events(account_id, call_id, kind, agent_id, attempt, device)
    WHERE call_id IS NOT NULL;
DROP INDEX agent_events_by_call_attempt;
