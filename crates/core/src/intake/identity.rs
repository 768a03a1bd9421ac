//! Where the applicant's (or the representative's) identity came from: a card string read by the
//! scanner travels with the request, and the core — not the screen — decides that the identity was
//! read from the card: it parses the string again, requires the typed ID number to be the card's,
//! and records when it was read and which fields hold the card's values.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::card::{self, CardRead};
use crate::clock::{parse_local, to_rfc3339};
use crate::dossier::{Applicant, Representative};
use crate::error::{CoreError, Result};
use crate::text;

/// A card string as the scanner delivered it, and when (the screen's clock; bounded by the core).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CardScan {
    pub text: String,
    /// RFC 3339; a time in the future or more than 12 hours ago is replaced by the intake's time.
    #[serde(default)]
    #[ts(optional)]
    pub read_at: Option<String>,
}

fn read(scan: &CardScan, field: &str, now: NaiveDateTime) -> Result<(CardRead, String)> {
    let card = card::parse(&scan.text, now.date()).map_err(|e| match e {
        CoreError::Validation { message, .. } => CoreError::validation(field, format!("Thẻ đã quét: {message}")),
        other => other,
    })?;
    let at = scan
        .read_at
        .as_deref()
        .filter(|s| s.len() <= 40)
        .and_then(parse_local)
        .filter(|t| *t <= now && now.signed_duration_since(*t).num_hours() < 12)
        .unwrap_or(now);
    Ok((card, to_rfc3339(at)))
}

/// Marks the applicant's identity as read from the card, after checking the card is this person's.
pub fn applicant_from_card(a: &mut Applicant, scan: &CardScan, now: NaiveDateTime) -> Result<()> {
    let (card, at) = read(scan, "applicant.id_number", now)?;
    if card.id_number != a.id_number {
        return Err(CoreError::validation(
            "applicant.id_number",
            format!("Số giấy tờ {} khác số trên thẻ đã quét ({}): quét lại thẻ của người nộp hoặc xóa thẻ đã quét (Esc)", a.id_number, card.id_number),
        ));
    }
    let mut from = vec!["id_number".to_string()];
    let same = |x: &str, y: &str| !y.is_empty() && text::clean(x) == text::clean(y);
    if same(&a.full_name, &card.full_name) {
        from.push("full_name".into());
    }
    if a.date_of_birth == card.date_of_birth {
        from.push("date_of_birth".into());
    }
    if same(&a.address, &card.address) {
        from.push("address".into());
    }
    if card.gender.is_some() && a.identity.gender == card.gender {
        from.push("gender".into());
    }
    if card.old_id_number.is_some() && a.identity.old_id_number == card.old_id_number {
        from.push("old_id_number".into());
    }
    if card.date_of_issue.is_some() && a.identity.id_issued_on == card.date_of_issue {
        from.push("id_issued_on".into());
    }
    a.identity.card_read_at = Some(at);
    a.identity.from_card = from;
    Ok(())
}

/// Marks the representative's identity as read from their own card.
pub fn representative_from_card(r: &mut Representative, scan: &CardScan, now: NaiveDateTime) -> Result<()> {
    let (card, at) = read(scan, "representative.id_number", now)?;
    if card.id_number != r.id_number {
        return Err(CoreError::validation(
            "representative.id_number",
            format!("Số giấy tờ người được ủy quyền {} khác số trên thẻ đã quét ({})", r.id_number, card.id_number),
        ));
    }
    r.card_read_at = Some(at);
    Ok(())
}

/// What the intake screen (and the return desk) shows for a scan: the card read and checked, and its
/// address beside its current form (2025 map).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CardReading {
    /// The string read (sent back with the intake request, which the core checks again).
    pub text: String,
    /// When it was read (RFC 3339, the core's clock): sent back as the scan's `read_at`.
    pub read_at: String,
    pub card: CardRead,
    pub address: crate::units::AddressMapping,
    /// The centre's own unit (settings `unit_code`), to tell a "phi địa giới" applicant.
    #[ts(optional)]
    pub agency_unit: Option<crate::units::UnitView>,
}

/// Reads a scanned card string for the screen (`Right::Read`: what it shows is personal data).
pub fn read_card(store: &crate::store::Store, text: &str) -> Result<CardReading> {
    store.require(crate::accounts::Right::Read)?;
    let card = card::parse(text, store.clock().now().date())?;
    let units = crate::units::for_data_dir(store.data_dir());
    let address = units.map_address(&card.address);
    let unit_code = crate::settings::CounterSettings::load(store)?.unit_code;
    Ok(CardReading { text: text.trim().to_string(), read_at: to_rfc3339(store.clock().now()), card, address, agency_unit: units.unit(&unit_code) })
}

/// The current form of an address typed or read (`Right::Read`).
pub fn map_address(store: &crate::store::Store, address: &str) -> Result<crate::units::AddressMapping> {
    store.require(crate::accounts::Right::Read)?;
    crate::limits::length("applicant.address", "Địa chỉ", address, crate::limits::ADDRESS)?;
    Ok(crate::units::for_data_dir(store.data_dir()).map_address(address))
}

/// Current units matching a query (set-up, the applicant's unit, "phi địa giới").
pub fn search_units(store: &crate::store::Store, query: &str) -> Result<Vec<crate::units::UnitView>> {
    crate::limits::length("query", "Từ khóa", query, crate::limits::CATALOG_TEXT)?;
    Ok(crate::units::for_data_dir(store.data_dir()).search(query, 20))
}
