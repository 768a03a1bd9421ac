-- Version 6: every code a dossier was known by before the portal gave it another (a provisional
-- TAM- code mapped to an official one, or a duplicate re-issued), so the citizen's lookup (QR on
-- the receipt) finds the dossier by any code ever printed for it.
CREATE TABLE code_aliases (
    agency_code TEXT NOT NULL,
    alias       TEXT NOT NULL,
    dossier_uid TEXT NOT NULL,
    PRIMARY KEY (agency_code, alias)
) STRICT;
-- the lookup finds a code whatever its agency (the citizen's QR carries the code alone)
CREATE INDEX dossiers_by_code ON dossiers(code);
CREATE INDEX code_aliases_by_alias ON code_aliases(alias);
