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
-- or `credential_version`) of the written row's account.
CREATE FUNCTION agentdesk_version_moved() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    account TEXT;
BEGIN
    IF TG_OP = 'DELETE' THEN account := OLD.account_id; ELSE account := NEW.account_id; END IF;
    EXECUTE format('UPDATE accounts SET %I = %I + 1 WHERE id = $1', TG_ARGV[0], TG_ARGV[0]) USING account;
    RETURN NULL;
END $$;

-- The directory: the account's agents, their groups and working hours,
-- the groups, the roles.
CREATE TRIGGER agents_directory AFTER INSERT OR UPDATE OR DELETE ON agents
    FOR EACH ROW EXECUTE FUNCTION agentdesk_version_moved('directory_version');
CREATE TRIGGER group_members_directory AFTER INSERT OR UPDATE OR DELETE ON group_members
    FOR EACH ROW EXECUTE FUNCTION agentdesk_version_moved('directory_version');
CREATE TRIGGER working_hours_directory AFTER INSERT OR UPDATE OR DELETE ON working_hours
    FOR EACH ROW EXECUTE FUNCTION agentdesk_version_moved('directory_version');
CREATE TRIGGER call_groups_directory AFTER INSERT OR UPDATE OR DELETE ON call_groups
    FOR EACH ROW EXECUTE FUNCTION agentdesk_version_moved('directory_version');
CREATE TRIGGER roles_directory AFTER INSERT OR UPDATE OR DELETE ON roles
    FOR EACH ROW EXECUTE FUNCTION agentdesk_version_moved('directory_version');

-- What a remembered credential resolves to: sessions ended, tokens added or
-- revoked, an agent switched off, deleted, given another role or password,
-- a role's permissions.
CREATE TRIGGER sessions_credentials AFTER DELETE ON sessions
    FOR EACH ROW EXECUTE FUNCTION agentdesk_version_moved('credential_version');
CREATE TRIGGER tokens_credentials AFTER INSERT OR DELETE ON account_tokens
    FOR EACH ROW EXECUTE FUNCTION agentdesk_version_moved('credential_version');
CREATE TRIGGER agents_credentials AFTER UPDATE ON agents
    FOR EACH ROW
    WHEN ((OLD.status, OLD.is_deleted, OLD.pre_deleted, OLD.role_id, OLD.password_hash, OLD.email)
          IS DISTINCT FROM (NEW.status, NEW.is_deleted, NEW.pre_deleted, NEW.role_id, NEW.password_hash, NEW.email))
    EXECUTE FUNCTION agentdesk_version_moved('credential_version');
CREATE TRIGGER roles_credentials AFTER UPDATE OR DELETE ON roles
    FOR EACH ROW EXECUTE FUNCTION agentdesk_version_moved('credential_version');

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
