-- Schema version 8: wrong passwords lock an account id for a while (issue 12, finding 10; see
-- accounts/lockout.rs). One row per id that failed since its last success, including ids that do
-- not exist (probing is counted too), so no foreign key to clerks. A success deletes the row.
CREATE TABLE login_failures (
    account_id      TEXT PRIMARY KEY,            -- as typed, trimmed, at most 64 characters
    failures        INTEGER NOT NULL CHECK (failures >= 0),
    locked_until    TEXT,                        -- RFC 3339 counter time; NULL = not locked
    lock_seconds    INTEGER NOT NULL DEFAULT 0,  -- the length of that lock (a clock moved back never lengthens it)
    last_failure_at TEXT NOT NULL
) WITHOUT ROWID;
