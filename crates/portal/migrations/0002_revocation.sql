-- Version 2: a counter's token can be revoked (`motcua-portal revoke`; the counter may then enrol
-- again), and an official code is held by one dossier of an agency only.
ALTER TABLE devices ADD COLUMN revoked INTEGER NOT NULL DEFAULT 0;   -- set by `motcua-portal revoke`: the counter may enrol again
CREATE UNIQUE INDEX dossiers_code ON dossiers(agency_code, code);
