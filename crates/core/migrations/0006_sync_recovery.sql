-- Schema version 6: what a pull could not apply is kept, retried every round, and listed (never
-- skipped for good); a counter enrolled again on a new or restored machine continues its sequence
-- above what the portal holds and pulls its own events back.
CREATE TABLE sync_failed (
    portal_seq INTEGER PRIMARY KEY,
    body       TEXT NOT NULL,         -- the change as pulled (JSON)
    error      TEXT NOT NULL,
    first_at   TEXT NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 1
) STRICT;

ALTER TABLE sync_state ADD COLUMN seq_floor INTEGER NOT NULL DEFAULT 0;   -- the portal's last seq of this counter at enrolment
ALTER TABLE sync_state ADD COLUMN recover_own INTEGER NOT NULL DEFAULT 0; -- pull this counter's own events back (after a re-enrolment)
