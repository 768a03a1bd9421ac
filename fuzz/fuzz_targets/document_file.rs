//! A file brought by a citizen (issue 16): judged by its bytes, a photo decoded within limits, a PDF
//! parsed and checked. Never panics; what it accepts is a page within A4 at 200 dpi or a PDF with
//! 1–300 pages, and any refusal names no more than the file.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    match motcua_documents::import_file("citizen-file", data) {
        Ok(motcua_documents::Imported::Page(p)) => {
            assert!(p.width <= 2339 && p.height <= 2339 && p.width > 0 && p.height > 0);
            assert!(!p.data.is_empty());
        }
        Ok(motcua_documents::Imported::Pdf { pages, bytes }) => {
            assert!((1..=motcua_core::documents::files::MAX_PAGES).contains(&pages));
            assert_eq!(bytes, data, "a citizen's PDF is kept as given");
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
});
