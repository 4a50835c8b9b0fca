-- Several nodes on one database (docs/SCALING.md). Each node keeps an
-- account's directory, live settings and remembered credentials in memory
-- and compares these two versions once per request; triggers move them in
-- the same transaction as the write that changes what they cover, so no
-- write path can forget to (the one-process caches still forget after
-- their own writes, as before).
-- Lockstep twin: migrations/sqlite/0010_cluster.sql (columns and table
-- only: SQLite is served by one process, which needs no triggers).

ALTER TABLE accounts ADD COLUMN directory_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN credential_version BIGINT NOT NULL DEFAULT 0;

-- Moves the version the trigger names (its argument: `directory_version`
-- or `credential_version`) of every account the statement wrote rows of
-- (its transition table `changed`): once per statement, not per row, so a
-- mapping of 500 groups writes the account's row once.
CREATE FUNCTION agentdesk_versions_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('UPDATE accounts SET %1$I = %1$I + 1 WHERE id IN (SELECT DISTINCT account_id FROM changed)',
                   TG_ARGV[0]);
    RETURN NULL;
END $$;

-- One statement-level trigger per table, event and version: a transition
-- table belongs to one event.
DO $$
DECLARE
    t RECORD;
BEGIN
    FOR t IN SELECT * FROM (VALUES
        -- The directory: the account's agents, their groups and working
        -- hours, the groups, the roles.
        ('agents', 'INSERT', 'directory_version'), ('agents', 'UPDATE', 'directory_version'),
        ('agents', 'DELETE', 'directory_version'),
        ('group_members', 'INSERT', 'directory_version'), ('group_members', 'UPDATE', 'directory_version'),
        ('group_members', 'DELETE', 'directory_version'),
        ('working_hours', 'INSERT', 'directory_version'), ('working_hours', 'UPDATE', 'directory_version'),
        ('working_hours', 'DELETE', 'directory_version'),
        ('call_groups', 'INSERT', 'directory_version'), ('call_groups', 'UPDATE', 'directory_version'),
        ('call_groups', 'DELETE', 'directory_version'),
        ('roles', 'INSERT', 'directory_version'), ('roles', 'UPDATE', 'directory_version'),
        ('roles', 'DELETE', 'directory_version'),
        -- What a remembered credential resolves to: sessions ended, tokens
        -- added or revoked, a role's permissions (agents: below).
        ('sessions', 'DELETE', 'credential_version'),
        ('account_tokens', 'INSERT', 'credential_version'), ('account_tokens', 'DELETE', 'credential_version'),
        ('roles', 'UPDATE', 'credential_version'), ('roles', 'DELETE', 'credential_version')
    ) AS v(tbl, op, version)
    LOOP
        EXECUTE format(
            'CREATE TRIGGER %I AFTER %s ON %I REFERENCING %s TABLE AS changed
             FOR EACH STATEMENT EXECUTE FUNCTION agentdesk_versions_moved(%L)',
            t.tbl || '_' || lower(t.op) || '_' || t.version, t.op, t.tbl,
            CASE WHEN t.op = 'DELETE' THEN 'OLD' ELSE 'NEW' END, t.version);
    END LOOP;
END $$;

-- An agent switched off, deleted, given another role, password or email
-- changes what its sessions resolve to; its other columns do not.
CREATE FUNCTION agentdesk_agent_credentials_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE accounts SET credential_version = credential_version + 1
    WHERE id IN (SELECT DISTINCT o.account_id FROM before_update o JOIN after_update n USING (account_id, id)
                 WHERE (o.status, o.is_deleted, o.pre_deleted, o.role_id, o.password_hash, o.email)
                       IS DISTINCT FROM (n.status, n.is_deleted, n.pre_deleted, n.role_id, n.password_hash, n.email));
    RETURN NULL;
END $$;

CREATE TRIGGER agents_update_credential_version AFTER UPDATE ON agents
    REFERENCING OLD TABLE AS before_update NEW TABLE AS after_update
    FOR EACH STATEMENT EXECUTE FUNCTION agentdesk_agent_credentials_moved();

-- The account's own row: live settings move the directory version (nodes
-- reload them), suspension and the country code (principals carry it) the
-- credential version. A BEFORE trigger sets the columns on the row being
-- written instead of updating it again.
CREATE FUNCTION agentdesk_account_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (OLD.timezone, OLD.stale_after, OLD.offline_after, OLD.wrap_up_secs, OLD.country_code, OLD.contact_fields)
       IS DISTINCT FROM (NEW.timezone, NEW.stale_after, NEW.offline_after, NEW.wrap_up_secs, NEW.country_code,
                         NEW.contact_fields) THEN
        NEW.directory_version := OLD.directory_version + 1;
    END IF;
    IF (OLD.suspended, OLD.country_code, OLD.password_hash) IS DISTINCT FROM
       (NEW.suspended, NEW.country_code, NEW.password_hash) THEN
        NEW.credential_version := OLD.credential_version + 1;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER accounts_moved BEFORE UPDATE ON accounts
    FOR EACH ROW EXECUTE FUNCTION agentdesk_account_moved();

-- Work one node does for all (the timed transitions): held by `holder`
-- until `expires_at` (milliseconds since the epoch, the database's clock);
-- `epoch` grows at every change of holder and fences a former holder.
CREATE TABLE node_leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    epoch       BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);

-- Failed logins counted by every node together (`limits::login_guard`):
-- per source address and email, and per email.
CREATE TABLE login_failures (
    key       TEXT PRIMARY KEY,
    failures  BIGINT NOT NULL,
    since     BIGINT NOT NULL
);
CREATE INDEX login_failures_by_since ON login_failures(since);
