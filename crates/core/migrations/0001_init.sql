-- Một Cửa counter database, schema version 1.
-- Invariants: events are append-only (triggers below); a dossier's status is the fold of its events
-- (the `status` column is that fold, written in the same transaction as the event); every event has a
-- globally unique id (UUIDv7) and a per-counter sequence number, and an outbox row for the portal sync.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE agency (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    code    TEXT NOT NULL,            -- official electronic identifier, e.g. 000.00.06.H56
    name    TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE counters (
    id       TEXT PRIMARY KEY,        -- e.g. Q01
    name     TEXT NOT NULL,
    is_local INTEGER NOT NULL DEFAULT 0 CHECK (is_local IN (0, 1))
) STRICT;
CREATE UNIQUE INDEX counters_one_local ON counters(is_local) WHERE is_local = 1;

CREATE TABLE clerks (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL
) STRICT;

CREATE TABLE procedures (
    code       TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    field      TEXT NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1,
    data       TEXT NOT NULL,         -- the catalog entry as JSON
    updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE calendar (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    data       TEXT NOT NULL,         -- motcua.calendar/1 JSON
    updated_at TEXT NOT NULL
) STRICT;

-- Blocks of the official daily sequence this counter may issue. day NULL = a standing block valid on
-- every day (a single-counter agency, or blocks assigned by the admin); otherwise leased for one day.
CREATE TABLE code_blocks (
    id     INTEGER PRIMARY KEY,
    day    TEXT,                      -- YYYY-MM-DD or NULL
    first  INTEGER NOT NULL CHECK (first >= 1),
    last   INTEGER NOT NULL CHECK (last <= 9999 AND last >= first),
    source TEXT NOT NULL              -- 'admin', 'portal'
) STRICT;

-- Every sequence number ever issued: the primary key makes a duplicate impossible on this counter.
CREATE TABLE codes_issued (
    series TEXT NOT NULL,             -- 'O:YYMMDD' official, 'P:YYMMDD' provisional
    seq    INTEGER NOT NULL,
    PRIMARY KEY (series, seq)
) STRICT, WITHOUT ROWID;

CREATE TABLE dossiers (
    id               INTEGER PRIMARY KEY,
    uid              BLOB NOT NULL UNIQUE,  -- UUIDv7, 16 bytes
    code             TEXT NOT NULL UNIQUE,
    provisional_code TEXT UNIQUE,
    procedure_code   TEXT NOT NULL REFERENCES procedures(code),
    applicant_name   TEXT NOT NULL,
    id_number        TEXT NOT NULL,
    phone            TEXT NOT NULL,
    received_at      TEXT NOT NULL,
    due_at           TEXT NOT NULL,
    status           TEXT NOT NULL,
    request_id       TEXT UNIQUE
    -- the dossier itself (applicant, documents, fee, delivery ...) is the payload of its `received`
    -- event: stored once; this row is the searchable projection of the event log.
) STRICT;
CREATE INDEX dossiers_id_number ON dossiers(id_number);
CREATE INDEX dossiers_phone ON dossiers(phone);
CREATE INDEX dossiers_status_due ON dossiers(status, due_at);

-- Accent-free applicant names for search (rowid = dossiers.id); contentless to stay small.
CREATE VIRTUAL TABLE dossier_names USING fts5(name, content = '', contentless_delete = 1, detail = none, prefix = '1 2 3 4 5 6', tokenize = 'unicode61');

CREATE TABLE events (
    id         INTEGER PRIMARY KEY,
    uid        BLOB NOT NULL UNIQUE,  -- UUIDv7 (16 bytes), globally unique
    counter_id TEXT NOT NULL,
    seq        INTEGER NOT NULL,      -- per-counter sequence, 1, 2, 3 ...
    dossier_id INTEGER NOT NULL REFERENCES dossiers(id),
    kind       TEXT NOT NULL,
    at         TEXT NOT NULL,
    clerk_id   TEXT NOT NULL,
    payload    BLOB NOT NULL,         -- the event as zstd-compressed JSON (events::encode_payload)
    UNIQUE (counter_id, seq)
) STRICT;
CREATE INDEX events_dossier ON events(dossier_id, id);

CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

-- Events not yet acknowledged by the portal: a queue (a row leaves when the portal has the event;
-- the event itself stays in `events` for ever).
CREATE TABLE outbox (
    event_id INTEGER PRIMARY KEY REFERENCES events(id)
) STRICT;
