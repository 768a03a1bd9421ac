//! Pages waiting to become a document: while the clerk scans and checks a dossier's papers, each
//! checklist item (keyed by the screen: `intake/<item id>`, `<dossier code>/<item id>`,
//! `<dossier code>/result`) collects pages — scanned, or photos — or one citizen's PDF; pages can be
//! removed and reordered; a scanner error keeps every page already taken. Saving an item makes its PDF
//! (`save_item`) and empties it. Held in memory, bounded: nothing here is confirmed yet.

use std::collections::BTreeMap;

use motcua_core::documents::{files, DocSource};
use motcua_core::error::{CoreError, Result};
use serde::Serialize;
use ts_rs::TS;

use crate::{Imported, ItemContent, Page};

/// At most this many bytes of compressed pages held at once (about 2,000 gray pages).
pub const MAX_BYTES: usize = 256 * 1024 * 1024;
/// A staging key's longest form.
pub const KEY: usize = 200;
/// The side of a thumbnail, in pixels.
pub const THUMB: u32 = 160;

struct Item {
    source: DocSource,
    pages: Vec<(Page, String)>,
    pdf: Option<(String, Vec<u8>, u32)>,
}

/// One item as the screen shows it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct StagedItem {
    pub key: String,
    pub source: DocSource,
    /// Each page's thumbnail (a `data:image/jpeg;base64,…` URL), in order.
    pub thumbnails: Vec<String>,
    /// A citizen's PDF taken whole: its file name and page count.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pdf_name: Option<String>,
    pub pages: u32,
    #[ts(type = "number")]
    pub bytes: u64,
}

/// Everything waiting.
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct StagingView {
    pub items: Vec<StagedItem>,
    #[ts(type = "number")]
    pub bytes: u64,
}

#[derive(Default)]
pub struct Staging {
    items: BTreeMap<String, Item>,
}

fn check_key(key: &str) -> Result<()> {
    if key.is_empty() || key.len() > KEY || key.chars().any(char::is_control) {
        return Err(CoreError::validation("key", "Thành phần hồ sơ không hợp lệ"));
    }
    Ok(())
}

pub fn data_url(jpeg: &[u8]) -> String {
    format!("data:image/jpeg;base64,{}", base64(jpeg))
}

fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for c in bytes.chunks(3) {
        let n = (c[0] as u32) << 16 | (*c.get(1).unwrap_or(&0) as u32) << 8 | *c.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= c.len() {
                s.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    s
}

impl Staging {
    fn bytes(&self) -> usize {
        self.items.values().map(|i| i.pages.iter().map(|(p, _)| p.data.len()).sum::<usize>() + i.pdf.as_ref().map_or(0, |p| p.1.len())).sum()
    }

    fn room_for(&self, more: usize) -> Result<()> {
        if self.bytes() + more > MAX_BYTES {
            return Err(CoreError::invalid("Đang giữ quá nhiều trang chưa lưu: hãy xác nhận hoặc bỏ bớt các hồ sơ đang quét trước"));
        }
        Ok(())
    }

    /// Adds pages (scanned or photos) to an item. An item holding a citizen's PDF takes no pages.
    pub fn add_pages(&mut self, key: &str, source: DocSource, pages: Vec<Page>) -> Result<()> {
        check_key(key)?;
        self.room_for(pages.iter().map(|p| p.data.len()).sum())?;
        let item = self.items.entry(key.into()).or_insert(Item { source, pages: Vec::new(), pdf: None });
        if item.pdf.is_some() {
            return Err(CoreError::validation("file", "Thành phần này đã là một tệp PDF của công dân: bỏ tệp đó trước nếu muốn quét hoặc thêm ảnh"));
        }
        if item.pages.len() + pages.len() > files::MAX_PAGES as usize {
            return Err(CoreError::validation("pages", format!("Quá {} trang cho một thành phần hồ sơ", files::MAX_PAGES)));
        }
        // scanned and photographed pages together count as scanned
        if item.source != source {
            item.source = DocSource::Scanner;
        }
        for p in pages {
            let thumb = data_url(&p.preview(THUMB)?);
            item.pages.push((p, thumb));
        }
        Ok(())
    }

    /// Adds a citizen's file: a photo joins the pages, a PDF becomes the whole item (an item with
    /// pages refuses it).
    pub fn add_file(&mut self, key: &str, name: &str, bytes: &[u8]) -> Result<()> {
        check_key(key)?;
        match crate::import_file(name, bytes)? {
            Imported::Page(p) => self.add_pages(key, DocSource::Photo, vec![p]),
            Imported::Pdf { bytes, pages } => {
                self.room_for(bytes.len())?;
                if self.items.get(key).is_some_and(|i| !i.pages.is_empty() || i.pdf.is_some()) {
                    return Err(CoreError::validation("file", "Thành phần này đã có trang: một tệp PDF phải là cả thành phần (bỏ các trang trước)"));
                }
                self.items.insert(key.into(), Item { source: DocSource::File, pages: Vec::new(), pdf: Some((files::shown_name(name), bytes, pages)) });
                Ok(())
            }
        }
    }

    pub fn remove_page(&mut self, key: &str, index: usize) -> Result<()> {
        let item = self.items.get_mut(key).ok_or_else(|| CoreError::NotFound("Không có trang nào đang chờ ở thành phần này".into()))?;
        if item.pdf.is_some() {
            item.pdf = None;
        } else if index < item.pages.len() {
            item.pages.remove(index);
        } else {
            return Err(CoreError::validation("index", "Không có trang này"));
        }
        if item.pages.is_empty() && item.pdf.is_none() {
            self.items.remove(key);
        }
        Ok(())
    }

    /// Moves a page to another place in its item.
    pub fn move_page(&mut self, key: &str, from: usize, to: usize) -> Result<()> {
        let item = self.items.get_mut(key).ok_or_else(|| CoreError::NotFound("Không có trang nào đang chờ ở thành phần này".into()))?;
        if from >= item.pages.len() || to >= item.pages.len() {
            return Err(CoreError::validation("index", "Không có trang này"));
        }
        let p = item.pages.remove(from);
        item.pages.insert(to, p);
        Ok(())
    }

    /// Forgets an item, or every item whose key starts with `prefix`.
    pub fn clear(&mut self, prefix: &str) {
        self.items.retain(|k, _| !k.starts_with(prefix));
    }

    /// A larger image of one page (for checking it on screen).
    pub fn page_image(&self, key: &str, index: usize, side: u32) -> Result<String> {
        let item = self.items.get(key).ok_or_else(|| CoreError::NotFound("Không có trang nào đang chờ ở thành phần này".into()))?;
        let (p, _) = item.pages.get(index).ok_or_else(|| CoreError::validation("index", "Không có trang này"))?;
        Ok(data_url(&p.preview(side.clamp(100, 2400))?))
    }

    pub fn view(&self) -> StagingView {
        let items: Vec<StagedItem> = self
            .items
            .iter()
            .map(|(k, i)| StagedItem {
                key: k.clone(),
                source: i.source,
                thumbnails: i.pages.iter().map(|(_, t)| t.clone()).collect(),
                pdf_name: i.pdf.as_ref().map(|p| p.0.clone()),
                pages: i.pdf.as_ref().map_or(i.pages.len() as u32, |p| p.2),
                bytes: (i.pages.iter().map(|(p, _)| p.data.len()).sum::<usize>() + i.pdf.as_ref().map_or(0, |p| p.1.len())) as u64,
            })
            .collect();
        StagingView { bytes: items.iter().map(|i| i.bytes).sum(), items }
    }

    /// The keys waiting under `prefix`.
    pub fn keys(&self, prefix: &str) -> Vec<String> {
        self.items.keys().filter(|k| k.starts_with(prefix)).cloned().collect()
    }

    /// An item's content and source, for `save_item` (the item stays until `clear`, so a failed save
    /// loses nothing).
    pub fn content(&self, key: &str) -> Result<(ItemContent, DocSource)> {
        let item = self.items.get(key).ok_or_else(|| CoreError::NotFound("Không có trang nào đang chờ ở thành phần này".into()))?;
        Ok(match &item.pdf {
            Some((_, bytes, pages)) => (ItemContent::Pdf { bytes: bytes.clone(), pages: *pages }, item.source),
            None => (ItemContent::Pages(item.pages.iter().map(|(p, _)| p.clone()).collect()), item.source),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use motcua_devices::page_scan::ScanMode;

    fn page(shade: u8) -> Page {
        crate::page::encode(&image::DynamicImage::ImageLuma8(image::GrayImage::from_pixel(300, 400, image::Luma([shade]))), ScanMode::Gray, 200).unwrap()
    }

    #[test]
    fn pages_are_added_reordered_removed_and_kept_until_cleared() {
        let mut s = Staging::default();
        s.add_pages("intake/a", DocSource::Scanner, vec![page(10), page(200)]).unwrap();
        s.add_pages("intake/a", DocSource::Scanner, vec![page(100)]).unwrap();
        assert_eq!(s.view().items[0].pages, 3);
        s.move_page("intake/a", 2, 0).unwrap();
        let ItemContent::Pages(p) = s.content("intake/a").unwrap().0 else { panic!() };
        assert_eq!(p[0], page(100));
        s.remove_page("intake/a", 0).unwrap();
        assert_eq!(s.view().items[0].pages, 2);
        assert!(s.move_page("intake/a", 0, 9).is_err());
        assert!(s.view().items[0].thumbnails[0].starts_with("data:image/jpeg;base64,/9j/"));
        s.add_pages("X-1/result", DocSource::Scanner, vec![page(1)]).unwrap();
        s.clear("intake/");
        assert_eq!(s.keys(""), ["X-1/result"]);
        assert!(s.add_pages("", DocSource::Scanner, vec![]).is_err());
    }

    #[test]
    fn base64_matches_the_standard() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }
}
