-- The routing decision (`callRoute`): each group's strategy and ring
-- timeout (NULL: ringall, 20 s), and the numbers (DIDs) that reach it.
-- Lockstep twin: migrations/postgres/0011_routing.sql.

ALTER TABLE call_groups ADD COLUMN strategy TEXT;
ALTER TABLE call_groups ADD COLUMN ring_timeout INTEGER;

CREATE TABLE group_dids (
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    did         TEXT NOT NULL,
    group_id    INTEGER NOT NULL,
    PRIMARY KEY (account_id, did)
);
CREATE INDEX group_dids_by_group ON group_dids(account_id, group_id);
