//! The limits' own checks: the printable rule, the messages, and the worst-case event size.

use super::*;
use crate::catalog::{DocumentForm, TimeLimit};
use crate::dossier::{Applicant, Channel, Delivery, Dossier, DossierStatus, EventKind, IdType, ReceivedDocument};

fn message(e: CoreError) -> (String, String) {
    match e {
        CoreError::Validation { field, message } => (field.unwrap(), message),
        e => panic!("{e:?}"),
    }
}

#[test]
fn vietnamese_with_every_tone_is_printable_other_scripts_are_not() {
    for ok in ["Nguyễn Thị Ngọc Ánh", "Đặng Hữu Phước", "Ưng Ỷ", "Lê Thị Hồng Nhung – P.302, “Nhà A”…", "Müller Ñúñez"] {
        assert_eq!(text("applicant.full_name", "Họ và tên", ok, NAME).unwrap(), ok);
    }
    for bad in ["محمد علي", "王小明", "Nguyễn 😀", "Trần\u{1b}[31m", "Ivan Иванов"] {
        let (field, msg) = message(text("applicant.full_name", "Họ và tên", bad, NAME).unwrap_err());
        assert_eq!(field, "applicant.full_name");
        assert!(msg.starts_with("Họ và tên có ") && msg.contains("không in được"), "{msg}");
    }
    // decomposed input (NFD) is composed first, then judged
    let nfd: String = unicode_normalization::UnicodeNormalization::nfd("Ưng Ỷ").collect();
    assert_eq!(text("x", "X", &nfd, NAME).unwrap(), "Ưng Ỷ");
}

#[test]
fn too_long_names_the_field_and_the_limit() {
    let (field, msg) = message(text("note", "Ghi chú", &"a".repeat(NOTE + 1), NOTE).unwrap_err());
    assert_eq!(field, "note");
    assert_eq!(msg, format!("Ghi chú quá dài: tối đa {NOTE} ký tự, đã nhập {} ký tự", NOTE + 1));
    // a megabyte is refused without normalising it
    assert!(text("note", "Ghi chú", &"a".repeat(1 << 20), NOTE).is_err());
    // exactly at the limit passes; whitespace runs collapse before counting
    assert_eq!(text("note", "Ghi chú", &"a".repeat(NOTE), NOTE).unwrap().len(), NOTE);
    assert_eq!(text("note", "Ghi chú", &format!("a{}b", " ".repeat(NOTE * 2)), NOTE).unwrap(), "a b");
    let (_, msg) = message(required("reason", "Lý do từ chối", "  ", REASON).unwrap_err());
    assert_eq!(msg, "Cần nhập lý do từ chối");
}

/// The largest dossier the limits allow, every character one that JSON writes as a 6-byte escape.
fn worst_dossier() -> Dossier {
    let s = |n: usize| "\u{1}".repeat(n);
    Dossier {
        uid: uuid::Uuid::nil().to_string(),
        code: s(CODE),
        provisional: true,
        provisional_code: Some(s(CODE)),
        agency_code: s(CODE),
        procedure_code: s(CODE),
        procedure_name: s(CATALOG_TEXT),
        applicant: Applicant {
            full_name: s(NAME),
            id_type: IdType::Other,
            id_number: s(ID_NUMBER),
            date_of_birth: s(DATE_INPUT),
            phone: s(PHONE),
            address: s(ADDRESS),
            email: Some(s(EMAIL)),
            identity: Default::default(),
        },
        documents: (0..CATALOG_DOCUMENTS)
            .map(|_| ReceivedDocument { id: s(CODE), name: s(CATALOG_TEXT), form: DocumentForm::CertifiedCopy, count: 999, read_from_card: true })
            .collect(),
        fee: i64::MAX,
        fee_kind: Some(crate::catalog::FeeKind::NotCollected),
        case_id: Some(s(CODE)),
        case_name: Some(s(CATALOG_TEXT)),
        representative: Some(crate::dossier::Representative { full_name: s(NAME), id_number: s(ID_NUMBER), phone: s(PHONE), relation: s(RELATION), authorisation: s(MISSING_ITEM), card_read_at: Some(s(40)) }),
        subject: Some(s(SUBJECT)),
        channel: Channel::Online,
        delivery: Delivery::Post { address: s(ADDRESS) },
        received_at: s(DATE_INPUT),
        due_at: s(DATE_INPUT),
        time_limit: TimeLimit::SameDay { cutoff: s(CATALOG_TEXT) },
        clerk_id: s(CODE),
        clerk_name: s(NAME),
        counter_id: s(CODE),
        status: DossierStatus::WaitingSupplement,
        request_id: Some(s(REQUEST_ID)),
        note: Some(s(NOTE)),
        progress: Default::default(),
    }
}

#[test]
fn worst_case_event_fits_and_decodes() {
    let worst = [
        EventKind::Received { dossier: Box::new(worst_dossier()) },
        EventKind::SupplementRequested { missing: vec!["\u{1}".repeat(MISSING_ITEM); MISSING_ITEMS], remaining_minutes: i64::MIN },
        EventKind::Delayed { due_at: "\u{1}".repeat(DATE_INPUT), reason: "\u{1}".repeat(REASON) },
    ];
    for e in worst {
        let json = serde_json::to_vec(&e).unwrap();
        assert!(json.len() <= MAX_EVENT_JSON, "{}: {} bytes > {MAX_EVENT_JSON}", e.name(), json.len());
        assert!(MAX_EVENT_JSON * 8 <= DECODE_CAP);
        let bytes = crate::events::encode_payload(&e).unwrap();
        assert_eq!(crate::events::decode_payload(&rusqlite::Connection::open_in_memory().unwrap(), &bytes).unwrap(), e);
    }
}

#[test]
fn an_event_above_the_bound_is_never_encoded() {
    let mut d = worst_dossier();
    d.note = Some("\u{1}".repeat(MAX_EVENT_JSON));
    assert!(crate::events::encode_payload(&EventKind::Received { dossier: Box::new(d) }).is_err());
}

#[test]
fn decoding_reads_an_old_oversized_event_and_bounds_a_bomb() {
    // written before the limits: a 1.1 MB note (the old decoder capped at 1 MiB and failed on it)
    let mut d = worst_dossier();
    d.note = Some("a".repeat(1_100_000));
    let json = serde_json::to_vec(&EventKind::Received { dossier: Box::new(d) }).unwrap();
    let old = zstd::bulk::compress(&json, 3).unwrap();
    assert!(crate::events::decode_payload(&rusqlite::Connection::open_in_memory().unwrap(), &old).is_ok());
    // a frame that says it holds more than the cap is refused, not allocated
    let bomb = zstd::bulk::compress(&vec![b' '; DECODE_CAP + 1], 3).unwrap();
    assert!(crate::events::decode_payload(&rusqlite::Connection::open_in_memory().unwrap(), &bomb).is_err());
    assert!(crate::events::decode_payload(&rusqlite::Connection::open_in_memory().unwrap(), b"garbage, not zstd").is_err());
}
