//! The electronic dossier's files, between the devices and the core: pages from a scanner or a
//! citizen's photos (iPhone HEIC through `heic`, straightened by `straighten`) made into one compact PDF per checklist item (`page`, `pdf`), a citizen's PDF
//! checked and kept as given, and the file written to the core's blob store (`motcua_core::documents`
//! records it). The shell's staging of an item's pages and the CLI use this crate; nothing here
//! decides what a dossier may hold (the core does).

pub mod heic;
pub mod items;
pub mod page;
pub mod pdf;
pub mod staging;
pub mod straighten;

use motcua_core::documents::{self as core_docs, files, BlobRef, DocSlot, DocSource, NewDocument};
use motcua_core::error::{CoreError, Result};
use motcua_core::Store;
use motcua_devices::page_scan::{PageScanner, ScanSettings};

pub use page::Page;
pub use pdf::DocInfo;

/// A file brought by the citizen, made ready for an item.
pub enum Imported {
    /// A photo, as one A4 page (more pages may join it).
    Page(Page),
    /// A PDF, kept as given: the whole item.
    Pdf { bytes: Vec<u8>, pages: u32 },
}

/// Takes a citizen's file (decided by its bytes): a photo becomes a page, a PDF is checked.
pub fn import_file(name: &str, bytes: &[u8]) -> Result<Imported> {
    match files::check_incoming(name, bytes)? {
        files::FileKind::Pdf => Ok(Imported::Pdf { pages: pdf::inspect(name, bytes)?, bytes: bytes.to_vec() }),
        files::FileKind::Heic => Ok(Imported::Page(page::from_photo(name, &heic::to_jpeg(name, bytes)?)?)),
        _ => Ok(Imported::Page(page::from_photo(name, bytes)?)),
    }
}

/// Scans with a scanner: the pages read (compressed for the PDF), and the error that stopped the
/// scan if one did (the pages read before it are returned all the same).
pub fn scan(scanner: &dyn PageScanner, device: Option<&str>, settings: &ScanSettings) -> (Vec<Page>, Option<CoreError>) {
    let (raw, err) = match scanner.scan(device, settings) {
        Ok(pages) => (pages, None),
        Err(f) => (f.partial, Some(f.error)),
    };
    let mut pages = Vec::with_capacity(raw.len());
    for p in &raw {
        match Page::from_scan(p, settings.mode) {
            Ok(page) => pages.push(page),
            Err(e) => return (pages, Some(e)),
        }
    }
    (pages, err)
}

/// What an item holds before it is saved.
pub enum ItemContent {
    Pages(Vec<Page>),
    Pdf { bytes: Vec<u8>, pages: u32 },
}

impl ItemContent {
    pub fn pages(&self) -> u32 {
        match self {
            ItemContent::Pages(p) => p.len() as u32,
            ItemContent::Pdf { pages, .. } => *pages,
        }
    }
}

/// Makes an item's PDF (from its pages; a citizen's PDF as it is), writes it to the counter's blob
/// store (durable when this returns) and returns what to attach.
pub fn save_item(store: &Store, slot: DocSlot, content: &ItemContent, source: DocSource, info: &DocInfo) -> Result<(NewDocument, BlobRef)> {
    let (bytes, pages) = match content {
        ItemContent::Pages(p) => (pdf::build(p, info)?, p.len() as u32),
        ItemContent::Pdf { bytes, pages } => (bytes.clone(), *pages),
    };
    let blob = core_docs::store_file(store, &bytes)?;
    let name = match slot {
        DocSlot::Result => Some(info.title.clone()),
        DocSlot::Item { .. } => None,
    };
    Ok((NewDocument { slot, sha256: blob.sha256.clone(), pages, source, name }, blob))
}
