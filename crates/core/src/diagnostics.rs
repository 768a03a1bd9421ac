//! Diagnostics for the IT officer (issue 17): a crash record kept on the counter PC when the program
//! panics, and the bundle "Gửi chẩn đoán" sends to the portal — the recent log and the crash records,
//! scrubbed once more and capped. The logs are written without personal data (`logging`); the bundle
//! masks anything that still looks like an ID or phone number (9 digits or more) or an e-mail, and a
//! crash record keeps a panic's message only when it is a literal of the program (a message formatted
//! at run time may carry a value, so it is left out).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{CoreError, Result};
use crate::store::Store;

/// The folder of crash records in the data directory.
pub const CRASH_DIR: &str = "crashes";
/// Crash records kept (the oldest go first).
pub const KEEP_CRASHES: usize = 20;
/// The most a bundle carries (the portal refuses more).
pub const MAX_BUNDLE_BYTES: usize = 256 * 1024;
/// Crash records in a bundle.
const BUNDLE_CRASHES: usize = 5;

/// One file of a bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DiagnosticFile {
    pub name: String,
    pub text: String,
}

/// What "Gửi chẩn đoán" sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DiagnosticBundle {
    pub app_version: String,
    /// "linux x86_64"
    pub os: String,
    /// RFC 3339, the counter's clock.
    pub created_at: String,
    pub files: Vec<DiagnosticFile>,
}

impl DiagnosticBundle {
    pub fn size(&self) -> usize {
        self.files.iter().map(|f| f.name.len() + f.text.len()).sum()
    }
}

/// Masks what could still be personal in a log line: numbers of 9 or more digits, also when written
/// in groups joined by single spaces or dots ("0912 345 678", "001.090.012.345": ID card, phone and
/// old ID numbers), e-mail addresses, and the user's name in a home folder path
/// ("/home/lan/…", "C:\\Users\\lan\\…" become "~/…"). Dossier codes (groups joined by '-' or
/// letters) and times stay readable.
pub fn scrub(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            // a run of digit groups joined by one space or dot
            let start = i;
            let mut end;
            let mut digits = 0;
            let mut j = i;
            loop {
                while j < chars.len() && chars[j].is_ascii_digit() {
                    j += 1;
                    digits += 1;
                }
                end = j;
                if j + 1 < chars.len() && matches!(chars[j], ' ' | '.') && chars[j + 1].is_ascii_digit() {
                    j += 1;
                } else {
                    break;
                }
            }
            if digits >= 9 {
                out.extend(chars[start..end].iter().map(|c| if c.is_ascii_digit() { '#' } else { *c }));
            } else {
                // only the first group goes out as is; the next group is looked at on its own
                let first_end = chars[start..].iter().position(|c| !c.is_ascii_digit()).map_or(chars.len(), |p| start + p);
                out.extend(&chars[start..first_end]);
                end = first_end;
            }
            i = end;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    let out = out
        .split(' ')
        .map(|w| if w.contains('@') && w.rsplit('@').next().is_some_and(|d| d.contains('.')) { "<email>".to_string() } else { w.to_string() })
        .collect::<Vec<_>>()
        .join(" ");
    home_paths(&out)
}

/// "/home/lan/x" → "~/x", "C:\\Users\\lan\\x" → "~\\x" (any letter case of "users").
fn home_paths(s: &str) -> String {
    let mut out = s.to_string();
    for (marker, sep) in [("/home/", '/'), ("\\Users\\", '\\'), ("\\users\\", '\\'), ("/Users/", '/')] {
        while let Some(at) = out.find(marker) {
            let name_start = at + marker.len();
            // a Windows account name may hold spaces: it ends at the next backslash
            let stop: &[char] = if sep == '\\' { &['\\', '"', '\''] } else { &['/', ' ', '"', '\''] };
            let name_end = out[name_start..].find(stop).map_or(out.len(), |p| name_start + p);
            // "C:" before "\\Users": keep nothing of the drive either
            let from = if sep == '\\' && at >= 2 && out.as_bytes()[at - 1] == b':' { at - 2 } else { at };
            out.replace_range(from..name_end, "~");
        }
    }
    out
}

/// The newest files of `dir` whose names start with `prefix`, newest first.
fn newest(dir: &Path, prefix: &str, n: usize) -> Vec<PathBuf> {
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(prefix) && e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    files.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| b.1.cmp(&a.1)));
    files.into_iter().take(n).map(|(_, p)| p).collect()
}

/// The last `budget` bytes of a file, from a line start, scrubbed.
fn tail(path: &Path, budget: usize) -> String {
    let Ok(bytes) = std::fs::read(path) else { return String::new() };
    let from = bytes.len().saturating_sub(budget);
    let text = String::from_utf8_lossy(&bytes[from..]);
    let text = if from > 0 { text.split_once('\n').map(|(_, rest)| rest.to_string()).unwrap_or_default() } else { text.into_owned() };
    text.lines().map(scrub).collect::<Vec<_>>().join("\n")
}

/// The bundle of this counter: the app's two newest log files (their ends), then the newest crash
/// records, within `MAX_BUNDLE_BYTES`. Anyone logged in may send it (it holds nothing personal).
pub fn collect(store: &Store) -> Result<DiagnosticBundle> {
    store.require(crate::accounts::Right::Read)?;
    Ok(collect_dir(store.data_dir(), store.clock().now()))
}

pub(crate) fn collect_dir(dir: &Path, now: chrono::NaiveDateTime) -> DiagnosticBundle {
    let mut files = Vec::new();
    let mut left = MAX_BUNDLE_BYTES - 1024;
    let crashes = newest(&dir.join(CRASH_DIR), "crash-", BUNDLE_CRASHES);
    // crash records first in the budget (short, and the reason the bundle is sent)
    let mut crash_files = Vec::new();
    for p in crashes {
        let text = tail(&p, 16 * 1024);
        if text.len() + 64 > left {
            break;
        }
        left -= text.len() + 64;
        crash_files.push(DiagnosticFile { name: format!("{CRASH_DIR}/{}", p.file_name().unwrap_or_default().to_string_lossy()), text });
    }
    for (i, p) in newest(&dir.join("logs"), "motcua-app.log", 2).into_iter().enumerate() {
        // the newest log gets three quarters of what is left
        let budget = if i == 0 { left * 3 / 4 } else { left };
        let text = tail(&p, budget);
        left = left.saturating_sub(text.len() + 64);
        files.push(DiagnosticFile { name: format!("logs/{}", p.file_name().unwrap_or_default().to_string_lossy()), text });
    }
    files.extend(crash_files);
    DiagnosticBundle {
        app_version: env!("CARGO_PKG_VERSION").into(),
        os: format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
        created_at: crate::clock::to_rfc3339(now),
        files,
    }
}

/// Checks a bundle that came from elsewhere (the portal's side): sizes, names, text.
pub fn check_bundle(b: &DiagnosticBundle) -> Result<()> {
    let bad = |m: &str| Err(CoreError::invalid(format!("Gói chẩn đoán không hợp lệ: {m}")));
    if b.size() > MAX_BUNDLE_BYTES {
        return bad("quá lớn");
    }
    if b.files.len() > 2 + BUNDLE_CRASHES || b.app_version.len() > 32 || b.os.len() > 64 || b.created_at.len() > 40 {
        return bad("quá nhiều tệp hoặc trường quá dài");
    }
    for f in &b.files {
        let ok_name = f.name.len() <= 120
            && (f.name.starts_with("logs/") || f.name.starts_with("crashes/"))
            && !f.name.contains("..")
            && f.name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '-' | '_'));
        if !ok_name {
            return bad("tên tệp");
        }
        // control characters, and the invisible format characters that reorder or hide text on a terminal
        let format = |c: char| matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}');
        if f.text.chars().any(|c| (c.is_control() && c != '\n' && c != '\t' && c != '\r') || format(c)) {
            return bad("ký tự điều khiển");
        }
    }
    Ok(())
}

/// Keeps a crash record under `<data dir>/crashes/` when the program panics (then the usual hook
/// runs). The record: version, OS, thread, where, the message only if it is a literal, and the
/// backtrace (function names and lines of the program).
pub fn install_crash_hook(data_dir: &Path) {
    let dir = data_dir.join(CRASH_DIR);
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = write_crash_record(&dir, info);
        previous(info);
    }));
}

fn write_crash_record(dir: &Path, info: &std::panic::PanicHookInfo) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let message = match info.payload().downcast_ref::<&'static str>() {
        Some(s) => scrub(s),
        None => "(thông điệp có giá trị lúc chạy: không ghi, có thể chứa dữ liệu)".into(),
    };
    let at = chrono::Utc::now();
    let text = format!(
        "Một Cửa {} ({} {})\nat: {}\nthread: {}\nlocation: {}\nmessage: {}\n\nbacktrace:\n{}\n",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS,
        std::env::consts::ARCH,
        at.to_rfc3339(),
        std::thread::current().name().unwrap_or("?"),
        info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default(),
        message,
        std::backtrace::Backtrace::force_capture(),
    );
    let path = dir.join(format!("crash-{}-{}.txt", at.format("%Y%m%dT%H%M%S%.3f"), std::process::id()));
    std::fs::write(&path, text)?;
    for old in newest(dir, "crash-", usize::MAX).into_iter().skip(KEEP_CRASHES) {
        let _ = std::fs::remove_file(old);
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_and_phone_numbers_and_emails_are_masked_short_numbers_stay() {
        assert_eq!(scrub("row 42 parked, code 000.00.31.H26-261130-0003"), "row 42 parked, code 000.00.31.H26-261130-0003");
        assert_eq!(scrub("id 001090012345 phone 0912345678 old 123456789"), "id ############ phone ########## old #########");
        assert_eq!(scrub("mail lan.nguyen@example.vn sent"), "mail <email> sent");
        // written in groups
        assert_eq!(scrub("phone 0912 345 678 or 0912.345.678, id 001 090 012 345"), "phone #### ### ### or ####.###.###, id ### ### ### ###");
        // what the logs need stays: times, codes, counts, versions
        let kept = "2026-11-30T19:05:12.813404Z WARN dossier 000.00.31.H26-261130-0003 row 42 of 1000 v0.1.0 backup 12 345 bytes";
        assert_eq!(scrub(kept), kept);
        assert_eq!(scrub("cannot open /home/lan/.local/share/motcua/x"), "cannot open ~/.local/share/motcua/x");
        assert_eq!(scrub("cannot open C:\\Users\\Nguyen Lan\\AppData"), "cannot open ~\\AppData");
    }

    #[test]
    fn the_bundle_takes_the_ends_of_the_newest_logs_and_the_crash_records_within_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let logs = dir.path().join("logs");
        std::fs::create_dir_all(&logs).unwrap();
        let big: String = (0..20_000).map(|i| format!("2026-11-30 INFO line {i} id 001090012345\n")).collect();
        std::fs::write(logs.join("motcua-app.log.2026-11-29"), &big).unwrap();
        std::fs::write(logs.join("motcua-app.log.2026-11-30"), "last line of today\n").unwrap();
        std::fs::write(logs.join("other.log.2026-11-30"), "not the app's\n").unwrap();
        std::fs::create_dir_all(dir.path().join(CRASH_DIR)).unwrap();
        std::fs::write(dir.path().join(CRASH_DIR).join("crash-1.txt"), "location: src/main.rs:1\n").unwrap();
        let b = collect_dir(dir.path(), crate::clock::parse_local("2026-11-30T08:00").unwrap());
        assert!(b.size() <= MAX_BUNDLE_BYTES, "{}", b.size());
        let names: Vec<_> = b.files.iter().map(|f| f.name.as_str()).collect();
        assert!(names.contains(&"logs/motcua-app.log.2026-11-30") && names.contains(&"logs/motcua-app.log.2026-11-29") && names.contains(&"crashes/crash-1.txt"), "{names:?}");
        assert!(!names.iter().any(|n| n.contains("other")));
        let old = &b.files.iter().find(|f| f.name.ends_with("11-29")).unwrap().text;
        assert!(old.ends_with("line 19999 id ############"), "the end of the log is kept");
        assert!(!old.contains("001090012345"));
        check_bundle(&b).unwrap();
    }

    #[test]
    fn a_panic_leaves_a_crash_record_without_runtime_values() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_path_buf();
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let _ = write_crash_record(&d.join(CRASH_DIR), info);
        }));
        // a value known only at run time (literal arguments are folded into a literal message)
        let name = std::env::var("MOTCUA_NO_SUCH_VAR").unwrap_or_else(|_| "Đặng Hữu Phước".to_string());
        let _ = std::panic::catch_unwind(|| panic!("citizen {name} failed"));
        let _ = std::panic::catch_unwind(|| panic!("a literal message"));
        std::panic::set_hook(previous);
        // (another test's panic at the same moment may add a record of its own)
        let records = newest(&dir.path().join(CRASH_DIR), "crash-", 100);
        assert!(records.len() >= 2);
        let all: String = records.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect();
        assert!(!all.contains("Phước"), "{all}");
        assert!(all.contains("a literal message") && all.contains("diagnostics.rs"), "{all}");
    }

    #[test]
    fn a_forged_bundle_is_refused() {
        let ok = DiagnosticBundle { app_version: "0.1.0".into(), os: "linux".into(), created_at: "x".into(), files: vec![] };
        check_bundle(&ok).unwrap();
        for files in [
            vec![DiagnosticFile { name: "../../etc/passwd".into(), text: String::new() }],
            vec![DiagnosticFile { name: "logs/a".into(), text: "\u{1b}[2J".into() }],
            vec![DiagnosticFile { name: "logs/a".into(), text: "ok \u{202E}txt.exe".into() }],
            vec![DiagnosticFile { name: "logs/a".into(), text: "x".repeat(MAX_BUNDLE_BYTES + 1) }],
            (0..20).map(|i| DiagnosticFile { name: format!("logs/{i}"), text: String::new() }).collect(),
        ] {
            assert!(check_bundle(&DiagnosticBundle { files, ..ok.clone() }).is_err());
        }
    }
}
