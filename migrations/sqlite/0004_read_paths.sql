-- Indexes for the hot read paths the benchmark measures.
-- Lockstep twin: migrations/postgres/0004_read_paths.sql.

-- An agent's state when a day begins is its latest event before that
-- moment: found by walking this index backwards from the agent's newest
-- event, so its cost is the agent's own events after the moment, never the
-- account's whole log.
CREATE INDEX agent_events_by_agent_seq ON agent_events(account_id, agent_id, seq, at);

-- Agent/list counts the agents a name filter matches from the index alone
-- (a substring match cannot seek, but it no longer reads every full row).
CREATE INDEX agents_by_name ON agents(account_id, is_deleted, name_key, status);
