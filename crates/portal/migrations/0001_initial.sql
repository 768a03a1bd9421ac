-- The portal's first schema (version 1, as the first motcua-portal created it): settings, enrolled
-- devices, the feed counters pull, every event once by uid, rejected events, the portal's view of
-- each dossier, the catalog's procedure codes, and the agencies' day leases.
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE devices (
    device_id    TEXT PRIMARY KEY,
    agency_code  TEXT NOT NULL,
    counter_id   TEXT NOT NULL,
    counter_name TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    enrolled_at  TEXT NOT NULL,
    held_through INTEGER NOT NULL DEFAULT 0,
    audit_anchor TEXT,
    UNIQUE (agency_code, counter_id)
) STRICT;
-- What counters pull, in the portal's order. agency NULL = every agency; target NULL = every device
-- of the agency; origin = the device that pushed it (never sent back to it).
CREATE TABLE feed (
    portal_seq    INTEGER PRIMARY KEY AUTOINCREMENT,
    agency_code   TEXT,
    target_device TEXT,
    origin_device TEXT,
    kind          TEXT NOT NULL,
    body          TEXT NOT NULL,
    at            TEXT NOT NULL
) STRICT;
CREATE TABLE events (
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
CREATE INDEX events_dossier ON events(dossier_uid, portal_seq);
CREATE TABLE rejected (
    uid       TEXT PRIMARY KEY,
    device_id TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    code      TEXT NOT NULL,
    reason    TEXT NOT NULL,
    at        TEXT NOT NULL
) STRICT;
CREATE INDEX rejected_seq ON rejected(device_id, seq);
CREATE TABLE dossiers (
    uid            TEXT PRIMARY KEY,
    agency_code    TEXT NOT NULL,
    code           TEXT NOT NULL,
    counter_id     TEXT NOT NULL,
    procedure_code TEXT NOT NULL,
    status         TEXT NOT NULL,
    due_at         TEXT NOT NULL,
    superseded     INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE TABLE procedures (code TEXT PRIMARY KEY, name TEXT NOT NULL) STRICT;
CREATE TABLE leases (
    agency_code TEXT NOT NULL,
    day         TEXT NOT NULL,
    next_free   INTEGER NOT NULL,
    PRIMARY KEY (agency_code, day)
) STRICT;
CREATE TABLE lease_log (
    device_id TEXT NOT NULL,
    day       TEXT NOT NULL,
    first     INTEGER NOT NULL,
    last      INTEGER NOT NULL,
    at        TEXT NOT NULL
) STRICT;
