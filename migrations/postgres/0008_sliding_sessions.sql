-- A session's lifetime slides with use: `expires_at` moves to the last use
-- plus the session lifetime (written ahead of time in batches, not per
-- request), never past `ends_at`, the absolute end fixed at login.
-- Sessions issued before this keep the end they were given.
-- The background step looks for expired sessions every second: by index.
-- Lockstep twin: migrations/sqlite/0008_sliding_sessions.sql.

ALTER TABLE sessions ADD COLUMN ends_at BIGINT NOT NULL DEFAULT 0;
UPDATE sessions SET ends_at = expires_at;
CREATE INDEX sessions_by_expiry ON sessions(expires_at);
