-- Schema version 8: the audit chain commits to the content of every event (issue 12, finding 3).
-- Invariants: every event has one row in `event_chain`, written in the transaction that inserts the
-- event: hash = SHA-256 over the previous event's chain hash and the event's canonical bytes (uid,
-- counter, seq, dossier row, kind, time, clerk, hlc, payload bytes; event_chain::event_hash). Every
-- audit entry of version 2 carries the event chain's head at the time it was written ("event_id:hash")
-- and its hash is H(prev, id, digest of its fields), so the portal can check that a new audit head
-- extends the one it holds from the digests alone (no personal data travels). Entries written before
-- this version stay version 1 (their old hash); events that existed before it are chained by this
-- migration's hook, so the chain covers them from here on.
CREATE TABLE event_chain (
    event_id INTEGER PRIMARY KEY REFERENCES events(id),
    hash     TEXT NOT NULL
) STRICT;
CREATE TRIGGER event_chain_append_only_update BEFORE UPDATE ON event_chain
BEGIN SELECT RAISE(ABORT, 'the event chain is append-only'); END;
CREATE TRIGGER event_chain_append_only_delete BEFORE DELETE ON event_chain
BEGIN SELECT RAISE(ABORT, 'the event chain is append-only'); END;

ALTER TABLE audit_log ADD COLUMN v INTEGER NOT NULL DEFAULT 1;
ALTER TABLE audit_log ADD COLUMN events_head TEXT NOT NULL DEFAULT '';

-- The portal refused the audit head this counter sent as not extending the one it holds (the reason,
-- in words; NULL once the portal accepts a head again).
ALTER TABLE sync_state ADD COLUMN anchor_refused TEXT;
