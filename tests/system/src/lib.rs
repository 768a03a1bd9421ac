//! Harness for the sync proofs: the real `motcua-portal` process on 127.0.0.1 (started, killed with
//! SIGKILL, restarted on the same port, its fault switches flipped through its data directory), real
//! counters (the `motcua` CLI process, or the core library on the same SQLite file), and the check
//! that matters: the portal holds exactly the events the counters made — none missing, none twice —
//! and every counter's view of the agency's dossiers equals the portal's.
//!
//! The binaries come from the same target directory as the test (`cargo test --workspace` builds
//! them; `cargo build -p motcua-cli -p motcua-portal` first when running this package alone).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use motcua_core::clock::SystemClock;
use motcua_core::intake::IntakeRequest;
use motcua_core::store::InitParams;
use motcua_core::Store;
pub use motcua_portal::faults::FaultSwitches;

pub const AGENCY: &str = "000.00.31.H26";
/// Not a valid code: codes are issued per counter (`Portal::issue_code`, issue 12). Kept as a
/// well-formed wrong code for raw protocol checks.
pub const ENROLMENT_CODE: &str = "THU-NGHIEM";

/// A binary of this workspace, next to the test executable.
pub fn bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test executable");
    let dir = exe.parent().and_then(|d| if d.ends_with("deps") { d.parent() } else { Some(d) }).expect("target dir");
    let p = dir.join(name);
    assert!(p.exists(), "{} is missing: run `cargo build -p motcua-cli -p motcua-portal` (cargo test --workspace does)", p.display());
    p
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The reference portal as a child process.
pub struct Portal {
    pub dir: PathBuf,
    pub port: u16,
    /// More arguments for the server (e.g. `--lockout-secs 2`), set before `start`.
    pub args: Vec<String>,
    child: Option<Child>,
}

impl Portal {
    /// A portal with its data in `dir`, not started yet.
    pub fn new(dir: &Path) -> Portal {
        Portal { dir: dir.to_path_buf(), port: free_port(), args: vec![], child: None }
    }

    pub fn started(dir: &Path) -> Portal {
        let mut p = Portal::new(dir);
        p.start();
        p
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Starts the process and waits until it listens.
    pub fn start(&mut self) {
        assert!(self.child.is_none(), "portal already running");
        let mut child = Command::new(bin("motcua-portal"))
            .args(["--listen", &format!("127.0.0.1:{}", self.port), "--faults", "--data-dir"])
            .arg(&self.dir)
            .args(&self.args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start motcua-portal");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert!(line.contains("listening on"), "portal did not start: {line}");
        self.child = Some(child);
    }

    /// SIGKILL: no goodbye, no flush beyond what SQLite already committed.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    pub fn restart(&mut self) {
        self.kill();
        self.start();
    }

    pub fn is_running(&self) -> bool {
        self.child.is_some()
    }

    pub fn faults(&self, f: FaultSwitches) {
        motcua_portal::faults::Faults::write(&self.dir, &f).unwrap();
    }

    pub fn clear_faults(&self) {
        self.faults(FaultSwitches::default());
    }

    pub fn cli(&self, args: &[&str]) -> Output {
        Command::new(bin("motcua-portal")).args(args).arg("--data-dir").arg(&self.dir).output().unwrap()
    }

    /// A single-use enrolment code for a counter of `AGENCY`, as the portal's admin issues it.
    pub fn issue_code(&self, counter: &str) -> String {
        self.issue_code_in(AGENCY, counter)
    }

    /// A single-use enrolment code for `counter` of `agency`, as the portal's admin issues it.
    pub fn issue_code_in(&self, agency: &str, counter: &str) -> String {
        let out = self.cli(&["enrolment-code", "issue", "--agency", agency, "--counter", counter]);
        assert!(out.status.success(), "issue code: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }

    /// The portal's admin approves a newly enrolled counter of `AGENCY`.
    pub fn approve(&self, counter: &str) {
        self.approve_in(AGENCY, counter)
    }

    /// The portal's admin approves a newly enrolled counter of `agency`.
    pub fn approve_in(&self, agency: &str, counter: &str) {
        let out = self.cli(&["device", "approve", "--agency", agency, "--counter", counter]);
        assert!(out.status.success(), "approve: {}", String::from_utf8_lossy(&out.stderr));
    }

    pub fn stats(&self) -> serde_json::Value {
        let out = self.cli(&["stats", "--json"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    }

    fn db(&self) -> rusqlite::Connection {
        let c = rusqlite::Connection::open_with_flags(self.dir.join("portal.sqlite3"), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
        c.busy_timeout(Duration::from_secs(10)).unwrap();
        c
    }

    /// (uid, seq) of every event the portal holds from a counter.
    pub fn events_of(&self, counter: &str) -> Vec<(String, i64)> {
        let c = self.db();
        let mut st = c.prepare("SELECT uid, seq FROM events WHERE counter_id = ?1 ORDER BY seq").unwrap();
        st.query_map([counter], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(|r| r.unwrap()).collect()
    }

    /// Every dossier's status as the portal sees it, by dossier uid.
    pub fn statuses(&self) -> BTreeMap<String, String> {
        let c = self.db();
        let mut st = c.prepare("SELECT uid, status FROM dossiers").unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(|r| r.unwrap()).collect()
    }
}

impl Drop for Portal {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A counter: its data directory, driven by the `motcua` CLI or the core library.
pub struct Counter {
    pub dir: PathBuf,
    pub id: String,
}

impl Counter {
    /// Initialises the counter (agency, counter id, clerk) with the CLI.
    pub fn init(dir: &Path, id: &str) -> Counter {
        let c = Counter { dir: dir.to_path_buf(), id: id.into() };
        let out = c.cli(&["init", "--agency-code", AGENCY, "--agency-name", "UBND phường Ba Đình", "--counter", id, "--clerk-id", &format!("CB-{id}")]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        c
    }

    pub fn command(&self) -> Command {
        let mut cmd = Command::new(bin("motcua"));
        cmd.arg("--data-dir").arg(&self.dir).env_remove("MOTCUA_NOW");
        cmd
    }

    pub fn cli(&self, args: &[&str]) -> Output {
        self.command().args(args).output().unwrap()
    }

    /// Runs a CLI command that must succeed; returns its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.cli(args);
        assert!(out.status.success(), "motcua {args:?} failed: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    /// Enrols with a code the portal's admin issued for this counter, and the admin approves it.
    pub fn enrol(&self, portal: &Portal) {
        self.enrol_pending(portal);
        portal.approve(&self.id);
    }

    /// Enrols as a counter of another agency than `AGENCY`, and is approved.
    pub fn enrol_in(&self, portal: &Portal, agency: &str) {
        self.ok(&["enrol", "--portal", &portal.url(), "--code", &portal.issue_code_in(agency, &self.id)]);
        portal.approve_in(agency, &self.id);
    }

    /// Enrols with a fresh code, not approved yet.
    pub fn enrol_pending(&self, portal: &Portal) -> String {
        self.ok(&["enrol", "--portal", &portal.url(), "--code", &portal.issue_code(&self.id)])
    }

    /// `motcua sync`; Ok(stdout) or Err(stderr).
    pub fn sync(&self) -> Result<String, String> {
        let out = self.cli(&["sync"]);
        if out.status.success() {
            Ok(String::from_utf8(out.stdout).unwrap())
        } else {
            Err(String::from_utf8(out.stderr).unwrap())
        }
    }

    pub fn status(&self) -> serde_json::Value {
        serde_json::from_str(&self.ok(&["sync", "status", "--json"])).unwrap()
    }

    pub fn store(&self) -> Store {
        Store::open_dir(&self.dir, Arc::new(SystemClock)).unwrap()
    }

    /// `motcua` as the account in `env` (nobody when empty: MOTCUA_USER/PASSWORD are cleared first),
    /// at `now` (the system clock when None).
    pub fn run_as(&self, env: &[(&str, &str)], now: Option<&str>, args: &[&str]) -> Output {
        let mut cmd = self.command();
        cmd.env_remove("MOTCUA_USER").env_remove("MOTCUA_PASSWORD");
        cmd.envs(env.iter().copied());
        if let Some(t) = now {
            cmd.env("MOTCUA_NOW", t);
        }
        cmd.args(args).output().unwrap()
    }

    /// The portal credential this counter keeps (what a thief of the file would take).
    pub fn token(&self) -> String {
        self.sql().query_row("SELECT token FROM sync_state WHERE id = 1", [], |r| r.get(0)).unwrap()
    }

    /// The portal address this counter syncs with.
    pub fn portal_url(&self) -> String {
        self.sql().query_row("SELECT portal_url FROM sync_state WHERE id = 1", [], |r| r.get(0)).unwrap()
    }

    /// The database file opened directly, as an inspector (or an attacker) would: the core's own
    /// connection is not open to other crates.
    pub fn sql(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self.dir.join("motcua.sqlite3")).unwrap()
    }

    /// Takes `n` dossiers in through the core library (one transaction per dossier, as at the counter).
    pub fn intake_many(&self, n: usize) -> Vec<String> {
        let mut s = self.store();
        (0..n).map(|i| motcua_core::intake::submit_batch(&mut s, &[request(i)]).unwrap().remove(0).code).collect()
    }

    fn db(&self) -> rusqlite::Connection {
        let c = rusqlite::Connection::open(self.dir.join("motcua.sqlite3")).unwrap();
        c.busy_timeout(Duration::from_secs(10)).unwrap();
        c
    }

    /// (uid, seq) of every event this counter made.
    pub fn own_events(&self) -> Vec<(String, i64)> {
        let c = self.db();
        let mut st = c.prepare("SELECT uid, seq FROM events WHERE counter_id = ?1 ORDER BY seq").unwrap();
        st.query_map([&self.id], |r| Ok((uuid::Uuid::from_bytes(r.get::<_, [u8; 16]>(0)?).to_string(), r.get(1)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    }

    pub fn statuses(&self) -> BTreeMap<String, String> {
        let c = self.db();
        let mut st = c.prepare("SELECT uid, status FROM dossiers").unwrap();
        st.query_map([], |r| Ok((uuid::Uuid::from_bytes(r.get::<_, [u8; 16]>(0)?).to_string(), r.get(1)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    }

    pub fn outbox_len(&self) -> i64 {
        self.db().query_row("SELECT COUNT(*) FROM outbox", [], |r| r.get(0)).unwrap()
    }
}

/// A valid intake request; `i` varies the applicant.
pub fn request(i: usize) -> IntakeRequest {
    let names = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Hoàng Cường", "Phạm Thu Dung", "Hoàng Minh Đức"];
    serde_json::from_value(serde_json::json!({
        "procedure_code": "1.004873", "fee": 0,
        "applicant": {"full_name": names[i % names.len()], "id_type": "cccd", "id_number": format!("0010900{:05}", i % 100000),
                      "date_of_birth": "1990-03-05", "phone": format!("09{:08}", i % 100_000_000), "address": "Ba Đình, Hà Nội"}
    }))
    .unwrap()
}

/// Initialises a counter through the library (no CLI), for the in-process soak test.
pub fn init_in_process(dir: &Path, id: &str) -> Counter {
    let mut s = Store::open_dir(dir, Arc::new(SystemClock)).unwrap();
    s.init(&InitParams {
        agency_code: AGENCY.into(),
        agency_name: "UBND phường Ba Đình".into(),
        agency_address: String::new(),
        counter_id: id.into(),
        counter_name: format!("Quầy {id}"),
        clerk_id: format!("CB-{id}"),
        clerk_name: "Cán bộ".into(),
        code_blocks: vec![],
    })
    .unwrap();
    Counter { dir: dir.to_path_buf(), id: id.into() }
}

/// The proof after every scenario. Each counter must have finished its rounds (outbox empty) and
/// pulled after the last push of every other counter.
pub fn assert_consistent(portal: &Portal, counters: &[&Counter]) {
    for c in counters {
        assert_eq!(c.outbox_len(), 0, "{}: events still waiting", c.id);
        let mine = c.own_events();
        let held = portal.events_of(&c.id);
        let seqs: Vec<i64> = held.iter().map(|e| e.1).collect();
        assert_eq!(seqs, (1..=mine.len() as i64).collect::<Vec<_>>(), "{}: the portal's seqs are not exactly 1..={}", c.id, mine.len());
        assert_eq!(held, mine, "{}: the portal does not hold exactly the counter's events", c.id);
    }
    let stats = portal.stats();
    assert_eq!(stats["events"], stats["distinct_event_uids"], "an event stored twice");
    let truth = portal.statuses();
    for c in counters {
        let view = c.statuses();
        assert_eq!(view.len(), truth.len(), "{}: holds {} dossiers, the portal {}", c.id, view.len(), truth.len());
        for (uid, status) in &truth {
            assert_eq!(view.get(uid), Some(status), "{}: dossier {uid} differs from the portal", c.id);
        }
    }
}

/// Retries `f` until it returns true or `limit` passes.
/// What a process printed, stdout then stderr.
pub fn output_text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// A runtime for the tests' own HTTP calls to the portal.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

/// A scratch directory, removed at the end of the test.
pub fn scratch() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

pub fn eventually(limit: Duration, mut f: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    f()
}
