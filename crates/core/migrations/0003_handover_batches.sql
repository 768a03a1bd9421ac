-- Which dossiers left in which handover batch (issue 4): a projection of the `handed_over` and
-- `transferred` events (their payload names the batch), kept so a batch's handover list can be printed
-- again without decoding every event. Rebuildable from the events; never the source of truth.
CREATE TABLE handover_batches (
    batch      TEXT NOT NULL,
    dossier_id INTEGER NOT NULL REFERENCES dossiers(id),
    event_id   INTEGER NOT NULL REFERENCES events(id),
    PRIMARY KEY (batch, dossier_id)
) STRICT, WITHOUT ROWID;
