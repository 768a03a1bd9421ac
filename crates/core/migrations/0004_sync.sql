-- Schema version 4: portal sync (docs/sync-protocol.md).
-- Invariants: what is queued is frozen (events stay append-only; the outbox row only tracks delivery);
-- an outbox row is either flowing (parked_code NULL) or parked with the portal's own reason; an event
-- leaves the outbox only when the portal answered `stored` or `duplicate`, in the transaction that
-- records its portal_seq. Events of other machines (pulled) never enter the outbox.

-- Hybrid logical clock stamp "<unix ms>-<counter>-<logical>" (NULL on events made before version 4).
ALTER TABLE events ADD COLUMN hlc TEXT;

ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN parked_code TEXT;    -- the portal's code when it refused the event for good
ALTER TABLE outbox ADD COLUMN parked_reason TEXT;  -- the portal's reason, in its words
ALTER TABLE outbox ADD COLUMN parked_at TEXT;

-- The portal's sequence of every event it holds (ours once acknowledged, and all pulled ones): the
-- agency-wide order a dossier's events are folded in.
CREATE TABLE event_portal (
    event_id   INTEGER PRIMARY KEY REFERENCES events(id),
    portal_seq INTEGER NOT NULL
) STRICT;

-- This counter's enrolment and the state of the sync (one row once enrolled).
CREATE TABLE sync_state (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    portal_url      TEXT NOT NULL,
    device_id       TEXT NOT NULL,
    token           TEXT NOT NULL,
    portal_id       TEXT NOT NULL,
    enrolled_at     TEXT NOT NULL,
    cursor          INTEGER NOT NULL DEFAULT 0,   -- the last portal_seq pulled and applied
    server_ms       INTEGER NOT NULL DEFAULT 0,   -- the latest portal time seen (unix ms): the HLC floor
    clock_offset_ms INTEGER NOT NULL DEFAULT 0,   -- portal time minus this machine's time at the last sync
    online          INTEGER NOT NULL DEFAULT 0,
    last_attempt_at TEXT,
    last_success_at TEXT,
    last_error      TEXT                          -- in words a clerk understands
) STRICT;

-- Events that lost a conflict (the portal's order put another step first): kept, not applied, listed
-- for a person to settle.
CREATE TABLE sync_conflicts (
    event_id   INTEGER PRIMARY KEY REFERENCES events(id),
    dossier_id INTEGER NOT NULL REFERENCES dossiers(id),
    noted_at   TEXT NOT NULL,
    settled_at TEXT
) STRICT;
CREATE INDEX sync_conflicts_open ON sync_conflicts(settled_at);
