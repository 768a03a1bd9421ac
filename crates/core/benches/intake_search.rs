//! Benchmark of the counter's two hot paths, reported in docs/BENCHMARKS.md.
//!
//! - intake of one dossier (validate, code, date, insert, event, outbox, name index) p50/p99, against a
//!   bare SQLite single-row commit with fsync (WAL, synchronous=FULL) measured in the same run;
//! - search p95 over N generated dossiers (names with and without diacritics, codes, ID and phone
//!   numbers), and the database size.
//!
//! - the home screen's work-list counts and lists with BENCH_OPEN (20,000) dossiers still open among the
//!   N (the rest closed), p95; a handover batch of 200 scanned dossiers confirmed (one transaction).
//!
//! - documents (issue 16): every seeded dossier gets BENCH_DOCS (2) attached files at intake (from a
//!   pool of BENCH_DOC_POOL (2,000) small PDFs: the rows per attachment are what SQLite holds, the
//!   bytes live outside it), and the timed intakes alternate with and without documents;
//! - a backup of the whole database (full: the database and every document; then incremental: the
//!   database again and only new documents) into BENCH_BACKUP_DIR (another disk or tmpfs).
//!
//! Full size: `cargo bench -p motcua-core --bench intake_search` (N = 1,000,000).
//! Smoke size (CI): `BENCH_DOSSIERS=3000 BENCH_INTAKES=50 cargo test -p motcua-core --bench intake_search`.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use motcua_core::clock::{parse_local, Clock};
use motcua_core::dossier::{Applicant, IdType};
use motcua_core::intake::{submit, submit_batch, IntakeRequest};
use motcua_core::lifecycle::{self, Command, WorkList};
use motcua_core::search::search;
use motcua_core::Store;

/// A clock that moves `step` seconds at every reading (spreads generated dossiers over many days).
struct SteppingClock {
    start: NaiveDateTime,
    step: i64,
    n: AtomicI64,
}
impl Clock for SteppingClock {
    fn now(&self) -> NaiveDateTime {
        self.start + chrono::Duration::seconds(self.step * self.n.fetch_add(1, Ordering::Relaxed))
    }
}

/// xorshift64*: deterministic data without a dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545F4914F6CDD1D)
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

const SURNAMES: &[&str] = &["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trịnh", "Mai", "Tạ"];
const MIDDLE: &[&str] = &["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quang", "Thu", "Hoàng", "Xuân", "Bảo", "Gia", "Khánh", "Thùy"];
const GIVEN: &[&str] = &[
    "An", "Anh", "Bình", "Chi", "Cường", "Dũng", "Dung", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng", "Huyền", "Khoa", "Lan", "Linh", "Long",
    "Mai", "Minh", "Nam", "Nga", "Ngọc", "Nhung", "Phong", "Phúc", "Phước", "Quân", "Quỳnh", "Sơn", "Tâm", "Thảo", "Thắng", "Trang", "Trung", "Tuấn",
    "Tuyết", "Vân", "Việt", "Vy", "Yến",
];

fn request(rng: &mut Rng, procedure: &str, i: u64) -> IntakeRequest {
    let year = 1950 + (rng.next() % 55) as i32;
    let century = if year >= 2000 { 2 } else { 0 } + (rng.next() % 2) as u32;
    IntakeRequest {
        procedure_code: procedure.to_string(),
        applicant: Applicant {
            full_name: format!("{} {} {}", rng.pick(SURNAMES), rng.pick(MIDDLE), rng.pick(GIVEN)),
            id_type: IdType::Cccd,
            id_number: format!("001{}{:02}{:06}", century, year % 100, i % 1_000_000),
            date_of_birth: format!("{year}-0{}-1{}", 1 + rng.next() % 9, rng.next() % 9),
            phone: format!("09{:08}", i % 100_000_000),
            address: format!("Số {} ngõ {} phố Đội Cấn, phường Ba Đình, Hà Nội", 1 + rng.next() % 200, 1 + rng.next() % 90),
            email: None,
            identity: Default::default(),
        },
        documents: None,
        channel: None,
        delivery: None,
        case_id: None,
        representative: None,
        // 0 is accepted whatever the fee's kind (unknown: typed 0 = not collected)
        fee: Some(0),
        request_id: None,
        note: None,
        subject: None,
        card: None,
        representative_card: None,
        attachments: Vec::new(),
        fee_units: None,
    }
}

fn pct(xs: &mut [Duration], p: f64) -> Duration {
    xs.sort();
    xs[((xs.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.replace('_', "").parse().ok()).unwrap_or(default)
}

fn main() {
    let n_dossiers = env("BENCH_DOSSIERS", 1_000_000);
    let n_intakes = env("BENCH_INTAKES", 1000);
    let dir = match std::env::var("BENCH_DIR") {
        Ok(d) => std::path::PathBuf::from(d),
        Err(_) => std::env::temp_dir().join(format!("motcua-bench-{}", std::process::id())),
    };
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    println!("motcua bench: {n_dossiers} dossiers, {n_intakes} timed intakes, dir {}", dir.display());

    // 1. bare SQLite single-row commit with fsync, same settings as the store
    let bare = rusqlite::Connection::open(dir.join("bare.sqlite3")).unwrap();
    bare.pragma_update(None, "journal_mode", "WAL").unwrap();
    bare.pragma_update(None, "synchronous", "FULL").unwrap();
    bare.execute_batch("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT NOT NULL)").unwrap();
    let mut bare_t = Vec::new();
    for i in 0..n_intakes {
        let t = Instant::now();
        bare.execute_batch("BEGIN IMMEDIATE").unwrap();
        bare.execute("INSERT INTO t(v) VALUES (?1)", [format!("row {i}")]).unwrap();
        bare.execute_batch("COMMIT").unwrap();
        bare_t.push(t.elapsed());
    }

    // 2. generated dossiers, through the real intake path in batches (seeding only: synchronous=OFF)
    let clock = Arc::new(SteppingClock { start: parse_local("2024-01-02T07:30").unwrap(), step: 17, n: AtomicI64::new(0) });
    let mut store = Store::open_dir(&dir.join("counter"), clock.clone()).unwrap();
    store.ensure_demo().unwrap();
    // procedures with cases need one chosen at intake: the bench takes those without
    let procs: Vec<String> = store.procedures().iter().filter(|p| p.cases.is_empty()).map(|p| p.code.clone()).collect();
    let mut rng = Rng(0x9E3779B97F4A7C15);
    // the pool of document files and, per procedure, the checklist items they are attached to
    let n_docs = env("BENCH_DOCS", 2) as usize;
    let pool: Vec<String> = (0..env("BENCH_DOC_POOL", 2000))
        .map(|k| motcua_core::documents::store_file(&store, format!("%PDF-1.4\n% bench document {k}\n%%EOF\n").as_bytes()).unwrap().sha256)
        .collect();
    let items: std::collections::HashMap<String, Vec<String>> = procs
        .iter()
        .map(|c| (c.clone(), store.procedure(c).unwrap().terms(None).unwrap().documents.iter().map(|d| d.id.clone()).collect()))
        .collect();
    let attach = |rng: &mut Rng, r: &mut IntakeRequest, k: usize| {
        let ids = &items[&r.procedure_code];
        r.attachments = ids
            .iter()
            .take(k)
            .map(|id| motcua_core::documents::NewDocument {
                slot: motcua_core::documents::DocSlot::Item { id: id.clone() },
                sha256: pool[(rng.next() % pool.len() as u64) as usize].clone(),
                pages: 2,
                source: motcua_core::documents::DocSource::Scanner,
                name: None,
            })
            .collect();
    };
    let seed_start = Instant::now();
    let batch = 10_000u64;
    let mut i = 0u64;
    while i < n_dossiers {
        let k = batch.min(n_dossiers - i);
        let reqs: Vec<IntakeRequest> = (0..k)
            .map(|j| {
                let mut r = request(&mut rng, &procs[((i + j) % procs.len() as u64) as usize], i + j);
                attach(&mut rng, &mut r, n_docs);
                r
            })
            .collect();
        submit_batch(&mut store, &reqs).unwrap();
        i += k;
        if i % 100_000 == 0 {
            println!("  seeded {i} in {:.0} s", seed_start.elapsed().as_secs_f64());
        }
    }
    // the bench shapes and inspects the file on a connection of its own (the core's is private);
    // seeding is in batches of 10 000 per transaction, so it needs no relaxed durability
    let sql = rusqlite::Connection::open(store.path()).unwrap();
    sql.execute_batch("PRAGMA wal_checkpoint(TRUNCATE); ANALYZE; PRAGMA optimize;").unwrap();
    println!("  seeding took {:.1} s", seed_start.elapsed().as_secs_f64());

    // 3. timed intakes, one transaction (one fsync) each, as at the counter: alternately without and
    // with documents (the files already scanned: what the confirm key costs)
    let (mut intake_t, mut intake_docs_t) = (Vec::new(), Vec::new());
    for j in 0..n_intakes {
        let mut r = request(&mut rng, &procs[(j % procs.len() as u64) as usize], n_dossiers + j);
        let with_docs = j % 2 == 1 && n_docs > 0;
        if with_docs {
            attach(&mut rng, &mut r, n_docs);
        }
        let t = Instant::now();
        submit(&mut store, &r).unwrap();
        if with_docs { &mut intake_docs_t } else { &mut intake_t }.push(t.elapsed());
    }

    // 4. search
    let mut queries: Vec<(String, String)> = Vec::new();
    let sample_codes: Vec<(String, String, String)> = {
        let mut st = sql.prepare("SELECT code, id_number, phone FROM dossiers WHERE id % 997 = 0 LIMIT 200").unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect()
    };
    for (code, id, phone) in &sample_codes {
        queries.push(("code".into(), code.clone()));
        queries.push(("code-prefix".into(), code[..code.len() - 2].to_string()));
        queries.push(("id".into(), id.clone()));
        queries.push(("phone".into(), phone.clone()));
    }
    for _ in 0..200 {
        let name = format!("{} {} {}", rng.pick(SURNAMES), rng.pick(MIDDLE), rng.pick(GIVEN));
        queries.push(("name".into(), name.clone()));
        queries.push(("name-unaccented".into(), motcua_core::text::fold(&name)));
        queries.push(("given-prefix".into(), motcua_core::text::fold(rng.pick(GIVEN))[..2].to_string()));
    }
    let mut by_kind: std::collections::BTreeMap<String, Vec<Duration>> = Default::default();
    let mut all = Vec::new();
    for (kind, q) in &queries {
        let t = Instant::now();
        let page = search(&store, q, None, None).unwrap();
        let e = t.elapsed();
        assert!(!page.hits.is_empty() || kind.starts_with("name"), "no hit for {kind} {q}");
        by_kind.entry(kind.clone()).or_default().push(e);
        all.push(e);
    }

    // the size of the database as intake and search left it (before step 5 rewrites statuses in bulk)
    sql.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
    let db_bytes: u64 = std::fs::read_dir(dir.join("counter"))
        .unwrap()
        .filter_map(|e| e.ok().and_then(|e| e.metadata().ok()).filter(|m| m.is_file()))
        .map(|m| m.len())
        .sum();
    let rows = |t: &str| -> i64 { sql.query_row(&format!("SELECT COUNT(*) FROM {t}"), [], |r| r.get(0)).unwrap() };
    let (n_attached, n_uploads, n_dicts) = (rows("dossier_documents"), rows("blob_uploads"), rows("payload_dicts"));

    // 3b. backups: the first copies the database and every document, the next only new documents
    // (before step 5, which edits the projection directly: a backup's check would rightly refuse it)
    let backup_dir = std::env::var("BENCH_BACKUP_DIR").map(std::path::PathBuf::from).unwrap_or_else(|_| dir.join("backup"));
    let _ = std::fs::remove_dir_all(&backup_dir);
    let mut backups = Vec::new();
    for why in ["full", "incremental"] {
        let t = Instant::now();
        let check = motcua_core::backup::create(&mut store, &backup_dir, 2, why).unwrap();
        let total = t.elapsed();
        let t = Instant::now();
        motcua_core::backup::verify(std::path::Path::new(&check.path)).unwrap();
        backups.push((why, total, t.elapsed(), check.bytes, check.documents));
    }
    let _ = std::fs::remove_dir_all(&backup_dir);

    // 5. work lists and handover batches. Seeding closes all but the newest `n_open` dossiers by
    // setting the projection's status directly (replaying a million returns would take an hour and the
    // lists read only the projection); the open ones are spread over the open statuses.
    let n_open = env("BENCH_OPEN", 20_000).min(n_dossiers / 5);
    let max_id: i64 = sql.query_row("SELECT MAX(id) FROM dossiers", [], |r| r.get(0)).unwrap();
    let first_open = max_id - n_open as i64 + 1;
    sql.execute("UPDATE dossiers SET status = 'returned' WHERE id < ?1", [first_open]).unwrap();
    sql.execute("UPDATE dossiers SET status = 'in_process' WHERE id >= ?1 AND id % 4 = 1", [first_open]).unwrap();
    sql.execute("UPDATE dossiers SET status = 'waiting_supplement' WHERE id >= ?1 AND id % 10 = 2", [first_open]).unwrap();
    sql.execute("UPDATE dossiers SET status = 'result_ready' WHERE id >= ?1 AND id % 10 = 3", [first_open]).unwrap();
    sql.execute_batch("ANALYZE; PRAGMA optimize;").unwrap();
    let mut counts_t = Vec::new();
    let mut counts_seen = None;
    for _ in 0..200 {
        let t = Instant::now();
        counts_seen = Some(lifecycle::counts(&store).unwrap());
        counts_t.push(t.elapsed());
    }
    let lists = [WorkList::Overdue, WorkList::DueToday, WorkList::DueSoon, WorkList::WaitingSupplement, WorkList::ReadyToCollect];
    let mut list_t = Vec::new();
    let mut by_list: Vec<Vec<Duration>> = vec![Vec::new(); lists.len()];
    for _ in 0..40 {
        for (k, l) in lists.iter().enumerate() {
            let t = Instant::now();
            let items = lifecycle::list(&store, *l, 200).unwrap();
            list_t.push(t.elapsed());
            by_list[k].push(t.elapsed());
            assert!(items.len() <= 200);
        }
    }
    let received: Vec<String> = {
        let mut st = sql.prepare("SELECT code FROM dossiers WHERE status = 'received' ORDER BY id DESC LIMIT 2000").unwrap();
        st.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    let batch_size = 200.min(received.len() / 5).max(1);
    let mut scan_t = Vec::new();
    let mut batch_t = Vec::new();
    for chunk in received.chunks(batch_size).take(5) {
        for code in chunk {
            let t = Instant::now();
            store.dossier_by_code(code).unwrap();
            scan_t.push(t.elapsed());
        }
        let t = Instant::now();
        let done = lifecycle::apply_many(&mut store, chunk, &Command::HandOver { department: "Phòng Văn hóa - Xã hội".into() }).unwrap();
        batch_t.push(t.elapsed());
        assert_eq!(done.len(), chunk.len());
    }

    println!();
    println!("| measure | p50 | p95 | p99 |");
    println!("|---|---|---|---|");
    let mut b = bare_t.clone();
    let mut it = intake_t.clone();
    println!("| bare SQLite commit (WAL, FULL) | {} | {} | {} |", ms(pct(&mut b, 0.5)), ms(pct(&mut b, 0.95)), ms(pct(&mut b, 0.99)));
    println!("| intake of one dossier | {} | {} | {} |", ms(pct(&mut it, 0.5)), ms(pct(&mut it, 0.95)), ms(pct(&mut it, 0.99)));
    if !intake_docs_t.is_empty() {
        let mut id = intake_docs_t.clone();
        println!("| intake of one dossier with {n_docs} documents | {} | {} | {} |", ms(pct(&mut id, 0.5)), ms(pct(&mut id, 0.95)), ms(pct(&mut id, 0.99)));
    }
    for (k, v) in by_kind.iter_mut() {
        println!("| search: {k} ({} queries) | {} | {} | {} |", v.len(), ms(pct(v, 0.5)), ms(pct(v, 0.95)), ms(pct(v, 0.99)));
    }
    println!("| search: all ({} queries) | {} | {} | {} |", all.len(), ms(pct(&mut all, 0.5)), ms(pct(&mut all, 0.95)), ms(pct(&mut all, 0.99)));
    println!("| work-list counts, home screen ({n_open} open) | {} | {} | {} |", ms(pct(&mut counts_t, 0.5)), ms(pct(&mut counts_t, 0.95)), ms(pct(&mut counts_t, 0.99)));
    println!("| one work list, first 200 rows | {} | {} | {} |", ms(pct(&mut list_t, 0.5)), ms(pct(&mut list_t, 0.95)), ms(pct(&mut list_t, 0.99)));
    println!("| scan: dossier by code | {} | {} | {} |", ms(pct(&mut scan_t, 0.5)), ms(pct(&mut scan_t, 0.95)), ms(pct(&mut scan_t, 0.99)));
    println!("| handover batch of {batch_size} confirmed ({} batches) | {} | {} | {} |", batch_t.len(), ms(pct(&mut batch_t, 0.5)), ms(pct(&mut batch_t, 0.95)), ms(pct(&mut batch_t, 0.99)));
    println!("work counts at the end: {:?}", counts_seen.unwrap());
    for (l, v) in lists.iter().zip(by_list.iter_mut()) {
        println!("  work list {l:?}: p50 {} p95 {}", ms(pct(v, 0.5)), ms(pct(v, 0.95)));
    }
    println!();
    println!("database: {} dossiers, {:.1} MB ({:.0} bytes per dossier)", n_dossiers + n_intakes, db_bytes as f64 / 1e6, db_bytes as f64 / (n_dossiers + n_intakes) as f64);
    let ratio = pct(&mut it, 0.99).as_secs_f64() / pct(&mut b, 0.99).as_secs_f64();
    println!("intake p99 / bare commit p99 = {ratio:.2}");
    println!("documents: {n_attached} attached ({n_docs} per dossier), {n_uploads} distinct files in the upload queue, {n_dicts} catalog snapshots");
    for (why, total, verify, bytes, docs) in &backups {
        println!(
            "backup {why}: {:.1} s in all, of which the check (integrity, chains, projections, {docs} document hashes) {:.1} s; {:.1} MB",
            total.as_secs_f64(),
            verify.as_secs_f64(),
            *bytes as f64 / 1e6
        );
    }
    if std::env::var_os("BENCH_KEEP").is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
}
