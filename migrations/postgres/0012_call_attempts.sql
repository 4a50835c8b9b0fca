-- A call may ring the same agent again (a queue's retry, a transfer that
-- comes back) and a call id may be used again for a new call (a PBX
-- restart): each ring of an agent is an attempt, and the idempotency key
-- of telephony facts is (call, kind, agent, attempt). Existing facts are
-- each call's first attempt.
ALTER TABLE agent_events ADD COLUMN attempt BIGINT NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX agent_events_by_call_attempt ON agent_events(account_id, call_id, kind, agent_id, attempt)
    WHERE call_id IS NOT NULL;
DROP INDEX agent_events_by_call;
