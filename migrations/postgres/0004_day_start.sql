-- An agent's state when a day begins is its latest event before that
-- moment: found by walking this index backwards from the agent's newest
-- event, so its cost is the agent's own events after the moment, never the
-- account's whole log.
-- Lockstep twin: migrations/sqlite/0004_day_start.sql.

CREATE INDEX agent_events_by_agent_seq ON agent_events(account_id, agent_id, seq, at);
