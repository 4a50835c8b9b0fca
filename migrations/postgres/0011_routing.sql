-- The routing decision (`callRoute`): each group's strategy and ring
-- timeout (NULL: ringall, 20 s), and the numbers (DIDs) that reach it.
-- Lockstep twin: migrations/sqlite/0011_routing.sql.

ALTER TABLE call_groups ADD COLUMN strategy TEXT;
ALTER TABLE call_groups ADD COLUMN ring_timeout BIGINT;

CREATE TABLE group_dids (
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    did         TEXT NOT NULL,
    group_id    BIGINT NOT NULL,
    PRIMARY KEY (account_id, did)
);
CREATE INDEX group_dids_by_group ON group_dids(account_id, group_id);

-- Part of the directory other nodes remember (0010_cluster.sql).
CREATE TRIGGER group_dids_insert_directory_version AFTER INSERT ON group_dids
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION agentdesk_versions_moved('directory_version');
CREATE TRIGGER group_dids_delete_directory_version AFTER DELETE ON group_dids
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION agentdesk_versions_moved('directory_version');
