-- Versions and leases for several nodes on one PostgreSQL database
-- (docs/SCALING.md). SQLite is served by one process (a second refuses to
-- start), which keeps its caches true by itself: the columns and the table
-- exist so both schemas stay alike, and nothing moves them here.
-- Lockstep twin: migrations/postgres/0010_cluster.sql.

ALTER TABLE accounts ADD COLUMN directory_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN credential_version BIGINT NOT NULL DEFAULT 0;

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
