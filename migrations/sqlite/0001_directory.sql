-- Accounts (tenants), credentials, and the agent directory.
-- Lockstep twin: migrations/postgres/0001_directory.sql.

CREATE TABLE accounts (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    email           TEXT NOT NULL UNIQUE,
    password_hash   TEXT,
    suspended       INTEGER NOT NULL DEFAULT 0,
    country_code    TEXT NOT NULL DEFAULT '91',
    next_agent_id   INTEGER NOT NULL DEFAULT 1,
    next_group_id   INTEGER NOT NULL DEFAULT 1,
    next_role_id    INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL
);

CREATE TABLE account_tokens (
    token_hash  TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    created_at  INTEGER NOT NULL
);

CREATE TABLE sessions (
    ssid_hash   TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    agent_id    INTEGER,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX sessions_by_agent ON sessions(account_id, agent_id);

CREATE TABLE roles (
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    id          INTEGER NOT NULL,
    name        TEXT NOT NULL,
    permissions TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (account_id, id)
);

CREATE TABLE call_groups (
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    id          INTEGER NOT NULL,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL,
    status      INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (account_id, id)
);
CREATE UNIQUE INDEX call_groups_by_name ON call_groups(account_id, name_key);

CREATE TABLE agents (
    account_id      TEXT NOT NULL REFERENCES accounts(id),
    id              INTEGER NOT NULL,
    name            TEXT NOT NULL,
    -- The name lower-cased by the server, so a name filter matches the same
    -- way on both backends (SQLite's LOWER() only folds ASCII).
    name_key        TEXT NOT NULL,
    email           TEXT NOT NULL,
    phone           TEXT NOT NULL DEFAULT '',
    address         TEXT NOT NULL DEFAULT '',
    dest_type       TEXT NOT NULL,
    dest_value      TEXT NOT NULL DEFAULT '',
    call_pass_hash  TEXT NOT NULL,
    password_hash   TEXT NOT NULL,
    role_id         INTEGER NOT NULL,
    parent_path     TEXT NOT NULL DEFAULT ',START,',
    favorite        TEXT NOT NULL DEFAULT '',
    allow_did       TEXT NOT NULL DEFAULT '',
    status          INTEGER NOT NULL DEFAULT 1,
    is_deleted      INTEGER NOT NULL DEFAULT 0,
    pre_deleted     INTEGER NOT NULL DEFAULT 0,
    cad             INTEGER NOT NULL DEFAULT 0,
    create_date     INTEGER NOT NULL,
    create_by       TEXT NOT NULL,
    create_by_type  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (account_id, id)
);
-- An email logs in one agent of an account; a deleted agent frees it.
CREATE UNIQUE INDEX agents_by_email ON agents(account_id, email) WHERE is_deleted = 0;
CREATE INDEX agents_by_login_email ON agents(email);

CREATE TABLE group_members (
    account_id    TEXT NOT NULL,
    agent_id      INTEGER NOT NULL,
    group_id      INTEGER NOT NULL,
    receive_call  TEXT NOT NULL,
    position      INTEGER NOT NULL,
    PRIMARY KEY (account_id, agent_id, group_id)
);
CREATE INDEX group_members_by_group ON group_members(account_id, group_id);

CREATE TABLE working_hours (
    account_id   TEXT NOT NULL,
    agent_id     INTEGER NOT NULL,
    position     INTEGER NOT NULL,
    days         TEXT NOT NULL,
    from_minute  INTEGER NOT NULL,
    to_minute    INTEGER NOT NULL,
    PRIMARY KEY (account_id, agent_id, position)
);
