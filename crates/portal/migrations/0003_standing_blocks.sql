-- Version 3: the standing blocks of the agency's daily official sequence each counter registers at
-- enrolment (codes.rs; leases never touch them).
CREATE TABLE standing_blocks (
    agency_code TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    first       INTEGER NOT NULL,
    last        INTEGER NOT NULL,
    PRIMARY KEY (agency_code, first)
) STRICT;
