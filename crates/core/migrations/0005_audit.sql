-- Schema version 5: the tamper-evident audit log (issue 6).
-- Invariants: append-only (triggers); each entry's hash = SHA-256 over the previous entry's hash and
-- its own fields (audit::entry_hash), so editing, inserting or deleting any row breaks the chain from
-- there on; the latest (id, hash) is anchored outside the PC (pushed to the portal with every sync,
-- printed on the closing report) and `motcua audit verify` checks the chain against those anchors.
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,              -- the clerk's id ('' for the system itself)
    action    TEXT NOT NULL,              -- intake, lifecycle.<kind>, settings, print, reprint, catalog.import ...
    subject   TEXT NOT NULL DEFAULT '',   -- a dossier code, a setting key, an account ...
    detail    TEXT NOT NULL DEFAULT '',   -- JSON
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
) STRICT;

CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- Copies of the chain's head kept elsewhere, and where: 'portal' (acknowledged by the portal with a
-- push), 'report' (printed on a closing report). Verify checks the chain still has these hashes.
CREATE TABLE audit_anchors (
    id       INTEGER PRIMARY KEY,
    audit_id INTEGER NOT NULL,
    hash     TEXT NOT NULL,
    kind     TEXT NOT NULL,
    at       TEXT NOT NULL
) STRICT;
