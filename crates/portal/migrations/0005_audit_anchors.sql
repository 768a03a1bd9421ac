-- Version 5: the counters' audit anchors are taken only as extensions of the one held (anchors.rs).
-- Per device: whether it has sent checkable (version-2) links (then unverifiable legacy links are
-- refused), and the reason of the latest refused head (NULL: nothing flagged).
CREATE TABLE anchor_state (
    device_id     TEXT PRIMARY KEY,
    content_chain INTEGER NOT NULL DEFAULT 0,
    flagged       TEXT,
    flagged_at    TEXT
) STRICT;
-- Every refused head, kept.
CREATE TABLE anchor_refusals (
    id        INTEGER PRIMARY KEY,
    device_id TEXT NOT NULL,
    at        TEXT NOT NULL,
    held      TEXT NOT NULL,
    offered   TEXT NOT NULL,
    reason    TEXT NOT NULL
) STRICT;
