-- Issue 16: document files. The bytes live under <data dir>/blobs/ (content addressed); a row says
-- which agency holds a file (uploaded by one of its counters, hash checked): only its counters may
-- fetch it, and a repeat upload by the same agency is answered "already have".
CREATE TABLE blobs (
    sha256      TEXT NOT NULL,
    agency_code TEXT NOT NULL,
    size        INTEGER NOT NULL,
    device_id   TEXT NOT NULL,
    stored_at   INTEGER NOT NULL,
    PRIMARY KEY (sha256, agency_code)
);
CREATE INDEX blobs_agency ON blobs(agency_code);

-- every chunk offered, and what became of it: the evidence that a resumed upload never sends again a
-- chunk the portal had confirmed (tests, and an admin looking at a bad line)
CREATE TABLE blob_chunk_log (
    id          INTEGER PRIMARY KEY,
    sha256      TEXT NOT NULL,
    agency_code TEXT NOT NULL,
    offset      INTEGER NOT NULL,
    size        INTEGER NOT NULL,
    outcome     TEXT NOT NULL,
    at          INTEGER NOT NULL
);
