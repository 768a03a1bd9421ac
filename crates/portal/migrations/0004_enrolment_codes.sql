-- Version 4: single-use enrolment codes per counter (enrolment.rs; only their hash is kept) and the
-- admin's approval of new devices.
CREATE TABLE enrolment_codes (
    code_hash   TEXT PRIMARY KEY,          -- SHA-256 of the normalised code; the code itself is never kept
    agency_code TEXT NOT NULL,
    counter_id  TEXT NOT NULL,
    issued_at   TEXT NOT NULL,
    expires_ms  INTEGER NOT NULL,          -- unix ms
    used_at     TEXT,
    used_by     TEXT                       -- the device it enrolled
) STRICT;
-- devices enrolled before approval existed were trusted then and stay approved
ALTER TABLE devices ADD COLUMN approved INTEGER NOT NULL DEFAULT 1;
ALTER TABLE devices ADD COLUMN approved_at TEXT;
-- the old single global code, in clear: gone
DELETE FROM meta WHERE key = 'enrolment_code';
