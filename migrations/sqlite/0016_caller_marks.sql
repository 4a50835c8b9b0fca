-- What the account says about a number beyond its card (DeepCall's
-- Directory: setAM/unsetAm, setDnc/getDnc, Blacklist). `contact` is the
-- number as the number rule stores it (digits); it need not be a contact.
-- `account_manager` NULL: none; `dnc` NULL: not on the list, -1 for ever,
-- else the Unix time the entry ends. Read by callRoute (per call) and by
-- callEvent (outbound numbers of a batch), not cached.
-- Lockstep twin: migrations/postgres/0016_caller_marks.sql.

CREATE TABLE contact_marks (
    account_id      TEXT NOT NULL REFERENCES accounts(id),
    contact         TEXT NOT NULL,
    account_manager INTEGER,
    dnc             INTEGER,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (account_id, contact)
);
CREATE INDEX contact_marks_by_manager ON contact_marks(account_id, account_manager);

-- The blacklist: one row per number of the account (`did`, digits) the
-- caller is barred on; `did` '' bars it on every number (and is then its
-- only row).
CREATE TABLE caller_blocks (
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    contact     TEXT NOT NULL,
    did         TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (account_id, contact, did)
);
