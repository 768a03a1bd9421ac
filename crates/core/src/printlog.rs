//! The print log: every print, reprint and saved PDF of a form, so a reprint can be marked as such and
//! an admin can see what left the counter. Rows are written before the job reaches the printer and then
//! completed with the outcome.

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::clock::to_rfc3339;
use crate::error::Result;
use crate::store::Store;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PrintEntry {
    #[ts(type = "number")]
    pub id: i64,
    pub dossier_code: Option<String>,
    pub form: String,
    pub printed_at: String,
    pub clerk_id: String,
    pub printer: Option<String>,
    pub copies: u32,
    pub reprint: bool,
    pub template: String,
    pub pdf_path: Option<String>,
    pub outcome: String,
    pub detail: Option<String>,
}

/// What is known before the job starts.
pub struct NewPrint<'a> {
    pub dossier_code: Option<&'a str>,
    pub form: &'a str,
    pub printer: Option<&'a str>,
    pub copies: u32,
    pub template: &'a str,
}

impl Store {
    /// How many times this form was already printed (or saved) for this dossier, failures excluded.
    pub fn times_printed(&self, dossier_code: &str, form: &str) -> Result<u32> {
        self.require(crate::accounts::Right::Read)?;
        Ok(self.conn().query_row(
            "SELECT COUNT(*) FROM print_log WHERE dossier_code = ?1 AND form = ?2 AND outcome IN ('printed', 'saved', 'pending')",
            params![dossier_code, form],
            |r| r.get(0),
        )?)
    }

    /// Records the start of a print; returns the row id and whether it is a reprint.
    pub fn begin_print(&mut self, p: &NewPrint) -> Result<(i64, bool)> {
        self.require(if p.form == "logbook" { crate::accounts::Right::Reports } else { crate::accounts::Right::Print })?;
        let reprint = match p.dossier_code {
            Some(code) => self.times_printed(code, p.form)? > 0,
            None => false,
        };
        let now = self.clock().now();
        let at = to_rfc3339(now);
        let ctx = self.context()?.clone();
        let tx = self.write_tx()?;
        tx.execute(
            "INSERT INTO print_log(dossier_code, form, printed_at, clerk_id, counter_id, printer, copies, reprint, template, outcome)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'pending')",
            params![p.dossier_code, p.form, at, ctx.clerk_id, ctx.counter_id, p.printer, p.copies, reprint, p.template],
        )?;
        let id = tx.last_insert_rowid();
        crate::audit::record(
            &tx,
            now,
            &ctx.clerk_id,
            if reprint { "reprint" } else { "print" },
            p.dossier_code.unwrap_or(""),
            &serde_json::json!({ "form": p.form, "printer": p.printer, "copies": p.copies }),
        )?;
        tx.commit()?;
        Ok((id, reprint))
    }

    /// Completes a print row: `printed`, `saved` (PDF only) or `failed` with the reason.
    pub fn finish_print(&mut self, id: i64, outcome: &str, pdf_path: Option<&str>, detail: Option<&str>) -> Result<()> {
        let tx = self.write_tx()?;
        tx.execute(
            "UPDATE print_log SET outcome = ?2, pdf_path = COALESCE(?3, pdf_path), detail = ?4 WHERE id = ?1",
            params![id, outcome, pdf_path, detail],
        )?;
        tx.commit()?;
        Ok(())
    }

    pub fn print_entry(&self, id: i64) -> Result<Option<PrintEntry>> {
        self.require(crate::accounts::Right::Read)?;
        Ok(self.conn().query_row(&format!("{SELECT_ENTRY} WHERE id = ?1"), [id], row_to_entry).optional()?)
    }

    /// The prints of one dossier, oldest first.
    pub fn prints_of(&self, dossier_code: &str) -> Result<Vec<PrintEntry>> {
        self.require(crate::accounts::Right::Read)?;
        let mut st = self.conn().prepare(&format!("{SELECT_ENTRY} WHERE dossier_code = ?1 ORDER BY id"))?;
        let rows = st.query_map([dossier_code], row_to_entry)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

const SELECT_ENTRY: &str =
    "SELECT id, dossier_code, form, printed_at, clerk_id, printer, copies, reprint, template, pdf_path, outcome, detail FROM print_log";

fn row_to_entry(r: &rusqlite::Row) -> rusqlite::Result<PrintEntry> {
    Ok(PrintEntry {
        id: r.get(0)?,
        dossier_code: r.get(1)?,
        form: r.get(2)?,
        printed_at: r.get(3)?,
        clerk_id: r.get(4)?,
        printer: r.get(5)?,
        copies: r.get(6)?,
        reprint: r.get(7)?,
        template: r.get(8)?,
        pdf_path: r.get(9)?,
        outcome: r.get(10)?,
        detail: r.get(11)?,
    })
}
