-- Live agent state: the event log, each agent's latest presence, the
-- break-reason catalogue and the account's timing rules.
-- Lockstep twin: migrations/postgres/0002_live.sql.

ALTER TABLE accounts ADD COLUMN timezone TEXT NOT NULL DEFAULT 'UTC';
ALTER TABLE accounts ADD COLUMN stale_after INTEGER NOT NULL DEFAULT 30;
ALTER TABLE accounts ADD COLUMN offline_after INTEGER NOT NULL DEFAULT 90;
ALTER TABLE accounts ADD COLUMN wrap_up_secs INTEGER NOT NULL DEFAULT 30;
ALTER TABLE accounts ADD COLUMN next_event_seq INTEGER NOT NULL DEFAULT 1;
-- A group may set its own wrap-up time (NULL: the account's).
ALTER TABLE call_groups ADD COLUMN wrap_up_secs INTEGER;
ALTER TABLE accounts ADD COLUMN next_break_id INTEGER NOT NULL DEFAULT 4;

-- Append-only. `state` is the agent's presence after the event, so a
-- timeline is read off the log without replaying it.
CREATE TABLE agent_events (
    account_id  TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    agent_id    INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    actor       TEXT NOT NULL,
    reason      TEXT,
    call_id     TEXT,
    detail      TEXT,
    state       TEXT NOT NULL,
    PRIMARY KEY (account_id, seq)
);
CREATE INDEX agent_events_by_agent ON agent_events(account_id, agent_id, at);
CREATE INDEX agent_events_by_time ON agent_events(account_id, at);
-- Telephony retries: one (call, event) per agent, whatever arrives twice.
CREATE UNIQUE INDEX agent_events_by_call ON agent_events(account_id, call_id, kind, agent_id) WHERE call_id IS NOT NULL;

-- The fold of each agent's events, written with them; pings update
-- `last_ping` in batches.
CREATE TABLE agent_presence (
    account_id  TEXT NOT NULL,
    agent_id    INTEGER NOT NULL,
    state       TEXT NOT NULL,
    snapshot    TEXT NOT NULL,
    last_ping   INTEGER NOT NULL DEFAULT 0,
    mic_perm    INTEGER,
    PRIMARY KEY (account_id, agent_id)
);
CREATE INDEX agent_presence_online ON agent_presence(account_id) WHERE state <> 'offline';

CREATE TABLE break_reasons (
    account_id  TEXT NOT NULL,
    id          INTEGER NOT NULL,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL,
    max_secs    INTEGER,
    PRIMARY KEY (account_id, id)
);
CREATE UNIQUE INDEX break_reasons_by_name ON break_reasons(account_id, name_key);

-- Existing accounts get the catalogue new accounts start with.
INSERT INTO break_reasons (account_id, id, name, name_key, max_secs) SELECT id, 1, 'Lunch', 'lunch', 1800 FROM accounts;
INSERT INTO break_reasons (account_id, id, name, name_key, max_secs) SELECT id, 2, 'Tea', 'tea', 900 FROM accounts;
INSERT INTO break_reasons (account_id, id, name, name_key, max_secs) SELECT id, 3, 'Training', 'training', NULL FROM accounts;
