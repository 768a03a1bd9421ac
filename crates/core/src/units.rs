//! The 2025 administrative map: since 1 July 2025 Vietnam has 34 provinces and 3,321 communes, wards
//! and special zones with no district level. Cards name the old units ("Phường Điện Biên, Quận Ba
//! Đình, Hà Nội"); the counter shows the card's address beside its current form ("… Phường Ba Đình,
//! Thành phố Hà Nội") and the clerk's choice is kept. The same list names the centre's own unit, so a
//! dossier whose applicant lives elsewhere is "phi địa giới".
//!
//! Data: `assets/units/units-2025.json` (dvhcvn/20250701, MIT; see docs/units.md for the source, the
//! caveats and how to regenerate). It is data, replaceable by `motcua units import FILE` (kept in the
//! data directory) without a new release.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};


use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{CoreError, Result};
use crate::text;

const SHIPPED: &str = include_str!("../../../assets/units/units-2025.json");
/// The largest unit file accepted on import.
pub const MAX_UNITS_FILE: usize = 16 * 1024 * 1024;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Province {
    pub code: String,
    pub name: String,
    pub short: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Unit {
    pub code: String,
    pub name: String,
    pub province: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OldUnit {
    pub code: String,
    pub name: String,
    pub district: String,
    pub province: String,
    pub new: Vec<String>,
}

/// The unit file as shipped or imported.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UnitData {
    pub version: String,
    pub source: String,
    pub licence: String,
    pub effective: String,
    pub provinces: Vec<Province>,
    pub units: Vec<Unit>,
    pub old_units: Vec<OldUnit>,
}

/// A current unit as the screens show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct UnitView {
    pub code: String,
    /// "Phường Ba Đình"
    pub name: String,
    pub province_code: String,
    /// "Thành phố Hà Nội"
    pub province_name: String,
}

/// The old unit an address named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct OldUnitView {
    pub code: String,
    pub name: String,
    pub district: String,
    pub province: String,
}

/// An address as the card gives it and its current form(s).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct AddressMapping {
    pub original: String,
    /// The part before the units (house number, street, village), as written.
    pub street: String,
    /// The old unit recognised, when the address names one.
    #[ts(optional)]
    pub old_unit: Option<OldUnitView>,
    /// The address already names a current unit (nothing to change).
    pub already_current: bool,
    /// The current unit(s) with the address rewritten for each: one for a merge, several when the old
    /// unit was split (the clerk picks); empty when the units were not recognised.
    pub candidates: Vec<AddressCandidate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct AddressCandidate {
    pub unit: UnitView,
    /// "Số 1 phố Điện Biên Phủ, Phường Ba Đình, Thành phố Hà Nội"
    pub address: String,
}

/// The map, indexed.
pub struct Units {
    data: UnitData,
    unit_by_code: HashMap<String, usize>,
    province_by_code: HashMap<String, usize>,
    /// (folded old name, folded old district, folded old province) → old units
    old_by_key: HashMap<(String, String, String), Vec<usize>>,
    /// (folded current name, province code) → unit
    current_by_key: HashMap<(String, String), usize>,
    /// folded "name province" of each unit, for search
    folded: Vec<String>,
}

/// A unit or province name without its kind, accent-free, numbers without leading zeros:
/// "Phường 05" → "5", "TP. Hồ Chí Minh" → "ho chi minh", "Hoà" = "Hòa".
pub fn key(name: &str) -> String {
    let f = text::fold(name).replace(['.', '-', '_'], " ");
    let mut words: Vec<&str> = f.split_whitespace().collect();
    const KINDS: [&[&str]; 14] = [
        &["thanh", "pho"],
        &["thi", "xa"],
        &["thi", "tran"],
        &["dac", "khu"],
        &["tp"],
        &["tinh"],
        &["quan"],
        &["huyen"],
        &["phuong"],
        &["xa"],
        &["tt"],
        &["tx"],
        &["q"],
        &["p"],
    ];
    // strip one kind prefix (never the whole name: "Xã Xã" would not exist, "Phường 1" keeps "1")
    for k in KINDS {
        if words.len() > k.len() && words[..k.len()] == *k {
            words.drain(..k.len());
            break;
        }
    }
    words.iter().map(|w| if w.bytes().all(|b| b.is_ascii_digit()) { w.trim_start_matches('0').to_string() } else { w.to_string() }).collect::<Vec<_>>().join(" ")
}

impl Units {
    /// Reads and checks a unit file: every province of a unit and every target of an old unit exists.
    pub fn from_json(json: &str) -> Result<Units> {
        if json.len() > MAX_UNITS_FILE {
            return Err(CoreError::invalid(format!("Tệp danh mục đơn vị hành chính lớn quá {} MB", MAX_UNITS_FILE / 1024 / 1024)));
        }
        let data: UnitData = serde_json::from_str(json).map_err(|e| CoreError::invalid(format!("Tệp danh mục đơn vị hành chính không đọc được: {e}")))?;
        Units::new(data)
    }

    fn new(data: UnitData) -> Result<Units> {
        if data.provinces.is_empty() || data.units.is_empty() {
            return Err(CoreError::invalid("Danh mục đơn vị hành chính trống"));
        }
        let province_by_code: HashMap<String, usize> = data.provinces.iter().enumerate().map(|(i, p)| (p.code.clone(), i)).collect();
        let unit_by_code: HashMap<String, usize> = data.units.iter().enumerate().map(|(i, u)| (u.code.clone(), i)).collect();
        let bounded = |s: &str| s.chars().count() <= crate::limits::CATALOG_TEXT && !s.chars().any(char::is_control);
        for u in &data.units {
            if !province_by_code.contains_key(&u.province) || !bounded(&u.name) || !bounded(&u.code) {
                return Err(CoreError::invalid(format!("Đơn vị {} không hợp lệ (tỉnh {} không có trong danh mục?)", text::for_terminal(&u.code), text::for_terminal(&u.province))));
            }
        }
        for o in &data.old_units {
            if o.new.is_empty() || o.new.iter().any(|c| !unit_by_code.contains_key(c)) || !bounded(&o.name) || !bounded(&o.district) || !bounded(&o.province) {
                return Err(CoreError::invalid(format!("Đơn vị cũ {} trỏ tới đơn vị mới không có trong danh mục", text::for_terminal(&o.code))));
            }
        }
        let mut old_by_key: HashMap<(String, String, String), Vec<usize>> = HashMap::new();
        for (i, o) in data.old_units.iter().enumerate() {
            old_by_key.entry((key(&o.name), key(&o.district), key(&o.province))).or_default().push(i);
        }
        let current_by_key = data.units.iter().enumerate().map(|(i, u)| ((key(&u.name), u.province.clone()), i)).collect();
        let folded = data
            .units
            .iter()
            .map(|u| format!("{} {}", text::fold(&u.name), text::fold(&data.provinces[province_by_code[&u.province]].name)))
            .collect();
        Ok(Units { data, unit_by_code, province_by_code, old_by_key, current_by_key, folded })
    }

    pub fn data(&self) -> &UnitData {
        &self.data
    }

    pub fn unit(&self, code: &str) -> Option<UnitView> {
        self.unit_by_code.get(code).map(|&i| self.view(i))
    }

    fn view(&self, i: usize) -> UnitView {
        let u = &self.data.units[i];
        let p = &self.data.provinces[self.province_by_code[&u.province]];
        UnitView { code: u.code.clone(), name: u.name.clone(), province_code: p.code.clone(), province_name: p.name.clone() }
    }

    /// Current units whose name (and province) contain every word typed, accent-free; a code finds
    /// its unit. At most `limit`, in code order.
    pub fn search(&self, query: &str, limit: usize) -> Vec<UnitView> {
        let q = text::clean(query);
        if let Some(v) = self.unit(q.trim()) {
            return vec![v];
        }
        let words = text::fold_words(&q);
        if words.is_empty() {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (i, f) in self.folded.iter().enumerate() {
            let toks: Vec<&str> = f.split_whitespace().collect();
            if words.iter().all(|w| toks.iter().any(|t| t.starts_with(w.as_str()))) {
                out.push(self.view(i));
                if out.len() >= limit {
                    break;
                }
            }
        }
        out
    }

    /// Which province (index) an address part names: by its current name, or an old province
    /// merged into one (through the old units).
    fn province_of(&self, part: &str) -> Option<String> {
        let k = key(part);
        self.data.provinces.iter().find(|p| key(&p.name) == k || key(&p.short) == k).map(|p| p.code.clone())
    }

    /// The current form(s) of an address written with the old units (or already with new ones).
    pub fn map_address(&self, address: &str) -> AddressMapping {
        let original = text::clean(address);
        let parts: Vec<&str> = original.split(',').map(str::trim).filter(|p| !p.is_empty()).collect();
        let none = |street: String| AddressMapping { original: original.clone(), street, old_unit: None, already_current: false, candidates: Vec::new() };
        let n = parts.len();
        // old form: …, ward, district, province
        if n >= 3 {
            let (ward, district, province) = (key(parts[n - 3]), key(parts[n - 2]), key(parts[n - 1]));
            let found: Vec<usize> = self
                .old_by_key
                .iter()
                .filter(|((w, d, p), _)| *w == ward && *d == district && (*p == province || self.same_province(p, &province)))
                .flat_map(|(_, v)| v.iter().copied())
                .collect();
            if let Some(&i) = found.first() {
                let o = &self.data.old_units[i];
                let street = parts[..n - 3].join(", ");
                let candidates = o.new.iter().filter_map(|c| self.unit_by_code.get(c)).map(|&u| self.candidate(&street, u)).collect();
                return AddressMapping {
                    original: original.clone(),
                    street,
                    old_unit: Some(OldUnitView { code: o.code.clone(), name: o.name.clone(), district: o.district.clone(), province: o.province.clone() }),
                    already_current: false,
                    candidates,
                };
            }
        }
        // new form: …, unit, province
        if n >= 2 {
            if let Some(pc) = self.province_of(parts[n - 1]) {
                if let Some(&u) = self.current_by_key.get(&(key(parts[n - 2]), pc)) {
                    let street = parts[..n - 2].join(", ");
                    let mut m = none(street.clone());
                    m.already_current = true;
                    m.candidates = vec![self.candidate(&street, u)];
                    return m;
                }
            }
        }
        none(parts[..n.saturating_sub(3)].join(", "))
    }

    /// "Hà Nội" written on a card matches the old province "Thành phố Hà Nội" by key; this also
    /// accepts the short and full names of the same current province.
    fn same_province(&self, old_key: &str, typed_key: &str) -> bool {
        old_key.ends_with(typed_key) && !typed_key.is_empty() && (old_key.len() == typed_key.len() || old_key.as_bytes()[old_key.len() - typed_key.len() - 1] == b' ')
    }

    fn candidate(&self, street: &str, unit: usize) -> AddressCandidate {
        let v = self.view(unit);
        let address = if street.is_empty() { format!("{}, {}", v.name, v.province_name) } else { format!("{street}, {}, {}", v.name, v.province_name) };
        AddressCandidate { unit: v, address }
    }
}

type Loaded = HashMap<std::path::PathBuf, Arc<Units>>;

/// The map loaded for each data directory (one in the app; several in tests).
fn slot() -> &'static RwLock<Loaded> {
    static S: OnceLock<RwLock<Loaded>> = OnceLock::new();
    S.get_or_init(|| RwLock::new(HashMap::new()))
}

/// The shipped map (parsed once).
pub fn shipped() -> Arc<Units> {
    static S: OnceLock<Arc<Units>> = OnceLock::new();
    S.get_or_init(|| Arc::new(Units::from_json(SHIPPED).expect("the shipped unit list is valid (tested)"))).clone()
}

/// The file an imported map is kept in, in the data directory.
pub const IMPORTED_FILE: &str = "units.json";

/// The map in use for the data directory `dir`: an imported one kept there, else the shipped one.
/// An unreadable imported file falls back to the shipped map (and says so in the log).
pub fn for_data_dir(dir: &std::path::Path) -> Arc<Units> {
    if let Some(u) = slot().read().expect("units lock").get(dir).cloned() {
        return u;
    }
    let path = dir.join(IMPORTED_FILE);
    let units = match std::fs::read_to_string(&path) {
        Ok(json) => match Units::from_json(&json) {
            Ok(u) => Arc::new(u),
            Err(e) => {
                tracing::warn!("imported unit list unreadable, using the shipped one: {e}");
                shipped()
            }
        },
        Err(_) => shipped(),
    };
    slot().write().expect("units lock").insert(dir.to_path_buf(), units.clone());
    units
}

/// Checks a unit file and keeps it in `dir` (written whole, then renamed); the next read uses it.
pub fn import(dir: &std::path::Path, json: &str) -> Result<Arc<Units>> {
    let units = Arc::new(Units::from_json(json)?);
    let tmp = dir.join(format!("{IMPORTED_FILE}.tmp"));
    let io = |e: std::io::Error| CoreError::Io { path: tmp.display().to_string(), source: e };
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&tmp).map_err(io)?;
        f.write_all(json.as_bytes()).map_err(io)?;
        f.sync_all().map_err(io)?;
    }
    std::fs::rename(&tmp, dir.join(IMPORTED_FILE)).map_err(io)?;
    slot().write().expect("units lock").insert(dir.to_path_buf(), units.clone());
    Ok(units)
}

#[cfg(test)]
#[path = "units/tests.rs"]
mod tests;
