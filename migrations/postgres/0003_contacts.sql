-- Contacts (the Directory) with the account's contact fields, notes on
-- calls, and the caller number of call events as a column of its own so a
-- number's calls are found by index.
-- Lockstep twin: migrations/sqlite/0003_contacts.sql.

-- The account's contact fields in its order, as a JSON array of names;
-- NULL: the standard fields (Name, Email, Address, Company, Designation, DOB).
ALTER TABLE accounts ADD COLUMN contact_fields TEXT;
ALTER TABLE accounts ADD COLUMN next_note_id BIGINT NOT NULL DEFAULT 1;

-- `info` is a JSON object keyed by the lower-case field name, so a field
-- renamed only in case, or dropped and added back, keeps its values.
CREATE TABLE contacts (
    account_id  TEXT NOT NULL,
    number      TEXT NOT NULL,
    info        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    -- Bumped by every update: concurrent edits retry instead of overwriting.
    version     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, number)
);

CREATE TABLE notes (
    account_id      TEXT NOT NULL,
    id              BIGINT NOT NULL,
    caller_number   TEXT NOT NULL,
    call_id         TEXT NOT NULL,
    content         TEXT NOT NULL,
    -- NULL: written with the account's own credentials.
    agent_id        BIGINT,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (account_id, id)
);
CREATE INDEX notes_by_number ON notes(account_id, caller_number, id);

ALTER TABLE agent_events ADD COLUMN caller_number TEXT;
UPDATE agent_events SET caller_number = (detail::jsonb ->> 'callerNumber') WHERE call_id IS NOT NULL;
CREATE INDEX agent_events_by_caller ON agent_events(account_id, caller_number, at) WHERE caller_number IS NOT NULL;
