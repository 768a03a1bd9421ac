//! Test helper for the documents crash test: for ever, writes a new document file to the blob store
//! and attaches it to a dossier (one transaction), printing its hash on stdout (flushed) only after the
//! attach returned — what the clerk's screen would show. The test kills it with SIGKILL at random.

use std::io::Write;
use std::sync::Arc;

use motcua_core::documents::{self, DocSlot, DocSource, NewDocument};

fn main() {
    let dir = std::env::args().nth(1).expect("usage: attach-loop DATA_DIR CODE");
    let code = std::env::args().nth(2).expect("usage: attach-loop DATA_DIR CODE");
    let mut store = motcua_core::Store::open_dir(std::path::Path::new(&dir), Arc::new(motcua_core::clock::SystemClock)).expect("open");
    let item = store.dossier_by_code(&code).expect("dossier").documents[0].id.clone();
    let mut out = std::io::stdout().lock();
    let pid = std::process::id();
    for i in 0u64.. {
        // a few hundred kB each, so a kill can land inside the write of the file
        let mut pdf = format!("%PDF-1.7\n% document {pid}-{i}\n").into_bytes();
        pdf.extend(std::iter::repeat_n(b'x', 200_000 + (i as usize % 7) * 50_000));
        pdf.extend(b"\n%%EOF\n");
        let blob = documents::store_file(&store, &pdf).expect("store");
        let doc = NewDocument { slot: DocSlot::Item { id: item.clone() }, sha256: blob.sha256.clone(), pages: 1, source: DocSource::File, name: None };
        documents::attach(&mut store, &code, &doc).expect("attach");
        writeln!(out, "{}", blob.sha256).unwrap();
        out.flush().unwrap();
    }
}
