//! Test helper for the crash test: takes dossiers in through the core, one transaction each, for
//! ever, printing each code on stdout (flushed) only after its intake returned success — exactly
//! what a clerk's screen would show. The test kills it with SIGKILL at random moments.

use std::io::Write;
use std::sync::Arc;

fn main() {
    let dir = std::env::args().nth(1).expect("usage: intake-loop DATA_DIR [START]");
    let start: usize = std::env::args().nth(2).and_then(|s| s.parse().ok()).unwrap_or(0);
    let mut store = motcua_core::Store::open_dir(std::path::Path::new(&dir), Arc::new(motcua_core::clock::SystemClock)).expect("open");
    let mut out = std::io::stdout().lock();
    for i in start.. {
        let d = motcua_core::intake::submit_batch(&mut store, &[motcua_system_tests::request(i)]).expect("intake");
        writeln!(out, "{}", d[0].code).unwrap();
        out.flush().unwrap();
    }
}
