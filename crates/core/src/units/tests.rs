//! The shipped map against known merges (checked by hand against the resolutions; docs/units.md).

use super::*;

fn old(name: &str, district: &str, province: &str) -> Vec<String> {
    let u = shipped();
    let m = u.map_address(&format!("Số 1, {name}, {district}, {province}"));
    assert!(m.old_unit.is_some(), "{name}, {district}, {province} not recognised");
    m.candidates.into_iter().map(|c| c.unit.code).collect()
}

#[test]
fn the_shipped_map_has_the_2025_shape() {
    let u = shipped();
    assert_eq!(u.data().provinces.len(), 34);
    assert_eq!(u.data().units.len(), 3321);
    assert_eq!(u.data().units.iter().filter(|x| x.province == "01").count(), 126, "Hà Nội has 126 communes and wards");
    assert!(u.data().old_units.len() > 10_000);
    assert!(u.data().licence.contains("MIT"));
}

#[test]
fn known_merges() {
    assert_eq!(old("Phường Trúc Bạch", "Quận Ba Đình", "Thành phố Hà Nội"), ["00004"]);
    assert_eq!(old("Phường Quán Thánh", "Quận Ba Đình", "Hà Nội"), ["00004"]);
    assert_eq!(old("Phường Phúc Xá", "Quận Ba Đình", "TP. Hà Nội"), ["00097"], "Phúc Xá went to Hồng Hà");
    assert_eq!(old("Phường Hàng Bạc", "Quận Hoàn Kiếm", "Hà Nội"), ["00070"]);
    assert_eq!(old("Phường Bến Nghé", "Quận 1", "TP Hồ Chí Minh"), ["26740"]);
    assert_eq!(old("Phường Phú Cường", "Thành phố Thủ Dầu Một", "Tỉnh Bình Dương"), ["25747"]);
    assert_eq!(old("Phường Trần Hưng Đạo", "Thành phố Hải Dương", "Tỉnh Hải Dương"), ["10525"]);
    // a split: Điện Biên was divided among four wards, Ba Đình among them
    let split = old("Phường Điện Biên", "Quận Ba Đình", "Hà Nội");
    assert!(split.len() >= 2 && split.contains(&"00004".to_string()), "{split:?}");
    let u = shipped();
    assert_eq!(u.unit("25747").unwrap().province_code, "79", "Bình Dương is now part of Hồ Chí Minh City");
    assert_eq!(u.unit("10525").unwrap().province_code, "31", "Hải Dương is now part of Hải Phòng");
}

#[test]
fn the_address_is_rewritten_beside_the_original() {
    let u = shipped();
    let m = u.map_address("Số 5 ngõ 12 phố Quán Thánh, Phường Quán Thánh, Quận Ba Đình, Hà Nội");
    assert_eq!(m.street, "Số 5 ngõ 12 phố Quán Thánh");
    assert_eq!(m.candidates[0].address, "Số 5 ngõ 12 phố Quán Thánh, Phường Ba Đình, Thành phố Hà Nội");
    assert!(!m.already_current);
    // accents and tone-mark placement do not matter; neither do kind abbreviations
    let n = u.map_address("so 5, P. Quan Thanh, Q. Ba Dinh, TP Ha Noi");
    assert_eq!(n.candidates.len(), 1);
    // an address that already names a current unit
    let c = u.map_address("Số 5, Phường Ba Đình, Thành phố Hà Nội");
    assert!(c.already_current && c.old_unit.is_none());
    assert_eq!(c.candidates[0].unit.code, "00004");
    // nothing recognised: no candidate, nothing invented
    let x = u.map_address("Thôn Không Có, Xã Không Tồn Tại, Huyện Nào Đó, Tỉnh Ảo");
    assert!(x.candidates.is_empty() && x.old_unit.is_none());
    assert!(u.map_address("").candidates.is_empty());
}

#[test]
fn search_without_diacritics() {
    let u = shipped();
    let hits = u.search("ba dinh ha noi", 10);
    assert!(hits.iter().any(|h| h.code == "00004"), "{hits:?}");
    assert_eq!(u.search("00004", 10)[0].name, "Phường Ba Đình");
    assert!(u.search("", 10).is_empty());
    assert!(u.search("xa", 5).len() == 5, "bounded");
}

#[test]
fn a_forged_or_broken_file_is_refused() {
    assert!(Units::from_json("{").is_err());
    let mut d = shipped().data().clone();
    d.old_units[0].new = vec!["99999".into()];
    assert!(Units::from_json(&serde_json::to_string(&d).unwrap()).is_err(), "a target that does not exist");
    let mut d = shipped().data().clone();
    d.units[0].province = "99".into();
    assert!(Units::from_json(&serde_json::to_string(&d).unwrap()).is_err(), "a province that does not exist");
    let mut d = shipped().data().clone();
    d.units[0].name = "x\u{1b}[2J".into();
    assert!(Units::from_json(&serde_json::to_string(&d).unwrap()).is_err(), "control characters");
}

#[test]
fn an_imported_map_is_kept_in_the_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = shipped().data().clone();
    d.version = "test import".into();
    import(dir.path(), &serde_json::to_string(&d).unwrap()).unwrap();
    assert_eq!(for_data_dir(dir.path()).data().version, "test import");
    assert!(import(dir.path(), "{}").is_err());
    assert_eq!(for_data_dir(dir.path()).data().version, "test import", "a bad import changes nothing");
    let other = tempfile::tempdir().unwrap();
    assert_eq!(for_data_dir(other.path()).data().version, shipped().data().version);
}
