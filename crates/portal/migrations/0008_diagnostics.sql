-- Version 8: diagnostics bundles sent by counters ("Gửi chẩn đoán", issue 17): the recent log and
-- crash records, nothing personal. The newest 20 per device are kept.
CREATE TABLE diagnostics (
    id          INTEGER PRIMARY KEY,
    device_id   TEXT NOT NULL,
    agency_code TEXT NOT NULL,
    counter_id  TEXT NOT NULL,
    received_at TEXT NOT NULL,
    app_version TEXT NOT NULL,
    os          TEXT NOT NULL,
    bundle      TEXT NOT NULL
) STRICT;
CREATE INDEX diagnostics_device ON diagnostics(device_id, id);
