-- Issue 16: stored event payloads refer to a versioned snapshot of the catalog instead of repeating
-- it. A snapshot is a zstd dictionary made from one version of one procedure (its name, checklist
-- names, time limit, fee kind, laid out as a `received` event is), named by its SHA-256 (first 8
-- bytes); a payload compressed with it says which one in a zstd skippable frame before the data.
-- Append-only: a payload written with a snapshot must always find it.
CREATE TABLE payload_dicts (
    id         BLOB PRIMARY KEY,
    procedure  TEXT NOT NULL,
    created_at TEXT NOT NULL,
    content    BLOB NOT NULL
) STRICT;
CREATE TRIGGER payload_dicts_append_only_update BEFORE UPDATE ON payload_dicts
BEGIN SELECT RAISE(ABORT, 'payload dictionaries are append-only'); END;
CREATE TRIGGER payload_dicts_append_only_delete BEFORE DELETE ON payload_dicts
BEGIN SELECT RAISE(ABORT, 'payload dictionaries are append-only'); END;

-- the snapshot of the procedure's current version (NULL: made at its next event; a catalog import
-- that changes the procedure sets it back to NULL)
ALTER TABLE procedures ADD COLUMN dict_id BLOB;
