-- A counter bumped by every credential change an operator can make from the
-- command line (token revocation, suspension, reinstatement). A running
-- server remembers credentials in memory and compares this counter about
-- once a second to learn of changes made by another process.
-- Lockstep twin: migrations/postgres/0005_credential_epoch.sql.

CREATE TABLE credential_epoch (
    id    BIGINT PRIMARY KEY CHECK (id = 1),
    value BIGINT NOT NULL
);
INSERT INTO credential_epoch (id, value) VALUES (1, 0);
