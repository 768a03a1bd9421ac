//! The portal database's schema, versioned like the counter's (`motcua_core::store`): numbered
//! migrations in `crates/portal/migrations/` applied with `rusqlite_migration` at open, one per step
//! the schema took. A database newer than this binary knows is refused before anything is changed.
//!
//! Databases of the portal before versioning (every table made with `CREATE TABLE IF NOT EXISTS` at
//! each open, `user_version` 0) are adopted: the steps whose tables, indexes and columns they already
//! have are recognised, `user_version` is set to the last of them (nothing else is touched), and the
//! remaining migrations run as for any older database. One whose tables match no earlier portal is
//! refused, unchanged.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use rusqlite_migration::{Migrations, M};

use crate::db::Refusal;

type R<T> = Result<T, Refusal>;

pub fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("../migrations/0001_initial.sql")),
        M::up(include_str!("../migrations/0002_revocation.sql")),
        M::up(include_str!("../migrations/0003_standing_blocks.sql")),
        M::up(include_str!("../migrations/0004_enrolment_codes.sql")),
        M::up(include_str!("../migrations/0005_audit_anchors.sql")),
        M::up(include_str!("../migrations/0006_code_aliases.sql")),
        M::up(include_str!("../migrations/0007_blobs.sql")),
        M::up(include_str!("../migrations/0008_diagnostics.sql")),
    ])
}

/// The schema version this binary writes.
pub const SCHEMA_VERSION: i64 = 8;

/// What each migration makes, to recognise a database of the portal before versioning: index `i`
/// is migration `i + 1`.
enum Made {
    Table(&'static str),
    Index(&'static str),
    Column(&'static str, &'static str),
}
use Made::*;

const STEPS: [(&str, &[Made]); SCHEMA_VERSION as usize] = [
    (
        "initial",
        &[
            Table("meta"),
            Table("devices"),
            Table("feed"),
            Table("events"),
            Index("events_dossier"),
            Table("rejected"),
            Index("rejected_seq"),
            Table("dossiers"),
            Table("procedures"),
            Table("leases"),
            Table("lease_log"),
        ],
    ),
    ("revocation", &[Column("devices", "revoked"), Index("dossiers_code")]),
    ("standing_blocks", &[Table("standing_blocks")]),
    ("enrolment_codes", &[Table("enrolment_codes"), Column("devices", "approved"), Column("devices", "approved_at")]),
    ("audit_anchors", &[Table("anchor_state"), Table("anchor_refusals")]),
    ("code_aliases", &[Table("code_aliases")]),
    ("blobs", &[Table("blobs"), Table("blob_chunk_log")]),
    ("diagnostics", &[Table("diagnostics"), Index("diagnostics_device")]),
];

fn user_version(conn: &Connection) -> R<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Refuses a database written by a newer portal, and adopts one made before versions (or refuses it,
/// unchanged, when it matches no earlier portal): to be called before anything else touches the file
/// (not even its journal mode).
pub fn recognise(conn: &mut Connection, path: &Path) -> R<()> {
    let found = user_version(conn)?;
    if found > SCHEMA_VERSION {
        return Err(Refusal::new(
            500,
            "database_too_new",
            format!(
                "{}: the portal database is at schema version {found}, newer than this motcua-portal knows (version {SCHEMA_VERSION}); use a newer motcua-portal. Nothing was changed.",
                path.display()
            ),
        ));
    }
    if found == 0 {
        adopt_unversioned(conn, path)?;
    }
    Ok(())
}

/// Brings the database to `SCHEMA_VERSION` (after `recognise`).
pub fn migrate(conn: &mut Connection, path: &Path) -> R<()> {
    migrations().to_latest(conn).map_err(|e| Refusal::new(500, "migration", format!("{}: schema migration failed: {e}", path.display())))
}

/// How much of a migration's work a database holds.
#[derive(Debug, PartialEq)]
enum Held {
    All,
    Some,
    None,
}

fn held(conn: &Connection, made: &[Made]) -> R<Held> {
    let mut n = 0;
    for m in made {
        let found = match m {
            Table(name) | Index(name) => {
                let kind = if matches!(m, Table(_)) { "table" } else { "index" };
                conn.query_row("SELECT 1 FROM sqlite_master WHERE type = ?1 AND name = ?2", [kind, name], |_| Ok(())).optional()?.is_some()
            }
            Column(table, column) => conn.query_row("SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2", [table, column], |_| Ok(())).optional()?.is_some(),
        };
        n += found as usize;
    }
    Ok(match n {
        0 => Held::None,
        n if n == made.len() => Held::All,
        _ => Held::Some,
    })
}

/// A database with tables but `user_version` 0 was made by the portal before versioning: its version
/// is set to the last migration whose work it holds entirely (all earlier ones held too, none of the
/// later ones begun), in one transaction that changes nothing else.
fn adopt_unversioned(conn: &mut Connection, path: &Path) -> R<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // read again under the write lock: another process may have just migrated it
    if user_version(&tx)? != 0 {
        return Ok(());
    }
    let tables: i64 = tx.query_row("SELECT COUNT(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'", [], |r| r.get(0))?;
    if tables == 0 {
        return Ok(()); // a new database: every migration runs
    }
    let found = STEPS.iter().map(|(_, made)| held(&tx, made)).collect::<R<Vec<Held>>>()?;
    let adopted = found.iter().take_while(|h| **h == Held::All).count();
    if let Some(step) = (adopted..found.len()).find(|&i| found[i] != Held::None).or((adopted == 0).then_some(0)) {
        let what = match found[step] {
            Held::All => "held",
            Held::Some => "held in part",
            Held::None => "missing",
        };
        return Err(Refusal::new(
            500,
            "database_unknown",
            format!(
                "{}: this database has no schema version and its tables match no earlier motcua-portal (schema step {} '{}' {what}, after {adopted} complete step(s)); is it a portal database? Nothing was changed.",
                path.display(),
                step + 1,
                STEPS[step].0,
            ),
        ));
    }
    tx.pragma_update(None, "user_version", adopted as i64)?;
    tx.commit()?;
    tracing::info!("portal: {} made before schema versions adopted at version {adopted}", path.display());
    Ok(())
}
