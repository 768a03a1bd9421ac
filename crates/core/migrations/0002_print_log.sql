-- Every print and reprint of a form, kept locally (issue 3). A row is written before the job is
-- handed to the printer and completed with its outcome, so a crash mid-print still shows the attempt.
CREATE TABLE print_log (
    id           INTEGER PRIMARY KEY,
    dossier_code TEXT,                 -- NULL for the logbook
    form         TEXT NOT NULL,        -- receipt | supplement | refusal | apology | stop | control | logbook
    printed_at   TEXT NOT NULL,
    clerk_id     TEXT NOT NULL,
    counter_id   TEXT NOT NULL,
    printer      TEXT,                 -- NULL when only a PDF was saved
    copies       INTEGER NOT NULL,
    reprint      INTEGER NOT NULL,     -- 1 when this form was printed for this dossier before
    template     TEXT NOT NULL,        -- template set version, e.g. tt03-2025.1
    pdf_path     TEXT,
    outcome      TEXT NOT NULL,        -- pending | printed | saved | failed
    detail       TEXT
) STRICT;
CREATE INDEX print_log_dossier ON print_log(dossier_code, form);
