-- Test fixture: the DDL the portal ran at every open before its schema was versioned (db.rs SCHEMA,
-- codes.rs SCHEMA, enrolment::migrate and anchors.rs SCHEMA as of commit fd5bcf1, in that order, as
-- on a new database), so tests/schema.rs can make a database exactly as the old code did.
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS devices (
    device_id    TEXT PRIMARY KEY,
    agency_code  TEXT NOT NULL,
    counter_id   TEXT NOT NULL,
    counter_name TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    enrolled_at  TEXT NOT NULL,
    held_through INTEGER NOT NULL DEFAULT 0,
    audit_anchor TEXT,
    revoked      INTEGER NOT NULL DEFAULT 0,   -- set by `motcua-portal revoke`: the counter may enrol again
    UNIQUE (agency_code, counter_id)
) STRICT;
-- What counters pull, in the portal's order. agency NULL = every agency; target NULL = every device
-- of the agency; origin = the device that pushed it (never sent back to it).
CREATE TABLE IF NOT EXISTS feed (
    portal_seq    INTEGER PRIMARY KEY AUTOINCREMENT,
    agency_code   TEXT,
    target_device TEXT,
    origin_device TEXT,
    kind          TEXT NOT NULL,
    body          TEXT NOT NULL,
    at            TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS events (
    uid         TEXT PRIMARY KEY,
    portal_seq  INTEGER NOT NULL UNIQUE REFERENCES feed(portal_seq),
    device_id   TEXT NOT NULL,
    agency_code TEXT NOT NULL,
    counter_id  TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    dossier_uid TEXT NOT NULL,
    kind        TEXT NOT NULL,
    UNIQUE (device_id, seq)
) STRICT;
CREATE INDEX IF NOT EXISTS events_dossier ON events(dossier_uid, portal_seq);
CREATE TABLE IF NOT EXISTS rejected (
    uid       TEXT PRIMARY KEY,
    device_id TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    code      TEXT NOT NULL,
    reason    TEXT NOT NULL,
    at        TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS rejected_seq ON rejected(device_id, seq);
CREATE TABLE IF NOT EXISTS dossiers (
    uid            TEXT PRIMARY KEY,
    agency_code    TEXT NOT NULL,
    code           TEXT NOT NULL,
    counter_id     TEXT NOT NULL,
    procedure_code TEXT NOT NULL,
    status         TEXT NOT NULL,
    due_at         TEXT NOT NULL,
    superseded     INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS dossiers_code ON dossiers(agency_code, code);
CREATE TABLE IF NOT EXISTS procedures (code TEXT PRIMARY KEY, name TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS leases (
    agency_code TEXT NOT NULL,
    day         TEXT NOT NULL,
    next_free   INTEGER NOT NULL,
    PRIMARY KEY (agency_code, day)
) STRICT;
CREATE TABLE IF NOT EXISTS lease_log (
    device_id TEXT NOT NULL,
    day       TEXT NOT NULL,
    first     INTEGER NOT NULL,
    last      INTEGER NOT NULL,
    at        TEXT NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS standing_blocks (
    agency_code TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    first       INTEGER NOT NULL,
    last        INTEGER NOT NULL,
    PRIMARY KEY (agency_code, first)
) STRICT;
CREATE TABLE IF NOT EXISTS enrolment_codes (
    code_hash   TEXT PRIMARY KEY,          -- SHA-256 of the normalised code; the code itself is never kept
    agency_code TEXT NOT NULL,
    counter_id  TEXT NOT NULL,
    issued_at   TEXT NOT NULL,
    expires_ms  INTEGER NOT NULL,          -- unix ms
    used_at     TEXT,
    used_by     TEXT                       -- the device it enrolled
) STRICT;
ALTER TABLE devices ADD COLUMN approved INTEGER NOT NULL DEFAULT 1; ALTER TABLE devices ADD COLUMN approved_at TEXT;
DELETE FROM meta WHERE key = 'enrolment_code';
-- Per device: whether it has sent checkable (version-2) links (then unverifiable legacy links are
-- refused), and the reason of the latest refused head (NULL: nothing flagged).
CREATE TABLE IF NOT EXISTS anchor_state (
    device_id     TEXT PRIMARY KEY,
    content_chain INTEGER NOT NULL DEFAULT 0,
    flagged       TEXT,
    flagged_at    TEXT
) STRICT;
-- Every refused head, kept.
CREATE TABLE IF NOT EXISTS anchor_refusals (
    id        INTEGER PRIMARY KEY,
    device_id TEXT NOT NULL,
    at        TEXT NOT NULL,
    held      TEXT NOT NULL,
    offered   TEXT NOT NULL,
    reason    TEXT NOT NULL
) STRICT;
