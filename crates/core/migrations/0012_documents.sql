-- Issue 16: the electronic dossier. The files live under <data dir>/documents/, named by their
-- SHA-256; the database holds only references to them and the state of their upload.

-- which dossier's event refers to which file (local and pulled events alike)
CREATE TABLE dossier_documents (
    event_id   INTEGER PRIMARY KEY REFERENCES events(id),
    dossier_id INTEGER NOT NULL REFERENCES dossiers(id),
    sha256     TEXT NOT NULL,
    size       INTEGER NOT NULL
);
CREATE INDEX dossier_documents_dossier ON dossier_documents(dossier_id);
CREATE INDEX dossier_documents_sha ON dossier_documents(sha256);

-- the upload of each file this counter attached: its own queue, never holding the events back
CREATE TABLE blob_uploads (
    sha256      TEXT PRIMARY KEY,
    size        INTEGER NOT NULL,
    state       TEXT NOT NULL DEFAULT 'waiting' CHECK (state IN ('waiting', 'sending', 'stored', 'parked', 'refused')),
    sent        INTEGER NOT NULL DEFAULT 0,
    reason      TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_try_ms INTEGER NOT NULL DEFAULT 0,
    queued_at   TEXT NOT NULL,
    stored_at   TEXT
);
CREATE INDEX blob_uploads_due ON blob_uploads(state, next_try_ms);

-- local copies removed by retention: the reference stays, the portal's copy is fetched when needed
CREATE TABLE blob_pruned (
    sha256    TEXT PRIMARY KEY,
    pruned_at TEXT NOT NULL
);
