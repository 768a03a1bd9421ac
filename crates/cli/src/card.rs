//! `motcua card parse` and `motcua units …`: the card reader and the 2025 map, for IT staff setting
//! up scanners and for tests. Parsing reads nothing stored; importing a map is an admin step.

use std::path::Path;

use motcua_core::card;
use motcua_core::units;
use motcua_core::{AppError, CoreError};

use crate::args::{CardCmd, UnitsCmd};
use crate::output::print_json;

pub fn card(dir: &Path, cmd: CardCmd) -> Result<(), AppError> {
    let CardCmd::Parse { text, json } = cmd;
    let today = crate::session::clock()?.now().date();
    let c = card::parse(&text, today)?;
    let map = units::for_data_dir(dir).map_address(&c.address);
    if json {
        print_json(&serde_json::json!({ "card": c, "address": map }));
        return Ok(());
    }
    let or_dash = |s: Option<&str>| s.map(str::to_string).unwrap_or_else(|| "—".into());
    println!("Số CCCD:        {}", c.id_number);
    println!("Số CMND cũ:     {}", or_dash(c.old_id_number.as_deref()));
    println!("Họ và tên:      {} (trên thẻ: {})", if c.full_name.is_empty() { "—" } else { &c.full_name }, c.name_on_card);
    println!("Ngày sinh:      {}", c.date_of_birth);
    println!("Giới tính:      {}", or_dash(c.gender.map(|g| g.label())));
    println!("Nơi thường trú: {}", if c.address.is_empty() { "—" } else { &c.address });
    println!("Ngày cấp:       {}", or_dash(c.date_of_issue.as_deref()));
    println!("Số trường:      {}", c.field_count);
    for (i, e) in c.extra.iter().enumerate() {
        println!("Trường {}:       {}", 8 + i, if e.is_empty() { "(trống)" } else { e });
    }
    for check in &c.checks {
        println!("{} {}", if check.ok { "[đúng]" } else { "[SAI] " }, check.message);
    }
    for w in &c.warnings {
        println!("Lưu ý: {w}");
    }
    match (map.already_current, map.candidates.as_slice()) {
        (true, _) => println!("Địa chỉ đã theo đơn vị hành chính hiện nay"),
        (false, []) if !c.address.is_empty() => println!("Địa chỉ hiện nay: không nhận ra đơn vị cũ trong danh mục"),
        (false, cands) => {
            for cand in cands {
                println!("Địa chỉ hiện nay: {} (mã {})", cand.address, cand.unit.code);
            }
        }
    }
    Ok(())
}

pub fn units(dir: &Path, cmd: UnitsCmd) -> Result<(), AppError> {
    match cmd {
        UnitsCmd::Search { query } => {
            for u in units::for_data_dir(dir).search(&query, 50) {
                println!("{}  {}, {}", u.code, u.name, u.province_name);
            }
        }
        UnitsCmd::Map { address, json } => {
            let m = units::for_data_dir(dir).map_address(&address);
            if json {
                print_json(&m);
            } else if m.candidates.is_empty() {
                return Err(CoreError::NotFound("Không nhận ra đơn vị hành chính (cũ hoặc mới) trong địa chỉ".into()).into());
            } else {
                if let Some(o) = &m.old_unit {
                    println!("Đơn vị cũ: {}, {}, {} (mã {})", o.name, o.district, o.province, o.code);
                }
                for c in &m.candidates {
                    println!("{}", c.address);
                }
            }
        }
        UnitsCmd::Import { file } => {
            crate::session::open(dir)?.require(motcua_core::accounts::Right::Settings)?;
            let json = crate::output::read_file(&file)?;
            let u = units::import(dir, &json)?;
            println!("imported {} ({} provinces, {} units, {} old units)", u.data().version, u.data().provinces.len(), u.data().units.len(), u.data().old_units.len());
        }
        UnitsCmd::Info => {
            let u = units::for_data_dir(dir);
            let d = u.data();
            println!("{} — {} tỉnh/thành, {} xã/phường/đặc khu, {} đơn vị cũ; hiệu lực {}", d.version, d.provinces.len(), d.units.len(), d.old_units.len(), d.effective);
            println!("nguồn: {}", d.source);
            println!("giấy phép: {}", d.licence);
        }
    }
    Ok(())
}
