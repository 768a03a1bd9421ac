-- Schema version 8: a dossier's official code re-issued by the portal (two counters issued the same
-- number). The change itself is an event (`code_reissued`, append-only); this table is its
-- searchable projection: the old code stays findable, and a receipt not printed again since the
-- change is listed for a reprint ("in lại giấy tiếp nhận").
CREATE TABLE dossier_recodes (
    event_id   INTEGER PRIMARY KEY REFERENCES events(id),
    dossier_id INTEGER NOT NULL REFERENCES dossiers(id),
    old_code   TEXT NOT NULL,
    new_code   TEXT NOT NULL
) STRICT;
CREATE INDEX dossier_recodes_old ON dossier_recodes(old_code);
